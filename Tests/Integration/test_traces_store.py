"""The memory exporter's recent-trace store through its Tempo-compatible HTTP API: lookup by id
(exact content, 404 for unknown ids, 400 for malformed ones), eviction of the oldest traces at
max_bytes (with its self-metrics), and search by service / minDuration / maxDuration / limit /
tags with the exact trace ids expected, newest first."""

from __future__ import annotations

import time

import pytest

import tracehelpers as th

MS = 1_000_000
S = 1_000_000_000


@pytest.fixture
def store_gw(gateways):
    """A gateway otlp -> memory (no batch: each request is stored before its answer), and its API."""

    def start(max_bytes: int = 67108864):
        sp = th.StorePorts.allocate()
        gw = gateways.start(th.store_gateway_config(sp, max_bytes=max_bytes, debug=False, batch=False), ports=sp.base)
        store = th.TraceStore(sp.api)
        store.wait_ready(gw)
        return gw, store

    return start


def send_one_by_one(gw, channel, traces: list[th.RawTrace]) -> None:
    """Each trace in its own request, waiting until the store has counted its spans, so the order of
    arrival is the list's order."""
    total = 0
    for t in traces:
        th.send_traces_grpc(channel, th.raw_trace_request([t]))
        total += len(t.spans)
        gw.wait_for(lambda: gw.counter("otelcol_exporter_sent_spans_total", exporter="memory") >= total, 5,
                    f"{total} spans stored")


def expected_of(t: th.RawTrace) -> dict:
    return th.by_key(th.span_records(th.raw_trace_request([t])))


# --------------------------------------------------------------------------------------------


N_EVICT = 16
PAYLOAD = 500


def evict_trace(i: int, t0: int) -> th.RawTrace:
    spans = [th.RawSpan(f"op-{i:03d}-{j}", 100 * i + j + 1, t0 + i * S + j * MS, t0 + i * S + (j + 1) * MS,
                        parent_id=100 * i + 1 if j else 0, attrs={"payload": "x" * PAYLOAD, "j": j})
             for j in range(3)]
    return th.RawTrace(0xE1E1_0000_0000 + i, "itest-evict", spans)


def test_eviction_at_max_bytes_keeps_newest(store_gw, grpc_channel_factory):
    max_bytes = 20000
    gw, store = store_gw(max_bytes)
    t0 = time.time_ns() - 100 * S
    traces = [evict_trace(i, t0) for i in range(N_EVICT)]
    send_one_by_one(gw, grpc_channel_factory(gw.grpc_target), traces)

    status = {i: store.trace(t.hex) for i, t in enumerate(traces)}
    found = [i for i, (code, _) in status.items() if code == 200]
    assert all(code in (200, 404) for code, _ in status.values()), {i: c for i, (c, _) in status.items()}
    code, doc = status[0]
    assert code == 404 and isinstance(doc, dict) and "error" in doc, (code, doc)
    # FIFO by arrival: what is left is the newest traces, without gaps, at least the last three.
    assert found and found == list(range(found[0], N_EVICT)), found
    assert len(found) >= 3, found
    for i in found:
        problems = th.compare_spans(store.trace_records(traces[i].hex), expected_of(traces[i]), f"trace {i}")
        assert not problems, "\n".join(problems)

    m = gw.metrics()
    from gwhelpers import sum_matching

    stored = sum_matching(m, "otlp_gateway_trace_store_traces", exporter="memory")
    size = sum_matching(m, "otlp_gateway_trace_store_bytes", exporter="memory")
    evicted = sum_matching(m, "otlp_gateway_trace_store_evicted_traces_total", exporter="memory")
    assert stored == len(found), (stored, found)
    assert evicted == N_EVICT - len(found), (evicted, found)
    assert evicted > 0
    assert 0 < size <= max_bytes, size
    assert size >= len(found) * 3 * PAYLOAD, f"{size} bytes cannot hold {len(found)} traces of 3x{PAYLOAD}-byte attributes"
    # Not more evicted than needed: one more trace of the same size would not have fit.
    assert size + size / len(found) > max_bytes, (size, len(found))
    assert sum_matching(m, "otelcol_exporter_sent_spans_total", exporter="memory") == 3 * N_EVICT


def test_lookup_by_id(store_gw, grpc_channel_factory):
    gw, store = store_gw()
    t0 = time.time_ns() - 50 * S
    multi = th.RawTrace(0x5EED_0000_0000_0000_0000_0000_0000_0001, "itest-front", [
        th.RawSpan("GET /", 1, t0, t0 + 90 * MS, attrs={"http.method": "GET", "n": 1, "r": 0.5, "ok": True,
                                                     "list": ["a", "b"]}),
        th.RawSpan("db", 2, t0 + 10 * MS, t0 + 20 * MS, parent_id=1, kind=3, status_code=2, status_message="boom"),
        th.RawSpan("cache", 3, t0 + 30 * MS, t0 + 31 * MS, parent_id=1, kind=3),
    ], span_services={1: "itest-db"})
    other = th.RawTrace(0x5EED_0000_0000_0000_0000_0000_0000_0002, "itest-front",
                        [th.RawSpan("other", 9, t0, t0 + MS)])
    send_one_by_one(gw, grpc_channel_factory(gw.grpc_target), [multi, other])

    code, doc = store.trace(multi.hex)
    assert code == 200, (code, doc)
    assert isinstance(doc, dict) and len(doc["resourceSpans"]) == 2, doc  # one per service
    problems = th.compare_spans(store.trace_records(multi.hex), expected_of(multi), "multi")
    problems += th.compare_spans(store.trace_records(other.hex), expected_of(other), "other")
    assert not problems, "\n".join(problems)
    # upper-case hex is the same id
    assert store.trace(multi.hex.upper())[0] == 200

    code, doc = store.trace("0123456789abcdef0123456789abcdef")
    assert code == 404 and isinstance(doc, dict) and "error" in doc, (code, doc)
    for bad in ("not-a-trace-id", "0" * 33, "g" * 32):
        assert store.trace(bad)[0] == 400, bad
    assert store.get("/ready")[0] == 200


# --------------------------------------------------------------------------------------------
# Search

# name -> (root service, start offset s, duration ms, extra). Sent in start order (oldest first).
SEARCH = {
    "a1": ("alpha", 0, 50, {}),
    "a2": ("alpha", 1, 150, {"beta_child": True}),
    "b1": ("beta", 2, 500, {"root_tag": True}),
    "a3": ("alpha", 3, 1500, {}),
    "b2": ("beta", 4, 5, {}),
    "a4": ("alpha", 5, 3000, {}),
}


def search_traces(t0: int) -> dict[str, th.RawTrace]:
    out = {}
    for k, (name, (svc, off, dur, extra)) in enumerate(SEARCH.items()):
        start = t0 + off * S
        base = 1000 * (k + 1)
        spans = [th.RawSpan(f"{name}-root", base + 1, start, start + dur * MS,
                            attrs={"tenant": "blue"} if extra.get("root_tag") else {}),
                 th.RawSpan(f"{name}-child", base + 2, start + MS // 10, start + dur * MS // 2, parent_id=base + 1, kind=3)]
        services = {}
        if extra.get("beta_child"):
            spans.append(th.RawSpan(f"{name}-remote", base + 3, start + MS, start + 2 * MS, parent_id=base + 2,
                                    attrs={"tenant": "blue"}))
            services[2] = "beta"
        out[name] = th.RawTrace(0x5EA4C4_0000 + k, svc, spans, span_services=services)
    return out


SEARCHES = [
    ({"service": "alpha"}, ["a4", "a3", "a2", "a1"]),
    ({"service": "beta"}, ["b2", "b1", "a2"]),  # a2 has a span from service beta
    ({"service": "alpha", "minDuration": "100ms"}, ["a4", "a3", "a2"]),
    ({"service": "alpha", "minDuration": "100ms", "maxDuration": "2s"}, ["a3", "a2"]),
    ({"minDuration": "400ms"}, ["a4", "a3", "b1"]),
    ({"maxDuration": "100ms"}, ["b2", "a1"]),
    ({"service": "alpha", "limit": "2"}, ["a4", "a3"]),
    ({"limit": "3"}, ["a4", "b2", "a3"]),
    ({}, ["a4", "b2", "a3", "b1", "a2", "a1"]),
    ({"tags": "tenant=blue"}, ["b1", "a2"]),
    ({"service": "alpha", "tags": "tenant=blue"}, ["a2"]),
    ({"service": "gamma"}, []),
]


def test_search_by_service_duration_limit_tags(store_gw, grpc_channel_factory):
    gw, store = store_gw()
    t0 = (time.time_ns() // S - 300) * S
    traces = search_traces(t0)
    send_one_by_one(gw, grpc_channel_factory(gw.grpc_target), list(traces.values()))
    name_of = {t.hex: n for n, t in traces.items()}

    problems = []
    for params, want in SEARCHES:
        got = [name_of.get(i, f"<unknown {i}>") for i in store.search_ids(**params)]
        if got != want:
            problems.append(f"/api/search {params}: got {got}, expected {want}")
    assert not problems, "\n".join(problems)

    # The summary fields of one result.
    a2 = traces["a2"]
    [summary] = [s for s in store.search(service="alpha") if s["traceID"] == a2.hex]
    assert summary["rootServiceName"] == "alpha"
    assert summary["rootTraceName"] == "a2-root"
    assert int(summary["startTimeUnixNano"]) == a2.start_ns
    assert summary["durationMs"] == 150
    assert summary["spanCount"] == 3

    for bad in ({"minDuration": "fast"}, {"limit": "many"}):
        status, body, _ = store.get("/api/search", bad)
        assert status == 400, (bad, status, body)
