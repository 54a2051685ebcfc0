"""Fan-out: several exporters in one pipeline, and several pipelines of one signal sharing the otlp
receiver. Every exporter must get every item of every pipeline it is in."""

from __future__ import annotations

import grpc
import pytest

from gwhelpers import GRPC_PATHS, HTTP_PATHS, build_request, grpc_call, http_post

N = 17
ITEMS = {
    "traces": ("spans", "otelcol_receiver_accepted_spans_total", "otelcol_exporter_sent_spans_total"),
    "metrics": ("data_points", "otelcol_receiver_accepted_metric_points_total",
                "otelcol_exporter_sent_metric_points_total"),
    "logs": ("log_records", "otelcol_receiver_accepted_log_records_total", "otelcol_exporter_sent_log_records_total"),
}


def fanout_config(signal: str, second_pipeline_exporters: list[str]):
    def build(ports):
        from gwhelpers import gateway_config

        exporters = {"debug": {"verbosity": "basic"}, "debug/second": {"verbosity": "basic"},
                     "debug/b": {"verbosity": "basic"}}
        pipelines = {
            signal: {"receivers": ["otlp"], "processors": ["batch"], "exporters": ["debug", "debug/second"]},
            f"{signal}/b": {"receivers": ["otlp"], "processors": ["batch"], "exporters": second_pipeline_exporters},
        }
        return gateway_config(ports, exporters=exporters, pipelines=pipelines)

    return build


def send(gw, signal: str, n: int, transport: str):
    payload = build_request(signal, n).SerializeToString()
    if transport == "grpc":
        with grpc.insecure_channel(gw.grpc_target) as ch:
            grpc_call(ch, GRPC_PATHS[signal], payload)
    else:
        resp = http_post(gw.http_url(HTTP_PATHS[signal]), payload)
        assert resp.status_code == 200, resp.content


@pytest.mark.parametrize("signal,transport", [("traces", "grpc"), ("metrics", "http"), ("logs", "grpc")])
def test_every_exporter_gets_every_item(gateways, signal, transport):
    gw = gateways.start(fanout_config(signal, ["debug/b"]))
    key, accepted_name, sent_name = ITEMS[signal]
    send(gw, signal, N, transport)

    # the receiver accepted each item once, whatever the number of pipelines behind it
    assert gw.settle_counter(accepted_name, N, receiver="otlp", transport=transport) == N
    for exporter in ("debug", "debug/second", "debug/b"):
        assert gw.settle_counter(sent_name, N, exporter=exporter) == N, exporter
        assert gw.settle_debug(signal, key, N, exporter=exporter) == N, exporter
    assert gw.debug_total(signal, key, exporter=None) == 3 * N


def test_exporter_shared_by_two_pipelines_gets_both_copies(gateways):
    # `debug` is in `traces` and in `traces/b`: it receives each pipeline's copy (as in the Collector).
    gw = gateways.start(fanout_config("traces", ["debug"]))
    send(gw, "traces", N, "http")
    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", N, receiver="otlp", transport="http") == N
    assert gw.settle_counter("otelcol_exporter_sent_spans_total", 2 * N, exporter="debug") == 2 * N
    assert gw.settle_counter("otelcol_exporter_sent_spans_total", N, exporter="debug/second") == N
    assert gw.counter("otelcol_exporter_sent_spans_total", exporter="debug/b") == 0
    assert gw.settle_debug("traces", "spans", 2 * N, exporter="debug") == 2 * N
    assert gw.settle_debug("traces", "spans", N, exporter="debug/second") == N
