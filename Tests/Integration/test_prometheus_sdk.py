"""The OpenTelemetry Python SDK -> gateway -> remote write -> a real Prometheus: exact names, labels
and values of counters, up/down counters, gauges, explicit and exponential (native) histograms, with
cumulative and delta temporality (delta is accumulated by the gateway), over OTLP gRPC and HTTP."""

from __future__ import annotations

import pytest

from promhelpers import (
    MODEL_A,
    MODEL_B,
    SCOPE,
    WORKLOAD_NAMES,
    InferenceWorkload,
    MetricPorts,
    by_label,
    check_workload_values,
    delta_temporality,
    engine_resource,
    eventually,
    expected_after,
    metrics_gateway_config,
    remote_write_rejections,
    sdk_exporter,
)


@pytest.mark.parametrize(
    "transport,temporality",
    [("grpc", "cumulative"), ("http", "cumulative"), ("grpc", "delta"), ("http", "delta")],
)
def test_sdk_metrics_land_in_prometheus_exactly(prometheus, gateways, transport, temporality):
    mp = MetricPorts.allocate()
    gw = gateways.start(metrics_gateway_config(mp.base, prometheus), ports=mp.base)
    service = f"engine-{transport}-{temporality}"
    job = f"inference/{service}"
    sel = f'job="{job}"'
    context = lambda: prometheus.logs_tail() + "\n" + gw.logs_tail()  # noqa: E731

    work = InferenceWorkload(
        sdk_exporter(gw, transport, delta_temporality() if temporality == "delta" else None),
        engine_resource(service),
    )
    try:
        # Round 1, then round 2 only once round 1 is visible: with delta temporality Prometheus
        # must then show the sum of both rounds (5 + 7 = 12), not the last delta (7).
        work.record_round()
        eventually(lambda c: check_workload_values(c, prometheus, sel, expected_after(1)), 10, context)
        work.record_round()
        exp = expected_after(2)
        assert exp["tokens"] == {MODEL_A: 12, MODEL_B: 42}  # the test's own arithmetic
        eventually(lambda c: check_workload_values(c, prometheus, sel, exp), 10, context)
    finally:
        work.shutdown()

    # Exact label sets. The counter: job/instance from the resource, the scope, the attribute and
    # the external label, nothing else (resource attributes only on target_info).
    counter = {s.labels["model_name"]: s.labels for s in prometheus.query(f"decode_tokens_processed_total{{{sel}}}")}
    base = {"job": job, "instance": "engine-0", "otel_scope_name": SCOPE[0], "otel_scope_version": SCOPE[1],
            "cluster": "test"}
    assert counter == {
        m: {"__name__": "decode_tokens_processed_total", **base, "model_name": m} for m in (MODEL_A, MODEL_B)
    }
    le = {s.labels["le"]: s.labels for s in prometheus.query(f'ttft_milliseconds_bucket{{{sel},model_name="{MODEL_B}"}}')}
    assert sorted(le) == sorted(["10", "50", "100", "500", "+Inf"])
    assert le["+Inf"] == {"__name__": "ttft_milliseconds_bucket", **base, "model_name": MODEL_B, "le": "+Inf"}

    # Every series name of the job, and no other (no duplicated unit suffix, no classic buckets
    # next to the native histogram, no _created).
    names = {s["__name__"] for s in prometheus.series(f"{{{sel}}}")}
    assert names == WORKLOAD_NAMES

    # One target_info for the resource, value 1, with the other resource attributes as labels.
    info = prometheus.query(f"target_info{{{sel}}}")
    assert len(info) == 1, info
    labels = info[0].labels
    assert info[0].value == 1
    assert {k: labels.get(k) for k in ("job", "instance", "cluster", "deployment_environment",
                                       "telemetry_sdk_language")} == {
        "job": job, "instance": "engine-0", "cluster": "test", "deployment_environment": "itest",
        "telemetry_sdk_language": "python"}
    assert not {"service_name", "service_namespace", "service_instance_id", "otel_scope_name"} & set(labels), labels

    # Prometheus refused nothing, and the gateway gave nothing up.
    assert all(v == 0 for v in remote_write_rejections(prometheus).values()), remote_write_rejections(prometheus)
    assert gw.counter("otlp_gateway_remote_write_samples_failed_total", exporter="prometheusremotewrite") == 0
    assert gw.counter("otlp_gateway_remote_write_samples_dropped_total", exporter="prometheusremotewrite") == 0
    assert gw.counter("otlp_gateway_remote_write_samples_sent_total", exporter="prometheusremotewrite") > 0


def test_exponential_histogram_as_classic_buckets_without_native(prometheus, gateways):
    """send_native_histograms: false -> the exponential histogram becomes classic _bucket/_sum/_count
    series (bounds are the exponential bucket bounds), and no native histogram is written."""
    mp = MetricPorts.allocate()
    gw = gateways.start(metrics_gateway_config(mp.base, prometheus, native=False), ports=mp.base)
    job = "inference/engine-classic"
    sel = f'job="{job}"'
    work = InferenceWorkload(sdk_exporter(gw, "grpc"), engine_resource("engine-classic"))
    try:
        work.record_round()
        work.record_round()
    finally:
        work.shutdown()
    exp = expected_after(2)
    context = lambda: prometheus.logs_tail() + "\n" + gw.logs_tail()  # noqa: E731
    eventually(lambda c: check_workload_values(c, prometheus, sel, exp, native=False), 10, context)

    def check_prompt(c):
        c.eq(by_label(prometheus.query(f"prompt_tokens_count{{{sel}}}"), "model_name"),
             {m: float(len(vs)) for m, vs in exp["prompt"].items()}, "prompt_tokens_count")
        c.eq(by_label(prometheus.query(f"prompt_tokens_sum{{{sel}}}"), "model_name"),
             {m: float(sum(vs)) for m, vs in exp["prompt"].items()}, "prompt_tokens_sum")

    eventually(check_prompt, 10, context)
    names = {s["__name__"] for s in prometheus.series(f"{{{sel}}}")}
    assert names == (WORKLOAD_NAMES - {"prompt_tokens"}) | {
        "prompt_tokens_bucket", "prompt_tokens_sum", "prompt_tokens_count"}
    for model, values in exp["prompt"].items():
        buckets = {s.labels["le"]: s.value for s in prometheus.query(
            f'prompt_tokens_bucket{{{sel},model_name="{model}"}}')}
        assert buckets.get("+Inf") == len(values), buckets
        # cumulative: every bucket holds the values below its bound (a value exactly on a bound
        # may fall either side of float rounding), and counts never decrease with le
        ordered = sorted(buckets.items(), key=lambda kv: float(kv[0]))
        assert [v for _, v in ordered] == sorted(v for _, v in ordered), ordered
        for le, count in ordered:
            lo = sum(1 for v in values if v < float(le))
            hi = sum(1 for v in values if v <= float(le))
            assert lo <= count <= hi, (model, le, count, values)
        assert len(ordered) > 2, ordered
