"""Graceful shutdown: data held by the batch processor is flushed to the exporters on SIGTERM/SIGINT,
and the process exits 0 within 10 s."""

from __future__ import annotations

import signal
import time

import grpc
import pytest

from gwhelpers import GRPC_PATHS, build_request, grpc_call, http_post

SPANS, POINTS, RECORDS = 7, 5, 4


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_shutdown_flushes_batches(gateways, sig):
    # A batch that would only be sent after 60 s or 100000 items: only shutdown can flush it.
    gw = gateways.start(batch={"timeout": "60s", "send_batch_size": 100000})
    with grpc.insecure_channel(gw.grpc_target) as ch:
        grpc_call(ch, GRPC_PATHS["traces"], build_request("traces", SPANS).SerializeToString())
        grpc_call(ch, GRPC_PATHS["logs"], build_request("logs", RECORDS).SerializeToString())
    resp = http_post(gw.http_url("/v1/metrics"), build_request("metrics", POINTS).SerializeToString())
    assert resp.status_code == 200

    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", SPANS, receiver="otlp") == SPANS
    assert gw.settle_counter("otelcol_receiver_accepted_log_records_total", RECORDS, receiver="otlp") == RECORDS
    assert gw.settle_counter("otelcol_receiver_accepted_metric_points_total", POINTS, receiver="otlp") == POINTS
    time.sleep(0.3)
    assert gw.debug_total("traces", "spans") == 0, "the batch must still be held before shutdown"
    assert gw.debug_total("logs", "log_records") == 0
    assert gw.debug_total("metrics", "data_points") == 0

    started = time.monotonic()
    rc, killed = gw.stop(sig, timeout=10.0)
    assert not killed, f"did not exit within 10 s of {sig.name}\n{gw.logs_tail()}"
    assert rc == 0, f"exit code {rc} after {sig.name}\n{gw.logs_tail()}"
    assert time.monotonic() - started < 10

    assert gw.debug_total("traces", "spans") == SPANS, gw.logs_tail()
    assert gw.debug_total("logs", "log_records") == RECORDS, gw.logs_tail()
    assert gw.debug_total("metrics", "data_points") == POINTS, gw.logs_tail()


def test_idle_gateway_exits_zero_on_sigterm(gateways):
    gw = gateways.start()
    rc, killed = gw.stop(signal.SIGTERM, timeout=10.0)
    assert (rc, killed) == (0, False), gw.logs_tail()
    assert [line for line in gw.debug_lines() if line.startswith("exporter=")] == []
