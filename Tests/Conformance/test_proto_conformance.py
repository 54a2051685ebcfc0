"""Our proto/ tree must match the OTLP descriptors shipped in the PyPI package opentelemetry-proto
(and, for Prometheus remote write, the prompb field table in protocheck.py) field by field:
names, numbers, types, labels, oneof membership, enums, reserved ranges, services.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import protocheck

REPO = Path(__file__).resolve().parents[2]
PROTO = REPO / "proto"


@pytest.fixture(scope="module")
def tree_result():
    return protocheck.check_tree(PROTO)


def test_proto_tree_has_exactly_the_expected_files():
    ours = sorted(str(p.relative_to(PROTO)) for p in PROTO.rglob("*.proto"))
    assert ours == sorted(set(protocheck.OTLP_FILES) | set(protocheck.PROMETHEUS_FILES))


@pytest.mark.parametrize("file_name", sorted(protocheck.OTLP_FILES) + sorted(protocheck.PROMETHEUS_FILES))
def test_file_matches_reference(tree_result, file_name):
    diffs = tree_result[file_name]
    assert diffs == [], f"{file_name} differs from its reference:\n" + "\n".join(diffs)


def test_no_unexpected_files(tree_result):
    extra = {k: v for k, v in tree_result.items() if k not in protocheck.OTLP_FILES and k not in protocheck.PROMETHEUS_FILES}
    assert extra == {}


def test_pypi_reference_is_not_empty():
    # Guards against the comparison passing vacuously (e.g. an import returning an empty descriptor).
    trace = protocheck.pypi_otlp_schema("opentelemetry/proto/trace/v1/trace.proto")
    span = trace["messages"]["opentelemetry.proto.trace.v1.Span"]["fields"]
    assert span["name"].number == 5
    assert span["trace_id"].type == "bytes"
    metrics = protocheck.pypi_otlp_schema("opentelemetry/proto/metrics/v1/metrics.proto")
    hdp = metrics["messages"]["opentelemetry.proto.metrics.v1.HistogramDataPoint"]["fields"]
    assert hdp["sum"].oneof == ("optional", "_sum")
    svc = protocheck.pypi_otlp_schema("opentelemetry/proto/collector/trace/v1/trace_service.proto")["services"]
    assert svc["opentelemetry.proto.collector.trace.v1.TraceService"]["Export"][:2] == (
        ".opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest",
        ".opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse",
    )


# --------------------------------------------------------------------------------------------
# Self-tests: a single mutation of a copy of proto/ must be reported, and only it.

def _mutate(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert text.count(old) == 1, f"mutation anchor {old!r} must occur exactly once in {rel}"
    path.write_text(text.replace(old, new))


TRACE = "opentelemetry/proto/trace/v1/trace.proto"
METRICS = "opentelemetry/proto/metrics/v1/metrics.proto"
TRACE_SVC = "opentelemetry/proto/collector/trace/v1/trace_service.proto"
TYPES = "prometheus/types.proto"
REMOTE = "prometheus/remote.proto"

MUTATIONS = [
    pytest.param(
        # Span.name 5 -> 17 (6 is taken by `kind`, protoc would refuse the duplicate).
        TRACE, "  string name = 5;\n", "  string name = 17;\n",
        ["field opentelemetry.proto.trace.v1.Span.name: number 5 (opentelemetry-proto) != 17 (proto/)"],
        id="field-number",
    ),
    pytest.param(
        TRACE, "  fixed64 start_time_unix_nano = 7;", "  uint64 start_time_unix_nano = 7;",
        ["field opentelemetry.proto.trace.v1.Span.start_time_unix_nano: type 'fixed64' (opentelemetry-proto) "
         "!= 'uint64' (proto/)"],
        id="field-type",
    ),
    pytest.param(
        TRACE, "  uint32 dropped_links_count = 14;\n", "",
        ["field opentelemetry.proto.trace.v1.Span.dropped_links_count (number=14 label=singular type=uint32): "
         "missing in proto/"],
        id="field-missing",
    ),
    pytest.param(
        TRACE, "  Status status = 15;\n", "  Status status = 15;\n  string extra = 99;\n",
        ["field opentelemetry.proto.trace.v1.Span.extra (number=99 label=singular type=string): "
         "missing in opentelemetry-proto"],
        id="field-extra",
    ),
    pytest.param(
        TRACE, "  repeated Span.Link links = 13;", "  Span.Link links = 13;",
        ["field opentelemetry.proto.trace.v1.Span.links: label 'repeated' (opentelemetry-proto) != 'singular' (proto/)"],
        id="field-label",
    ),
    pytest.param(
        TRACE, "    SPAN_KIND_CONSUMER = 5;", "    SPAN_KIND_CONSUMER = 6;",
        ["enum value opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER: number 5 "
         "(opentelemetry-proto) != 6 (proto/)"],
        id="enum-number",
    ),
    pytest.param(
        METRICS,
        "  fixed64 count = 4;\n  oneof _sum {\n    double sum = 5;\n  }\n  repeated fixed64 bucket_counts",
        "  fixed64 count = 4;\n  double sum = 5;\n  repeated fixed64 bucket_counts",
        ["field opentelemetry.proto.metrics.v1.HistogramDataPoint.sum: oneof ('optional', '_sum') "
         "(opentelemetry-proto) != None (proto/)"],
        id="optional-dropped",
    ),
    pytest.param(
        TRACE_SVC,
        "message ExportTracePartialSuccess {",
        "message Unexpected {\n  string a = 1;\n}\n\nmessage ExportTracePartialSuccess {",
        ["message opentelemetry.proto.collector.trace.v1.Unexpected: missing in opentelemetry-proto"],
        id="message-extra",
    ),
    pytest.param(
        TRACE_SVC,
        "returns (ExportTraceServiceResponse)",
        "returns (ExportTracePartialSuccess)",
        ["method opentelemetry.proto.collector.trace.v1.TraceService.Export: (input, output, client_streaming, "
         "server_streaming) ('.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest', "
         "'.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse', False, False) (opentelemetry-proto) "
         "!= ('.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest', "
         "'.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess', False, False) (proto/)"],
        id="service-output",
    ),
    pytest.param(
        TYPES, "  int64 timestamp = 2;\n}\n\nmessage Exemplar", "  uint64 timestamp = 2;\n}\n\nmessage Exemplar",
        ["field prometheus.Sample.timestamp: type 'int64' (prompb table) != 'uint64' (proto/)"],
        id="prometheus-type",
    ),
    pytest.param(
        TYPES, "    double count_float = 2;\n  }\n", "  }\n  double count_float = 2;\n",
        ["field prometheus.Histogram.count_float: oneof ('oneof', 'count') (prompb table) != None (proto/)"],
        id="prometheus-oneof",
    ),
    pytest.param(
        REMOTE, "  reserved 2;\n", "",
        ["message prometheus.WriteRequest: reserved_ranges [(2, 3)] (prompb table) != [] (proto/)"],
        id="prometheus-reserved",
    ),
]


@pytest.mark.parametrize("rel,old,new,expected", MUTATIONS)
def test_checker_reports_exactly_the_mutation(tmp_path, rel, old, new, expected):
    root = protocheck.copy_tree(PROTO, tmp_path / "proto")
    _mutate(root, rel, old, new)
    result = protocheck.check_tree(root)
    reported = {k: v for k, v in result.items() if v}
    assert reported == {rel: expected}


def test_checker_reports_missing_file(tmp_path):
    root = protocheck.copy_tree(PROTO, tmp_path / "proto")
    (root / "opentelemetry/proto/collector/logs/v1/logs_service.proto").unlink()
    reported = {k: v for k, v in protocheck.check_tree(root).items() if v}
    assert reported == {
        "opentelemetry/proto/collector/logs/v1/logs_service.proto": [
            "file opentelemetry/proto/collector/logs/v1/logs_service.proto: missing in proto/"
        ]
    }


# --------------------------------------------------------------------------------------------
# The committed protobuf-c output must be what scripts/generate-protos makes from proto/.

@pytest.mark.skipif(shutil.which("protoc-c") is None, reason="protoc-c not installed (apt-get install protobuf-c-compiler)")
def test_generated_c_sources_are_up_to_date(tmp_path):
    work = tmp_path / "repo"
    (work / "scripts").mkdir(parents=True)
    shutil.copy2(REPO / "scripts" / "generate-protos", work / "scripts" / "generate-protos")
    shutil.copytree(PROTO, work / "proto")
    committed = REPO / "Sources" / "COTLPProto"
    shutil.copytree(committed, work / "Sources" / "COTLPProto")
    res = subprocess.run(
        ["bash", str(work / "scripts" / "generate-protos")], cwd=work, capture_output=True, text=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert res.returncode == 0, res.stdout + res.stderr

    def walk(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    generated = work / "Sources" / "COTLPProto"
    gen_files, com_files = walk(generated), walk(committed)
    assert gen_files == com_files, (
        f"only in regenerated: {sorted(gen_files - com_files)}; only committed: {sorted(com_files - gen_files)}"
    )
    changed = [f for f in sorted(gen_files) if not filecmp.cmp(generated / f, committed / f, shallow=False)]
    assert changed == [], f"Sources/COTLPProto is stale (run scripts/generate-protos): {changed}"
