"""Nothing acknowledged is lost (issue: staged stop and durable acceptance): a graceful stop runs in the
Collector's order (receivers, processors, exporters draining, extensions) so batches held for 30 s and a
remote-write interval of 60 s still reach their destinations; with a file_storage queue, what the downstream
did not take is on disk and arrives exactly once after the next start; and with a batch processor in front of
such a queue, kill -9 right after the client's OK loses nothing either."""

from __future__ import annotations

import re
import signal
import time

import tracehelpers as th
from gwhelpers import Ports, free_ports, sum_matching
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.metrics.v1 import metrics_pb2

SLOW_BATCH = {"send_batch_size": 100000, "timeout": "30s"}


def trace_request(seed: int, n: int = 5):
    t0 = time.time_ns() - 5_000_000_000
    spans = [th.RawSpan(f"op-{seed}-{i}", i + 1, t0 + i * 1000, t0 + i * 1000 + 500, parent_id=1 if i else 0,
                        attrs={"seed": seed}) for i in range(n)]
    return th.raw_trace_request([th.RawTrace(0x5701_0000 + seed, "staged-stop", spans)])


def counter_request(value: int) -> bytes:
    req = metrics_service_pb2.ExportMetricsServiceRequest()
    rm = req.resource_metrics.add()
    rm.resource.attributes.add(key="service.name", value={"string_value": "staged-stop"})
    metric = rm.scope_metrics.add().metrics.add()
    metric.name = "staged_stop_requests"
    metric.sum.is_monotonic = True
    metric.sum.aggregation_temporality = metrics_pb2.AGGREGATION_TEMPORALITY_CUMULATIVE
    point = metric.sum.data_points.add()
    point.start_time_unix_nano = time.time_ns() - 10_000_000_000
    point.time_unix_nano = time.time_ns()
    point.as_int = value
    return req.SerializeToString()


def delivered(receiver) -> list:
    with receiver.lock:
        calls = list(receiver.calls)
    return [r for c in calls for r in th.span_records(c.request)]


def test_sigterm_delivers_30s_batches_and_60s_remote_write(prometheus, gateways, grpc_channel_factory):
    receiver = th.GRPCTraceReceiver().start()
    try:
        ports = Ports.allocate()
        cfg = th.traces_gateway_config(ports, {"otlp": th.otlp_exporter(receiver.target)})
        cfg["processors"]["batch"] = dict(SLOW_BATCH)
        cfg["exporters"]["prometheusremotewrite"] = {
            "endpoint": prometheus.remote_write_url, "interval": "60s",
            "retry_on_failure": {"initial_interval": "100ms", "max_interval": "1s"}}
        cfg["service"]["pipelines"]["metrics"] = {
            "receivers": ["otlp"], "processors": ["batch"], "exporters": ["prometheusremotewrite"]}
        gw = gateways.start(cfg, ports=ports)
        expected = {}
        for seed in range(4):
            req = trace_request(seed)
            expected.update(th.by_key(th.span_records(req)))
            th.send_traces_grpc(grpc_channel_factory(gw.grpc_target), req)
        import requests
        resp = requests.post(gw.http_url("/v1/metrics"), data=counter_request(42),
                             headers={"Content-Type": "application/x-protobuf"}, timeout=10)
        assert resp.status_code == 200
        time.sleep(0.5)
        assert delivered(receiver) == [], "the 30 s batch must still hold the spans before the stop"
        started = time.monotonic()
        rc, killed = gw.stop(signal.SIGTERM, timeout=25)
        assert (rc, killed) == (0, False), gw.logs_tail()
        assert time.monotonic() - started < 20
        records = delivered(receiver)
        assert len(records) == len(expected), (len(records), len(expected))
        assert not th.compare_spans(records, expected, "after SIGTERM")
        # Written by the final collection at the stop, not by the 60 s timer.
        assert prometheus.wait_value("sum(staged_stop_requests_total)", 42, timeout=15) == 42
        log = gw.stderr_text()
        order = [log.find(m) for m in ("stopping receivers", "flushing processors", "draining exporters",
                                       "stopping extensions", "shutdown complete")]
        assert all(i >= 0 for i in order) and order == sorted(order), order
    finally:
        receiver.stop()


def persistent_config(ports: Ports, downstream: str, directory, batch: dict) -> dict:
    exporter = th.otlp_exporter(downstream, sending_queue={
        "enabled": True, "num_consumers": 2, "queue_size": 100, "storage": "file_storage"})
    cfg = th.traces_gateway_config(ports, {"otlp": exporter})
    cfg["processors"]["batch"] = dict(batch)
    cfg["extensions"]["file_storage"] = {"directory": str(directory), "create_directory": True}
    cfg["service"]["extensions"].append("file_storage")
    return cfg


def test_sigterm_with_downstream_down_keeps_batched_spans_on_disk(gateways, grpc_channel_factory, tmp_path):
    downstream_port = free_ports(1)[0]
    directory = tmp_path / "queue"
    ports = Ports.allocate()
    cfg = persistent_config(ports, f"127.0.0.1:{downstream_port}", directory, SLOW_BATCH)
    first = gateways.start(cfg, ports=ports)
    expected = {}
    for seed in range(3):
        req = trace_request(seed)
        expected.update(th.by_key(th.span_records(req)))
        th.send_traces_grpc(grpc_channel_factory(first.grpc_target), req)
    rc, killed = first.stop(signal.SIGTERM, timeout=25)
    assert (rc, killed) == (0, False), first.logs_tail()
    assert sorted(directory.glob("*/*.req")), "the flushed batch must be on disk"
    log = first.stdout_text() + first.stderr_text()
    assert "is full" not in log and "giving up" not in log, log

    receiver = th.GRPCTraceReceiver(port=downstream_port).start()
    try:
        second = gateways.start(cfg, ports=ports)
        second.wait_for(lambda: len(delivered(receiver)) >= len(expected), timeout=20, what="spans delivered")
        time.sleep(0.5)
        records = delivered(receiver)
        assert len(records) == len(expected), f"{len(records)} arrived for {len(expected)}: duplicates or losses"
        assert not th.compare_spans(records, expected, "after restart")
    finally:
        receiver.stop()


def test_kill_9_after_ok_loses_nothing_acknowledged(gateways, grpc_channel_factory, tmp_path):
    receiver = th.GRPCTraceReceiver().start()
    try:
        directory = tmp_path / "queue"
        ports = Ports.allocate()
        cfg = persistent_config(ports, receiver.target, directory, SLOW_BATCH)
        first = gateways.start(cfg, ports=ports)
        expected = {}
        for seed in range(20):
            req = trace_request(seed, n=3)
            expected.update(th.by_key(th.span_records(req)))
            th.send_traces_grpc(grpc_channel_factory(first.grpc_target), req)
        time.sleep(0.05)
        assert first.kill9() == -signal.SIGKILL
        assert delivered(receiver) == [], "nothing was sent before the kill (the batch holds it for 30 s)"

        second = gateways.start(cfg, ports=ports)
        assert "recovered from its journal" in second.stderr_text() + second.stdout_text()
        # The recovered batch goes out on the graceful stop (or after its 30 s timeout).
        rc, killed = second.stop(signal.SIGTERM, timeout=25)
        assert (rc, killed) == (0, False), second.logs_tail()
        records = delivered(receiver)
        assert len(records) == len(expected), f"{len(records)} arrived for {len(expected)}: duplicates or losses"
        assert not th.compare_spans(records, expected, "after kill -9 and restart")
        # Nothing is left to send a second time.
        third = gateways.start(cfg, ports=ports)
        third.stop(signal.SIGTERM, timeout=25)
        assert len(delivered(receiver)) == len(expected)
    finally:
        receiver.stop()


def test_every_component_stops_in_order(gateways, tmp_path):
    """One config with every kind of component: the stop logs its stages in order and exits 0 in time."""
    ports = Ports.allocate()
    api, pull = free_ports(2)
    cfg = {
        "receivers": {
            "otlp": {"protocols": {"grpc": {"endpoint": f"127.0.0.1:{ports.grpc}"},
                                   "http": {"endpoint": f"127.0.0.1:{ports.http}"}}},
            "engine": {"collection_interval": "1s"},
            "hostmetrics": {"collection_interval": "1s", "scrapers": {"cpu": {}, "memory": {}}},
        },
        "processors": {"memory_limiter": {"check_interval": "1s", "limit_mib": 4000, "spike_limit_mib": 800},
                       "batch": {"timeout": "10s"}},
        "exporters": {
            "otlp": th.otlp_exporter("127.0.0.1:9", sending_queue={"enabled": True, "queue_size": 10,
                                                                     "storage": "file_storage"}),
            "memory": {"endpoint": f"127.0.0.1:{api}"},
            "prometheus": {"endpoint": f"127.0.0.1:{pull}"},
            "debug": {"verbosity": "basic"},
        },
        "connectors": {"spanmetrics": {}},
        "extensions": {"health_check": {"endpoint": f"127.0.0.1:{ports.health}"},
                       "file_storage": {"directory": str(tmp_path / "fs"), "create_directory": True}},
        "service": {
            "extensions": ["health_check", "file_storage"],
            "shutdown_timeout": "5s",
            "telemetry": {"metrics": {"address": f"127.0.0.1:{ports.telemetry}"}},
            "pipelines": {
                "traces": {"receivers": ["otlp", "engine"], "processors": ["memory_limiter", "batch"],
                           "exporters": ["otlp", "memory", "spanmetrics"]},
                "metrics": {"receivers": ["otlp", "engine", "hostmetrics", "spanmetrics"],
                            "processors": ["memory_limiter", "batch"], "exporters": ["prometheus", "debug"]},
                "logs": {"receivers": ["otlp"], "processors": ["batch"], "exporters": ["debug"]},
            },
        },
    }
    gw = gateways.start(cfg, ports=ports)
    time.sleep(2)
    started = time.monotonic()
    rc, killed = gw.stop(signal.SIGTERM, timeout=20)
    assert (rc, killed) == (0, False), gw.logs_tail()
    assert time.monotonic() - started < 5 + 5
    log = gw.stderr_text()
    marks = ["shutting down: stopping receivers", "shutting down: flushing processors",
             "shutting down: draining exporters", "shutting down: stopping extensions", "shutdown complete"]
    positions = [log.find(m) for m in marks]
    assert all(p >= 0 for p in positions), (positions, log[-3000:])
    assert positions == sorted(positions), positions
    assert re.search(r"timeout=5\.0 seconds", log), "the drain announces its timeout"
