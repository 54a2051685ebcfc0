"""tail_sampling and probabilistic_sampler in a real gateway (otlp -> sampler -> memory), fed raw OTLP
requests: the stored traces are exactly the ones the policies (or the W3C threshold arithmetic, computed
here independently from the trace ids) select, late spans follow their trace's decision, and sampled spans
carry the threshold in their tracestate."""

from __future__ import annotations

import random
import time

import grpc

import tracehelpers as th
from gwhelpers import gateway_config

MS = 1_000_000


def sampler_gateway(gateways, processor: dict):
    sp = th.StorePorts.allocate()
    cfg = gateway_config(
        sp.base, exporters={"memory": {"endpoint": f"127.0.0.1:{sp.api}"}},
        processors=processor,
        pipelines={"traces": {"receivers": ["otlp"], "processors": list(processor), "exporters": ["memory"]}})
    gw = gateways.start(cfg, ports=sp.base)
    store = th.TraceStore(sp.api)
    store.wait_ready(gw)
    return gw, store


def stored(store) -> dict[str, dict]:
    out = {}
    for summary in store.search(limit=1000):
        code, doc = store.trace(summary["traceID"])
        assert code == 200
        out[summary["traceID"]] = doc
    return out


def test_tail_sampling_keeps_exactly_what_the_policies_say(gateways):
    gw, store = sampler_gateway(gateways, {"tail_sampling": {
        "decision_wait": "1s",
        "decision_cache": {"sampled_cache_size": 1000, "non_sampled_cache_size": 1000},
        "policies": [
            {"name": "errors", "type": "status_code", "status_code": {"status_codes": ["ERROR"]}},
            {"name": "slow", "type": "latency", "latency": {"threshold_ms": 300}},
        ]}})
    t0 = time.time_ns() - 10 ** 9
    rnd = random.Random(5)
    traces, expected = [], set()
    for i in range(60):
        kind = i % 3  # 0 error, 1 slow, 2 normal
        spans = [th.RawSpan("root", i * 10 + 1, t0, t0 + (400 if kind == 1 else 50) * MS),
                 th.RawSpan("child", i * 10 + 2, t0 + MS, t0 + 20 * MS, parent_id=i * 10 + 1,
                            status_code=2 if kind == 0 else 0)]
        traces.append(th.RawTrace(rnd.getrandbits(128) | 1, "tail-svc", spans))
        if kind != 2:
            expected.add(format(traces[-1].trace_id, "032x"))
    channel = grpc.insecure_channel(gw.grpc_target)
    # Each trace's two spans in separate requests, the child first: the decision waits for both.
    th.send_traces_grpc(channel, th.raw_trace_request([th.RawTrace(t.trace_id, t.service, [t.spans[1]]) for t in traces]))
    th.send_traces_grpc(channel, th.raw_trace_request([th.RawTrace(t.trace_id, t.service, [t.spans[0]]) for t in traces]))
    got = gw.wait_for(lambda: (s := stored(store)) and len(s) >= len(expected) and s, 15, "the sampled traces")
    time.sleep(1.5)  # nothing else is decided in favour later
    got = stored(store)
    assert set(got) == expected
    assert all(sum(len(ss["spans"]) for rs in d["resourceSpans"] for ss in rs["scopeSpans"]) == 2 for d in got.values())

    # Late spans: one for a sampled trace (stored at once) and one for a dropped trace (dropped).
    kept, dropped = traces[0], traces[2]
    late = [th.RawTrace(kept.trace_id, kept.service, [th.RawSpan("late", 999_001, t0, t0 + MS, parent_id=1)]),
            th.RawTrace(dropped.trace_id, dropped.service, [th.RawSpan("late", 999_002, t0, t0 + MS, status_code=2)])]
    th.send_traces_grpc(channel, th.raw_trace_request(late))
    channel.close()
    gw.wait_for(lambda: sum(len(ss["spans"]) for rs in store.trace(kept.hex)[1]["resourceSpans"]
                            for ss in rs["scopeSpans"]) == 3, 10, "the late span of the sampled trace")
    time.sleep(1.5)
    assert store.trace(dropped.hex)[0] == 404
    assert gw.counter("otlp_gateway_tail_sampling_late_spans_total", processor="tail_sampling",
                      decision="not_sampled") == 1


def test_probabilistic_sampler_keeps_the_ids_above_the_threshold_and_writes_it(gateways):
    gw, store = sampler_gateway(gateways, {"probabilistic_sampler": {"sampling_percentage": 25}})
    t0 = time.time_ns() - 10 ** 9
    rnd = random.Random(9)
    traces = [th.RawTrace(rnd.getrandbits(128) | 1, "prob-svc", [th.RawSpan("op", i + 1, t0, t0 + MS)])
              for i in range(400)]
    channel = grpc.insecure_channel(gw.grpc_target)
    th.send_traces_grpc(channel, th.raw_trace_request(traces))
    channel.close()
    # OpenTelemetry's consistent sampling: the low 56 bits of the trace id against 0.75 * 2^56.
    expected = {t.hex for t in traces if t.trace_id & ((1 << 56) - 1) >= 0xC0_0000_0000_0000}
    got = gw.wait_for(lambda: (s := stored(store)) and len(s) >= len(expected) and s, 10, "the sampled traces")
    assert set(got) == expected and 60 < len(expected) < 140
    for doc in got.values():
        span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
        assert span["traceState"] == "ot=th:c"
    assert gw.counter("otelcol_processor_probabilistic_sampler_count_traces_sampled_total",
                      processor="probabilistic_sampler", sampled="false") == 400 - len(expected)


def test_sigterm_decides_waiting_traces_and_the_batch_after_it_still_sends_them(gateways):
    """tail_sampling (decision_wait far away) -> batch (long timeout) -> otlp: on SIGTERM the sampler decides
    every waiting trace and hands it to the batch processor, which is stopped after it and sends it on."""
    rx = th.GRPCTraceReceiver().start()
    try:
        sp = th.StorePorts.allocate()
        processors = {"tail_sampling": {"decision_wait": "60s",
                                        "policies": [{"name": "all", "type": "always_sample"}]},
                      "batch": {"timeout": "60s", "send_batch_size": 100000}}
        cfg = gateway_config(
            sp.base, exporters={"otlp": {"endpoint": rx.target, "tls": {"insecure": True}}}, processors=processors,
            pipelines={"traces": {"receivers": ["otlp"], "processors": ["tail_sampling", "batch"],
                                  "exporters": ["otlp"]}})
        gw = gateways.start(cfg, ports=sp.base)
        t0 = time.time_ns()
        traces = [th.RawTrace(0xF00 + i, "stop-svc", [th.RawSpan("op", i + 1, t0, t0 + MS)]) for i in range(20)]
        channel = grpc.insecure_channel(gw.grpc_target)
        th.send_traces_grpc(channel, th.raw_trace_request(traces))
        channel.close()
        code, killed = gw.stop()
        assert code == 0 and not killed
        assert rx.accepted_spans() and len(rx.accepted_spans()) == 20
    finally:
        rx.stop()
