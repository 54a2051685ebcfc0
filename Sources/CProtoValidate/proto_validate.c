#include "proto_validate.h"

#include <string.h>

#define PBV_STACK_LIMIT 256

typedef struct {
    const ProtobufCMessageDescriptor *desc;
    size_t end;
} pbv_frame;

static int read_varint(const uint8_t *data, size_t end, size_t *pos, uint64_t *out, pbv_reason *why) {
    uint64_t v = 0;
    unsigned shift = 0;
    size_t p = *pos;
    for (int i = 0; i < 10; i++) {
        if (p >= end) {
            *why = PBV_TRUNCATED;
            return 0;
        }
        uint8_t b = data[p++];
        v |= (uint64_t)(b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
            *pos = p;
            *out = v;
            return 1;
        }
        shift += 7;
    }
    *why = PBV_BAD_VARINT;
    return 0;
}

int pbv_valid_utf8(const uint8_t *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        // Runs of ASCII eight bytes at a time: most attribute text is ASCII.
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= len) break;
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (len - i < n) return 0;
        for (size_t k = 1; k < n; k++) {
            uint8_t cc = s[i + k];
            if ((cc & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
        if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
        i += n;
    }
    return 1;
}

// The wire types a field of this declared type may arrive in; packed encoding (2) for repeated scalars.
static int wire_type_allowed(const ProtobufCFieldDescriptor *f, unsigned wt) {
    int repeated = f->label == PROTOBUF_C_LABEL_REPEATED;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_BOOL:
    case PROTOBUF_C_TYPE_ENUM:
        return wt == 0 || (repeated && wt == 2);
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return wt == 5 || (repeated && wt == 2);
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return wt == 1 || (repeated && wt == 2);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE:
        return wt == 2;
    }
    return 0;
}

// A packed run of scalars: whole elements, and every varint well formed.
static int valid_packed(const ProtobufCFieldDescriptor *f, const uint8_t *data, size_t start, size_t end, pbv_reason *why) {
    size_t n = end - start;
    switch (f->type) {
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        if (n % 4 != 0) {
            *why = PBV_BAD_PACKED;
            return 0;
        }
        return 1;
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        if (n % 8 != 0) {
            *why = PBV_BAD_PACKED;
            return 0;
        }
        return 1;
    default: {
        size_t p = start;
        uint64_t v;
        while (p < end) {
            if (!read_varint(data, end, &p, &v, why)) {
                if (*why == PBV_TRUNCATED) *why = PBV_BAD_PACKED;
                return 0;
            }
        }
        return 1;
    }
    }
}

static int fail(pbv_result *r, pbv_reason why, size_t offset, const ProtobufCMessageDescriptor *desc,
                const ProtobufCFieldDescriptor *field) {
    if (r) {
        r->reason = why;
        r->offset = offset;
        r->message_name = desc ? desc->short_name : NULL;
        r->field_name = field ? field->name : NULL;
    }
    return 0;
}

int pbv_validate(
    const ProtobufCMessageDescriptor *root, const uint8_t *data, size_t len,
    const ProtobufCMessageDescriptor *recursive, unsigned max_recursive_depth, unsigned max_depth,
    pbv_result *result) {
    pbv_frame stack[PBV_STACK_LIMIT];
    if (max_depth == 0 || max_depth > PBV_STACK_LIMIT) max_depth = PBV_STACK_LIMIT;
    unsigned depth = 0;
    unsigned recursive_depth = 0;
    stack[0].desc = root;
    stack[0].end = len;
    if (root == recursive) recursive_depth = 1;
    size_t pos = 0;
    pbv_reason why = PBV_OK;

    for (;;) {
        pbv_frame *top = &stack[depth];
        if (pos == top->end) {
            // This message is complete; the enclosing one continues after it.
            if (depth == 0) break;
            if (top->desc == recursive) recursive_depth--;
            depth--;
            continue;
        }
        size_t tag_at = pos;
        uint64_t key;
        if (!read_varint(data, top->end, &pos, &key, &why)) return fail(result, why, tag_at, top->desc, NULL);
        uint64_t number = key >> 3;
        unsigned wt = (unsigned)(key & 7);
        if (number == 0 || number > 0x1FFFFFFF) return fail(result, PBV_BAD_FIELD_NUMBER, tag_at, top->desc, NULL);
        const ProtobufCFieldDescriptor *field =
            protobuf_c_message_descriptor_get_field(top->desc, (unsigned)number);
        if (field && !wire_type_allowed(field, wt)) return fail(result, PBV_WRONG_WIRE_TYPE, tag_at, top->desc, field);
        switch (wt) {
        case 0: {
            uint64_t v;
            if (!read_varint(data, top->end, &pos, &v, &why)) return fail(result, why, tag_at, top->desc, field);
            break;
        }
        case 1:
            if (top->end - pos < 8) return fail(result, PBV_TRUNCATED, tag_at, top->desc, field);
            pos += 8;
            break;
        case 5:
            if (top->end - pos < 4) return fail(result, PBV_TRUNCATED, tag_at, top->desc, field);
            pos += 4;
            break;
        case 2: {
            uint64_t n;
            if (!read_varint(data, top->end, &pos, &n, &why)) return fail(result, why, tag_at, top->desc, field);
            if (n > top->end - pos) return fail(result, PBV_TRUNCATED, tag_at, top->desc, field);
            size_t start = pos;
            size_t end = pos + (size_t)n;
            if (field == NULL || field->type == PROTOBUF_C_TYPE_BYTES) {
                pos = end;
            } else if (field->type == PROTOBUF_C_TYPE_STRING) {
                if (!pbv_valid_utf8(data + start, (size_t)n)) return fail(result, PBV_BAD_UTF8, tag_at, top->desc, field);
                if (n > 0 && memchr(data + start, 0, (size_t)n) != NULL)
                    return fail(result, PBV_NUL_IN_STRING, tag_at, top->desc, field);
                pos = end;
            } else if (field->type == PROTOBUF_C_TYPE_MESSAGE) {
                const ProtobufCMessageDescriptor *child = field->descriptor;
                if (depth + 1 >= max_depth) return fail(result, PBV_TOO_DEEP, tag_at, top->desc, field);
                if (child == recursive) {
                    if (recursive_depth + 1 > max_recursive_depth)
                        return fail(result, PBV_RECURSION_TOO_DEEP, tag_at, top->desc, field);
                    recursive_depth++;
                }
                depth++;
                stack[depth].desc = child;
                stack[depth].end = end;
                // pos stays at the start of the child's bytes.
            } else {
                if (!valid_packed(field, data, start, end, &why)) return fail(result, why, tag_at, top->desc, field);
                pos = end;
            }
            break;
        }
        default:
            return fail(result, PBV_BAD_WIRE_TYPE, tag_at, top->desc, field);
        }
    }
    if (result) {
        result->reason = PBV_OK;
        result->offset = len;
        result->message_name = NULL;
        result->field_name = NULL;
    }
    return 1;
}

const char *pbv_reason_text(pbv_reason reason) {
    switch (reason) {
    case PBV_OK: return "valid";
    case PBV_TRUNCATED: return "truncated or overrunning field";
    case PBV_BAD_VARINT: return "varint longer than 10 bytes";
    case PBV_BAD_FIELD_NUMBER: return "invalid field number";
    case PBV_BAD_WIRE_TYPE: return "invalid wire type (groups are not supported)";
    case PBV_WRONG_WIRE_TYPE: return "wire type does not match the field's type";
    case PBV_BAD_PACKED: return "malformed packed repeated field";
    case PBV_BAD_UTF8: return "string field is not valid UTF-8";
    case PBV_NUL_IN_STRING: return "string field contains U+0000 (NUL), which this gateway cannot carry";
    case PBV_TOO_DEEP: return "messages nested too deeply";
    case PBV_RECURSION_TOO_DEEP: return "nested too deeply";
    }
    return "invalid";
}
