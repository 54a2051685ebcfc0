"""The provisioned Grafana dashboards as files: layout, datasource references that resolve to the
provisioned uids, the reference dashboard's panels kept (ids, titles, types, positions, queries, display
settings), and the metrics each dashboard must cover. test_dashboard_queries.py runs the queries."""

from __future__ import annotations

import pytest

import deployhelpers as dh

RI = "$__rate_interval"


def hq(q: float, metric: str) -> str:
    return f"histogram_quantile({q}, sum by(le) (rate({metric}[{RI}])))"


# The reference dashboard ("Transformers Continuous Batching Metrics", reference-stack.md 4.6):
# id -> (title, type, (x, y, w), [(expr, legend)]). All panels are 8 high.
REFERENCE = {
    2: ("KV Cache Memory Usage", "gauge", (0, 0, 6), [("kv_cache_memory_bytes", "__auto")]),
    13: ("Active Requests", "stat", (6, 0, 6), [("active_requests_count", "__auto")]),
    14: ("Waiting Requests", "stat", (12, 0, 6), [("waiting_requests_count", "__auto")]),
    6: ("Decode/Prefill Ratio", "stat", (18, 0, 6), [("decode_prefill_ratio", "__auto")]),
    # The reference's title reads "throupught"; the spelling is the one change.
    10: ("Decode tokens throughput tok/s", "timeseries", (0, 8, 12),
         [(f"rate(decode_tokens_processed_total[{RI}])", "__auto")]),
    11: ("Prefill rate tok/s", "timeseries", (12, 8, 12), [(f"rate(prefill_tokens_processed_total[{RI}])", "__auto")]),
    9: ("Batch fill percentage percentiles", "timeseries", (0, 16, 12),
        [(hq(0.95, "batch_fill_percentage_percent_bucket"), "p95"), (hq(0.99, "batch_fill_percentage_percent_bucket"), "p99"),
         (hq(0.5, "batch_fill_percentage_percent_bucket"), "p50")]),
    4: ("KV Cache Memory Usage Over Time", "timeseries", (12, 16, 12),
        [("kv_cache_memory_bytes", "Used memory"), ("kv_cache_free_memory_bytes", "free memory")]),
    8: ("Time to First Token (TTFT)", "bargauge", (0, 24, 12),
        [(hq(0.95, "ttft_milliseconds_bucket"), "p95"), (hq(0.5, "ttft_milliseconds_bucket"), "p50"),
         (hq(0.99, "ttft_milliseconds_bucket"), "p99")]),
    12: ("Request latency percentiles", "timeseries", (12, 24, 12),
         [(hq(0.5, "request_latency_milliseconds_bucket"), "p50"), (hq(0.95, "request_latency_milliseconds_bucket"), "p95"),
          (hq(0.99, "request_latency_milliseconds_bucket"), "p99")]),
}


@pytest.fixture(scope="module")
def boards() -> dict[str, dict]:
    found = dh.dashboards()
    assert set(found) == {"continuous-batching.json", "gateway-health.json", "traces.json"}, set(found)
    return found


def test_layout_ids_and_uids(boards):
    uids = [b["uid"] for b in boards.values()]
    assert len(set(uids)) == len(uids), uids
    for name, board in boards.items():
        panels = list(dh.iter_panels(board))
        ids = [p["id"] for p in panels]
        assert len(set(ids)) == len(ids), f"{name}: duplicate panel ids"
        cells: dict[tuple[int, int], int] = {}
        for p in panels:
            g = p["gridPos"]
            assert g["x"] >= 0 and g["w"] > 0 and g["x"] + g["w"] <= 24, f"{name} panel {p['id']}: {g}"
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    assert (x, y) not in cells, f"{name}: panels {cells[(x, y)]} and {p['id']} overlap at {(x, y)}"
                    cells[(x, y)] = p["id"]
            refs = [t["refId"] for t in p.get("targets", [])]
            assert len(set(refs)) == len(refs), f"{name} panel {p['id']}: duplicate refIds"
            if p["type"] != "row":
                assert p.get("targets"), f"{name} panel {p['id']} has no query"
        assert board["schemaVersion"] >= 41 and board["editable"] is True
        assert "otlp-gateway" in board["tags"]


def test_datasources_resolve_to_provisioned_uids(boards):
    provisioned = {d["uid"]: d["type"] for d in dh.load_yaml(dh.DATASOURCES)["datasources"]}
    for name, board in boards.items():
        used = dh.datasource_uids(board)
        assert used and used <= set(provisioned), f"{name}: unknown datasource uids {used - set(provisioned)}"
        for q in dh.panel_queries(name, board):
            assert q.expr.strip(), f"{q.where()}: empty query"
            assert q.datasource_uid in provisioned, q.where()


def test_reference_panels_are_kept(boards):
    board = boards["continuous-batching.json"]
    assert board["uid"] == "Lw6CTvVSz" and board["refresh"] == "5s" and board["time"]["from"] == "now-15m"
    panels = {p["id"]: p for p in dh.iter_panels(board)}
    for pid, (title, kind, (x, y, w), exprs) in REFERENCE.items():
        p = panels[pid]
        assert (p["title"], p["type"]) == (title, kind), pid
        assert p["gridPos"] == {"x": x, "y": y, "w": w, "h": 8}, (pid, p["gridPos"])
        assert [(t["expr"], t["legendFormat"]) for t in p["targets"]] == exprs, pid
        assert p["datasource"] == {"type": "prometheus", "uid": "prometheus"}

    kv = panels[2]["fieldConfig"]["defaults"]
    assert (kv["unit"], kv["min"], kv["max"]) == ("bytes", 0, 10737418240)
    assert [s["value"] for s in kv["thresholds"]["steps"]] == [None, 5368709120, 8589934592]
    assert [s["color"] for s in kv["thresholds"]["steps"]] == ["green", "yellow", "red"]
    assert panels[2]["options"]["reduceOptions"]["calcs"] == ["lastNotNull"]
    assert panels[2]["description"] == "Memory usage of the PagedAttentionCache"
    for pid, color, graph in ((13, "dark-blue", "area"), (14, "dark-orange", "area"), (6, "blue", "none")):
        assert panels[pid]["fieldConfig"]["defaults"]["color"]["fixedColor"] == color
        assert panels[pid]["options"]["graphMode"] == graph
    over_time = panels[4]["fieldConfig"]["defaults"]
    assert over_time["unit"] == "bytes" and over_time["custom"]["fillOpacity"] == 20 and over_time["custom"]["lineWidth"] == 2
    ttft = panels[8]
    assert ttft["fieldConfig"]["defaults"]["unit"] == "ms" and ttft["options"]["displayMode"] == "gradient"
    assert ttft["options"]["legend"]["showLegend"] is False
    assert panels[12]["fieldConfig"]["defaults"]["unit"] == "ms"


def _exprs(board: dict) -> str:
    return "\n".join(q.expr for q in dh.panel_queries("", board))


@pytest.mark.parametrize("board,metrics", [
    ("continuous-batching.json", [
        # the engine's additions
        "inter_token_latency_milliseconds_bucket", "request_queue_time_milliseconds_bucket",
        "request_prefill_time_milliseconds_bucket", "request_decode_time_milliseconds_bucket",
        "preemptions_total", "finished_requests_total", "kv_cache_usage_ratio", "generation_tokens_total",
        # host and GPU
        "system_cpu_utilization_ratio", "system_cpu_load_average_1m", "system_memory_usage_bytes",
        "system_memory_utilization_ratio", "process_cpu_time_seconds_total", "process_memory_usage_bytes",
        "hw_gpu_utilization_ratio", "hw_gpu_memory_usage_bytes", "hw_gpu_memory_limit_bytes",
        "hw_gpu_memory_utilization_ratio", "hw_temperature_celsius", "hw_power_watts"]),
    ("gateway-health.json", [
        "otelcol_receiver_accepted_spans_total", "otelcol_receiver_accepted_metric_points_total",
        "otelcol_receiver_accepted_log_records_total", "otelcol_receiver_refused_spans_total",
        "otelcol_receiver_refused_metric_points_total", "otelcol_receiver_refused_log_records_total",
        "otelcol_exporter_sent_spans_total", "otelcol_exporter_sent_metric_points_total",
        "otelcol_exporter_send_failed_spans_total", "otelcol_exporter_enqueue_failed_spans_total",
        "otlp_gateway_exporter_retries_total", "otelcol_exporter_queue_size", "otelcol_exporter_queue_capacity",
        "otlp_gateway_remote_write_samples_sent_total", "otlp_gateway_remote_write_samples_failed_total",
        "otlp_gateway_remote_write_last_success_timestamp_seconds", "otlp_gateway_metric_store_series",
        "otlp_gateway_metric_store_refused_points_total", "otlp_gateway_spanmetrics_overflow_spans_total",
        "otelcol_process_memory_rss_bytes", "otelcol_process_cpu_seconds_total"]),
    ("traces.json", ["traces_spanmetrics_calls_total", "traces_spanmetrics_latency_bucket"]),
])
def test_dashboard_covers(boards, board, metrics):
    text = _exprs(boards[board])
    missing = [m for m in metrics if m not in text]
    assert not missing, f"{board} has no panel for {missing}"


def test_traces_dashboard_links_exemplars_and_searches_tempo(boards):
    board = boards["traces.json"]
    exemplar_targets = [t for p in dh.iter_panels(board) for t in p.get("targets", []) if t.get("exemplar")]
    assert exemplar_targets and all("traces_spanmetrics_latency_bucket" in t["expr"] for t in exemplar_targets)
    tempo = [q for q in dh.panel_queries("traces.json", board) if q.datasource_uid == "tempo"]
    assert len(tempo) == 1 and tempo[0].expr.startswith("{") and "${service:regex}" in tempo[0].expr


def test_thresholds_agree_with_the_alert_rules(boards):
    """Where a panel colours an alerted quantity, its steps are the alert thresholds."""
    panels = {p["title"]: p for b in boards.values() for p in dh.iter_panels(b)}

    def steps(title):
        return [s["value"] for s in panels[title]["fieldConfig"]["defaults"]["thresholds"]["steps"]]

    assert steps("GPU utilization") == [None, 0.8, 0.9]
    assert steps("GPU memory utilization") == [None, 0.85, 0.95]
    assert steps("Host memory used") == [None, 0.85, 0.95]
    assert steps("Request error rate") == [None, 0.05, 0.10]
    assert steps("Error ratio by service") == [None, 0.05, 0.10]
    assert steps("Sending queue fill") == [None, 0.8]
