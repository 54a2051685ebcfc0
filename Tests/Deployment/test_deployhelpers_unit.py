"""The pure parts of deployhelpers: Grafana variable substitution, the PromQL selector extractor and the
Dockerfile parsers, on inputs with known answers."""

from __future__ import annotations

import pytest

import deployhelpers as dh


def test_substitute_builtins_and_variables():
    expr = 'rate(x{instance=~"$instance", svc=~"${service:regex}"}[$__rate_interval]) / $__range_s'
    out = dh.substitute(expr, {"instance": ".*", "service": "a|b"}, "20s", "5s", "15m")
    assert out == 'rate(x{instance=~".*", svc=~"a|b"}[20s]) / 900'
    with pytest.raises(KeyError):
        dh.substitute("up{a=\"$typo\"}", {}, "20s", "5s", "15m")


def test_grafana_rate_interval():
    assert dh.grafana_rate_interval("5s") == "20s"
    assert dh.grafana_rate_interval("1m") == "240s"


@pytest.mark.parametrize("expr,selectors", [
    ("kv_cache_memory_bytes", ["kv_cache_memory_bytes"]),
    ("histogram_quantile(0.95, sum by(le) (rate(ttft_milliseconds_bucket[5m])))", ["ttft_milliseconds_bucket"]),
    ('sum by (a) (rate(x_total{s="STATUS_CODE_ERROR"}[1m])) / sum by (a) (rate(x_total[1m])) > 0.05',
     ['x_total{s="STATUS_CODE_ERROR"}', "x_total"]),
    ('(time() - max by (j) (ts{job="a"}) > 300) and on (j, i) (up{job="b"} == 0) or vector(0)',
     ['ts{job="a"}', 'up{job="b"}']),
    ('rate({__name__=~"a_(b|c)_total", job="x"}[5m])', ['{__name__=~"a_(b|c)_total", job="x"}']),
    ('label_replace(sum by (r) (rate(y_total{job="x"}[5m])), "signal", "spans", "", "") > 0', ['y_total{job="x"}']),
    ("topk(15, sum by(service) (rate(c[1m]))) / 1e3 unless d offset 5m", ["c", "d"]),
    ("sum(rate(a[5m:1m])) * on() group_left(x) b", ["a", "b"]),
])
def test_vector_selectors(expr, selectors):
    assert dh.vector_selectors(expr) == selectors


def test_dockerfile_parsers():
    text = 'FROM a:1 AS build\nRUN x \\\n  y\nFROM b:2\nARG RUNTIME_PACKAGES="p1 p2"\nUSER 1:1\n'
    stages = dh.dockerfile_stages(text)
    assert [(s["image"], s["name"]) for s in stages] == [("a:1", "build"), ("b:2", None)]
    assert stages[0]["instructions"] == [("RUN", "x    y")]
    assert dh.dockerfile_runtime_packages(text) == ["p1", "p2"]
    with pytest.raises(ValueError):
        dh.dockerfile_runtime_packages("FROM x\n")


def test_test_config_refuses_leftover_listeners(monkeypatch, tmp_path):
    """compose_gateway_config_for_test fails when the compose config gains a listener it does not move."""
    src = dh.COLLECTOR_COMPOSE.read_text()
    extra = tmp_path / "collector.compose.yaml"
    extra.write_text(src.replace("extensions:\n  health_check:",
                                 "extensions:\n  pprof:\n    endpoint: 0.0.0.0:1777\n  health_check:", 1))
    monkeypatch.setattr(dh, "COLLECTOR_COMPOSE", extra)
    kwargs = dict(grpc=1, http=2, health=3, telemetry=4, pull=5, remote_write_url="http://127.0.0.1:6/api/v1/write",
                  tempo_grpc=7, nvml_library="/x.so")
    with pytest.raises(ValueError, match="pprof"):
        dh.compose_gateway_config_for_test(**kwargs)
    monkeypatch.setattr(dh, "COLLECTOR_COMPOSE", dh.DOCKER / "collector.compose.yaml")
    cfg = dh.compose_gateway_config_for_test(**kwargs)
    assert cfg["exporters"]["otlp/tempo"]["endpoint"] == "127.0.0.1:7"
