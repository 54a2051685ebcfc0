"""The built-in inference engine as the `engine` receiver: its metrics reach the pull endpoint with the
reference dashboard's names, and its request spans reach the trace store."""

import time

import requests

from gwhelpers import Ports, free_ports, parse_prometheus_text

# Every metric of the reference (transformers' continuous batching) as Prometheus names it.
REFERENCE = [
    "ttft_milliseconds_bucket",
    "request_latency_milliseconds_bucket",
    "batch_fill_percentage_percent_bucket",
    "active_requests_count",
    "waiting_requests_count",
    "decode_prefill_ratio",
    "prefill_tokens_processed_total",
    "decode_tokens_processed_total",
    "kv_cache_memory_bytes",
    "kv_cache_free_memory_bytes",
]


def test_engine_metrics_and_spans_flow_through_pipelines(gateways):
    pull, store = free_ports(2)

    def config(ports: Ports) -> dict:
        return {
            "receivers": {"engine": {"collection_interval": "500ms", "workload": {"rate": 20, "output_length_median": 8, "prompt_length_median": 16}}},
            "processors": {"batch": {"timeout": "100ms"}},
            "exporters": {"prometheus": {"endpoint": f"127.0.0.1:{pull}"}, "memory": {"endpoint": f"127.0.0.1:{store}"}},
            "extensions": {"health_check": {"endpoint": f"127.0.0.1:{ports.health}"}},
            "service": {
                "extensions": ["health_check"],
                "telemetry": {"metrics": {"address": f"127.0.0.1:{ports.telemetry}"}},
                "pipelines": {
                    "metrics": {"receivers": ["engine"], "processors": ["batch"], "exporters": ["prometheus"]},
                    "traces": {"receivers": ["engine"], "processors": ["batch"], "exporters": ["memory"]},
                },
            },
        }

    gateways.start(config)
    deadline = time.time() + 30
    names: set = set()
    samples = {}
    while time.time() < deadline:
        samples = parse_prometheus_text(requests.get(f"http://127.0.0.1:{pull}/metrics", timeout=5).text)
        names = {key[0] for key in samples}
        if all(n in names for n in REFERENCE) and any(
            key[0] == "ttft_milliseconds_count" and value >= 3 for key, value in samples.items()
        ):
            break
        time.sleep(0.5)
    missing = [n for n in REFERENCE if n not in names]
    assert not missing, f"missing reference metrics: {missing}"
    for key, value in samples.items():
        labels = dict(key[1])
        if key[0] in REFERENCE:
            assert labels.get("model_name") == "tiny-transformer", key
            assert labels.get("job") == "otlp-gateway/inference-engine", key
    ttft = sum(v for k, v in samples.items() if k[0] == "ttft_milliseconds_count")
    generated = sum(v for k, v in samples.items() if k[0] == "generation_tokens_total")
    assert ttft >= 3
    assert generated >= ttft  # every finished request produced at least its first token
    used = sum(v for k, v in samples.items() if k[0] == "kv_cache_memory_bytes")
    free = sum(v for k, v in samples.items() if k[0] == "kv_cache_free_memory_bytes")
    # The default cache: 512 blocks of 32 tokens, 2 layers, K and V, 64 floats each = 16 MiB, used + free.
    assert free > 0
    assert used + free == 16 * 1024 * 1024, (used, free)

    found = []
    while time.time() < deadline and not found:
        result = requests.get(f"http://127.0.0.1:{store}/api/search", params={"service": "inference-engine", "limit": 5}, timeout=5).json()
        found = result["traces"]
        time.sleep(0.5)
    assert found, "no engine spans in the trace store"
    assert all(t["rootServiceName"] == "inference-engine" for t in found)
