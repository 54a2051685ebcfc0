"""Tenants end to end: two OpenTelemetry SDKs send with different `X-Scope-OrgID` headers; the otlp
receiver keeps them (`include_metadata`), the batch processor batches per tenant (`metadata_keys`), and the
`headers_setter` extension sets the header on every outgoing request. A real Prometheus (remote-write
receiver) sits behind a small recording proxy, which checks that each tenant's series only ever arrive in
requests carrying that tenant's header; traces go to a recording gRPC receiver the same way."""

from __future__ import annotations

import http.server
import threading
import time
import urllib.request

import pytest
import snappy

import tracehelpers as th
from gwhelpers import Ports, free_ports, gateway_config

TENANTS = ("team-a", "team-b")


class RecordingProxy:
    """Forwards remote-write POSTs to Prometheus, recording each request's tenant header and body."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.requests: list[tuple[str | None, bytes]] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                tenant = self.headers.get("X-Scope-OrgID")
                with proxy.lock:
                    proxy.requests.append((tenant, snappy.uncompress(body)))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                req = urllib.request.Request(proxy.upstream, data=body, headers=headers, method="POST")
                try:
                    with urllib.request.urlopen(req, timeout=10) as resp:
                        status = resp.status
                except urllib.error.HTTPError as e:
                    status = e.code
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def meter_provider(gw, tenant: str):
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource

    exporter = OTLPMetricExporter(endpoint=gw.http_url("/v1/metrics"), headers={"X-Scope-OrgID": tenant}, timeout=10)
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=300)
    return MeterProvider(metric_readers=[reader], resource=Resource.create({"service.name": f"svc-{tenant}"}))


def test_each_tenants_series_and_spans_travel_only_with_its_header(prometheus, gateways):
    proxy = RecordingProxy(prometheus.remote_write_url)
    traces_rx = th.GRPCTraceReceiver().start()
    gw = None
    try:
        ports = Ports.allocate()
        cfg = gateway_config(
            ports, http={"include_metadata": True}, grpc={"include_metadata": True},
            processors={"batch": {"timeout": "200ms", "metadata_keys": ["X-Scope-OrgID"]}},
            exporters={
                "prometheusremotewrite": {"endpoint": f"http://127.0.0.1:{proxy.port}/api/v1/write", "interval": "500ms",
                                          "auth": {"authenticator": "headers_setter"}},
                "otlp/tenants": {"endpoint": traces_rx.target, "tls": {"insecure": True},
                                 "auth": {"authenticator": "headers_setter"}},
            },
            pipelines={
                "metrics": {"receivers": ["otlp"], "processors": ["batch"], "exporters": ["prometheusremotewrite"]},
                "traces": {"receivers": ["otlp"], "processors": ["batch"], "exporters": ["otlp/tenants"]},
            })
        cfg["extensions"]["headers_setter"] = {
            "headers": [{"key": "X-Scope-OrgID", "from_context": "X-Scope-OrgID", "action": "upsert"}]}
        cfg["service"]["extensions"].append("headers_setter")
        gw = gateways.start(cfg, ports=ports)

        providers = {t: meter_provider(gw, t) for t in TENANTS}
        for tenant, provider in providers.items():
            meter = provider.get_meter("tenant-test")
            own = meter.create_counter(f"{tenant.replace('-', '_')}_only_requests")
            shared = meter.create_counter("tenant_shared_requests")
            for i in range(5):
                own.add(1, {"i": str(i)})
                shared.add(1, {"owner": f"owner-{tenant}"})
        for provider in providers.values():
            provider.force_flush()

        # Spans, by gRPC, with the header as request metadata.
        import grpc
        for tenant in TENANTS:
            channel = grpc.insecure_channel(gw.grpc_target)
            t0 = time.time_ns()
            req = th.raw_trace_request([th.RawTrace(0xA0 + TENANTS.index(tenant) + 1, f"svc-{tenant}",
                                                    [th.RawSpan("op", 1, t0, t0 + 1000)])])
            from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc as tsg
            tsg.TraceServiceStub(channel).Export(req, metadata=(("x-scope-orgid", tenant),), timeout=10)
            channel.close()

        for tenant in TENANTS:
            name = f"{tenant.replace('-', '_')}_only_requests_total"
            prometheus.wait_for(name, lambda r: len(r) == 5, gw=gw, what=f"{tenant}'s series in Prometheus")
        prometheus.wait_for("tenant_shared_requests_total", lambda r: len(r) == 2, gw=gw, what="both shared series")

        with proxy.lock:
            recorded = list(proxy.requests)
        carrying = {t: [body for header, body in recorded if header == t] for t in TENANTS}
        assert all(header in TENANTS for header, _ in recorded), {h for h, _ in recorded}
        for tenant in TENANTS:
            other = TENANTS[1 - TENANTS.index(tenant)]
            own, others = tenant.encode(), other.encode()
            assert carrying[tenant], f"no request carried {tenant}"
            for body in carrying[tenant]:
                # A tenant's request holds its own series only: no metric or label value of the other tenant.
                assert f"{other.replace('-', '_')}_only_requests".encode() not in body
                assert b"owner-" + others not in body and b"svc-" + others not in body
            assert any(f"{tenant.replace('-', '_')}_only_requests".encode() in body for body in carrying[tenant])
            assert any(b"owner-" + own in body for body in carrying[tenant])

        gw.wait_for(lambda: len(traces_rx.snapshot()) >= 2, 10, "both tenants' spans")
        for call in traces_rx.snapshot():
            services = {rs.resource.attributes[0].value.string_value for rs in call.request.resource_spans}
            assert services == {f"svc-{call.metadata['x-scope-orgid']}"}, (call.metadata, services)
        for provider in providers.values():
            provider.shutdown()
    finally:
        # The gateway stops first: its last writes go through the proxy, which must still be there.
        if gw is not None:
            code, killed = gw.stop()
            assert not killed and code == 0, "the gateway must stop within its grace period"

        traces_rx.stop()
        proxy.close()
