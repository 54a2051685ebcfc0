"""Fast unit tests of the integration-test helpers (no gateway binary needed)."""

from __future__ import annotations

import math
import socket

import pytest

from gwhelpers import (
    Ports,
    debug_total,
    free_ports,
    gateway_config,
    parse_debug_output,
    parse_prometheus_text,
    sum_matching,
    to_yaml,
    trace_request,
    metrics_request,
    logs_request,
)

PROM = r'''# HELP otelcol_receiver_accepted_spans_total Spans accepted.
# TYPE otelcol_receiver_accepted_spans_total counter
otelcol_receiver_accepted_spans_total{receiver="otlp",transport="grpc"} 25
otelcol_receiver_accepted_spans_total{receiver="otlp",transport="http"} 3 1700000000000
otelcol_receiver_requests_total{receiver="otlp", transport="http", outcome="failure",} 2
weird_total{path="a\"b\\c\nd"} +Inf
no_labels 1.5e3
empty_labels{} NaN
otelcol_process_memory_rss_bytes 1.2345678e+07
'''


def test_prometheus_parser_values_and_labels():
    m = parse_prometheus_text(PROM)
    assert m[("otelcol_receiver_accepted_spans_total", frozenset({"receiver": "otlp", "transport": "grpc"}.items()))] == 25
    assert m[("otelcol_receiver_accepted_spans_total", frozenset({"receiver": "otlp", "transport": "http"}.items()))] == 3
    assert m[("otelcol_receiver_requests_total",
              frozenset({"receiver": "otlp", "transport": "http", "outcome": "failure"}.items()))] == 2
    assert m[("weird_total", frozenset({"path": 'a"b\\c\nd'}.items()))] == math.inf
    assert m[("no_labels", frozenset())] == 1500.0
    assert math.isnan(m[("empty_labels", frozenset())])
    assert m[("otelcol_process_memory_rss_bytes", frozenset())] == 12345678
    assert len(m) == 7


def test_prometheus_sum_matching():
    m = parse_prometheus_text(PROM)
    assert sum_matching(m, "otelcol_receiver_accepted_spans_total") == 28
    assert sum_matching(m, "otelcol_receiver_accepted_spans_total", transport="grpc") == 25
    assert sum_matching(m, "otelcol_receiver_accepted_spans_total", transport="nope") == 0
    assert sum_matching(m, "otelcol_receiver_requests_total", outcome="failure") == 2


@pytest.mark.parametrize("bad", [
    'x{a="b"',             # unterminated labels
    'x{a=b} 1',            # unquoted label value
    'x{a="b"} ',           # no value
    'x{a="b"} one',        # bad value
    'x 1 2 3',             # too many fields
    'x{a="1",a="2"} 1',    # duplicate label
    'x 1\nx 2',            # duplicate series
    '{a="b"} 1',           # no name
])
def test_prometheus_parser_rejects(bad):
    with pytest.raises(ValueError):
        parse_prometheus_text(bad)


def test_free_ports_are_distinct_and_bindable():
    ports = free_ports(4)
    assert len(set(ports)) == 4
    for p in ports:
        s = socket.socket()
        s.bind(("127.0.0.1", p))
        s.close()
    # Never the same port twice in a session, and never inside the ephemeral range where an outbound
    # connection could take it before the gateway binds it.
    assert not set(ports) & set(free_ports(4))
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        low = int(f.read().split()[0])
    if low >= 12000:
        assert all(p < low for p in ports), ports


def test_config_builder_default_shape():
    ports = Ports(4317, 4318, 13133, 8888)
    cfg = gateway_config(ports)
    assert cfg["receivers"]["otlp"]["protocols"] == {
        "grpc": {"endpoint": "127.0.0.1:4317"},
        "http": {"endpoint": "127.0.0.1:4318"},
    }
    assert cfg["processors"] == {"batch": {"send_batch_size": 8192, "timeout": "200ms"}}
    assert cfg["exporters"] == {"debug": {"verbosity": "basic"}}
    assert cfg["extensions"] == {"health_check": {"endpoint": "127.0.0.1:13133"}}
    assert cfg["service"]["extensions"] == ["health_check"]
    assert cfg["service"]["telemetry"] == {"metrics": {"address": "127.0.0.1:8888"}}
    for sig in ("traces", "metrics", "logs"):
        assert cfg["service"]["pipelines"][sig] == {"receivers": ["otlp"], "processors": ["batch"], "exporters": ["debug"]}


def test_config_builder_overrides():
    ports = Ports(1, 2, 3, 4)
    cfg = gateway_config(ports, verbosity="detailed", batch={"timeout": "60s"}, grpc={"max_recv_msg_size_mib": 1},
                         http=False)
    assert cfg["receivers"]["otlp"]["protocols"] == {"grpc": {"endpoint": "127.0.0.1:1", "max_recv_msg_size_mib": 1}}
    assert cfg["processors"]["batch"] == {"send_batch_size": 8192, "timeout": "60s"}
    assert cfg["exporters"]["debug"] == {"verbosity": "detailed"}
    cfg = gateway_config(ports, exporters={"debug": {}, "debug/second": {}})
    assert cfg["service"]["pipelines"]["traces"]["exporters"] == ["debug", "debug/second"]


def test_yaml_writer_exact_text():
    cfg = gateway_config(Ports(4317, 4318, 13133, 8888), pipelines={
        "traces/b": {"receivers": ["otlp"], "processors": [], "exporters": ["debug/x"]},
    }, exporters={"debug/x": {"verbosity": "basic"}, "debug": {}})
    assert to_yaml(cfg) == '''receivers:
  otlp:
    protocols:
      grpc:
        endpoint: "127.0.0.1:4317"
      http:
        endpoint: "127.0.0.1:4318"
processors:
  batch:
    send_batch_size: 8192
    timeout: 200ms
exporters:
  debug/x:
    verbosity: basic
  debug: {}
extensions:
  health_check:
    endpoint: "127.0.0.1:13133"
service:
  extensions: [health_check]
  telemetry:
    metrics:
      address: "127.0.0.1:8888"
  pipelines:
    traces/b:
      receivers: [otlp]
      processors: []
      exporters: [debug/x]
'''


def test_yaml_writer_quotes_ambiguous_scalars():
    text = to_yaml({"a": "yes", "b": "1", "c": "fast", "d": True, "e": 1.5, "f": "a b", "g": None, "h": "5s"})
    assert text == 'a: "yes"\nb: "1"\nc: fast\nd: true\ne: 1.5\nf: "a b"\ng: null\nh: 5s\n'


DEBUG_OUT = '''fake log line that is not debug output
exporter=debug signal=traces resource_spans=1 spans=20
exporter=debug signal=traces resource_spans=2 spans=5
  span trace_id=0102030405060708090a0b0c0d0e0f10 span_id=0102030405060708 parent_span_id= name="root \\"x\\"" kind=Server status=Error attributes={k=v, n=1}
  span trace_id=0102030405060708090a0b0c0d0e0f10 span_id=0102030405060709 parent_span_id=0102030405060708 name="child" kind=Internal status=Unset attributes={}
exporter=debug/second signal=traces resource_spans=1 spans=7
exporter=debug signal=metrics resource_metrics=1 metrics=2 data_points=9
  metric name="requests" type=Sum unit="1" data_points=3
  metric name="size" type=ExponentialHistogram unit="By" data_points=6
exporter=debug signal=logs resource_logs=1 log_records=4
  log severity_number=9 severity_text="INFO" body="hello" trace_id=
  log severity_number=17 severity_text="ERROR" body="boom" trace_id=0102030405060708090a0b0c0d0e0f10
'''


def test_debug_output_parser():
    s = parse_debug_output(DEBUG_OUT)
    assert [x.exporter for x in s] == ["debug", "debug", "debug/second", "debug", "debug"]
    assert debug_total(s, "traces", "spans") == 32
    assert debug_total(s, "traces", "spans", "debug") == 25
    assert debug_total(s, "traces", "spans", "debug/second") == 7
    assert debug_total(s, "traces", "resource_spans", "debug") == 3
    assert debug_total(s, "metrics", "data_points") == 9
    assert debug_total(s, "metrics", "metrics") == 2
    assert debug_total(s, "logs", "log_records") == 4
    spans = s[1].details
    assert spans[0]["name"] == 'root "x"' and spans[0]["kind"] == "Server" and spans[0]["status"] == "Error"
    assert spans[0]["parent_span_id"] == "" and spans[1]["parent_span_id"] == "0102030405060708"
    assert spans[0]["attributes"] == "k=v, n=1"
    assert s[3].details[1] == {"item": "metric", "name": "size", "type": "ExponentialHistogram", "unit": "By",
                               "data_points": 6}
    assert s[4].details[1]["severity_number"] == 17 and s[4].details[1]["body"] == "boom"
    assert s[4].details[0]["trace_id"] == ""


@pytest.mark.parametrize("bad", [
    "exporter=debug signal=traces spans=20",                      # missing resource_spans
    "exporter=debug signal=traces resource_spans=1 spans=x",      # not a number
    "exporter=debug signal=profiles resource_profiles=1",         # unknown signal
    "exporter=debug signal=logs resource_logs=1 log_records=2 extra=1",
    "exporter=debug signal=traces resource_spans=1 spans=1\n  span trace_id=zz span_id=0102030405060708 "
    'parent_span_id= name="a" kind=Server status=Ok attributes={}',
    "exporter=debug signal=traces resource_spans=1 spans=1\n  span trace_id=0102030405060708090a0b0c0d0e0f10 "
    'span_id=0102030405060708 parent_span_id= name="a" kind=SERVER status=Ok attributes={}',
    "  log severity_number=9 severity_text=\"I\" body=\"b\" trace_id=",  # detail before summary
])
def test_debug_output_parser_rejects(bad):
    with pytest.raises(ValueError):
        parse_debug_output(bad)


def test_request_builders():
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts

    req = trace_request(10, resources=3)
    assert [len(rs.scope_spans[0].spans) for rs in req.resource_spans] == [4, 3, 3]
    again = ts.ExportTraceServiceRequest.FromString(req.SerializeToString())
    assert sum(len(rs.scope_spans[0].spans) for rs in again.resource_spans) == 10
    assert all(len(s.trace_id) == 16 and len(s.span_id) == 8 for rs in req.resource_spans for s in rs.scope_spans[0].spans)
    big = trace_request(1, big_attribute=2 * 1024 * 1024)
    assert big.ByteSize() > 2 * 1024 * 1024
    assert len(metrics_request(4).resource_metrics[0].scope_metrics[0].metrics[0].gauge.data_points) == 4
    assert len(logs_request(6).resource_logs[0].scope_logs[0].log_records) == 6
