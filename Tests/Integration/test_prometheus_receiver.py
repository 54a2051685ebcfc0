"""The `prometheus` receiver against Prometheus itself: a real Prometheus (A) scrapes a vLLM-shaped /metrics target
and its own /metrics directly, while the gateway scrapes the same two targets and remote-writes what it gets to a
second real Prometheus (B). The same queries on both must return the same series and values, allowing for the
documented OTLP-translation differences (`otel_scope_*` labels, `le`/`quantile` written as floats)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import promhelpers as ph
from gwhelpers import Ports, free_ports, gateway_config

VLLM_METRICS = """\
# HELP vllm:num_requests_running Number of requests currently running on GPU.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{model_name="tiny-llm"} 3.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{model_name="tiny-llm"} 7.0
# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:gpu_cache_usage_perc gauge
vllm:gpu_cache_usage_perc{model_name="tiny-llm"} 0.42
# HELP vllm:prompt_tokens_total Number of prefill tokens processed.
# TYPE vllm:prompt_tokens_total counter
vllm:prompt_tokens_total{model_name="tiny-llm"} 123456.0
# HELP vllm:generation_tokens_total Number of generation tokens processed.
# TYPE vllm:generation_tokens_total counter
vllm:generation_tokens_total{model_name="tiny-llm"} 654321.0
# HELP vllm:request_success_total Count of successfully processed requests.
# TYPE vllm:request_success_total counter
vllm:request_success_total{finished_reason="stop",model_name="tiny-llm"} 900.0
vllm:request_success_total{finished_reason="length",model_name="tiny-llm"} 100.0
# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{le="0.001",model_name="tiny-llm"} 0.0
vllm:time_to_first_token_seconds_bucket{le="0.02",model_name="tiny-llm"} 120.0
vllm:time_to_first_token_seconds_bucket{le="0.1",model_name="tiny-llm"} 800.0
vllm:time_to_first_token_seconds_bucket{le="1.0",model_name="tiny-llm"} 990.0
vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="tiny-llm"} 1000.0
vllm:time_to_first_token_seconds_count{model_name="tiny-llm"} 1000.0
vllm:time_to_first_token_seconds_sum{model_name="tiny-llm"} 61.5
# HELP vllm:e2e_request_latency_seconds Request latency summary.
# TYPE vllm:e2e_request_latency_seconds summary
vllm:e2e_request_latency_seconds{quantile="0.5",model_name="tiny-llm"} 0.8
vllm:e2e_request_latency_seconds{quantile="0.99",model_name="tiny-llm"} 4.5
vllm:e2e_request_latency_seconds_sum{model_name="tiny-llm"} 1100.0
vllm:e2e_request_latency_seconds_count{model_name="tiny-llm"} 1000.0
# HELP vllm:lora_info Running adapters, with an escaped label value.
# TYPE vllm:lora_info gauge
vllm:lora_info{adapter="a \\"quoted\\" name\\\\path",model_name="tiny-llm"} 1.0
"""


class Target:
    """Serves VLLM_METRICS as text/plain; version=0.0.4 at /metrics on loopback."""

    def __init__(self):
        body = VLLM_METRICS.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        self.server.shutdown()


def canonical(samples: list[ph.Sample]) -> dict[frozenset, float]:
    """Series without the translation's own labels, `le` and `quantile` compared as numbers."""
    out = {}
    for s in samples:
        labels = {k: v for k, v in s.labels.items() if not k.startswith("otel_scope_")}
        for key in ("le", "quantile"):
            if key in labels:
                labels[key] = repr(float(labels[key]))
        out[frozenset(labels.items())] = s.value
    return out


@pytest.fixture
def target():
    t = Target()
    yield t
    t.stop()


def test_the_gateway_scrapes_what_prometheus_scrapes(prometheus_servers, gateways, target):
    prom_port = free_ports(1)[0]
    jobs = [
        {"job_name": "vllm", "scrape_interval": "1s", "static_configs": [{"targets": [target.address],
                                                                          "labels": {"pod": "p-1"}}]},
        {"job_name": "prom", "scrape_interval": "1s", "static_configs": [{"targets": [f"127.0.0.1:{prom_port}"]}]},
    ]
    direct = prometheus_servers.start(port=prom_port, scrape_configs=jobs)
    via_gateway = prometheus_servers.start()
    ports = Ports.allocate()
    cfg = gateway_config(
        ports,
        exporters={"prometheusremotewrite": {
            "endpoint": via_gateway.remote_write_url, "interval": "1s", "send_native_histograms": False,
            "resource_to_telemetry_conversion": {"enabled": False},
        }},
        pipelines={"metrics": {"receivers": ["prometheus"], "exporters": ["prometheusremotewrite"]}},
    )
    cfg["receivers"] = {"prometheus": {"config": {"scrape_configs": jobs}}}
    gw = gateways.start(cfg, ports=ports)

    for prom in (direct, via_gateway):
        prom.wait_for('vllm:time_to_first_token_seconds_bucket{job="vllm"}', lambda r: len(r) == 5, timeout=30,
                      gw=gw)
        prom.wait_for('up{job="prom"}', lambda r: len(r) == 1 and r[0].value == 1, timeout=30, gw=gw)

    # The vLLM target is static: every series and value must be the same.
    selector = '{job="vllm", __name__=~"vllm:.*"}'
    a, b = canonical(direct.query(selector)), canonical(via_gateway.query(selector))
    assert len(a) == 19, sorted(a)
    assert set(a) == set(b), {"only direct": set(a) - set(b), "only via gateway": set(b) - set(a)}
    for series, value in a.items():
        assert b[series] == pytest.approx(value), (sorted(series), value, b[series])
    escaped = [s for s in a if ("adapter", 'a "quoted" name\\path') in s]
    assert escaped, "the escaped label value did not survive"
    # Rates over counters agree (the gateway's start times do not make Prometheus see resets).
    assert via_gateway.value('sum(rate(vllm:prompt_tokens_total{job="vllm"}[10s]))') == 0

    # Prometheus' own /metrics (hundreds of series of every type, changing between scrapes): the same metric
    # names, and the same label sets for a stable family.
    # A family appears in A's own /metrics only after A's first scrapes, and reaches B a scrape and a write later.
    deadline = time.monotonic() + 15
    while True:
        names_a = direct.names('{job="prom"}') - {"scrape_series_added"}
        names_b = via_gateway.names('{job="prom"}')
        if (names_a and names_a <= names_b) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert names_a and names_a <= names_b, sorted(names_a - names_b)
    build_a = canonical(direct.query('prometheus_build_info{job="prom"}'))
    build_b = canonical(via_gateway.query('prometheus_build_info{job="prom"}'))
    assert build_a == build_b

    # The scrape's own series, as Prometheus writes them.
    for name in ("up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling"):
        assert via_gateway.value(f'{name}{{job="vllm"}}') is not None, name
    assert via_gateway.value('scrape_samples_scraped{job="vllm"}') == direct.value('scrape_samples_scraped{job="vllm"}')


def test_a_failing_target_is_down_and_the_others_go_on(prometheus_servers, gateways, target):
    via_gateway = prometheus_servers.start()
    dead = f"127.0.0.1:{free_ports(1)[0]}"
    ports = Ports.allocate()
    cfg = gateway_config(
        ports,
        exporters={"prometheusremotewrite": {"endpoint": via_gateway.remote_write_url, "interval": "1s"}},
        pipelines={"metrics": {"receivers": ["prometheus"], "exporters": ["prometheusremotewrite"]}},
    )
    cfg["receivers"] = {"prometheus": {"config": {"scrape_configs": [
        {"job_name": "live", "scrape_interval": "1s", "static_configs": [{"targets": [target.address]}]},
        {"job_name": "dead", "scrape_interval": "1s", "static_configs": [{"targets": [dead]}]},
        {"job_name": "limited", "scrape_interval": "1s", "sample_limit": 5,
         "static_configs": [{"targets": [target.address]}]},
    ]}}}
    gw = gateways.start(cfg, ports=ports)
    via_gateway.wait_for('up', lambda r: len(r) == 3, timeout=30, gw=gw)
    up = {s.labels["job"]: s.value for s in via_gateway.query("up")}
    assert up == {"live": 1, "dead": 0, "limited": 0}, up
    assert via_gateway.value('vllm:num_requests_running{job="live"}') == 3
    assert not via_gateway.query('vllm:num_requests_running{job="limited"}')
    log = gw.logs_tail(200)
    assert "prometheus scrape failed" in log and "sample_limit exceeded" in log and "cannot connect" in log, log
    # One line per failing target, not one per scrape.
    assert log.count("sample_limit exceeded") == 1, log


def test_file_sd_targets_follow_the_file(prometheus_servers, gateways, tmp_path):
    import json

    first, second = Target(), Target()
    try:
        via_gateway = prometheus_servers.start()
        sd = tmp_path / "targets.json"
        sd.write_text(json.dumps([{"targets": [first.address], "labels": {"zone": "a"}}]))
        ports = Ports.allocate()
        cfg = gateway_config(
            ports,
            exporters={"prometheusremotewrite": {"endpoint": via_gateway.remote_write_url, "interval": "1s"}},
            pipelines={"metrics": {"receivers": ["prometheus"], "exporters": ["prometheusremotewrite"]}},
        )
        cfg["receivers"] = {"prometheus": {"config": {"scrape_configs": [{
            "job_name": "sd", "scrape_interval": "1s",
            "file_sd_configs": [{"files": [str(tmp_path / "*.json")], "refresh_interval": "5m"}],
        }]}}}
        gw = gateways.start(cfg, ports=ports)
        via_gateway.wait_for('up{job="sd"}', lambda r: len(r) == 1 and r[0].labels["instance"] == first.address,
                             timeout=20, gw=gw)
        assert via_gateway.query('up{job="sd"}')[0].labels["zone"] == "a"

        # The file changes: the new target is scraped, the old one's series go stale.
        sd.write_text(json.dumps([{"targets": [second.address], "labels": {"zone": "b"}}]))
        via_gateway.wait_for('up{job="sd"}', lambda r: len(r) == 1 and r[0].labels["instance"] == second.address,
                             timeout=20, gw=gw)
        assert not via_gateway.query(f'vllm:num_requests_running{{instance="{first.address}"}}')
        assert via_gateway.value(f'vllm:num_requests_running{{instance="{second.address}"}}') == 3
        assert "file_sd: targets changed" in gw.logs_tail(200)
    finally:
        first.stop()
        second.stop()
