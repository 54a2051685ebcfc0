"""End to end with real parts: the built-in engine and the hostmetrics receiver (its GPU scraper on a fake
NVML library built from the Swift tests' fixture, loaded with the real dlopen path) -> batch -> remote write
-> a real Prometheus, queried over its HTTP API. Every reference metric must exist there with values that
agree with each other, not merely be present."""

from __future__ import annotations

import subprocess
from pathlib import Path

from promhelpers import MetricPorts, eventually

ROOT = Path(__file__).resolve().parents[2]
FAKE_NVML = ROOT / "Tests/Receivers/HostMetricsReceiverTests/Fixtures/fake_nvml.c"
SEL = '{job="otlp-gateway/inference-engine", model_name="tiny-transformer"}'
MIB16 = 16 * 1024 * 1024


def build_fake_nvml(directory: Path) -> Path:
    out = directory / "libnvidia-ml.so.1"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(out), str(FAKE_NVML)], check=True)
    return out


def config(mp: MetricPorts, prometheus, nvml: Path) -> dict:
    return {
        "receivers": {
            "engine": {"collection_interval": "500ms",
                       "workload": {"rate": 20, "prompt_length_median": 24, "output_length_median": 12}},
            "hostmetrics": {"collection_interval": "1s",
                            "scrapers": {"cpu": {}, "memory": {}, "load": {}, "process": {},
                                         "gpu": {"nvml_library": str(nvml)}}},
        },
        "processors": {"batch": {"timeout": "100ms"}},
        "exporters": {"prometheusremotewrite": {"endpoint": prometheus.remote_write_url}},
        "extensions": {"health_check": {"endpoint": f"127.0.0.1:{mp.base.health}"}},
        "service": {
            "extensions": ["health_check"],
            "telemetry": {"metrics": {"address": f"127.0.0.1:{mp.base.telemetry}"}},
            "pipelines": {"metrics": {"receivers": ["engine", "hostmetrics"], "processors": ["batch"],
                                      "exporters": ["prometheusremotewrite"]}},
        },
    }


def test_every_reference_metric_reaches_prometheus_with_plausible_values(prometheus, gateways, tmp_path):
    mp = MetricPorts.allocate()
    gw = gateways.start(config(mp, prometheus, build_fake_nvml(tmp_path)), ports=mp.base)
    context = lambda: prometheus.logs_tail() + "\n" + gw.logs_tail()  # noqa: E731
    q = prometheus.value

    def engine(c):
        ttft = q(f"sum(ttft_milliseconds_count{SEL})")
        if not c.true(ttft is not None and ttft >= 5, f"ttft count {ttft}: fewer than 5 first tokens yet"):
            return
        latency = q(f"sum(request_latency_milliseconds_count{SEL})")
        c.true(latency is not None and 1 <= latency <= ttft, f"finished requests {latency} vs first tokens {ttft}")
        # A request's latency includes its time to first token.
        mean_ttft = q(f"sum(ttft_milliseconds_sum{SEL}) / sum(ttft_milliseconds_count{SEL})")
        mean_latency = q(f"sum(request_latency_milliseconds_sum{SEL}) / sum(request_latency_milliseconds_count{SEL})")
        c.true(mean_ttft is not None and 0 < mean_ttft < 60_000, f"mean TTFT {mean_ttft} ms")
        c.true(mean_latency is not None and mean_ttft is not None and mean_latency >= mean_ttft * 0.5,
               f"mean latency {mean_latency} ms vs mean TTFT {mean_ttft} ms")
        p50 = q(f"histogram_quantile(0.5, sum by (le) (ttft_milliseconds_bucket{SEL}))")
        c.true(p50 is not None and 0 < p50 <= 10_000, f"TTFT p50 from buckets {p50}")
        fill = q(f"sum(batch_fill_percentage_percent_sum{SEL}) / sum(batch_fill_percentage_percent_count{SEL})")
        c.true(fill is not None and 0 < fill <= 100, f"mean batch fill {fill}%")
        inf = q(f'sum(batch_fill_percentage_percent_bucket{{le="+Inf", job="otlp-gateway/inference-engine"}})')
        c.eq(inf, q(f"sum(batch_fill_percentage_percent_count{SEL})"), "batch fill +Inf bucket equals its count")
        for gauge in ("active_requests_count", "waiting_requests_count"):
            v = q(f"sum({gauge}{SEL})")
            c.true(v is not None and v >= 0 and v == int(v), f"{gauge} = {v}: a whole number of requests")
        ratio = q(f"sum(decode_prefill_ratio{SEL})")
        c.true(ratio is not None and ratio >= 0, f"decode_prefill_ratio {ratio}")
        prefill = q(f"sum(prefill_tokens_processed_total{SEL})")
        decode = q(f"sum(decode_tokens_processed_total{SEL})")
        c.true(prefill is not None and prefill >= ttft, f"prefill tokens {prefill} for {ttft} prompts")
        c.true(decode is not None and decode > 0, f"decode tokens {decode}")
        generated = q(f"sum(generation_tokens_total{SEL})")
        c.true(generated is not None and decode is not None and generated >= decode, f"generated {generated} vs decoded {decode}")
        used = q(f"sum(kv_cache_memory_bytes{SEL})")
        free = q(f"sum(kv_cache_free_memory_bytes{SEL})")
        c.eq((used or 0) + (free or 0), MIB16, "KV cache used + free = 512 blocks x 32 tokens x 2 layers x K,V x 64 floats")
        usage = q(f"sum(kv_cache_usage_ratio{SEL})")
        c.true(usage is not None and 0 <= usage <= 1, f"kv_cache_usage_ratio {usage}")
        for added in ("inter_token_latency_milliseconds_count", "request_queue_time_milliseconds_count",
                      "request_prefill_time_milliseconds_count", "request_decode_time_milliseconds_count",
                      "finished_requests_total", "preemptions_total"):
            c.true(q(f"sum({added}{SEL})") is not None, f"{added} missing")
        finished = q(f'sum(finished_requests_total{{job="otlp-gateway/inference-engine", reason=~"stop|length"}})')
        c.eq(finished, latency, "requests finished by stop or length equal latency observations")

    eventually(engine, timeout=45, context=context, interval=1.0)

    def host(c):
        cpus = prometheus.query('sum by (cpu) (system_cpu_utilization_ratio)')
        c.true(len(cpus) >= 1, "no system_cpu_utilization_ratio")
        for s in cpus:
            c.true(abs(s.value - 1) < 0.02, f"{s.labels.get('cpu')}: states add up to {s.value}, not 1")
        used = q("sum(system_memory_usage_bytes)")
        c.eq(used, q("sum(system_memory_limit_bytes)"), "memory states add up to the limit")
        c.true((q("system_cpu_load_average_1m") or -1) >= 0, "load average")
        c.true((q("process_memory_usage_bytes") or 0) > 1_000_000, "gateway RSS")
        c.true((q('process_cpu_time_seconds_total{state="user"}') or 0) > 0, "gateway user CPU time")
        gpu = 'hw_id="GPU-00000000-0000-0000-0000-000000000001"'
        c.eq(q(f"hw_gpu_utilization_ratio{{{gpu}}}"), 0.91, "fake GPU 1 utilization")
        c.eq(q(f"hw_gpu_memory_utilization_ratio{{{gpu}}}"), 0.95, "fake GPU 1 memory utilization")
        c.eq(q(f"hw_gpu_memory_limit_bytes{{{gpu}}}"), float(80 << 30), "fake GPU 1 memory total")
        c.eq(q('hw_power_watts{hw_name="Fake GPU 0"}'), 250.5, "fake GPU 0 power (NVML milliwatts -> watts)")
        c.eq(q('hw_temperature_celsius{hw_vendor="nvidia"}'), 61.0, "only GPU 0 reports a temperature")

    eventually(host, timeout=20, context=context, interval=0.5)
