"""Shared helpers for the gateway integration tests: free ports, the collector.yaml builder,
a Prometheus text parser, debug-exporter output parsers, OTLP request builders (opentelemetry-proto),
raw gRPC/HTTP senders, and the Gateway process wrapper used by the fixtures in conftest.py.

Nothing here needs the gateway binary; test_helpers_unit.py tests the pure parts.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

# --------------------------------------------------------------------------------------------
# Ports


def _port_pool() -> range | None:
    """Ports below the kernel's ephemeral range: a port picked by bind(0) lies inside that range, so an
    outbound connection (ours or anyone's) can take it between the pick and the gateway's bind; this
    happened in CI. Ports below the range are only ever taken by someone binding them on purpose."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return range(10000, low) if low - 10000 >= 2000 else None


_POOL = _port_pool()
# Start at a pid-dependent offset so two test sessions on one machine rarely probe the same ports,
# and never hand out a port twice in a session (a gateway stopped a moment ago may still hold it).
_next_port = _POOL.start + (os.getpid() * 7919) % len(_POOL) if _POOL else 0


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(n: int) -> list[int]:
    """n distinct free TCP ports on 127.0.0.1, outside the ephemeral range where the kernel allows it."""
    global _next_port
    if _POOL is None:
        socks = []
        try:
            for _ in range(n):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind(("127.0.0.1", 0))
                socks.append(s)
            return [s.getsockname()[1] for s in socks]
        finally:
            for s in socks:
                s.close()
    out: list[int] = []
    for _ in range(len(_POOL)):
        port = _next_port
        _next_port = _next_port + 1 if _next_port + 1 < _POOL.stop else _POOL.start
        if _bindable(port):
            out.append(port)
            if len(out) == n:
                return out
    raise RuntimeError(f"fewer than {n} free ports in {_POOL}")


@dataclass(frozen=True)
class Ports:
    grpc: int
    http: int
    health: int
    telemetry: int

    @classmethod
    def allocate(cls) -> "Ports":
        return cls(*free_ports(4))


# --------------------------------------------------------------------------------------------
# Config


SIGNALS = ("traces", "metrics", "logs")


def gateway_config(
    ports: Ports,
    *,
    verbosity: str = "basic",
    batch: dict | None = None,
    grpc: dict | None = None,
    http: dict | None = None,
    exporters: dict | None = None,
    processors: dict | None = None,
    pipelines: dict | None = None,
) -> dict:
    """The collector.yaml used by the tests, as a dict (see to_yaml).

    grpc/http are merged into the receiver protocol settings; passing grpc=False/http=False drops
    that protocol. exporters/processors/pipelines replace the defaults when given."""
    protocols: dict[str, Any] = {}
    if grpc is not False:
        protocols["grpc"] = {"endpoint": f"127.0.0.1:{ports.grpc}", **(grpc or {})}
    if http is not False:
        protocols["http"] = {"endpoint": f"127.0.0.1:{ports.http}", **(http or {})}
    if processors is None:
        processors = {"batch": {"send_batch_size": 8192, "timeout": "200ms", **(batch or {})}}
    if exporters is None:
        exporters = {"debug": {"verbosity": verbosity}}
    if pipelines is None:
        pipelines = {
            sig: {"receivers": ["otlp"], "processors": list(processors), "exporters": list(exporters)}
            for sig in SIGNALS
        }
    return {
        "receivers": {"otlp": {"protocols": protocols}},
        "processors": processors,
        "exporters": exporters,
        "extensions": {"health_check": {"endpoint": f"127.0.0.1:{ports.health}"}},
        "service": {
            "extensions": ["health_check"],
            "telemetry": {"metrics": {"address": f"127.0.0.1:{ports.telemetry}"}},
            "pipelines": pipelines,
        },
    }


_PLAIN_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_DURATION = re.compile(r"^[0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h)$")
_YAML_RESERVED = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}


def _yaml_scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            raise ValueError("no NaN/Inf in configs")
        return repr(v)
    if isinstance(v, str):
        if (_PLAIN_WORD.match(v) or _DURATION.match(v)) and v.lower() not in _YAML_RESERVED:
            return v
        return json.dumps(v)  # a JSON string is a valid YAML double-quoted scalar
    raise TypeError(f"cannot write {type(v).__name__} to YAML")


def to_yaml(obj: dict, indent: int = 0) -> str:
    """Block-style YAML for nested dicts; lists of scalars in flow style ([a, b]), lists of
    dicts as block sequences. Plain scalars where unambiguous (200ms, debug/x), else quoted."""
    lines: list[str] = []
    pad = "  " * indent
    for k, v in obj.items():
        key = _yaml_scalar(str(k))
        if isinstance(v, dict):
            if not v:
                lines.append(f"{pad}{key}: {{}}")
            else:
                lines.append(f"{pad}{key}:")
                lines.append(to_yaml(v, indent + 1).rstrip("\n"))
        elif isinstance(v, list):
            if all(not isinstance(x, (dict, list)) for x in v):
                lines.append(f"{pad}{key}: [{', '.join(_yaml_scalar(x) for x in v)}]")
            else:
                lines.append(f"{pad}{key}:")
                for item in v:
                    if not isinstance(item, dict) or not item:
                        raise TypeError("only non-empty dicts in block sequences")
                    body = to_yaml(item, indent + 2).rstrip("\n").split("\n")
                    first = body[0][len("  " * (indent + 2)):]
                    lines.append(f"{pad}  - {first}")
                    lines.extend(body[1:])
        else:
            lines.append(f"{pad}{key}: {_yaml_scalar(v)}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Prometheus text exposition format


MetricKey = tuple[str, frozenset]

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def _parse_value(s: str) -> float:
    low = s.lower()
    if low in ("+inf", "inf"):
        return math.inf
    if low == "-inf":
        return -math.inf
    if low == "nan":
        return math.nan
    return float(s)


def parse_prometheus_text(text: str) -> dict[MetricKey, float]:
    """Parses the Prometheus text format (0.0.4) into {(name, frozenset(labels.items())): value}.
    Raises ValueError on malformed lines or duplicate series."""
    out: dict[MetricKey, float] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _NAME.match(line)
        if not m:
            raise ValueError(f"line {lineno}: no metric name: {raw!r}")
        name = m.group(0)
        pos = m.end()
        labels: dict[str, str] = {}
        if pos < len(line) and line[pos] == "{":
            pos += 1
            while True:
                while pos < len(line) and line[pos] in " \t":
                    pos += 1
                if pos < len(line) and line[pos] == "}":
                    pos += 1
                    break
                lm = _LABEL_NAME.match(line, pos)
                if not lm:
                    raise ValueError(f"line {lineno}: bad label name: {raw!r}")
                lname = lm.group(0)
                pos = lm.end()
                while pos < len(line) and line[pos] in " \t":
                    pos += 1
                if line[pos:pos + 2] != '="':
                    raise ValueError(f"line {lineno}: expected =\" after label {lname}: {raw!r}")
                pos += 2
                val = []
                while True:
                    if pos >= len(line):
                        raise ValueError(f"line {lineno}: unterminated label value: {raw!r}")
                    c = line[pos]
                    if c == "\\":
                        nxt = line[pos + 1:pos + 2]
                        val.append({"n": "\n", "\\": "\\", '"': '"'}.get(nxt, "\\" + nxt))
                        pos += 2
                    elif c == '"':
                        pos += 1
                        break
                    else:
                        val.append(c)
                        pos += 1
                if lname in labels:
                    raise ValueError(f"line {lineno}: duplicate label {lname}: {raw!r}")
                labels[lname] = "".join(val)
                while pos < len(line) and line[pos] in " \t":
                    pos += 1
                if pos < len(line) and line[pos] == ",":
                    pos += 1
                elif pos < len(line) and line[pos] == "}":
                    pos += 1
                    break
                else:
                    raise ValueError(f"line {lineno}: expected , or }} in labels: {raw!r}")
        rest = line[pos:].split()
        if len(rest) not in (1, 2):
            raise ValueError(f"line {lineno}: expected value [timestamp]: {raw!r}")
        try:
            value = _parse_value(rest[0])
            if len(rest) == 2:
                int(rest[1])
        except ValueError:
            raise ValueError(f"line {lineno}: bad value/timestamp: {raw!r}") from None
        key = (name, frozenset(labels.items()))
        if key in out:
            raise ValueError(f"line {lineno}: duplicate series {name}{labels}")
        out[key] = value
    return out


def sum_matching(samples: dict[MetricKey, float], name: str, **labels: str) -> float:
    """Sum of every series called `name` whose labels include all of `labels` (0 if none)."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= ls)


def series_matching(samples: dict[MetricKey, float], name: str, **labels: str) -> list[tuple[dict, float]]:
    want = set(labels.items())
    return [(dict(ls), v) for (n, ls), v in samples.items() if n == name and want <= ls]


# --------------------------------------------------------------------------------------------
# Debug exporter output

SUMMARY_KEYS = {
    "traces": ("resource_spans", "spans"),
    "metrics": ("resource_metrics", "metrics", "data_points"),
    "logs": ("resource_logs", "log_records"),
}

_SUMMARY = re.compile(r"^exporter=(?P<exporter>\S+) signal=(?P<signal>traces|metrics|logs)(?P<rest>(?: \w+=\d+)+)$")
_Q = r'"(?:[^"\\]|\\.)*"'  # a double-quoted string with backslash escapes

SPAN_LINE = re.compile(
    r"^  span trace_id=(?P<trace_id>[0-9a-f]{32}) span_id=(?P<span_id>[0-9a-f]{16}) "
    r"parent_span_id=(?P<parent_span_id>[0-9a-f]{16}|) name=(?P<name>" + _Q + r") "
    r"kind=(?P<kind>Unspecified|Internal|Server|Client|Producer|Consumer) "
    r"status=(?P<status>Unset|Ok|Error) attributes=\{(?P<attributes>.*)\}$"
)
METRIC_LINE = re.compile(
    r"^  metric name=(?P<name>" + _Q + r") "
    r"type=(?P<type>Gauge|Sum|Histogram|ExponentialHistogram|Summary) "
    r"unit=(?P<unit>" + _Q + r") data_points=(?P<data_points>\d+)$"
)
LOG_LINE = re.compile(
    r"^  log severity_number=(?P<severity_number>\d+) severity_text=(?P<severity_text>" + _Q + r") "
    r"body=(?P<body>" + _Q + r") trace_id=(?P<trace_id>[0-9a-f]{32}|)$"
)
_DETAIL = {"span": SPAN_LINE, "metric": METRIC_LINE, "log": LOG_LINE}


def _unquote(s: str) -> str:
    assert s[0] == '"' and s[-1] == '"', s
    return json.loads(s)  # backslash escapes as in JSON (\" \\ \n \t \uXXXX)


@dataclass
class Summary:
    exporter: str
    signal: str
    counts: dict[str, int]
    details: list[dict] = field(default_factory=list)


def parse_debug_output(text: str) -> list[Summary]:
    """Summary lines, each with the detail lines (two-space indented) that follow it.
    A line starting with `exporter=` or `  span|metric|log ` that does not match the exact format
    raises ValueError, so format drift fails loudly. Other lines are ignored."""
    out: list[Summary] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith("exporter="):
            m = _SUMMARY.match(line)
            if not m:
                raise ValueError(f"stdout line {lineno}: malformed debug summary: {line!r}")
            sig = m.group("signal")
            counts = {}
            for tok in m.group("rest").split():
                k, v = tok.split("=")
                counts[k] = int(v)
            if tuple(counts) != SUMMARY_KEYS[sig]:
                raise ValueError(f"stdout line {lineno}: expected keys {SUMMARY_KEYS[sig]}, got {tuple(counts)}: {line!r}")
            out.append(Summary(m.group("exporter"), sig, counts))
            continue
        kind = line[2:].split(" ", 1)[0] if line.startswith("  ") else None
        if kind in _DETAIL:
            m = _DETAIL[kind].match(line)
            if not m:
                raise ValueError(f"stdout line {lineno}: malformed debug {kind} line: {line!r}")
            if not out:
                raise ValueError(f"stdout line {lineno}: detail line before any summary: {line!r}")
            d = {"item": kind, **m.groupdict()}
            for k in ("name", "unit", "severity_text", "body"):
                if k in d:
                    d[k] = _unquote(d[k])
            for k in ("data_points", "severity_number"):
                if k in d:
                    d[k] = int(d[k])
            out[-1].details.append(d)
    return out


def debug_total(summaries: list[Summary], signal: str, key: str, exporter: str | None = None) -> int:
    return sum(
        s.counts[key] for s in summaries if s.signal == signal and (exporter is None or s.exporter == exporter)
    )


# --------------------------------------------------------------------------------------------
# OTLP requests (opentelemetry-proto)

GRPC_PATHS = {
    "traces": "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    "metrics": "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
    "logs": "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
}
HTTP_PATHS = {"traces": "/v1/traces", "metrics": "/v1/metrics", "logs": "/v1/logs"}


def _kv(key: str, value):
    from opentelemetry.proto.common.v1 import common_pb2 as c

    av = c.AnyValue()
    if isinstance(value, bool):
        av.bool_value = value
    elif isinstance(value, int):
        av.int_value = value
    elif isinstance(value, float):
        av.double_value = value
    else:
        av.string_value = str(value)
    return c.KeyValue(key=key, value=av)


def trace_request(n_spans: int, *, resources: int = 1, service: str = "itest", name_prefix: str = "span",
                  big_attribute: int = 0, seed: int = 1):
    """ExportTraceServiceRequest with n_spans spans spread over `resources` resources (one scope
    each). big_attribute: add a string attribute of that many bytes to the first span."""
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts
    from opentelemetry.proto.common.v1 import common_pb2 as c
    from opentelemetry.proto.resource.v1 import resource_pb2 as r
    from opentelemetry.proto.trace.v1 import trace_pb2 as t

    req = ts.ExportTraceServiceRequest()
    now = time.time_ns()
    per = [n_spans // resources + (1 if i < n_spans % resources else 0) for i in range(resources)]
    k = 0
    for ri, count in enumerate(per):
        rs = req.resource_spans.add()
        rs.resource.CopyFrom(r.Resource(attributes=[_kv("service.name", f"{service}-{ri}")]))
        ss = rs.scope_spans.add()
        ss.scope.CopyFrom(c.InstrumentationScope(name="gwhelpers", version="1"))
        for _ in range(count):
            k += 1
            sp = ss.spans.add()
            sp.trace_id = (seed * 1_000_003 + ri + 1).to_bytes(16, "big")
            sp.span_id = (k + 1).to_bytes(8, "big")
            sp.name = f"{name_prefix}-{k}"
            sp.kind = t.Span.SPAN_KIND_INTERNAL
            sp.start_time_unix_nano = now
            sp.end_time_unix_nano = now + 1000
            sp.attributes.append(_kv("i", k))
            if big_attribute and k == 1:
                sp.attributes.append(_kv("big", "x" * big_attribute))
    return req


def metrics_request(n_points: int, *, name: str = "itest.gauge"):
    """ExportMetricsServiceRequest: one Gauge metric with n_points data points (distinct attributes)."""
    from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2 as ms
    from opentelemetry.proto.resource.v1 import resource_pb2 as r

    req = ms.ExportMetricsServiceRequest()
    rm = req.resource_metrics.add()
    rm.resource.CopyFrom(r.Resource(attributes=[_kv("service.name", "itest")]))
    m = rm.scope_metrics.add().metrics.add()
    m.name = name
    m.unit = "1"
    now = time.time_ns()
    for i in range(n_points):
        p = m.gauge.data_points.add()
        p.time_unix_nano = now
        p.as_int = i
        p.attributes.append(_kv("i", i))
    return req


def logs_request(n_records: int, *, body_prefix: str = "log"):
    from opentelemetry.proto.collector.logs.v1 import logs_service_pb2 as ls
    from opentelemetry.proto.resource.v1 import resource_pb2 as r

    req = ls.ExportLogsServiceRequest()
    rl = req.resource_logs.add()
    rl.resource.CopyFrom(r.Resource(attributes=[_kv("service.name", "itest")]))
    sl = rl.scope_logs.add()
    now = time.time_ns()
    for i in range(n_records):
        lr = sl.log_records.add()
        lr.time_unix_nano = now
        lr.severity_number = 9
        lr.severity_text = "INFO"
        lr.body.string_value = f"{body_prefix}-{i}"
    return req


def build_request(signal: str, n: int):
    return {"traces": trace_request, "metrics": metrics_request, "logs": logs_request}[signal](n)


# --------------------------------------------------------------------------------------------
# Raw senders


def grpc_call(channel, path: str, payload: bytes, *, timeout: float = 10.0, compression=None) -> bytes:
    """Unary call sending raw bytes and returning raw response bytes (raises grpc.RpcError)."""
    fn = channel.unary_unary(path, request_serializer=None, response_deserializer=None)
    return fn(payload, timeout=timeout, compression=compression)


def http_post(url: str, body: bytes, content_type: str = "application/x-protobuf", *,
              encoding: str | None = None, session=None, timeout: float = 10.0, method: str = "POST"):
    import requests

    headers = {"Content-Type": content_type} if content_type is not None else {}
    if encoding:
        headers["Content-Encoding"] = encoding
    return (session or requests).request(method, url, data=body, headers=headers, timeout=timeout)


def gzip_bytes(b: bytes) -> bytes:
    return gzip.compress(b)


# --------------------------------------------------------------------------------------------
# The gateway process


class GatewayFailure(AssertionError):
    pass


def _http_get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Gateway:
    """One otlp-gateway process with its own ports, config file and captured stdout/stderr."""

    def __init__(self, binary: str, workdir: Path, config: dict, ports: Ports):
        self.binary = binary
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config = config
        self.ports = ports
        self.config_path = self.workdir / "collector.yaml"
        self.config_path.write_text(to_yaml(config))
        self.stdout_path = self.workdir / "stdout.txt"
        self.stderr_path = self.workdir / "stderr.txt"
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None
        # Set by a test that kills the process on purpose (kill -9), so teardown does not report it.
        self.killed_on_purpose = False

    # -- addresses
    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.ports.grpc}"

    def http_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.ports.http}{path}"

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.health}/"

    @property
    def telemetry_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.telemetry}/metrics"

    # -- lifecycle
    def start(self, timeout: float = 30.0) -> "Gateway":
        self._out = open(self.stdout_path, "wb")
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, "--config", str(self.config_path)],
            stdin=subprocess.DEVNULL, stdout=self._out, stderr=self._err, cwd=self.workdir,
        )
        deadline = time.monotonic() + timeout
        pending = [self.health_url, self.telemetry_url]
        last = ""
        while pending:
            if self.proc.poll() is not None:
                raise GatewayFailure(
                    f"gateway exited with {self.proc.returncode} during startup\n{self.logs_tail()}"
                )
            try:
                status, _ = _http_get(pending[0], timeout=1.0)
                if status == 200:
                    pending.pop(0)
                    continue
                last = f"{pending[0]} answered {status}"
            except OSError as e:
                last = f"{pending[0]}: {e}"
            if time.monotonic() > deadline:
                raise GatewayFailure(f"gateway not ready after {timeout}s ({last})\n{self.logs_tail()}")
            time.sleep(0.05)
        return self

    def send_signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> tuple[int, bool]:
        """Sends sig, waits up to timeout, then kills. Returns (returncode, needed_kill). Idempotent."""
        if self.proc is None:
            return (0, False)
        killed = False
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                killed = True
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.returncode = self.proc.returncode
        for f in (getattr(self, "_out", None), getattr(self, "_err", None)):
            if f and not f.closed:
                f.close()
        return (self.returncode, killed)

    def kill9(self) -> int:
        """SIGKILL, as a crash would: no shutdown runs. Returns the exit status (-9)."""
        self.killed_on_purpose = True
        rc, _ = self.stop(signal.SIGKILL, timeout=5)
        return rc

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- output
    def stdout_text(self) -> str:
        return self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def logs_tail(self, n: int = 40) -> str:
        out = "\n".join(self.stdout_text().splitlines()[-n:])
        err = "\n".join(self.stderr_text().splitlines()[-n:])
        return f"--- gateway stdout (tail) ---\n{out}\n--- gateway stderr (tail) ---\n{err}"

    def debug_lines(self) -> list[str]:
        return self.stdout_text().splitlines()

    def debug_summaries(self) -> list[Summary]:
        # A line may be half-written while we read: only parse complete lines.
        text = self.stdout_text()
        if text and not text.endswith("\n"):
            text = text[: text.rfind("\n") + 1]
        return parse_debug_output(text)

    def debug_total(self, signal: str, key: str, exporter: str | None = "debug") -> int:
        return debug_total(self.debug_summaries(), signal, key, exporter)

    # -- self-telemetry
    def metrics(self) -> dict[MetricKey, float]:
        status, body = _http_get(self.telemetry_url, timeout=5.0)
        if status != 200:
            raise GatewayFailure(f"{self.telemetry_url} answered {status}")
        return parse_prometheus_text(body.decode())

    def counter(self, name: str, **labels: str) -> float:
        return sum_matching(self.metrics(), name, **labels)

    # -- waiting
    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition",
                 interval: float = 0.05):
        """Polls predicate until truthy; returns its value. Fails with context on timeout or exit."""
        deadline = time.monotonic() + timeout
        last_exc = None
        while True:
            try:
                v = predicate()
                if v:
                    return v
            except (OSError, ValueError) as e:  # transient: endpoint busy, half-written line
                last_exc = e
            if self.proc is not None and self.proc.poll() is not None:
                raise GatewayFailure(
                    f"gateway exited ({self.proc.returncode}) while waiting for {what}\n{self.logs_tail()}"
                )
            if time.monotonic() > deadline:
                raise GatewayFailure(
                    f"timed out after {timeout}s waiting for {what}"
                    + (f" (last error: {last_exc})" if last_exc else "") + f"\n{self.logs_tail()}"
                )
            time.sleep(interval)

    def settle(self, read: Callable[[], float], expected: float, timeout: float = 10.0,
               what: str = "value", quiet: float = 0.2) -> float:
        """Polls read() until it reaches `expected` (or the timeout), waits `quiet` seconds more
        so late extra counts show up, and returns the final value for an exact assertion."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            try:
                value = read()
            except (OSError, ValueError):
                value = None
            if value is not None and value >= expected:
                break
            if self.proc is not None and self.proc.poll() is not None:
                raise GatewayFailure(f"gateway exited ({self.proc.returncode}) while waiting for {what}\n"
                                     f"{self.logs_tail()}")
            time.sleep(0.05)
        time.sleep(quiet)
        return read()

    def settle_counter(self, name: str, expected: float, timeout: float = 10.0, **labels: str) -> float:
        return self.settle(lambda: self.counter(name, **labels), expected, timeout, what=f"{name}{labels}")

    def settle_debug(self, signal: str, key: str, expected: int, exporter: str | None = "debug",
                     timeout: float = 10.0) -> int:
        return int(self.settle(lambda: self.debug_total(signal, key, exporter), expected, timeout,
                               what=f"debug {signal} {key} ({exporter})"))


def run_cli(binary: str, *args: str, timeout: float = 30.0, cwd: str | os.PathLike | None = None):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          stdin=subprocess.DEVNULL)
