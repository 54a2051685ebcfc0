"""OTLP/HTTP with the JSON encoding: hand-written requests (hex ids, lowerCamelCase keys, integer
enums, 64-bit integers as strings), as the OTLP specification's JSON mapping prescribes."""

from __future__ import annotations

import copy
import gzip
import json

import pytest

from gwhelpers import http_post

TRACE_ID = "5b8efff798038103d269b633813fc60c"
TRACE_ID_2 = "0af7651916cd43dd8448eb211c80319c"
ROOT = "eee19b7ec3c1b174"
CHILD = "0102030405060708"

TRACES_JSON = {
    "resourceSpans": [
        {
            "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-client"}}]},
            "scopeSpans": [
                {
                    "scope": {"name": "hand-written", "version": "1.0.0"},
                    "spans": [
                        {
                            "traceId": TRACE_ID,
                            "spanId": ROOT,
                            "parentSpanId": "",
                            "name": "json-root",
                            "kind": 2,
                            "startTimeUnixNano": "1544712660000000000",
                            "endTimeUnixNano": "1544712661000000000",
                            "attributes": [
                                {"key": "http.status_code", "value": {"intValue": "500"}},
                                {"key": "ratio", "value": {"doubleValue": 0.5}},
                                {"key": "cached", "value": {"boolValue": True}},
                                {"key": "tags", "value": {"arrayValue": {"values": [{"stringValue": "a"}]}}},
                            ],
                            "droppedAttributesCount": 0,
                            "events": [
                                {"timeUnixNano": "1544712660500000000", "name": "retry",
                                 "attributes": [{"key": "attempt", "value": {"intValue": "2"}}]},
                            ],
                            "status": {"code": 2, "message": "upstream failed"},
                        },
                        {
                            "traceId": TRACE_ID,
                            "spanId": CHILD,
                            "parentSpanId": ROOT,
                            "name": "json-child",
                            "kind": 3,
                            "startTimeUnixNano": "1544712660100000000",
                            "endTimeUnixNano": "1544712660900000000",
                            "links": [{"traceId": TRACE_ID_2, "spanId": "b7ad6b7169203331"}],
                            "status": {"code": 1},
                        },
                        {
                            "traceId": TRACE_ID,
                            "spanId": "1112131415161718",
                            "parentSpanId": CHILD,
                            "name": "json-leaf",
                            "kind": 1,
                            "startTimeUnixNano": "1544712660200000000",
                            "endTimeUnixNano": "1544712660300000000",
                        },
                    ],
                }
            ],
        },
        {
            "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-other"}}]},
            "scopeSpans": [
                {
                    "spans": [
                        {"traceId": TRACE_ID_2, "spanId": "b7ad6b7169203331", "name": "other-1", "kind": 5,
                         "startTimeUnixNano": "1544712670000000000", "endTimeUnixNano": "1544712670000000001"},
                        {"traceId": TRACE_ID_2, "spanId": "b7ad6b7169203332", "name": "other-2", "kind": 4,
                         "startTimeUnixNano": "1544712670000000000", "endTimeUnixNano": "1544712670000000001"},
                    ]
                }
            ],
        },
    ]
}
TRACES_JSON_SPANS = 5

METRICS_JSON = {
    "resourceMetrics": [
        {
            "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-client"}}]},
            "scopeMetrics": [
                {
                    "scope": {"name": "hand-written"},
                    "metrics": [
                        {
                            "name": "json.temperature",
                            "unit": "Cel",
                            "gauge": {"dataPoints": [
                                {"timeUnixNano": "1544712660000000000", "asDouble": 21.5,
                                 "attributes": [{"key": "room", "value": {"stringValue": "a"}}]},
                                {"timeUnixNano": "1544712660000000000", "asDouble": 19.0,
                                 "attributes": [{"key": "room", "value": {"stringValue": "b"}}]},
                            ]},
                        },
                        {
                            "name": "json.requests",
                            "unit": "1",
                            "sum": {
                                "aggregationTemporality": 2,
                                "isMonotonic": True,
                                "dataPoints": [{"startTimeUnixNano": "1544712600000000000",
                                                "timeUnixNano": "1544712660000000000", "asInt": "42"}],
                            },
                        },
                        {
                            "name": "json.latency",
                            "unit": "ms",
                            "histogram": {
                                "aggregationTemporality": 1,
                                "dataPoints": [{
                                    "startTimeUnixNano": "1544712600000000000",
                                    "timeUnixNano": "1544712660000000000",
                                    "count": "3", "sum": 7.5,
                                    "bucketCounts": ["1", "1", "1"], "explicitBounds": [1.0, 5.0],
                                    "min": 0.5, "max": 6.0,
                                }],
                            },
                        },
                    ],
                }
            ],
        }
    ]
}
METRICS_JSON_POINTS = 4
METRICS_JSON_DETAILS = {"json.temperature": ("Gauge", "Cel", 2), "json.requests": ("Sum", "1", 1),
                        "json.latency": ("Histogram", "ms", 1)}

LOGS_JSON = {
    "resourceLogs": [
        {
            "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-client"}}]},
            "scopeLogs": [
                {
                    "logRecords": [
                        {"timeUnixNano": "1544712660000000000", "severityNumber": 9, "severityText": "INFO",
                         "body": {"stringValue": "hello json"}, "traceId": TRACE_ID, "spanId": ROOT},
                        {"observedTimeUnixNano": "1544712660000000000", "severityNumber": 17,
                         "severityText": "ERROR", "body": {"stringValue": "boom"}},
                    ]
                }
            ],
        }
    ]
}


def assert_json_success(resp, rejected_key: str):
    assert resp.status_code == 200, (resp.status_code, resp.text)
    ctype = resp.headers.get("Content-Type", "")
    assert ctype.split(";")[0].strip() == "application/json", ctype
    body = resp.json()
    assert isinstance(body, dict)
    assert set(body) <= {"partialSuccess"}, body
    ps = body.get("partialSuccess", {})
    assert int(ps.get(rejected_key, 0)) == 0, body


VARIANTS = [
    pytest.param("application/json", None, id="plain"),
    pytest.param("application/json; charset=utf-8", None, id="charset-param"),
    pytest.param("application/json", "gzip", id="gzip"),
]


@pytest.mark.parametrize("content_type,encoding", VARIANTS)
def test_json_traces(gw_detailed, content_type, encoding):
    gw = gw_detailed
    body = json.dumps(TRACES_JSON).encode()
    if encoding == "gzip":
        body = gzip.compress(body)
    resp = http_post(gw.http_url("/v1/traces"), body, content_type, encoding=encoding)
    assert_json_success(resp, "rejectedSpans")

    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", TRACES_JSON_SPANS,
                             receiver="otlp", transport="http") == TRACES_JSON_SPANS
    assert gw.settle_debug("traces", "spans", TRACES_JSON_SPANS) == TRACES_JSON_SPANS
    assert gw.debug_total("traces", "resource_spans") == 2
    details = {d["name"]: d for s in gw.debug_summaries() if s.signal == "traces" for d in s.details}
    assert set(details) == {"json-root", "json-child", "json-leaf", "other-1", "other-2"}
    # ids are hex in JSON (not base64): they must come out as the same hex
    assert details["json-root"]["trace_id"] == TRACE_ID
    assert details["json-root"]["span_id"] == ROOT
    assert details["json-root"]["parent_span_id"] == ""
    assert (details["json-root"]["kind"], details["json-root"]["status"]) == ("Server", "Error")
    assert details["json-child"]["parent_span_id"] == ROOT
    assert (details["json-child"]["kind"], details["json-child"]["status"]) == ("Client", "Ok")
    assert details["json-leaf"]["parent_span_id"] == CHILD
    assert details["json-leaf"]["kind"] == "Internal"
    assert (details["other-1"]["kind"], details["other-2"]["kind"]) == ("Consumer", "Producer")
    assert details["other-1"]["trace_id"] == TRACE_ID_2
    assert "http.status_code" in details["json-root"]["attributes"] and "500" in details["json-root"]["attributes"]


def test_json_metrics(gw_detailed):
    gw = gw_detailed
    resp = http_post(gw.http_url("/v1/metrics"), json.dumps(METRICS_JSON).encode(), "application/json")
    assert_json_success(resp, "rejectedDataPoints")
    assert gw.settle_counter("otelcol_receiver_accepted_metric_points_total", METRICS_JSON_POINTS,
                             receiver="otlp", transport="http") == METRICS_JSON_POINTS
    assert gw.settle_debug("metrics", "data_points", METRICS_JSON_POINTS) == METRICS_JSON_POINTS
    assert gw.debug_total("metrics", "metrics") == 3
    details = {d["name"]: (d["type"], d["unit"], d["data_points"])
               for s in gw.debug_summaries() if s.signal == "metrics" for d in s.details}
    assert details == METRICS_JSON_DETAILS


def test_json_logs(gw_detailed):
    gw = gw_detailed
    resp = http_post(gw.http_url("/v1/logs"), json.dumps(LOGS_JSON).encode(), "application/json")
    assert_json_success(resp, "rejectedLogRecords")
    assert gw.settle_counter("otelcol_receiver_accepted_log_records_total", 2,
                             receiver="otlp", transport="http") == 2
    assert gw.settle_debug("logs", "log_records", 2) == 2
    details = sorted((d["body"], d["severity_number"], d["severity_text"], d["trace_id"])
                     for s in gw.debug_summaries() if s.signal == "logs" for d in s.details)
    assert details == [("boom", 17, "ERROR", ""), ("hello json", 9, "INFO", TRACE_ID)]


def test_json_unknown_fields_are_ignored(gw):
    # OTLP/JSON: receivers MUST ignore unknown fields.
    doc = copy.deepcopy(TRACES_JSON)
    doc["someFutureField"] = {"x": 1}
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["futureSpanField"] = "ignored"
    resp = http_post(gw.http_url("/v1/traces"), json.dumps(doc).encode(), "application/json")
    assert_json_success(resp, "rejectedSpans")
    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", TRACES_JSON_SPANS,
                             receiver="otlp", transport="http") == TRACES_JSON_SPANS


def test_json_empty_request_succeeds(gw):
    resp = http_post(gw.http_url("/v1/traces"), b"{}", "application/json")
    assert_json_success(resp, "rejectedSpans")
    assert gw.counter("otelcol_receiver_accepted_spans_total", receiver="otlp") == 0


def test_protobuf_response_is_empty_protobuf(gw):
    from gwhelpers import trace_request
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts

    resp = http_post(gw.http_url("/v1/traces"), trace_request(3).SerializeToString(), "application/x-protobuf")
    assert resp.status_code == 200, resp.text
    assert resp.headers.get("Content-Type", "").split(";")[0].strip() == "application/x-protobuf"
    parsed = ts.ExportTraceServiceResponse.FromString(resp.content)
    assert parsed.partial_success.rejected_spans == 0
    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", 3, receiver="otlp", transport="http") == 3
