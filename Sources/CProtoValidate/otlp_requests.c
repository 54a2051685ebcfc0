#include "COTLPProto.h"
#include "proto_validate.h"

// The descriptors live here, in C, so the comparison of the recursive type is by the descriptors' own addresses
// (Swift would copy an imported `const` global before taking its address).
int pbv_validate_otlp_request(
    int signal, const uint8_t *data, size_t len, unsigned max_any_value_depth, pbv_result *result,
    const char **request_name) {
    const ProtobufCMessageDescriptor *root;
    switch (signal) {
    case 0: root = &opentelemetry__proto__collector__trace__v1__export_trace_service_request__descriptor; break;
    case 1: root = &opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__descriptor; break;
    default: root = &opentelemetry__proto__collector__logs__v1__export_logs_service_request__descriptor; break;
    }
    if (request_name) *request_name = root->short_name;
    return pbv_validate(
        root, data, len, &opentelemetry__proto__common__v1__any_value__descriptor, max_any_value_depth, 0, result);
}
