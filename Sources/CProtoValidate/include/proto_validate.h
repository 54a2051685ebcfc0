// A non-recursive validator for protobuf wire bytes, driven by protobuf-c's message descriptors.
//
// protobuf-c's unpack recurses once per nested message, so a request that nests a recursive type
// (OTLP's AnyValue) thousands of levels deep exhausts the stack before any check of ours can run.
// This walk uses an explicit, fixed-size stack instead and refuses, before unpack ever sees the bytes:
// nesting deeper than a limit (in total, and of one chosen recursive message type), wire types that do
// not match the field's declared type, lengths that overrun their enclosing message, malformed varints,
// packed fields of the wrong size, groups, field number 0, and string fields that are not valid UTF-8
// (proto3 requires it of every `string`).
#pragma once
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

/// Why a message was refused; `PBV_OK` when it was not.
typedef enum {
    PBV_OK = 0,
    /// A varint, fixed-width value or length runs past the end of its message.
    PBV_TRUNCATED,
    /// A varint longer than 10 bytes.
    PBV_BAD_VARINT,
    /// Field number 0, or above 2^29 - 1.
    PBV_BAD_FIELD_NUMBER,
    /// Wire types 3, 4 (groups), 6 or 7.
    PBV_BAD_WIRE_TYPE,
    /// A known field sent with a wire type its declared type does not allow.
    PBV_WRONG_WIRE_TYPE,
    /// A packed repeated field whose length is not a whole number of elements.
    PBV_BAD_PACKED,
    /// A `string` field that is not valid UTF-8.
    PBV_BAD_UTF8,
    /// A `string` field holding U+0000: protobuf-c hands strings over NUL-terminated, so everything after it
    /// would be lost silently; refused instead.
    PBV_NUL_IN_STRING,
    /// Messages nested deeper than `max_depth`.
    PBV_TOO_DEEP,
    /// The chosen recursive message type nested deeper than `max_recursive_depth`.
    PBV_RECURSION_TOO_DEEP,
} pbv_reason;

/// Where and why validation stopped.
typedef struct {
    pbv_reason reason;
    /// Byte offset of the offending field's tag (or of the value, for truncation).
    size_t offset;
    /// The message being read (protobuf-c's short name, e.g. "Span").
    const char *message_name;
    /// The field being read, or NULL when it is unknown to the schema.
    const char *field_name;
} pbv_result;

/// Validates `len` bytes as a `root` message. `recursive` (may be NULL) is the message type whose own nesting
/// is limited to `max_recursive_depth` levels; `max_depth` (at most 256) bounds the nesting of all messages.
/// Unknown fields are checked for well-formed wire types and lengths and skipped. Returns 1 when valid.
int pbv_validate(
    const ProtobufCMessageDescriptor *root, const uint8_t *data, size_t len,
    const ProtobufCMessageDescriptor *recursive, unsigned max_recursive_depth, unsigned max_depth,
    pbv_result *result);

/// 1 when `len` bytes at `data` are valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
int pbv_valid_utf8(const uint8_t *data, size_t len);

/// A short English text for a reason.
const char *pbv_reason_text(pbv_reason reason);

/// OTLP export requests: 0 traces, 1 metrics, 2 logs. Validates with AnyValue as the recursive type, its nesting
/// limited to `max_any_value_depth`. Returns 1 when valid; `request_name` receives the request's message name.
int pbv_validate_otlp_request(
    int signal, const uint8_t *data, size_t len, unsigned max_any_value_depth, pbv_result *result,
    const char **request_name);

/// What forwarding an `ExportTraceServiceRequest` undecoded needs to know of it.
typedef struct {
    /// Spans in the request.
    size_t spans;
    /// `ResourceSpans` entries in it.
    size_t resource_spans;
    /// 0, or which id has a bad length: 1 trace id, 2 span id, 3 parent span id, 4 link trace id, 5 link span id.
    int bad_id;
    /// That id's length, and its offset in the request.
    size_t bad_length;
    size_t bad_offset;
    /// The name of the span with the bad id (not NUL-terminated), NULL when it has none.
    const uint8_t *name;
    size_t name_len;
} pbv_trace_scan;

/// Counts the spans of a request that `pbv_validate_otlp_request` accepted and checks the lengths of its ids (16
/// bytes for trace ids, 8 for span ids, or empty) as decoding would. Returns 1 when they are right, 0 on a bad id
/// (described in `out`), -1 on malformed bytes.
int pbv_scan_traces(const uint8_t *data, size_t len, pbv_trace_scan *out);
