// zstd (Debian: libzstd-dev), for `zstd` request and response bodies.
#pragma once
#include <zstd.h>
