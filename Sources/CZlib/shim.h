// zlib (Debian: zlib1g-dev) for gzip bodies. The init macros are wrapped because Swift cannot import
// function-like macros.
#pragma once
#include <zlib.h>

static inline int czlib_inflate_init_gzip(z_stream *s) {
    // 15 window bits + 32: accept both zlib and gzip headers (automatic detection).
    return inflateInit2(s, 15 + 32);
}

static inline int czlib_deflate_init_gzip(z_stream *s, int level) {
    // 15 window bits + 16: write a gzip header and trailer.
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

static inline int czlib_deflate_init_zlib(z_stream *s, int level) {
    // 15 window bits: a zlib header and trailer (HTTP's "deflate").
    return deflateInit2(s, level, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY);
}
