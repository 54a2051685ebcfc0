"""`sending_queue.storage` with the `file_storage` extension: spans a gateway accepted while its downstream
was down are on disk, survive the gateway's shutdown, and are delivered exactly once by the next gateway
started on the same directory, once the downstream is up."""

from __future__ import annotations

import json
import subprocess
import time

import tracehelpers as th
from gwhelpers import Ports, free_ports, sum_matching

N = 10


def request(seed: int):
    t0 = time.time_ns() - 10_000_000_000
    spans = [th.RawSpan(f"op-{i}", i + 1, t0 + i * 1000, t0 + i * 1000 + 500, parent_id=1 if i else 0,
                        attrs={"i": i}) for i in range(N)]
    return th.raw_trace_request([th.RawTrace(0xD15C0000 + seed, "itest-persistent", spans)])


def persistent_config(ports: Ports, downstream: str, directory) -> dict:
    exporter = th.otlp_exporter(downstream, sending_queue={
        "enabled": True, "num_consumers": 2, "queue_size": 50, "storage": "file_storage"})
    cfg = th.traces_gateway_config(ports, {"otlp": exporter})
    cfg["extensions"]["file_storage"] = {"directory": str(directory), "create_directory": True}
    cfg["service"]["extensions"].append("file_storage")
    return cfg


def queued_files(directory) -> list:
    return sorted(directory.glob("*/*.req"))


def test_accepted_spans_survive_a_restart_and_arrive_once(gateways, grpc_channel_factory, tmp_path):
    downstream_port = free_ports(1)[0]
    directory = tmp_path / "queue"
    ports = Ports.allocate()
    cfg = persistent_config(ports, f"127.0.0.1:{downstream_port}", directory)

    first = gateways.start(cfg, ports=ports)
    requests = [request(1), request(2)]
    for req in requests:
        resp = th.send_traces_grpc(grpc_channel_factory(first.grpc_target), req)
        assert not resp.HasField("partial_success"), resp
    # Accepted, on disk, and failing to send (downstream not listening): retries counted.
    first.wait_for(lambda: queued_files(directory) and sum_matching(
        first.metrics(), "otlp_gateway_exporter_retries_total", exporter="otlp") >= 1,
        timeout=15, what="queued spans retried")
    rc, killed = first.stop()
    assert rc == 0 and not killed, (rc, killed, first.stderr_text())
    left = queued_files(directory)
    assert left, "the queue files were deleted at shutdown"
    # Nothing was counted as sent or failed: the spans are still owed.
    log = first.stdout_text() + first.stderr_text()
    assert "giving up" not in log, log

    receiver = th.GRPCTraceReceiver(port=downstream_port).start()
    try:
        # The same config, ports and directory: the first gateway's ports are free again.
        second = gateways.start(cfg, ports=ports)
        expected = {}
        for req in requests:
            expected.update(th.by_key(th.span_records(req)))

        def delivered():
            with receiver.lock:
                calls = list(receiver.calls)
            return [r for c in calls for r in th.span_records(c.request)]

        second.wait_for(lambda: len(delivered()) >= 2 * N, timeout=20, what="queued spans delivered")
        time.sleep(0.5)  # anything sent twice would arrive by now
        records = delivered()
        assert len(records) == 2 * N, f"{len(records)} spans arrived for {2 * N} sent: duplicates or losses"
        problems = th.compare_spans(records, expected, "after restart")
        assert not problems, problems
        second.wait_for(lambda: not queued_files(directory), timeout=10, what="queue files removed after delivery")
        assert sum_matching(second.metrics(), "otelcol_exporter_sent_spans_total", exporter="otlp") == 2 * N
        assert "requests from an earlier run will be sent" in second.stdout_text() + second.stderr_text()
    finally:
        receiver.stop()


def test_a_missing_storage_directory_stops_the_start(gateway_bin, tmp_path):
    cfg = persistent_config(Ports.allocate(), "127.0.0.1:9", tmp_path / "missing")
    cfg["extensions"]["file_storage"]["create_directory"] = False
    path = tmp_path / "collector.yaml"
    path.write_text(json.dumps(cfg))  # JSON is YAML
    out = subprocess.run([gateway_bin, "--config", str(path)], capture_output=True, text=True, timeout=30,
                         stdin=subprocess.DEVNULL)
    text = out.stdout + out.stderr
    assert out.returncode != 0, text
    assert "extensions.file_storage.directory" in text and "does not exist" in text, text
