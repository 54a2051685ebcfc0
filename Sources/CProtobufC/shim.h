// libprotobuf-c (Debian: libprotobuf-c-dev), the runtime of the generated OTLP messages.
#pragma once
#include <protobuf-c/protobuf-c.h>
