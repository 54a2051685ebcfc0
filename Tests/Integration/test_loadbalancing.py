"""The loadbalancing exporter as a routing tier, all on loopback with real gateways: one router and
three backend gateways (otlp -> memory + spanmetrics). Every span of every trace lands on exactly one
backend and counts match; span metrics summed over the backends equal one gateway's for the same
input; a listed backend that is down keeps its keys and receives its data whole once it is up; and the
DNS resolver against a real DNS server (dnsmasq, whose hosts file the test rewrites) follows
membership changes within its interval, moving only the keys of the instance that joined; and an
instance that leaves while it is down hands what the router queued for it to the new owners (from
memory or from a `file_storage` queue), each trace whole."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import grpc
import pytest

import tracehelpers as th
from gwhelpers import Ports, free_ports, gateway_config, parse_prometheus_text

MS = 1_000_000


def backend_config(ports: Ports, api: int, pull: int, grpc_endpoint: str | None = None) -> dict:
    """A backend: otlp -> memory (by id) and spanmetrics -> prometheus (pull), no batching delays."""
    cfg = gateway_config(
        ports,
        grpc={"endpoint": grpc_endpoint} if grpc_endpoint else None,
        exporters={"memory": {"endpoint": f"127.0.0.1:{api}"}, "prometheus": {"endpoint": f"127.0.0.1:{pull}"}},
        processors={},
        pipelines={
            "traces": {"receivers": ["otlp"], "processors": [], "exporters": ["memory", "spanmetrics"]},
            "metrics": {"receivers": ["spanmetrics"], "processors": [], "exporters": ["prometheus"]},
        })
    del cfg["processors"]
    cfg["connectors"] = {"spanmetrics": {"metrics_flush_interval": "200ms"}}
    return cfg


def router_config(ports: Ports, resolver: dict, routing_key: str = "traceID") -> dict:
    cfg = gateway_config(
        ports,
        exporters={"loadbalancing": {
            "routing_key": routing_key,
            "protocol": {"otlp": {"tls": {"insecure": True}, "timeout": "2s",
                                  "retry_on_failure": {"initial_interval": "100ms", "max_interval": "500ms",
                                                       "max_elapsed_time": "120s"}}},
            "resolver": resolver}},
        processors={"batch": {"timeout": "100ms"}},
        pipelines={"traces": {"receivers": ["otlp"], "processors": ["batch"], "exporters": ["loadbalancing"]}})
    return cfg


class Backend:
    def __init__(self, gateways, grpc_endpoint: str | None = None, ports: Ports | None = None):
        self.ports = ports or Ports.allocate()
        self.api, self.pull = free_ports(2)
        self.grpc_endpoint = grpc_endpoint or f"127.0.0.1:{self.ports.grpc}"
        self.gw = gateways.start(backend_config(self.ports, self.api, self.pull, grpc_endpoint), ports=self.ports)
        self.store = th.TraceStore(self.api)
        self.store.wait_ready(self.gw)

    def traces(self) -> dict[str, int]:
        """trace id -> span count held."""
        out = {}
        for summary in self.store.search(limit=1000):
            code, doc = self.store.trace(summary["traceID"])
            assert code == 200
            out[summary["traceID"]] = sum(len(ss["spans"]) for rs in doc["resourceSpans"] for ss in rs["scopeSpans"])
        return out

    def span_names(self) -> dict[str, list[str]]:
        out = {}
        for summary in self.store.search(limit=1000):
            code, doc = self.store.trace(summary["traceID"])
            assert code == 200
            out[summary["traceID"]] = [sp["name"] for rs in doc["resourceSpans"] for ss in rs["scopeSpans"]
                                       for sp in ss["spans"]]
        return out

    def calls(self) -> dict[tuple, float]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.pull}/metrics", timeout=5) as r:
            samples = parse_prometheus_text(r.read().decode())
        out: dict[tuple, float] = {}
        for (name, labels), value in samples.items():
            if name == "traces_spanmetrics_calls_total":
                d = dict(labels)
                key = (d.get("service"), d.get("span_name"))
                out[key] = out.get(key, 0) + value
        return out


def make_traces(n: int, spans_per_trace: int, seed: int) -> list[th.RawTrace]:
    rnd = random.Random(seed)
    t0 = time.time_ns() - 60 * 10 ** 9
    out = []
    for i in range(n):
        tid = rnd.getrandbits(128) | 1
        spans = [th.RawSpan(f"op-{j}", i * 100 + j + 1, t0 + j * MS, t0 + (j + 1 + rnd.randint(0, 5)) * MS,
                            parent_id=(i * 100 + 1) if j else 0) for j in range(spans_per_trace)]
        out.append(th.RawTrace(tid, f"lb-svc-{i % 3}", spans))
    return out


def send_interleaved(target: str, traces: list[th.RawTrace], per_request: int = 7) -> int:
    """Sends the spans of all traces mixed: each request holds spans of many traces, and each trace's spans
    are spread over several requests."""
    pieces = [th.RawTrace(t.trace_id, t.service, [s]) for t in traces for s in t.spans]
    random.Random(1).shuffle(pieces)
    channel = grpc.insecure_channel(target)
    try:
        for i in range(0, len(pieces), per_request):
            th.send_traces_grpc(channel, th.raw_trace_request(pieces[i:i + per_request]))
    finally:
        channel.close()
    return len(pieces)


def settled_total(backends) -> int | None:
    """The spans the backends hold, once that stopped changing for half a second (None before)."""
    first = sum(sum(b.traces().values()) for b in backends)
    time.sleep(0.5)
    second = sum(sum(b.traces().values()) for b in backends)
    return first if first == second and first > 0 else None


def wait_total(backends, expected: int, gw, timeout: float = 30.0) -> list[dict[str, int]]:
    def done():
        held = [b.traces() for b in backends]
        return held if sum(sum(h.values()) for h in held) >= expected else None
    return gw.wait_for(done, timeout, f"{expected} spans across the backends")


def test_every_trace_lands_whole_on_one_backend_and_span_metrics_add_up(gateways):
    backends = [Backend(gateways) for _ in range(3)]
    rp = Ports.allocate()
    router = gateways.start(router_config(rp, {"static": {"hostnames": [b.grpc_endpoint for b in backends]}}),
                            ports=rp)
    traces = make_traces(90, 5, seed=7)
    sent = send_interleaved(router.grpc_target, traces)
    held = wait_total(backends, sent, router)

    owners: dict[str, list[int]] = {}
    for index, h in enumerate(held):
        for tid in h:
            owners.setdefault(tid, []).append(index)
    assert sorted(owners) == sorted(t.hex for t in traces)
    assert all(len(v) == 1 for v in owners.values()), {k: v for k, v in owners.items() if len(v) > 1}
    for t in traces:
        assert held[owners[t.hex][0]][t.hex] == 5, t.hex
    assert all(len(h) > 0 for h in held), [len(h) for h in held]  # the ring spreads traces
    assert router.counter("otelcol_loadbalancer_num_backends", exporter="loadbalancing", otel_signal="traces") == 3

    # Span metrics summed over the backends equal one gateway's for the same input.
    single = Backend(gateways)
    send_interleaved(single.gw.grpc_target, traces)
    wait_total([single], sent, single.gw)

    def summed():
        total: dict[tuple, float] = {}
        for b in backends:
            for k, v in b.calls().items():
                total[k] = total.get(k, 0) + v
        return total

    expected = single.gw.wait_for(lambda: (c := single.calls()) and sum(c.values()) == sent and c, 15,
                                  "the single gateway's span metrics")
    got = router.wait_for(lambda: (s := summed()) == expected and s, 15, "span metrics summed over backends")
    assert got == expected


def test_a_backend_that_is_down_keeps_its_keys_and_gets_its_data_when_back(gateways):
    up = [Backend(gateways) for _ in range(2)]
    late_ports = Ports.allocate()
    late_endpoint = f"127.0.0.1:{late_ports.grpc}"
    rp = Ports.allocate()
    router = gateways.start(
        router_config(rp, {"static": {"hostnames": [b.grpc_endpoint for b in up] + [late_endpoint]}}), ports=rp)
    traces = make_traces(60, 3, seed=11)
    sent = send_interleaved(router.grpc_target, traces)  # every request is answered OK meanwhile
    on_up = router.wait_for(lambda: settled_total(up), 20, "the live backends' share to settle")
    assert on_up < sent, (on_up, sent)  # the down backend's share is waiting, not rerouted
    late = Backend(gateways, ports=late_ports)
    held = wait_total(up + [late], sent, router, timeout=60)
    owners = {}
    for index, h in enumerate(held):
        for tid, n in h.items():
            assert tid not in owners, f"{tid} on two backends"
            owners[tid] = index
            assert n == 3
    assert len(owners) == 60 and any(i == 2 for i in owners.values())


DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"


@pytest.mark.skipif(not os.access(DNSMASQ, os.X_OK), reason="dnsmasq is not installed (Debian: dnsmasq-base)")
def test_dns_resolver_follows_a_real_dns_server_and_moves_only_the_new_instances_keys(gateways, tmp_path):
    # Backends on 127.0.0.2-5, one port for all (the dns resolver gives addresses, the port is configured).
    port = free_port_on(["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"])
    hosts = tmp_path / "hosts"
    hosts.write_text("".join(f"127.0.0.{i} backends.lb.test\n" for i in (2, 3, 4)))
    dns, dns_port = start_dnsmasq(hosts, tmp_path)
    try:
        backends = {i: Backend(gateways, grpc_endpoint=f"127.0.0.{i}:{port}") for i in (2, 3, 4)}
        rp = Ports.allocate()
        router = gateways.start(router_config(rp, {"dns": {
            "hostname": "backends.lb.test", "port": port, "interval": "500ms", "timeout": "500ms",
            "nameserver": f"127.0.0.1:{dns_port}"}}), ports=rp)

        def backends_now():
            return router.counter("otelcol_loadbalancer_num_backends", exporter="loadbalancing", otel_signal="traces")

        router.wait_for(lambda: backends_now() == 3, 15, "three backends resolved")
        probe = make_traces(300, 1, seed=3)
        sent = send_interleaved(router.grpc_target, probe, per_request=50)
        before = owners_by_trace(wait_total(backends.values(), sent, router), list(backends))

        backends[5] = Backend(gateways, grpc_endpoint=f"127.0.0.5:{port}")
        hosts.write_text("".join(f"127.0.0.{i} backends.lb.test\n" for i in (2, 3, 4, 5)))
        dns.send_signal(signal.SIGHUP)
        changed_at = time.monotonic()
        router.wait_for(lambda: backends_now() == 4, 10, "the fourth backend resolved")
        assert time.monotonic() - changed_at < 5.0

        # The same trace ids again (new span ids): where each lands now.
        again = [th.RawTrace(t.trace_id, t.service, [th.RawSpan("again", 50_000 + i, t.spans[0].start_ns,
                                                                  t.spans[0].end_ns)])
                 for i, t in enumerate(probe)]
        send_interleaved(router.grpc_target, again, per_request=50)
        wait_total(backends.values(), 2 * sent, router)
        after = {}
        for index, b in backends.items():
            for tid, names in b.span_names().items():
                if "again" in names:
                    assert tid not in after, f"{tid}'s second span on two backends"
                    after[tid] = index
        assert sorted(after) == sorted(before)
        moved = [tid for tid in before if after.get(tid) != before[tid]]
        assert all(after[tid] == 5 for tid in moved), "only the new instance takes keys"
        assert len(moved) / len(before) <= 1 / 4 + 0.10, f"{len(moved)} of {len(before)} keys moved"
        assert len(moved) > 0

        # An instance leaving: its keys go to the others, and nothing sent after is lost.
        hosts.write_text("".join(f"127.0.0.{i} backends.lb.test\n" for i in (2, 3, 5)))
        dns.send_signal(signal.SIGHUP)
        router.wait_for(lambda: backends_now() == 3, 10, "the instance removed")
        late = make_traces(100, 2, seed=99)
        send_interleaved(router.grpc_target, late)
        remaining = [backends[i] for i in (2, 3, 5)]
        router.wait_for(lambda: sum(1 for b in remaining for tid in b.traces() if tid in {t.hex for t in late})
                        == len(late), 20, "the late traces on the remaining instances")
        assert all(tid not in {t.hex for t in late} for tid in backends[4].traces())
    finally:
        dns.terminate()
        dns.wait(5)


@pytest.mark.skipif(not os.access(DNSMASQ, os.X_OK), reason="dnsmasq is not installed (Debian: dnsmasq-base)")
@pytest.mark.parametrize("queue", ["memory", "file_storage"])
def test_an_instance_that_leaves_while_down_hands_its_queue_to_the_new_owners(gateways, tmp_path, queue):
    port = free_port_on(["127.0.0.2", "127.0.0.3", "127.0.0.4"])
    hosts = tmp_path / "hosts"
    hosts.write_text("".join(f"127.0.0.{i} backends.lb.test\n" for i in (2, 3, 4)))
    dns, dns_port = start_dnsmasq(hosts, tmp_path)
    try:
        # 127.0.0.4 is listed and never comes up: its share waits in the router's queue for it.
        live = [Backend(gateways, grpc_endpoint=f"127.0.0.{i}:{port}") for i in (2, 3)]
        rp = Ports.allocate()
        cfg = router_config(rp, {"dns": {
            "hostname": "backends.lb.test", "port": port, "interval": "500ms", "timeout": "500ms",
            "nameserver": f"127.0.0.1:{dns_port}"}})
        directory = tmp_path / "queue"
        if queue == "file_storage":
            cfg["exporters"]["loadbalancing"]["protocol"]["otlp"]["sending_queue"] = {"storage": "file_storage"}
            cfg["extensions"]["file_storage"] = {"directory": str(directory), "create_directory": True}
            cfg["service"]["extensions"].append("file_storage")
        router = gateways.start(cfg, ports=rp)
        router.wait_for(lambda: router.counter("otelcol_loadbalancer_num_backends", exporter="loadbalancing",
                                               otel_signal="traces") == 3, 15, "three backends resolved")
        traces = make_traces(60, 3, seed=23)
        sent = send_interleaved(router.grpc_target, traces)  # all answered OK: the down one's share is queued

        on_live = router.wait_for(lambda: settled_total(live), 20, "the live backends' share to settle")
        assert on_live < sent, (on_live, sent)
        if queue == "file_storage":
            assert list(directory.glob("**/*.req")), "the down instance's share is on disk"

        # The instance leaves the ring for good: what it held goes to the instances that own its keys now.
        hosts.write_text("".join(f"127.0.0.{i} backends.lb.test\n" for i in (2, 3)))
        dns.send_signal(signal.SIGHUP)
        held = wait_total(live, sent, router, timeout=30)
        owners = owners_by_trace(held, [2, 3])
        assert sorted(owners) == sorted(t.hex for t in traces)
        for t in traces:
            assert held[owners[t.hex] - 2][t.hex] == 3, t.hex
        handed = router.counter("otlp_gateway_exporter_handed_over_spans_total",
                                exporter=f"loadbalancing/127.0.0.4:{port}")
        assert handed == sent - on_live, (handed, sent, on_live)
        if queue == "file_storage":
            # The new owners' own queues complete their files once their destinations answered.
            router.wait_for(lambda: not list(directory.glob("**/*.req")), 10, "no request left on disk")
    finally:
        dns.terminate()
        dns.wait(5)


def start_dnsmasq(hosts: Path, tmp_path: Path) -> tuple[subprocess.Popen, int]:
    """A real DNS server on 127.0.0.1 answering from `hosts` (re-read on SIGHUP), with a TTL of 0."""
    (dns_port,) = free_ports(1)
    # As root dnsmasq would drop to `nobody`, who may not read the test's hosts file.
    user = ["--user=root"] if os.geteuid() == 0 else []
    dns = subprocess.Popen(
        [DNSMASQ, "--keep-in-foreground", "--no-resolv", "--no-hosts", f"--addn-hosts={hosts}",
         "--listen-address=127.0.0.1", "--bind-interfaces", f"--port={dns_port}", "--local-ttl=0",
         "--log-facility=-", *user],
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "dnsmasq.log", "wb"))
    return dns, dns_port


def owners_by_trace(held: list[dict[str, int]], indexes: list[int]) -> dict[str, int]:
    out = {}
    for index, h in zip(indexes, held):
        for tid in h:
            assert tid not in out
            out[tid] = index
    return out


def free_port_on(addresses: list[str]) -> int:
    for _ in range(50):
        (candidate,) = free_ports(1)
        socks = []
        try:
            for a in addresses:
                s = socket.socket()
                s.bind((a, candidate))
                socks.append(s)
            return candidate
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no port free on every address")
