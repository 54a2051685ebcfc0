"""Many concurrent requests: gRPC streams multiplexed on one shared channel, and parallel HTTP
keep-alive connections. Nothing may be lost or double counted."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import grpc
import requests

from gwhelpers import GRPC_PATHS, grpc_call, trace_request

THREADS, CALLS, SPANS_PER_CALL = 8, 20, 10
TOTAL = THREADS * CALLS * SPANS_PER_CALL  # 1600


def test_concurrent_grpc_streams_on_one_channel(gw):
    payloads = [[trace_request(SPANS_PER_CALL, seed=t * 1000 + c).SerializeToString() for c in range(CALLS)]
                for t in range(THREADS)]
    with grpc.insecure_channel(gw.grpc_target) as channel:
        export = channel.unary_unary(GRPC_PATHS["traces"], request_serializer=None, response_deserializer=None)

        def worker(t: int) -> int:
            ok = 0
            for c in range(CALLS):
                export(payloads[t][c], timeout=20)
                ok += 1
            return ok

        with ThreadPoolExecutor(THREADS) as pool:
            done = list(pool.map(worker, range(THREADS)))
    assert done == [CALLS] * THREADS

    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", TOTAL, receiver="otlp",
                             transport="grpc", timeout=20) == TOTAL
    assert gw.settle_debug("traces", "spans", TOTAL, timeout=20) == TOTAL
    assert gw.settle_counter("otelcol_exporter_sent_spans_total", TOTAL, exporter="debug") == TOTAL
    assert gw.counter("otelcol_receiver_requests_total", receiver="otlp", transport="grpc",
                      outcome="success") == THREADS * CALLS
    assert gw.counter("otelcol_receiver_requests_total", receiver="otlp", outcome="failure") == 0


def test_concurrent_http_keep_alive_clients(gw):
    url = gw.http_url("/v1/traces")
    payloads = [[trace_request(SPANS_PER_CALL, seed=t * 1000 + c).SerializeToString() for c in range(CALLS)]
                for t in range(THREADS)]

    def worker(t: int) -> list[int]:
        with requests.Session() as s:
            return [s.post(url, data=p, headers={"Content-Type": "application/x-protobuf"}, timeout=20).status_code
                    for p in payloads[t]]

    with ThreadPoolExecutor(THREADS) as pool:
        codes = [c for cs in pool.map(worker, range(THREADS)) for c in cs]
    assert codes == [200] * (THREADS * CALLS)
    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", TOTAL, receiver="otlp",
                             transport="http", timeout=20) == TOTAL
    assert gw.settle_debug("traces", "spans", TOTAL, timeout=20) == TOTAL
