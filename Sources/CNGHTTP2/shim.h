// libnghttp2 (Debian: libnghttp2-dev) for the HTTP/2 layer of the gRPC receiver and clients.
#pragma once
#include <nghttp2/nghttp2.h>
