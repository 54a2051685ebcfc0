"""The memory exporter's Tempo API answering the requests Grafana's Tempo data source sends: TraceQL
search from the query builder (with the exact trace ids expected), the autocomplete endpoints
(`/api/v2/search/tags`, `/api/v2/search/tag/{tag}/values`, and the v1 forms), `buildinfo`, and a
trace by id as JSON and as protobuf (what Grafana asks for), compared span by span with what was sent."""

from __future__ import annotations

import time
import urllib.parse
import urllib.request

import pytest

import tracehelpers as th

MS = 1_000_000
S = 1_000_000_000


def traces(t0: int) -> list[th.RawTrace]:
    """checkout: a slow trace (250 ms) and a fast one; payments: an error trace; search: a GET."""
    return [
        th.RawTrace(0xA1, "graf-checkout", [
            th.RawSpan("POST /cart", 1, t0, t0 + 250 * MS, attrs={"http.method": "POST", "http.route": "/cart"}),
            th.RawSpan("SELECT cart", 2, t0 + 10 * MS, t0 + 200 * MS, parent_id=1, kind=3,
                       attrs={"db.system": "postgres"}),
        ]),
        th.RawTrace(0xA2, "graf-checkout", [
            th.RawSpan("POST /cart", 3, t0 + S, t0 + S + 5 * MS, attrs={"http.method": "POST", "http.route": "/cart"}),
        ]),
        th.RawTrace(0xB1, "graf-payments", [
            th.RawSpan("charge", 4, t0 + 2 * S, t0 + 2 * S + 40 * MS, status_code=2, status_message="card declined",
                       attrs={"http.method": "POST", "retries": 3}),
        ]),
        th.RawTrace(0xC1, "graf-search", [
            th.RawSpan("GET /search", 5, t0 + 3 * S, t0 + 3 * S + 20 * MS, attrs={"http.method": "GET"}),
        ]),
    ]


@pytest.fixture(scope="module")
def tempo(module_gateways, request):
    sp = th.StorePorts.allocate()
    gw = module_gateways.start(th.store_gateway_config(sp, debug=False, batch=False), ports=sp.base)
    store = th.TraceStore(sp.api)
    store.wait_ready(gw)
    t0 = time.time_ns() - 60 * S
    sent = traces(t0)
    import grpc
    channel = grpc.insecure_channel(gw.grpc_target)
    th.send_traces_grpc(channel, th.raw_trace_request(sent))
    channel.close()
    gw.wait_for(lambda: gw.counter("otelcol_exporter_sent_spans_total", exporter="memory") >= 5, 10, "5 spans stored")
    return store, sent, t0


def grafana_search(store: th.TraceStore, q: str, t0: int) -> tuple[int, dict]:
    # What the data source sends for a TraceQL search: q, limit, spss, start and end in seconds.
    params = {"q": q, "limit": "20", "spss": "3", "start": str(t0 // S - 3600), "end": str(t0 // S + 3600)}
    code, body, _ = store.get("/api/search", params)
    import json
    return code, json.loads(body)


@pytest.mark.parametrize("q,expected", [
    ('{resource.service.name="graf-checkout"}', [0xA2, 0xA1]),
    ('{resource.service.name="graf-checkout" && duration > 100ms}', [0xA1]),
    ('{resource.service.name="graf-checkout" && name="SELECT cart" && kind=client}', [0xA1]),
    ('{status=error}', [0xB1]),
    ('{span.http.method="POST" && status!=error}', [0xA2, 0xA1]),
    ('{span.http.method=~"P.*"}', [0xB1, 0xA2, 0xA1]),
    ('{.http.method="GET" || .db.system="postgres"}', [0xC1, 0xA1]),
    ('{span.retries >= 3}', [0xB1]),
    ('{statusMessage="card declined"}', [0xB1]),
    ('{resource.service.name!="graf-checkout" && duration < 30ms}', [0xC1]),
    ('{name="POST /cart"} && {name="SELECT cart"}', [0xA1]),
    ('{}', [0xC1, 0xB1, 0xA2, 0xA1]),
])
def test_traceql_search_finds_exactly_the_matching_traces(tempo, q, expected):
    store, sent, t0 = tempo
    code, doc = grafana_search(store, q, t0)
    assert code == 200, doc
    ids = [int(t["traceID"], 16) for t in doc["traces"] if t["rootServiceName"].startswith("graf-")]
    assert ids == expected, (q, doc)


def test_single_spanset_results_carry_the_matching_spans(tempo):
    store, sent, t0 = tempo
    code, doc = grafana_search(store, '{resource.service.name="graf-checkout" && duration > 100ms}', t0)
    assert code == 200
    [trace] = doc["traces"]
    assert trace["rootTraceName"] == "POST /cart" and trace["rootServiceName"] == "graf-checkout"
    names = sorted(s["name"] for s in trace["spanSet"]["spans"])
    assert names == ["POST /cart", "SELECT cart"] and trace["spanSet"]["matched"] == 2
    assert trace["spanSets"] == [trace["spanSet"]]
    assert {s["durationNanos"] for s in trace["spanSet"]["spans"]} == {str(250 * MS), str(190 * MS)}


@pytest.mark.parametrize("q", ['{resource.service.name=}', '{name="x"', '{nope="x"}', '{name=~"["}'])
def test_bad_traceql_is_400_naming_q(tempo, q):
    store, _, t0 = tempo
    code, doc = grafana_search(store, q, t0)
    assert code == 400 and doc["error"].startswith("invalid q: "), doc


def test_autocomplete_tags_and_values(tempo):
    import json
    store, _, _ = tempo
    code, body, _ = store.get("/api/v2/search/tags")
    assert code == 200
    scopes = {s["name"]: s["tags"] for s in json.loads(body)["scopes"]}
    assert "service.name" in scopes["resource"]
    assert {"http.method", "http.route", "db.system", "retries"} <= set(scopes["span"])
    assert {"name", "status", "duration", "kind"} <= set(scopes["intrinsic"])
    code, body, _ = store.get("/api/v2/search/tags", {"scope": "resource"})
    assert [s["name"] for s in json.loads(body)["scopes"]] == ["resource"]

    code, body, _ = store.get("/api/v2/search/tag/resource.service.name/values")
    values = json.loads(body)["tagValues"]
    assert {"type": "string", "value": "graf-payments"} in values
    code, body, _ = store.get("/api/v2/search/tag/span.retries/values")
    assert json.loads(body)["tagValues"] == [{"type": "int", "value": "3"}]
    code, body, _ = store.get("/api/v2/search/tag/status/values")
    assert {"type": "keyword", "value": "error"} in json.loads(body)["tagValues"]
    # Tempo 1's forms, still used by Grafana's older search.
    code, body, _ = store.get("/api/search/tags")
    assert "http.route" in json.loads(body)["tagNames"]
    code, body, _ = store.get("/api/search/tag/http.route/values")
    assert json.loads(body)["tagValues"] == ["/cart"]


def test_buildinfo(tempo):
    import json
    store, _, _ = tempo
    code, body, _ = store.get("/api/status/buildinfo")
    assert code == 200
    info = json.loads(body)
    assert info["version"].split(".")[0] == "2" and "revision" in info


def test_trace_by_id_as_protobuf_and_json_equals_what_was_sent(tempo):
    from opentelemetry.proto.trace.v1 import trace_pb2
    store, sent, _ = tempo
    trace = sent[0]
    req = urllib.request.Request(f"{store.url}/api/traces/{trace.hex}", headers={"Accept": "application/protobuf"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.headers["Content-Type"] == "application/protobuf"
        data = trace_pb2.TracesData.FromString(resp.read())
    got = th.by_key(th.span_records(data))
    problems = th.compare_spans(got.values(), th.by_key(th.span_records(th.raw_trace_request([trace]))), "protobuf")
    assert not problems, "\n".join(problems)
    records = store.trace_records(trace.hex)
    problems = th.compare_spans(records, th.by_key(th.span_records(th.raw_trace_request([trace]))), "json")
    assert not problems, "\n".join(problems)
