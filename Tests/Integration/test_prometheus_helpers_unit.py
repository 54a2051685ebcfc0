"""Fast unit tests of promhelpers' pure parts (no gateway, no Prometheus)."""

from __future__ import annotations

import json

from gwhelpers import Ports, to_yaml
from promhelpers import (
    FILL_BOUNDS,
    NO_RECORDED_VALUE,
    TTFT_BOUNDS,
    Checks,
    Point,
    Prometheus,
    Sample,
    _parse_sample,
    by_label,
    by_labels,
    counter,
    cumulative_buckets,
    expected_after,
    families,
    gauge,
    go_float,
    metrics_gateway_config,
    metrics_request,
)


def test_go_float_matches_prometheus_le_labels():
    assert [go_float(x) for x in (10.0, 0.5, 0.005, 1e3, float("inf"))] == ["10", "0.5", "0.005", "1000", "+Inf"]


def test_cumulative_buckets_use_upper_inclusive_bounds():
    assert cumulative_buckets([10.0, 50.0], [5, 10, 11, 50, 51]) == {"10": 2.0, "50": 4.0, "+Inf": 5.0}
    assert cumulative_buckets(TTFT_BOUNDS, []) == {"10": 0.0, "50": 0.0, "100": 0.0, "500": 0.0, "+Inf": 0.0}


def test_expected_after_accumulates_rounds():
    one, two = expected_after(1), expected_after(2)
    assert one["tokens"] == {"llama-8b": 5, "qwen-7b": 42}
    assert two["tokens"] == {"llama-8b": 12, "qwen-7b": 42}
    assert two["active"] == {"llama-8b": 6, "qwen-7b": 1}
    assert two["cache"] == {"llama-8b": 0.75}
    assert len(two["ttft"]["llama-8b"]) == 6 and two["prompt"]["qwen-7b"] == [16.0]
    assert cumulative_buckets(FILL_BOUNDS, two["fill"]["llama-8b"]) == {
        "25": 1.0, "50": 1.0, "75": 3.0, "100": 4.0, "+Inf": 4.0}


def test_metrics_request_builds_gauges_and_sums():
    from opentelemetry.proto.metrics.v1 import metrics_pb2 as mp

    req = metrics_request([
        gauge("g", [Point(1.5, {"a": "x"}, time_ns=123), Point(None, time_ns=124, flags=NO_RECORDED_VALUE)], unit="1"),
        counter("c", [Point(7, start_ns=5, time_ns=9)], delta=True),
        counter("u", [Point(-2)], monotonic=False),
    ], resource={"service.name": "s"})
    ms = req.resource_metrics[0].scope_metrics[0].metrics
    g, c, u = ms
    assert g.unit == "1" and g.gauge.data_points[0].as_double == 1.5
    assert g.gauge.data_points[0].attributes[0].key == "a" and g.gauge.data_points[0].time_unix_nano == 123
    assert g.gauge.data_points[1].flags == 1 and g.gauge.data_points[1].WhichOneof("value") is None
    assert c.sum.is_monotonic and c.sum.aggregation_temporality == mp.AGGREGATION_TEMPORALITY_DELTA
    assert (c.sum.data_points[0].as_int, c.sum.data_points[0].start_time_unix_nano) == (7, 5)
    assert not u.sum.is_monotonic and u.sum.aggregation_temporality == mp.AGGREGATION_TEMPORALITY_CUMULATIVE


def test_metrics_gateway_config_shapes(tmp_path):
    prom = Prometheus("/bin/true", tmp_path, port=9999)
    ports = Ports(1, 2, 3, 4)
    cfg = metrics_gateway_config(ports, prom, pull_port=5)
    assert cfg["exporters"]["prometheusremotewrite"]["endpoint"] == "http://127.0.0.1:9999/api/v1/write"
    assert cfg["exporters"]["prometheus"] == {"endpoint": "127.0.0.1:5"}
    assert cfg["service"]["pipelines"] == {"metrics": {"receivers": ["otlp"], "processors": ["batch"],
                                                       "exporters": ["prometheusremotewrite", "prometheus"]}}
    assert cfg["processors"]["batch"]["timeout"] == "100ms"
    text = to_yaml(cfg)
    assert "X-Scope-OrgID: t1" in text and "interval: 1s" in text

    bare = metrics_gateway_config(ports, prom, batch=False, prw={"max_series_per_metric": 5})
    assert "processors" not in bare and bare["service"]["pipelines"]["metrics"]["processors"] == []
    assert bare["exporters"]["prometheusremotewrite"]["max_series_per_metric"] == 5


def test_prometheus_config_and_argv(tmp_path):
    job = {"job_name": "j", "static_configs": [{"targets": ["127.0.0.1:1"]}],
           "metric_relabel_configs": [{"target_label": "source", "replacement": "scrape"}]}
    prom = Prometheus("/usr/bin/prometheus", tmp_path, port=1234, scrape_configs=[job])
    assert json.loads(prom.config_path.read_text()) == {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1m"}, "scrape_configs": [job]}
    argv = prom.argv()
    assert "--web.listen-address=127.0.0.1:1234" in argv
    assert {"--web.enable-remote-write-receiver", "--enable-feature=native-histograms",
            "--storage.tsdb.retention.time=1h"} <= set(argv)


def test_query_result_parsing():
    f = _parse_sample({"metric": {"__name__": "x", "le": "10"}, "value": [1.0, "3"]})
    h = _parse_sample({"metric": {"__name__": "h"}, "histogram": [1.0, {"count": "5", "sum": "1107"}]})
    assert (f.value, f.histogram) == (3.0, None)
    assert h.histogram == {"count": 5.0, "sum": 1107.0, "buckets": []}
    assert by_label([f], "le") == {"10": 3.0}
    assert by_labels([Sample({"__name__": "x", "a": "1", "source": "s"}, 2.0)], "source") == {
        frozenset({("a", "1")}): 2.0}


def test_families_and_checks():
    fams = families("# HELP a_total A.\n# TYPE a_total counter\na_total 1\n# TYPE b gauge\nb 2\n")
    assert fams == {"a_total": {"HELP": "A.", "TYPE": "counter"}, "b": {"HELP": None, "TYPE": "gauge"}}
    c = Checks()
    c.eq(1, 1, "same")
    c.eq(1, 2, "different")
    assert c.problems == ["different: got 1, expected 2"]
