// snappy (Debian: libsnappy-dev), block format, for Prometheus remote write.
#pragma once
#include <snappy-c.h>
