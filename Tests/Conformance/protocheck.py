"""Structural comparison of .proto schemas.

Compiles a proto/ tree with grpc_tools.protoc into a FileDescriptorSet and reduces every
file to a normalized, comparable form:

    {"package": ..., "syntax": ...,
     "messages": {full_name: {"fields": {name: Field}, "reserved_ranges": [...], "reserved_names": [...]}},
     "enums": {full_name: {value_name: number}},
     "services": {full_name: {method: (input_type, output_type, client_streaming, server_streaming)}}}

Field = (number, label, type, type_name, oneof) where oneof is None, ("oneof", name) for a real
oneof, or ("optional", "_name") for proto3 `optional`. Our proto/ files spell proto3 `optional`
as a single-member `oneof _name { ... }` (protoc-c 1.4.1 rejects the keyword); that is wire-identical
and is normalized to the same ("optional", "_name") as the descriptor's proto3_optional field.

`diff_schemas` compares two normalized schemas in both directions and returns one human-readable
line per difference (empty list = identical).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from google.protobuf import descriptor_pb2

FDP = descriptor_pb2.FieldDescriptorProto


class Field(NamedTuple):
    number: int
    label: str  # "singular" | "repeated" | "required"
    type: str  # "int64", "message", "enum", ...
    type_name: str  # fully qualified with leading dot for message/enum, else ""
    oneof: tuple | None  # None | ("oneof", name) | ("optional", name)


def _type_str(t: int) -> str:
    return FDP.Type.Name(t)[len("TYPE_"):].lower()


def _label_str(field: descriptor_pb2.FieldDescriptorProto) -> str:
    if field.label == FDP.LABEL_REPEATED:
        return "repeated"
    if field.label == FDP.LABEL_REQUIRED:
        return "required"
    return "singular"


def compile_proto_tree(proto_root: Path, files: list[str] | None = None) -> descriptor_pb2.FileDescriptorSet:
    """Runs grpc_tools.protoc on every .proto under proto_root (or the given relative paths)."""
    proto_root = Path(proto_root)
    if files is None:
        files = sorted(str(p.relative_to(proto_root)) for p in proto_root.rglob("*.proto"))
    if not files:
        raise AssertionError(f"no .proto files under {proto_root}")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "descriptors.pb")
        cmd = [
            sys.executable, "-m", "grpc_tools.protoc",
            f"-I{proto_root}",
            f"--descriptor_set_out={out}",
            "--include_imports",
            *files,
        ]
        res = subprocess.run(cmd, cwd=proto_root, capture_output=True, text=True)
        if res.returncode != 0:
            raise AssertionError(f"protoc failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(Path(out).read_bytes())
        return fds


def _normalize_message(msg, prefix: str, out: dict, synthetic_oneofs_are_optional: bool) -> None:
    full = f"{prefix}.{msg.name}" if prefix else msg.name
    members: dict[int, list] = {}
    for f in msg.field:
        if f.HasField("oneof_index"):
            members.setdefault(f.oneof_index, []).append(f)
    fields = {}
    for f in msg.field:
        oneof = None
        if f.HasField("oneof_index"):
            oname = msg.oneof_decl[f.oneof_index].name
            if f.proto3_optional:
                oneof = ("optional", oname)
            elif (
                synthetic_oneofs_are_optional
                and oname.startswith("_")
                and len(members[f.oneof_index]) == 1
            ):
                oneof = ("optional", oname)
            else:
                oneof = ("oneof", oname)
        type_name = f.type_name if f.type in (FDP.TYPE_MESSAGE, FDP.TYPE_ENUM, FDP.TYPE_GROUP) else ""
        fields[f.name] = Field(f.number, _label_str(f), _type_str(f.type), type_name, oneof)
    out["messages"][full] = {
        "fields": fields,
        "reserved_ranges": sorted((r.start, r.end) for r in msg.reserved_range),
        "reserved_names": sorted(msg.reserved_name),
    }
    for e in msg.enum_type:
        out["enums"][f"{full}.{e.name}"] = {v.name: v.number for v in e.value}
    for nested in msg.nested_type:
        if nested.options.map_entry:
            # map<k,v> entries are compared as ordinary nested messages.
            pass
        _normalize_message(nested, full, out, synthetic_oneofs_are_optional)


def normalize_file(fdp: descriptor_pb2.FileDescriptorProto, *, synthetic_oneofs_are_optional: bool) -> dict:
    out: dict = {
        "package": fdp.package,
        "syntax": fdp.syntax or "proto2",
        "messages": {},
        "enums": {},
        "services": {},
    }
    pkg = fdp.package
    for m in fdp.message_type:
        _normalize_message(m, pkg, out, synthetic_oneofs_are_optional)
    for e in fdp.enum_type:
        out["enums"][f"{pkg}.{e.name}" if pkg else e.name] = {v.name: v.number for v in e.value}
    for s in fdp.service:
        full = f"{pkg}.{s.name}" if pkg else s.name
        out["services"][full] = {
            m.name: (m.input_type, m.output_type, bool(m.client_streaming), bool(m.server_streaming))
            for m in s.method
        }
    return out


def _fmt_field(f: Field) -> str:
    parts = [f"number={f.number}", f"label={f.label}", f"type={f.type}"]
    if f.type_name:
        parts.append(f"type_name={f.type_name}")
    if f.oneof:
        parts.append(f"{f.oneof[0]}={f.oneof[1]}")
    return " ".join(parts)


def diff_schemas(expected: dict, actual: dict, exp_label: str = "reference", act_label: str = "proto/") -> list[str]:
    """Both-direction comparison of two normalized file schemas. Returns difference lines."""
    diffs: list[str] = []
    for key in ("package", "syntax"):
        if expected[key] != actual[key]:
            diffs.append(f"{key}: {expected[key]!r} ({exp_label}) != {actual[key]!r} ({act_label})")

    em, am = expected["messages"], actual["messages"]
    for name in sorted(em.keys() - am.keys()):
        diffs.append(f"message {name}: missing in {act_label}")
    for name in sorted(am.keys() - em.keys()):
        diffs.append(f"message {name}: missing in {exp_label}")
    for name in sorted(em.keys() & am.keys()):
        ef, af = em[name]["fields"], am[name]["fields"]
        for fname in sorted(ef.keys() - af.keys()):
            diffs.append(f"field {name}.{fname} ({_fmt_field(ef[fname])}): missing in {act_label}")
        for fname in sorted(af.keys() - ef.keys()):
            diffs.append(f"field {name}.{fname} ({_fmt_field(af[fname])}): missing in {exp_label}")
        for fname in sorted(ef.keys() & af.keys()):
            e, a = ef[fname], af[fname]
            for attr in Field._fields:
                if getattr(e, attr) != getattr(a, attr):
                    diffs.append(
                        f"field {name}.{fname}: {attr} {getattr(e, attr)!r} ({exp_label}) "
                        f"!= {getattr(a, attr)!r} ({act_label})"
                    )
        for attr in ("reserved_ranges", "reserved_names"):
            if em[name][attr] != am[name][attr]:
                diffs.append(
                    f"message {name}: {attr} {em[name][attr]!r} ({exp_label}) != {am[name][attr]!r} ({act_label})"
                )

    ee, ae = expected["enums"], actual["enums"]
    for name in sorted(ee.keys() - ae.keys()):
        diffs.append(f"enum {name}: missing in {act_label}")
    for name in sorted(ae.keys() - ee.keys()):
        diffs.append(f"enum {name}: missing in {exp_label}")
    for name in sorted(ee.keys() & ae.keys()):
        ev, av = ee[name], ae[name]
        for v in sorted(ev.keys() - av.keys()):
            diffs.append(f"enum value {name}.{v} = {ev[v]}: missing in {act_label}")
        for v in sorted(av.keys() - ev.keys()):
            diffs.append(f"enum value {name}.{v} = {av[v]}: missing in {exp_label}")
        for v in sorted(ev.keys() & av.keys()):
            if ev[v] != av[v]:
                diffs.append(f"enum value {name}.{v}: number {ev[v]} ({exp_label}) != {av[v]} ({act_label})")

    es, as_ = expected["services"], actual["services"]
    for name in sorted(es.keys() - as_.keys()):
        diffs.append(f"service {name}: missing in {act_label}")
    for name in sorted(as_.keys() - es.keys()):
        diffs.append(f"service {name}: missing in {exp_label}")
    for name in sorted(es.keys() & as_.keys()):
        for m in sorted(es[name].keys() - as_[name].keys()):
            diffs.append(f"method {name}.{m}: missing in {act_label}")
        for m in sorted(as_[name].keys() - es[name].keys()):
            diffs.append(f"method {name}.{m}: missing in {exp_label}")
        for m in sorted(es[name].keys() & as_[name].keys()):
            if es[name][m] != as_[name][m]:
                diffs.append(
                    f"method {name}.{m}: (input, output, client_streaming, server_streaming) "
                    f"{es[name][m]!r} ({exp_label}) != {as_[name][m]!r} ({act_label})"
                )
    return diffs


# --------------------------------------------------------------------------------------------
# Reference schemas.

# The OTLP files our proto/ must contain, and the opentelemetry-proto (PyPI) module holding each.
# Profiles (v1development) are deliberately not part of the gateway and not compared.
OTLP_FILES = {
    "opentelemetry/proto/common/v1/common.proto": "opentelemetry.proto.common.v1.common_pb2",
    "opentelemetry/proto/resource/v1/resource.proto": "opentelemetry.proto.resource.v1.resource_pb2",
    "opentelemetry/proto/trace/v1/trace.proto": "opentelemetry.proto.trace.v1.trace_pb2",
    "opentelemetry/proto/metrics/v1/metrics.proto": "opentelemetry.proto.metrics.v1.metrics_pb2",
    "opentelemetry/proto/logs/v1/logs.proto": "opentelemetry.proto.logs.v1.logs_pb2",
    "opentelemetry/proto/collector/trace/v1/trace_service.proto":
        "opentelemetry.proto.collector.trace.v1.trace_service_pb2",
    "opentelemetry/proto/collector/metrics/v1/metrics_service.proto":
        "opentelemetry.proto.collector.metrics.v1.metrics_service_pb2",
    "opentelemetry/proto/collector/logs/v1/logs_service.proto":
        "opentelemetry.proto.collector.logs.v1.logs_service_pb2",
}


def pypi_otlp_schema(file_name: str) -> dict:
    import importlib

    mod = importlib.import_module(OTLP_FILES[file_name])
    fdp = descriptor_pb2.FileDescriptorProto()
    mod.DESCRIPTOR.CopyToProto(fdp)
    assert fdp.name == file_name, (fdp.name, file_name)
    return normalize_file(fdp, synthetic_oneofs_are_optional=False)


# Prometheus remote-write 1.0 (prometheus/prometheus prompb/types.proto and prompb/remote.proto,
# gogoproto options dropped). No PyPI package is trusted for these, so the table is written out:
#   WriteRequest{timeseries=1 repeated TimeSeries; reserved 2; metadata=3 repeated MetricMetadata}
#   MetricMetadata{type=1 MetricType; metric_family_name=2; help=4; unit=5}
#     MetricType{UNKNOWN=0 COUNTER=1 GAUGE=2 HISTOGRAM=3 GAUGEHISTOGRAM=4 SUMMARY=5 INFO=6 STATESET=7}
#   Sample{value=1 double; timestamp=2 int64}
#   Exemplar{labels=1 repeated Label; value=2 double; timestamp=3 int64}
#   Histogram{oneof count{count_int=1 uint64, count_float=2 double}; sum=3 double; schema=4 sint32;
#     zero_threshold=5 double; oneof zero_count{zero_count_int=6 uint64, zero_count_float=7 double};
#     negative_spans=8 repeated BucketSpan; negative_deltas=9 repeated sint64; negative_counts=10
#     repeated double; positive_spans=11; positive_deltas=12; positive_counts=13 (same types);
#     reset_hint=14 ResetHint{UNKNOWN=0 YES=1 NO=2 GAUGE=3}; timestamp=15 int64;
#     custom_values=16 repeated double}
#   BucketSpan{offset=1 sint32; length=2 uint32}
#   TimeSeries{labels=1, samples=2, exemplars=3, histograms=4, all repeated}
#   Label{name=1 string; value=2 string}   Labels{labels=1 repeated Label}
def _f(number, label, type_, type_name="", oneof=None):
    return Field(number, label, type_, type_name, oneof)


S, R = "singular", "repeated"

PROMETHEUS_TYPES = {
    "package": "prometheus",
    "syntax": "proto3",
    "messages": {
        "prometheus.MetricMetadata": {
            "fields": {
                "type": _f(1, S, "enum", ".prometheus.MetricMetadata.MetricType"),
                "metric_family_name": _f(2, S, "string"),
                "help": _f(4, S, "string"),
                "unit": _f(5, S, "string"),
            },
            "reserved_ranges": [],
            "reserved_names": [],
        },
        "prometheus.Sample": {
            "fields": {"value": _f(1, S, "double"), "timestamp": _f(2, S, "int64")},
            "reserved_ranges": [],
            "reserved_names": [],
        },
        "prometheus.Exemplar": {
            "fields": {
                "labels": _f(1, R, "message", ".prometheus.Label"),
                "value": _f(2, S, "double"),
                "timestamp": _f(3, S, "int64"),
            },
            "reserved_ranges": [],
            "reserved_names": [],
        },
        "prometheus.Histogram": {
            "fields": {
                "count_int": _f(1, S, "uint64", oneof=("oneof", "count")),
                "count_float": _f(2, S, "double", oneof=("oneof", "count")),
                "sum": _f(3, S, "double"),
                "schema": _f(4, S, "sint32"),
                "zero_threshold": _f(5, S, "double"),
                "zero_count_int": _f(6, S, "uint64", oneof=("oneof", "zero_count")),
                "zero_count_float": _f(7, S, "double", oneof=("oneof", "zero_count")),
                "negative_spans": _f(8, R, "message", ".prometheus.BucketSpan"),
                "negative_deltas": _f(9, R, "sint64"),
                "negative_counts": _f(10, R, "double"),
                "positive_spans": _f(11, R, "message", ".prometheus.BucketSpan"),
                "positive_deltas": _f(12, R, "sint64"),
                "positive_counts": _f(13, R, "double"),
                "reset_hint": _f(14, S, "enum", ".prometheus.Histogram.ResetHint"),
                "timestamp": _f(15, S, "int64"),
                "custom_values": _f(16, R, "double"),
            },
            "reserved_ranges": [],
            "reserved_names": [],
        },
        "prometheus.BucketSpan": {
            "fields": {"offset": _f(1, S, "sint32"), "length": _f(2, S, "uint32")},
            "reserved_ranges": [],
            "reserved_names": [],
        },
        "prometheus.TimeSeries": {
            "fields": {
                "labels": _f(1, R, "message", ".prometheus.Label"),
                "samples": _f(2, R, "message", ".prometheus.Sample"),
                "exemplars": _f(3, R, "message", ".prometheus.Exemplar"),
                "histograms": _f(4, R, "message", ".prometheus.Histogram"),
            },
            "reserved_ranges": [],
            "reserved_names": [],
        },
        "prometheus.Label": {
            "fields": {"name": _f(1, S, "string"), "value": _f(2, S, "string")},
            "reserved_ranges": [],
            "reserved_names": [],
        },
        "prometheus.Labels": {
            "fields": {"labels": _f(1, R, "message", ".prometheus.Label")},
            "reserved_ranges": [],
            "reserved_names": [],
        },
    },
    "enums": {
        "prometheus.MetricMetadata.MetricType": {
            "UNKNOWN": 0, "COUNTER": 1, "GAUGE": 2, "HISTOGRAM": 3,
            "GAUGEHISTOGRAM": 4, "SUMMARY": 5, "INFO": 6, "STATESET": 7,
        },
        "prometheus.Histogram.ResetHint": {"UNKNOWN": 0, "YES": 1, "NO": 2, "GAUGE": 3},
    },
    "services": {},
}

PROMETHEUS_REMOTE = {
    "package": "prometheus",
    "syntax": "proto3",
    "messages": {
        "prometheus.WriteRequest": {
            "fields": {
                "timeseries": _f(1, R, "message", ".prometheus.TimeSeries"),
                "metadata": _f(3, R, "message", ".prometheus.MetricMetadata"),
            },
            # descriptor ranges are [start, end): `reserved 2;` is (2, 3)
            "reserved_ranges": [(2, 3)],
            "reserved_names": [],
        },
    },
    "enums": {},
    "services": {},
}

PROMETHEUS_FILES = {
    "prometheus/types.proto": PROMETHEUS_TYPES,
    "prometheus/remote.proto": PROMETHEUS_REMOTE,
}


def reference_schema(file_name: str) -> tuple[dict, str]:
    """(normalized reference schema, label) for one of our proto files."""
    if file_name in PROMETHEUS_FILES:
        return PROMETHEUS_FILES[file_name], "prompb table"
    if file_name in OTLP_FILES:
        return pypi_otlp_schema(file_name), "opentelemetry-proto"
    raise KeyError(file_name)


def check_tree(proto_root: Path) -> dict[str, list[str]]:
    """Compiles proto_root and compares every known file. Returns {file: [differences]}; files
    that should exist but don't, or exist but have no reference, are reported too."""
    proto_root = Path(proto_root)
    ours = sorted(str(p.relative_to(proto_root)) for p in proto_root.rglob("*.proto"))
    fds = compile_proto_tree(proto_root, ours)
    by_name = {f.name: f for f in fds.file}
    wanted = set(OTLP_FILES) | set(PROMETHEUS_FILES)
    result: dict[str, list[str]] = {}
    for name in sorted(wanted | set(ours)):
        if name not in ours:
            result[name] = [f"file {name}: missing in proto/"]
            continue
        if name not in wanted:
            result[name] = [f"file {name}: in proto/ but has no reference schema"]
            continue
        ref, label = reference_schema(name)
        actual = normalize_file(by_name[name], synthetic_oneofs_are_optional=True)
        result[name] = diff_schemas(ref, actual, label, "proto/")
    return result


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
