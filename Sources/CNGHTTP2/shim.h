// libnghttp2 (Debian: libnghttp2-dev) for the HTTP/2 layer of the gRPC receiver and clients.
// Accessors and constants below exist because Swift imports nghttp2's C unions and enums awkwardly.
#pragma once
#include <nghttp2/nghttp2.h>

static const uint8_t CNGHTTP2_FLAG_END_STREAM = NGHTTP2_FLAG_END_STREAM;
static const uint8_t CNGHTTP2_FRAME_DATA = NGHTTP2_DATA;
static const uint8_t CNGHTTP2_FRAME_HEADERS = NGHTTP2_HEADERS;
static const uint32_t CNGHTTP2_DATA_FLAG_EOF = NGHTTP2_DATA_FLAG_EOF;
static const uint32_t CNGHTTP2_DATA_FLAG_NO_END_STREAM = NGHTTP2_DATA_FLAG_NO_END_STREAM;
static const int CNGHTTP2_ERR_DEFERRED = NGHTTP2_ERR_DEFERRED;
static const int CNGHTTP2_ERR_CALLBACK_FAILURE = NGHTTP2_ERR_CALLBACK_FAILURE;
static const int CNGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE = NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
static const int32_t CNGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS = NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS;
static const int32_t CNGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE = NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE;
static const int32_t CNGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE = NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE;
static const int32_t CNGHTTP2_SETTINGS_HEADER_TABLE_SIZE = NGHTTP2_SETTINGS_HEADER_TABLE_SIZE;
static const int32_t CNGHTTP2_SETTINGS_MAX_FRAME_SIZE = NGHTTP2_SETTINGS_MAX_FRAME_SIZE;
static const uint32_t CNGHTTP2_NO_ERROR = NGHTTP2_NO_ERROR;
static const uint32_t CNGHTTP2_PROTOCOL_ERROR = NGHTTP2_PROTOCOL_ERROR;
static const uint32_t CNGHTTP2_REFUSED_STREAM = NGHTTP2_REFUSED_STREAM;
static const uint32_t CNGHTTP2_CANCEL = NGHTTP2_CANCEL;

static inline uint8_t cnghttp2_frame_type(const nghttp2_frame *frame) { return frame->hd.type; }
static inline uint8_t cnghttp2_frame_flags(const nghttp2_frame *frame) { return frame->hd.flags; }
static inline int32_t cnghttp2_frame_stream_id(const nghttp2_frame *frame) { return frame->hd.stream_id; }
static inline int cnghttp2_frame_headers_category(const nghttp2_frame *frame) { return (int)frame->headers.cat; }
