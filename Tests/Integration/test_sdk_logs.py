"""Logs from Python `logging` through the real OpenTelemetry SDK (LoggerProvider + LoggingHandler +
BatchLogRecordProcessor + the OTLP gRPC and HTTP log exporters) into the gateway."""

from __future__ import annotations

import logging
import uuid
import warnings

import pytest
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

from sdkutil import RecordingLogExporter

N_RECORDS = 30
LEVELS = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL]
# OTel severity numbers for the Python levels (opentelemetry.sdk._logs std_to_otel).
SEVERITY = {logging.DEBUG: 5, logging.INFO: 9, logging.WARNING: 13, logging.ERROR: 17, logging.CRITICAL: 21}
SEVERITY_TEXT = {logging.DEBUG: "DEBUG", logging.INFO: "INFO", logging.WARNING: "WARN", logging.ERROR: "ERROR",
                 logging.CRITICAL: "FATAL"}


def make_log_exporter(gw, transport: str):
    if transport == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter

        return OTLPLogExporter(endpoint=gw.grpc_target, insecure=True, timeout=10)
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter

    return OTLPLogExporter(endpoint=gw.http_url("/v1/logs"), timeout=10)


def emit_logs(exporter, n: int = N_RECORDS, in_span: bool = False):
    """Logs n records through a dedicated Python logger; returns (recorder, trace id hex or "")."""
    rec = RecordingLogExporter(exporter)
    provider = LoggerProvider(resource=Resource.create({"service.name": "itest-logs"}))
    provider.add_log_record_processor(BatchLogRecordProcessor(rec, schedule_delay_millis=60_000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # LoggingHandler moves to instrumentation-logging
        handler = LoggingHandler(level=logging.NOTSET, logger_provider=provider)
    logger = logging.getLogger(f"itest.logs.{uuid.uuid4().hex}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    trace_id = ""
    try:
        if in_span:
            tp = TracerProvider()
            with tp.get_tracer("itest").start_as_current_span("logging-span") as span:
                trace_id = format(span.get_span_context().trace_id, "032x")
                for i in range(n):
                    logger.log(LEVELS[i % len(LEVELS)], "record %d of %s", i, "itest")
            tp.shutdown()
        else:
            for i in range(n):
                logger.log(LEVELS[i % len(LEVELS)], "record %d of %s", i, "itest", extra={"seq": i})
        assert provider.force_flush(10_000)
    finally:
        logger.removeHandler(handler)
        provider.shutdown()
    return rec, trace_id


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_sdk_log_records_arrive_exactly(gw, transport):
    rec, _ = emit_logs(make_log_exporter(gw, transport))
    assert rec.results and all(getattr(r, "name", str(r)) == "SUCCESS" for r in rec.results), rec.results
    assert rec.exported == N_RECORDS

    accepted = gw.settle_counter("otelcol_receiver_accepted_log_records_total", N_RECORDS,
                                 receiver="otlp", transport=transport)
    assert accepted == N_RECORDS
    assert gw.counter("otelcol_receiver_refused_log_records_total", receiver="otlp") == 0
    assert gw.settle_debug("logs", "log_records", N_RECORDS) == N_RECORDS
    assert gw.settle_counter("otelcol_exporter_sent_log_records_total", N_RECORDS, exporter="debug") == N_RECORDS


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_sdk_logs_detailed_output(gw_detailed, transport):
    gw = gw_detailed
    n = 10
    rec, trace_id = emit_logs(make_log_exporter(gw, transport), n=n, in_span=True)
    assert all(getattr(r, "name", str(r)) == "SUCCESS" for r in rec.results)
    assert gw.settle_debug("logs", "log_records", n) == n
    details = [d for s in gw.debug_summaries() if s.signal == "logs" for d in s.details]
    assert len(details) == n
    got = sorted((d["body"], d["severity_number"], d["severity_text"], d["trace_id"]) for d in details)
    want = sorted((f"record {i} of itest", SEVERITY[LEVELS[i % 5]], SEVERITY_TEXT[LEVELS[i % 5]], trace_id)
                  for i in range(n))
    assert got == want
