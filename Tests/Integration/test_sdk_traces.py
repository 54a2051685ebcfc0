"""Traces from the real OpenTelemetry Python SDK (TracerProvider + BatchSpanProcessor + the OTLP
gRPC and HTTP exporters, with and without gzip) through the gateway."""

from __future__ import annotations

import grpc
import pytest
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExportResult
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from sdkutil import RecordingSpanExporter

N_SPANS = 25


def make_span_exporter(gw, transport: str, gzip: bool):
    if transport == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=gw.grpc_target, insecure=True, timeout=10,
                                compression=grpc.Compression.Gzip if gzip else None)
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=gw.http_url("/v1/traces"), timeout=10,
                            compression=Compression.Gzip if gzip else Compression.NoCompression)


def emit_spans(exporter) -> tuple[RecordingSpanExporter, dict]:
    """Creates exactly N_SPANS spans (a root with children and grandchildren, attributes, events,
    links, an error status), exports them through a BatchSpanProcessor and force_flush.
    Returns the recording exporter and facts about the root span."""
    rec = RecordingSpanExporter(exporter)
    provider = TracerProvider(resource=Resource.create({"service.name": "itest-traces"}))
    provider.add_span_processor(BatchSpanProcessor(rec, schedule_delay_millis=60_000, max_export_batch_size=512))
    tracer = provider.get_tracer("itest", "1.0")
    facts = {}
    with tracer.start_as_current_span("checkout", kind=SpanKind.SERVER,
                                      attributes={"http.route": "/checkout", "retry": 2, "ok": False}) as root:
        root.set_status(Status(StatusCode.ERROR, "payment declined"))
        root.add_event("validated", {"items": 3})
        ctx = root.get_span_context()
        facts.update(trace_id=format(ctx.trace_id, "032x"), span_id=format(ctx.span_id, "016x"))
        made = 1
        for i in range(8):
            with tracer.start_as_current_span(f"step-{i}", kind=SpanKind.CLIENT, attributes={"i": i},
                                              links=[Link(ctx, {"link.kind": "root"})]) as child:
                child.add_event("tick", {"n": i})
                made += 1
                for j in range(2):
                    with tracer.start_as_current_span(f"db-{i}-{j}", kind=SpanKind.INTERNAL) as leaf:
                        leaf.set_attribute("db.rows", j)
                        if i == 3 and j == 1:
                            leaf.set_status(Status(StatusCode.OK))
                        made += 1
    assert made == N_SPANS
    assert provider.force_flush(10_000)
    provider.shutdown()
    return rec, facts


TRANSPORTS = [
    pytest.param("grpc", False, id="grpc"),
    pytest.param("grpc", True, id="grpc-gzip"),
    pytest.param("http", False, id="http"),
    pytest.param("http", True, id="http-gzip"),
]


@pytest.mark.parametrize("transport,gzip", TRANSPORTS)
def test_sdk_spans_arrive_exactly(gw, transport, gzip):
    rec, _ = emit_spans(make_span_exporter(gw, transport, gzip))
    assert rec.results and all(r == SpanExportResult.SUCCESS for r in rec.results), rec.results
    assert rec.exported == N_SPANS

    accepted = gw.settle_counter("otelcol_receiver_accepted_spans_total", N_SPANS, receiver="otlp", transport=transport)
    assert accepted == N_SPANS
    other = "http" if transport == "grpc" else "grpc"
    assert gw.counter("otelcol_receiver_accepted_spans_total", receiver="otlp", transport=other) == 0
    assert gw.counter("otelcol_receiver_refused_spans_total", receiver="otlp") == 0
    assert gw.settle_debug("traces", "spans", N_SPANS) == N_SPANS
    assert gw.settle_counter("otelcol_exporter_sent_spans_total", N_SPANS, exporter="debug") == N_SPANS
    assert gw.counter("otelcol_exporter_send_failed_spans_total", exporter="debug") == 0
    assert gw.counter("otelcol_receiver_requests_total", receiver="otlp", transport=transport, outcome="success") >= 1
    assert gw.counter("otelcol_receiver_requests_total", receiver="otlp", outcome="failure") == 0


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_sdk_spans_detailed_output(gw_detailed, transport):
    gw = gw_detailed
    rec, facts = emit_spans(make_span_exporter(gw, transport, False))
    assert all(r == SpanExportResult.SUCCESS for r in rec.results)
    assert gw.settle_debug("traces", "spans", N_SPANS) == N_SPANS

    details = [d for s in gw.debug_summaries() if s.signal == "traces" for d in s.details]
    assert len(details) == N_SPANS, "one detail line per span"
    assert all(d["item"] == "span" for d in details)
    roots = [d for d in details if d["name"] == "checkout"]
    assert len(roots) == 1
    root = roots[0]
    assert root["trace_id"] == facts["trace_id"]
    assert root["span_id"] == facts["span_id"]
    assert root["parent_span_id"] == ""
    assert root["kind"] == "Server"
    assert root["status"] == "Error"
    assert "http.route" in root["attributes"] and "/checkout" in root["attributes"]

    steps = [d for d in details if d["name"].startswith("step-")]
    assert len(steps) == 8
    assert all(d["kind"] == "Client" and d["status"] == "Unset" for d in steps)
    assert all(d["parent_span_id"] == facts["span_id"] and d["trace_id"] == facts["trace_id"] for d in steps)
    leaves = {d["name"]: d for d in details if d["name"].startswith("db-")}
    assert len(leaves) == 16
    assert leaves["db-3-1"]["status"] == "Ok" and leaves["db-3-1"]["kind"] == "Internal"
    assert {d["trace_id"] for d in details} == {facts["trace_id"]}
    # every non-root span's parent is a span of the batch
    ids = {d["span_id"] for d in details}
    assert all(d["parent_span_id"] in ids for d in details if d["name"] != "checkout")
