// lz4 (Debian: liblz4-dev), frame format, for `lz4` request bodies.
#pragma once
#include <lz4frame.h>
