"""The zpages extension's JSON API and pages over HTTP, with real SDK traffic: shapes of every
endpoint, counts that follow what was sent, the cardinality ranking and series pagination, limits
and bad parameters (400), escaping of hostile label values, the security headers of the pages, the
Tempo API under /tempo, and `auth` (401 without the token)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

import tracehelpers as th
from gwhelpers import free_ports, gateway_config
from promhelpers import Point, gauge, metrics_request, send_metrics_http


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read(), {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, e.read(), {k.lower(): v for k, v in e.headers.items()}


def get_json(port: int, path: str, headers: dict | None = None) -> tuple[int, dict]:
    code, body, hdrs = get(port, path, headers)
    assert hdrs.get("content-type", "").startswith("application/json"), (path, hdrs)
    return code, json.loads(body)


def zpages_config(sp: th.StorePorts, zport: int, prom_port: int, extra_extensions: dict | None = None,
                  zpages_extra: dict | None = None) -> dict:
    cfg = gateway_config(
        sp.base,
        exporters={"memory": {"endpoint": f"127.0.0.1:{sp.api}"}, "prometheus": {"endpoint": f"127.0.0.1:{prom_port}"}},
        processors={"batch": {"timeout": "100ms"}},
        pipelines={
            "traces": {"receivers": ["otlp"], "processors": ["batch"], "exporters": ["memory"]},
            "metrics": {"receivers": ["otlp"], "processors": ["batch"], "exporters": ["prometheus"]},
        })
    cfg["extensions"].update({"zpages": {"endpoint": f"127.0.0.1:{zport}", "sample_interval": "500ms",
                                         **(zpages_extra or {})}, **(extra_extensions or {})})
    cfg["service"]["extensions"] = list(cfg["extensions"])
    return cfg


@pytest.fixture(scope="module")
def zp(module_gateways):
    sp = th.StorePorts.allocate()
    zport, prom_port = free_ports(2)
    gw = module_gateways.start(zpages_config(sp, zport, prom_port), ports=sp.base)
    gw.wait_for(lambda: get(zport, "/api/v1/service")[0] == 200, 10, "zpages up")
    return gw, zport


HOSTILE = '<script>window.__pwned=1</script>"\'</textarea>&'


def test_pages_are_served_with_a_strict_content_security_policy(zp):
    _, port = zp
    for path, page in [("/", "service"), ("/debug/servicez", "service"), ("/debug/pipelinez", "pipelines"),
                       ("/debug/extensionz", "extensions"), ("/debug/enginez", "engine"),
                       ("/debug/tracez", "traces"), ("/debug/cardinalityz", "cardinality")]:
        code, body, hdrs = get(port, path)
        assert code == 200 and hdrs["content-type"].startswith("text/html"), path
        assert f'data-page="{page}"' in body.decode()
        csp = hdrs["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert hdrs["x-content-type-options"] == "nosniff"
    code, body, hdrs = get(port, "/static/zpages.js")
    assert code == 200 and hdrs["content-type"].startswith("text/javascript") and b"fetch(" in body
    # No request leaves the machine: every URL the script or page names is relative.
    for asset in ("/static/zpages.js", "/static/zpages.css", "/debug/enginez"):
        text = get(port, asset)[1].decode()
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text, asset


def test_read_only_and_not_found(zp):
    _, port = zp
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/service", method="POST", data=b"x")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=5)
    assert e.value.code == 405
    code, doc = get_json(port, "/api/v1/nothing")
    assert code == 404 and "error" in doc


def test_service_and_pipelines_follow_the_traffic(zp, grpc_channel_factory):
    gw, port = zp
    code, doc = get_json(port, "/api/v1/service")
    assert code == 200 and doc["name"] == "otlp-gateway" and doc["uptimeSeconds"] >= 0
    assert doc["rssBytes"] > 0 and "zpages" in [e["type"] for e in doc["extensions"]]

    t0 = time.time_ns()
    trace = th.RawTrace(0x2A, "zp-api", [th.RawSpan(f"op{i}", i + 1, t0, t0 + 1000) for i in range(7)])
    th.send_traces_grpc(grpc_channel_factory(gw.grpc_target), th.raw_trace_request([trace]))

    def receiver_row():
        _, doc = get_json(port, "/api/v1/pipelines")
        rows = [c for c in doc["components"] if c["kind"] == "receiver" and c["id"] == "otlp"
                and c["signal"] == "traces"]
        rates = {r["name"]: r for r in rows[0]["rates"]} if rows else {}
        return doc if rates.get("accepted spans", {}).get("total", 0) >= 7 else None

    doc = gw.wait_for(receiver_row, 10, "the otlp receiver's accepted spans on the pipelines page")
    assert {p["id"] for p in doc["pipelines"]} == {"traces", "metrics"}
    traces = next(p for p in doc["pipelines"] if p["id"] == "traces")
    assert traces == {"id": "traces", "signal": "traces", "receivers": ["otlp"], "processors": ["batch"],
                      "exporters": ["memory"]}
    kinds = {(c["kind"], c["id"]) for c in doc["components"]}
    assert {("receiver", "otlp"), ("processor", "batch"), ("exporter", "memory"), ("exporter", "prometheus")} <= kinds
    memory = next(c for c in doc["components"] if c["id"] == "memory")
    assert not memory["trouble"] and memory["problems"] == []
    # Each pipeline shows its own signal's items: the metrics pipeline's otlp row counts no spans.
    metrics_otlp = next(c for c in doc["components"] if c["id"] == "otlp" and c["signal"] == "metrics")
    assert not any("spans" in r["name"] for r in metrics_otlp["rates"]), metrics_otlp
    rates = {r["name"]: r for r in memory["rates"]}
    gw.wait_for(lambda: {r["name"]: r for r in next(c for c in get_json(port, "/api/v1/pipelines")[1]["components"]
                                                     if c["id"] == "memory")["rates"]}.get("sent spans", {})
                .get("total", 0) >= 7, 10, "memory exporter sent spans")
    assert set(rates) >= {"sent spans"}


def test_cardinality_ranks_metrics_and_series_page(zp):
    gw, port = zp
    big = [Point(1, {"route": f"/r{i:03d}", "label": HOSTILE}) for i in range(120)]
    small = [Point(1, {"k": str(i)}) for i in range(3)]
    status, _ = send_metrics_http(gw, metrics_request([gauge("zp.big", big, unit="1"), gauge("zp.small", small)],
                                                      resource={"service.name": "zp"}))
    assert status == 200

    def top():
        _, doc = get_json(port, "/api/v1/cardinality?limit=3&labels=2")
        return doc if doc["metrics"] and doc["metrics"][0]["name"] == "zp_big_ratio" else None

    doc = gw.wait_for(top, 10, "zp_big_ratio first on the cardinality page")
    first = doc["metrics"][0]
    assert first["series"] == 120 and first["type"] == "gauge" and first["refused"] == 0
    assert first["labels"][0] == {"name": "route", "values": 120}
    assert len(doc["metrics"]) <= 3 and doc["totalSeries"] >= 123
    assert doc["stores"][0]["maxSeriesPerMetric"] > 0

    code, body, _ = get(port, "/api/v1/series?metric=zp_big_ratio&offset=100&limit=50")
    assert code == 200
    assert b"<script>" not in body and b"\\u003cscript\\u003e" in body  # markup never appears raw
    page = json.loads(body)
    assert page["total"] == 120 and len(page["series"]) == 20 and page["offset"] == 100
    routes = [s["labels"]["route"] for s in page["series"]]
    assert routes == [f"/r{i:03d}" for i in range(100, 120)]
    assert all(s["labels"]["label"] == HOSTILE for s in page["series"])

    for bad in ("/api/v1/series?metric=zp_big_ratio&limit=0", "/api/v1/series?metric=zp_big_ratio&limit=100000",
                "/api/v1/series?metric=zp_big_ratio&offset=x", "/api/v1/series", "/api/v1/cardinality?limit=-1",
                "/api/v1/series?metric=%FF"):
        code, doc = get_json(port, bad)
        assert code == 400 and doc["error"], bad
    code, doc = get_json(port, "/api/v1/series?metric=" + urllib.parse.quote(HOSTILE))
    assert code == 404 and doc == {"error": "metric not found"}


def test_traces_through_tempo_api_and_red(zp, grpc_channel_factory):
    gw, port = zp
    t0 = time.time_ns() - 10 ** 9
    trace = th.RawTrace(0x77, HOSTILE, [
        th.RawSpan("root", 1, t0, t0 + 10_000_000),
        th.RawSpan("child", 2, t0 + 1_000_000, t0 + 4_000_000, parent_id=1, status_code=2),
    ])
    th.send_traces_grpc(grpc_channel_factory(gw.grpc_target), th.raw_trace_request([trace]))
    q = urllib.parse.quote('{resource.service.name="%s"}' % HOSTILE.replace("\\", "\\\\").replace('"', '\\"'))

    def found():
        code, doc = get_json(port, f"/tempo/api/search?q={q}")
        assert code == 200, doc
        return doc["traces"] or None

    [summary] = gw.wait_for(found, 10, "the hostile trace found by TraceQL")
    assert summary["traceID"] == trace.hex and summary["rootServiceName"] == HOSTILE
    code, doc = get_json(port, f"/tempo/api/v2/traces/{trace.hex}")
    assert code == 200 and len(doc["trace"]["resourceSpans"][0]["scopeSpans"][0]["spans"]) == 2
    assert get_json(port, "/tempo/api/v2/traces/" + "0" * 31 + "1")[0] == 404
    assert get_json(port, "/tempo/api/v2/traces/xyz")[0] == 400
    _, red = get_json(port, "/api/v1/red")
    row = next(s for s in red["services"] if s["service"] == HOSTILE)
    assert row["spans"] == 2 and row["errors"] == 1 and row["errorRatio"] == 0.5
    assert row["p50Ms"] == 3.0 and row["p99Ms"] == 10.0


def test_engine_endpoint_shape_without_engine(zp):
    _, port = zp
    code, doc = get_json(port, "/api/v1/engine")
    assert code == 200 and doc["present"] is False
    assert [p["id"] for p in doc["panels"] if p["group"] == "engine"] == [
        "kv_cache_memory", "active_requests", "waiting_requests", "decode_prefill_ratio", "decode_tokens_rate",
        "prefill_tokens_rate", "batch_fill_percentiles", "kv_cache_memory_over_time", "ttft",
        "request_latency_percentiles"]
    assert all(v is None for p in doc["panels"] for s in p["series"] for _, v in s["points"])


def test_auth_requires_the_token(gateways, tmp_path):
    sp = th.StorePorts.allocate()
    zport, prom_port = free_ports(2)
    cfg = zpages_config(sp, zport, prom_port, extra_extensions={"bearertokenauth": {"token": "s3cret"}},
                        zpages_extra={"auth": {"authenticator": "bearertokenauth"}})
    # The authenticator is built first whatever the order.
    cfg["service"]["extensions"] = ["health_check", "zpages", "bearertokenauth"]
    gw = gateways.start(cfg, ports=sp.base)
    gw.wait_for(lambda: get(zport, "/api/v1/service")[0] in (200, 401), 10, "zpages up")
    code, _, hdrs = get(zport, "/debug/enginez")
    assert code == 401 and hdrs["www-authenticate"].startswith("Bearer")
    assert get(zport, "/api/v1/service", {"Authorization": "Bearer wrong"})[0] == 401
    assert get(zport, "/api/v1/service", {"Authorization": "Bearer s3cret"})[0] == 200
