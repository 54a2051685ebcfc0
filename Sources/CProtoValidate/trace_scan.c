#include "proto_validate.h"

// Walks an already validated ExportTraceServiceRequest for what forwarding it undecoded needs: the number of spans
// (the unit every count is in) and the id lengths the decoder would refuse. Nesting is fixed (request, ResourceSpans,
// ScopeSpans, Span, Link), so plain loops do, with no recursion.

static int varint(const uint8_t *d, size_t end, size_t *p, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end) return 0;
        uint8_t b = d[(*p)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 1;
        }
    }
    return 0;
}

// Reads one field's key and, for length-delimited fields, the value's range; skips other values.
// Returns 0 on malformed input (which validation has refused already; checked anyway).
static int field(const uint8_t *d, size_t end, size_t *p, uint32_t *number, size_t *start, size_t *stop) {
    uint64_t key, v;
    if (!varint(d, end, p, &key)) return 0;
    *number = (uint32_t)(key >> 3);
    *start = *stop = *p;
    switch (key & 7) {
    case 0: return varint(d, end, p, &v);
    case 1: if (end - *p < 8) return 0; *p += 8; return 1;
    case 5: if (end - *p < 4) return 0; *p += 4; return 1;
    case 2:
        if (!varint(d, end, p, &v) || v > end - *p) return 0;
        *start = *p;
        *p += (size_t)v;
        *stop = *p;
        return 2;
    default: return 0;
    }
}

static int check_id(pbv_trace_scan *out, int which, size_t len, size_t want, size_t offset) {
    if (len == 0 || len == want) return 1;
    out->bad_id = which;
    out->bad_length = len;
    out->bad_offset = offset;
    return 0;
}

// One Span: ids of the right length (or empty), and its name for a message.
static int span(const uint8_t *d, size_t at, size_t end, pbv_trace_scan *out) {
    size_t p = at, s, e;
    uint32_t n;
    int kind;
    out->name = NULL;
    out->name_len = 0;
    // The name first, so a bad id can be reported with it wherever the name sits.
    while (p < end) {
        if (!(kind = field(d, end, &p, &n, &s, &e))) return -1;
        if (kind == 2 && n == 5) {
            out->name = d + s;
            out->name_len = e - s;
        }
    }
    p = at;
    while (p < end) {
        if (!(kind = field(d, end, &p, &n, &s, &e))) return -1;
        if (kind != 2) continue;
        if ((n == 1 && !check_id(out, 1, e - s, 16, s)) || (n == 2 && !check_id(out, 2, e - s, 8, s)) ||
            (n == 4 && !check_id(out, 3, e - s, 8, s)))
            return 0;
        if (n == 13) {  // Link
            size_t q = s, ls, le;
            uint32_t ln;
            int lk;
            while (q < e) {
                if (!(lk = field(d, e, &q, &ln, &ls, &le))) return -1;
                if (lk != 2) continue;
                if ((ln == 1 && !check_id(out, 4, le - ls, 16, ls)) || (ln == 2 && !check_id(out, 5, le - ls, 8, ls)))
                    return 0;
            }
        }
    }
    return 1;
}

int pbv_scan_traces(const uint8_t *d, size_t len, pbv_trace_scan *out) {
    size_t p = 0, rs, re;
    uint32_t n;
    int kind;
    out->spans = 0;
    out->resource_spans = 0;
    out->bad_id = 0;
    out->bad_length = 0;
    out->bad_offset = 0;
    out->name = NULL;
    out->name_len = 0;
    while (p < len) {
        if (!(kind = field(d, len, &p, &n, &rs, &re))) return -1;
        if (kind != 2 || n != 1) continue;
        out->resource_spans++;
        size_t q = rs, ss, se;
        while (q < re) {
            if (!(kind = field(d, re, &q, &n, &ss, &se))) return -1;
            if (kind != 2 || n != 2) continue;  // ScopeSpans
            size_t r = ss, s, e;
            while (r < se) {
                if (!(kind = field(d, se, &r, &n, &s, &e))) return -1;
                if (kind != 2 || n != 2) continue;  // Span
                out->spans++;
                int ok = span(d, s, e, out);
                if (ok != 1) return ok;
            }
        }
    }
    return 1;
}
