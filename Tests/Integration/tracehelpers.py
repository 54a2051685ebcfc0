"""Helpers for the traces-path tests (test_traces_*.py): downstream OTLP receivers written in Python,
span comparison, the memory exporter's Tempo-compatible API, the Python SDK workload, and the
collector.yaml pieces of the traces path (otlp / otlphttp / memory exporters, spanmetrics).

- `HTTPTraceReceiver`: an OTLP/HTTP server (http.server thread on 127.0.0.1) that decodes
  ExportTraceServiceRequest (protobuf or JSON, gzip or not), records every request and answers from
  a script (status codes, Retry-After, partial_success).
- `GRPCTraceReceiver`: an OTLP/gRPC TraceService (trace_service_pb2_grpc) that records every call
  and answers from a script (any status code, RetryInfo in grpc-status-details-bin, partial_success).
- `canon_span` / `compare_spans`: a field-by-field comparison of spans (ids, parent, name, kind,
  times, attributes with their types, events, links, status, flags, dropped counts, trace state) and
  of their resource and scope, with one readable line per difference.
- `otlp_json_to_request`: OTLP/JSON (hex ids, lowerCamelCase) -> ExportTraceServiceRequest.
- `TraceStore`: the memory exporter's HTTP API (/api/traces/{id}, /api/search, /ready).
- `emit_workload`: ~30 SDK spans in 4 traces with every kind, typed attributes, events, links,
  statuses, a remote parent with trace state, and dropped attributes/events/links; explicit times.

Nothing here needs the gateway binary; test_traces_helpers_unit.py tests the pure parts.
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from gwhelpers import Ports, free_ports, gateway_config

TRACES_GRPC_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"


# --------------------------------------------------------------------------------------------
# Canonical spans


def canon_value(v) -> tuple:
    """An AnyValue as a hashable, typed tuple: ("string", "x"), ("int", 3), ("array", (...)), ..."""
    which = v.WhichOneof("value")
    if which is None:
        return ("empty",)
    if which == "array_value":
        return ("array", tuple(canon_value(x) for x in v.array_value.values))
    if which == "kvlist_value":
        return ("kvlist", tuple(sorted((kv.key, canon_value(kv.value)) for kv in v.kvlist_value.values)))
    return (which[: -len("_value")], getattr(v, which))


def canon_attrs(kvs) -> dict:
    """{key: typed value}; a repeated key becomes ("DUPLICATE KEY", [values]) so it shows in a diff."""
    out: dict[str, Any] = {}
    for kv in kvs:
        val = canon_value(kv.value)
        if kv.key in out:
            prev = out[kv.key]
            vals = prev[1] if isinstance(prev, tuple) and prev and prev[0] == "DUPLICATE KEY" else [prev]
            out[kv.key] = ("DUPLICATE KEY", vals + [val])
        else:
            out[kv.key] = val
    return out


def hexid(b: bytes) -> str:
    return b.hex()


def canon_span(sp) -> dict:
    """Every field of a trace.v1.Span, comparable with ==, attribute order ignored."""
    return {
        "trace_id": hexid(sp.trace_id),
        "span_id": hexid(sp.span_id),
        "parent_span_id": hexid(sp.parent_span_id),
        "trace_state": sp.trace_state,
        "flags": sp.flags,
        "name": sp.name,
        "kind": sp.kind,
        "start_time_unix_nano": sp.start_time_unix_nano,
        "end_time_unix_nano": sp.end_time_unix_nano,
        "attributes": canon_attrs(sp.attributes),
        "dropped_attributes_count": sp.dropped_attributes_count,
        "events": [
            {"time_unix_nano": e.time_unix_nano, "name": e.name, "attributes": canon_attrs(e.attributes),
             "dropped_attributes_count": e.dropped_attributes_count}
            for e in sp.events
        ],
        "dropped_events_count": sp.dropped_events_count,
        "links": [
            {"trace_id": hexid(l.trace_id), "span_id": hexid(l.span_id), "trace_state": l.trace_state,
             "attributes": canon_attrs(l.attributes), "dropped_attributes_count": l.dropped_attributes_count,
             "flags": l.flags}
            for l in sp.links
        ],
        "dropped_links_count": sp.dropped_links_count,
        "status": {"code": sp.status.code, "message": sp.status.message},
    }


@dataclass
class SpanRecord:
    """One span with its context: resource attributes, scope, and where it was seen."""

    resource: dict
    resource_schema_url: str
    scope: dict
    scope_schema_url: str
    span: dict
    origin: str = ""

    @property
    def span_id(self) -> str:
        return self.span["span_id"]

    @property
    def trace_id(self) -> str:
        return self.span["trace_id"]

    @property
    def key(self) -> str:
        """trace id:span id (span ids are only unique within a trace)."""
        return f"{self.span['trace_id']}:{self.span['span_id']}"


def by_key(records: Iterable[SpanRecord]) -> dict[str, SpanRecord]:
    """{record.key: record}; fails on a repeated key."""
    out: dict[str, SpanRecord] = {}
    for r in records:
        assert r.key not in out, f"span {r.key} twice in the expected data"
        out[r.key] = r
    return out


def span_key(trace_id: int, span_id: int) -> str:
    return f"{trace_id:032x}:{span_id:016x}"


def span_records(req, origin: str = "") -> list[SpanRecord]:
    """Every span of an ExportTraceServiceRequest (or TracesData) with its resource and scope."""
    out = []
    for rs in req.resource_spans:
        res = canon_attrs(rs.resource.attributes)
        for ss in rs.scope_spans:
            scope = {"name": ss.scope.name, "version": ss.scope.version,
                     "attributes": canon_attrs(ss.scope.attributes)}
            for sp in ss.spans:
                out.append(SpanRecord(res, rs.schema_url, scope, ss.schema_url, canon_span(sp), origin))
    return out


def sdk_span_records(spans: Sequence) -> dict[str, SpanRecord]:
    """What the SDK's OTLP exporters put on the wire for these ReadableSpans (the SDK's own
    encoder), keyed by trace id:span id."""
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    return by_key(span_records(encode_spans(list(spans)), "sdk"))


def _diff(path: str, actual, expected, out: list[str]) -> None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for k in sorted(set(expected) | set(actual), key=str):
            if k not in actual:
                out.append(f"{path}.{k}: missing (expected {expected[k]!r})")
            elif k not in expected:
                out.append(f"{path}.{k}: unexpected {actual[k]!r}")
            else:
                _diff(f"{path}.{k}", actual[k], expected[k], out)
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            out.append(f"{path}: {len(actual)} items, expected {len(expected)}: got {actual!r}, expected {expected!r}")
        else:
            for i, (a, e) in enumerate(zip(actual, expected)):
                _diff(f"{path}[{i}]", a, e, out)
    elif actual != expected:
        out.append(f"{path}: got {actual!r}, expected {expected!r}")


def diff_records(actual: SpanRecord, expected: SpanRecord, *, schema_urls: bool = True) -> list[str]:
    """Field-by-field differences of two spans, their resources and scopes."""
    out: list[str] = []
    _diff("resource", actual.resource, expected.resource, out)
    _diff("scope", actual.scope, expected.scope, out)
    if schema_urls:
        _diff("resource_schema_url", actual.resource_schema_url, expected.resource_schema_url, out)
        _diff("scope_schema_url", actual.scope_schema_url, expected.scope_schema_url, out)
    _diff("span", actual.span, expected.span, out)
    return out


def compare_spans(actual: Iterable[SpanRecord], expected: dict[str, SpanRecord], where: str,
                  *, schema_urls: bool = True) -> list[str]:
    """Problems (empty when equal): every expected span exactly once, no other span, and every
    field equal. `expected` is keyed by SpanRecord.key (trace id:span id)."""
    problems: list[str] = []
    seen: dict[str, list[SpanRecord]] = {}
    for r in actual:
        seen.setdefault(r.key, []).append(r)
    for sid, exp in expected.items():
        got = seen.get(sid, [])
        if not got:
            problems.append(f"{where}: span {exp.span['name']!r} ({sid}) missing")
            continue
        if len(got) > 1:
            problems.append(f"{where}: span {exp.span['name']!r} ({sid}) arrived {len(got)} times")
        for d in diff_records(got[0], exp, schema_urls=schema_urls):
            problems.append(f"{where}: span {exp.span['name']!r} ({sid}) {d}")
    for sid, got in seen.items():
        if sid not in expected:
            problems.append(f"{where}: unexpected span {got[0].span['name']!r} ({sid}) x{len(got)}")
    return problems


# --------------------------------------------------------------------------------------------
# OTLP/JSON


_ID_KEYS = {"traceId", "spanId", "parentSpanId"}


def _hex_ids_to_base64(obj):
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k in _ID_KEYS and isinstance(v, str):
                out[k] = base64.b64encode(bytes.fromhex(v)).decode() if v else ""
            else:
                out[k] = _hex_ids_to_base64(v)
        return out
    if isinstance(obj, list):
        return [_hex_ids_to_base64(x) for x in obj]
    return obj


def otlp_json_to_request(doc):
    """OTLP/JSON traces (bytes, str or parsed; hex trace/span ids, lowerCamelCase keys, enums as
    integers) -> ExportTraceServiceRequest. Unknown fields raise (google.protobuf ParseError)."""
    from google.protobuf import json_format
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts

    if isinstance(doc, (bytes, bytearray)):
        doc = json.loads(doc)
    elif isinstance(doc, str):
        doc = json.loads(doc)
    req = ts.ExportTraceServiceRequest()
    json_format.ParseDict(_hex_ids_to_base64(doc), req)
    return req


def request_to_otlp_json(req) -> dict:
    """The inverse, for tests of the helpers: protobuf -> OTLP/JSON with hex ids."""
    from google.protobuf import json_format

    d = json_format.MessageToDict(req)

    def conv(o):
        if isinstance(o, dict):
            return {k: (base64.b64decode(v).hex() if k in _ID_KEYS and isinstance(v, str) else conv(v))
                    for k, v in o.items()}
        if isinstance(o, list):
            return [conv(x) for x in o]
        return o

    return conv(d)


def decode_body(body: bytes, content_encoding: str | None) -> bytes:
    enc = (content_encoding or "").strip().lower()
    if enc in ("", "identity"):
        return body
    if enc == "gzip":
        return gzip.decompress(body)
    if enc == "deflate":
        return zlib.decompress(body)
    if enc == "zstd":
        import zstandard

        return zstandard.ZstdDecompressor().decompressobj().decompress(body)
    if enc == "snappy":
        import snappy

        return snappy.decompress(body)
    if enc == "lz4":
        import lz4.frame

        return lz4.frame.decompress(body)
    raise ValueError(f"unsupported Content-Encoding {content_encoding!r}")


# --------------------------------------------------------------------------------------------
# Downstream OTLP/HTTP receiver


@dataclass
class HTTPAnswer:
    """One scripted answer of HTTPTraceReceiver."""

    status: int = 200
    rejected: int = 0  # partial_success.rejected_spans on a 200
    error_message: str = ""  # partial_success.error_message (200) or google.rpc.Status message (else)
    retry_after: str | None = None


@dataclass
class HTTPRequestRecord:
    time: float  # time.monotonic()
    method: str
    path: str
    headers: dict  # lower-case names
    raw_body: bytes
    request: Any  # ExportTraceServiceRequest, or None when undecodable
    error: str | None
    answer: HTTPAnswer
    peer_cert: dict | None = None  # the client certificate (ssl.getpeercert()) over mutual TLS


class HTTPTraceReceiver:
    """An OTLP/HTTP trace receiver on 127.0.0.1 (its own thread). Decodes gzip/deflate bodies,
    protobuf (application/x-protobuf) or JSON (application/json) ExportTraceServiceRequest, records
    every request, and answers the scripted HTTPAnswers in order (the last one repeats). With `tls`
    (a server-side ssl.SSLContext) it serves HTTPS."""

    def __init__(self, script: list[HTTPAnswer] | None = None, path: str = "/v1/traces", tls=None):
        self.script = list(script or [HTTPAnswer()])
        self.path = path
        self.tls = tls
        self.requests: list[HTTPRequestRecord] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    @property
    def endpoint(self) -> str:
        """For the otlphttp exporter's `endpoint` (it appends /v1/traces)."""
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> "HTTPTraceReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                receiver._handle(self)

            def do_GET(self):  # noqa: N802
                self._plain(405)

            def _plain(self, status):
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if self.tls is not None:
            # The handshake happens in the connection's thread on its first read, not in accept().
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True,
                                                      do_handshake_on_connect=False)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True, name="otlp-http-receiver")
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts

        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in h.headers.items()}
        ctype = headers.get("content-type", "")
        req, error = None, None
        try:
            body = decode_body(raw, headers.get("content-encoding"))
            if "json" in ctype:
                req = otlp_json_to_request(body)
            else:
                req = ts.ExportTraceServiceRequest()
                req.ParseFromString(body)
        except Exception as e:  # noqa: BLE001 - recorded, answered 400
            error = f"{type(e).__name__}: {e}"
        with self.lock:
            n = len(self.requests)
            answer = self.script[min(n, len(self.script) - 1)]
            if error is not None or h.path != self.path:
                answer = HTTPAnswer(400, error_message=error or f"unknown path {h.path}")
            peer = h.connection.getpeercert() if self.tls is not None else None
            self.requests.append(HTTPRequestRecord(time.monotonic(), h.command, h.path, headers, raw, req, error, answer,
                                                   peer))
        json_reply = "json" in ctype
        if answer.status == 200:
            resp = ts.ExportTraceServiceResponse()
            if answer.rejected or answer.error_message:
                resp.partial_success.rejected_spans = answer.rejected
                resp.partial_success.error_message = answer.error_message
            if json_reply:
                from google.protobuf import json_format

                out = json.dumps(json_format.MessageToDict(resp)).encode()
            else:
                out = resp.SerializeToString()
        else:
            from google.rpc import status_pb2

            st = status_pb2.Status(code=3 if answer.status == 400 else 14, message=answer.error_message)
            out = json.dumps({"code": st.code, "message": st.message}).encode() if json_reply else st.SerializeToString()
        h.send_response(answer.status)
        h.send_header("Content-Type", "application/json" if json_reply else "application/x-protobuf")
        h.send_header("Content-Length", str(len(out)))
        if answer.retry_after is not None:
            h.send_header("Retry-After", answer.retry_after)
        h.end_headers()
        h.wfile.write(out)

    # -- what arrived
    def snapshot(self) -> list[HTTPRequestRecord]:
        with self.lock:
            return list(self.requests)

    def accepted_spans(self) -> list[SpanRecord]:
        """Spans of the requests answered 200 (a retried request counts once, when it succeeded)."""
        out = []
        for i, r in enumerate(self.snapshot()):
            if r.answer.status == 200 and r.request is not None:
                out.extend(span_records(r.request, f"http#{i}"))
        return out

    def span_count(self) -> int:
        return len(self.accepted_spans())


# --------------------------------------------------------------------------------------------
# Downstream OTLP/gRPC receiver


@dataclass
class GRPCAnswer:
    """One scripted answer of GRPCTraceReceiver. code: a grpc.StatusCode name ("OK", "UNAVAILABLE", ...)."""

    code: str = "OK"
    message: str = ""
    rejected: int = 0  # partial_success.rejected_spans on OK
    retry_delay: float | None = None  # seconds: a google.rpc.RetryInfo in grpc-status-details-bin
    delay: float = 0.0  # seconds to wait before answering (a slow backend)


@dataclass
class GRPCCallRecord:
    time: float  # time.monotonic()
    metadata: dict  # lower-case keys
    request: Any
    answer: GRPCAnswer
    auth: dict | None = None  # context.auth_context() over TLS: x509_common_name etc.


def status_details_bin(code: int, message: str, retry_delay: float | None) -> bytes:
    """A serialized google.rpc.Status (for grpc-status-details-bin), with a packed RetryInfo."""
    from google.protobuf import any_pb2, duration_pb2
    from google.rpc import error_details_pb2, status_pb2

    st = status_pb2.Status(code=code, message=message)
    if retry_delay is not None:
        secs = int(retry_delay)
        info = error_details_pb2.RetryInfo(
            retry_delay=duration_pb2.Duration(seconds=secs, nanos=int(round((retry_delay - secs) * 1e9))))
        packed = any_pb2.Any()
        packed.Pack(info)
        st.details.append(packed)
    return st.SerializeToString()


class GRPCTraceReceiver:
    """An OTLP/gRPC TraceService on 127.0.0.1 (grpc.server, add_TraceServiceServicer_to_server) that
    records every call and answers the scripted GRPCAnswers in order (the last one repeats). With
    `tls` = (cert file, key file, client CA file or None) it serves over TLS, requiring a client
    certificate when a client CA is given."""

    def __init__(self, script: list[GRPCAnswer] | None = None, tls: tuple[str, str, str | None] | None = None,
                 port: int = 0):
        self.script = list(script or [GRPCAnswer()])
        self.tls = tls
        self.requested_port = port
        self.calls: list[GRPCCallRecord] = []
        self.lock = threading.Lock()
        self.server = None
        self.port = 0

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "GRPCTraceReceiver":
        from concurrent import futures

        import grpc
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc as tsg

        receiver = self

        class Servicer(tsg.TraceServiceServicer):
            def Export(self, request, context):  # noqa: N802
                md = {k.lower(): v for k, v in context.invocation_metadata()}
                auth = dict(context.auth_context()) if receiver.tls else None
                with receiver.lock:
                    n = len(receiver.calls)
                    answer = receiver.script[min(n, len(receiver.script) - 1)]
                    receiver.calls.append(GRPCCallRecord(time.monotonic(), md, request, answer, auth))
                if answer.delay:
                    time.sleep(answer.delay)
                code = getattr(grpc.StatusCode, answer.code)
                if code == grpc.StatusCode.OK:
                    resp = ts.ExportTraceServiceResponse()
                    if answer.rejected or answer.message:
                        resp.partial_success.rejected_spans = answer.rejected
                        resp.partial_success.error_message = answer.message
                    return resp
                if answer.retry_delay is not None:
                    context.set_trailing_metadata((
                        ("grpc-status-details-bin",
                         status_details_bin(code.value[0], answer.message, answer.retry_delay)),
                    ))
                context.set_code(code)
                context.set_details(answer.message)
                return ts.ExportTraceServiceResponse()

        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        tsg.add_TraceServiceServicer_to_server(Servicer(), self.server)
        if self.tls is None:
            self.port = self.server.add_insecure_port(f"127.0.0.1:{self.requested_port}")
        else:
            cert, key, client_ca = self.tls
            creds = grpc.ssl_server_credentials(
                [(Path(key).read_bytes(), Path(cert).read_bytes())],
                root_certificates=Path(client_ca).read_bytes() if client_ca else None,
                require_client_auth=client_ca is not None)
            self.port = self.server.add_secure_port(f"127.0.0.1:{self.requested_port}", creds)
        self.server.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop(grace=None)
            self.server = None

    def snapshot(self) -> list[GRPCCallRecord]:
        with self.lock:
            return list(self.calls)

    def accepted_spans(self) -> list[SpanRecord]:
        """Spans of the calls answered OK."""
        out = []
        for i, c in enumerate(self.snapshot()):
            if c.answer.code == "OK":
                out.extend(span_records(c.request, f"grpc#{i}"))
        return out

    def attempts(self) -> int:
        with self.lock:
            return len(self.calls)


# --------------------------------------------------------------------------------------------
# The memory exporter's Tempo-compatible API


class TraceStore:
    """Client of a memory exporter's HTTP API at 127.0.0.1:port."""

    def __init__(self, port: int):
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, params: dict | None = None, timeout: float = 5.0) -> tuple[int, bytes, dict]:
        url = self.url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                return resp.status, resp.read(), {k.lower(): v for k, v in resp.headers.items()}
        except urllib.error.HTTPError as e:
            return e.code, e.read(), {k.lower(): v for k, v in e.headers.items()}

    def ready(self) -> bool:
        try:
            return self.get("/ready", timeout=1.0)[0] == 200
        except OSError:
            return False

    def wait_ready(self, gw=None, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready():
            if gw is not None and not gw.alive():
                raise AssertionError(f"gateway exited before the trace API was ready\n{gw.logs_tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.url}/ready not 200 after {timeout}s"
                                     + ("\n" + gw.logs_tail() if gw is not None else ""))
            time.sleep(0.05)

    def trace(self, trace_id: str) -> tuple[int, Any]:
        """(status, parsed JSON body or the raw text when it is not JSON)."""
        status, body, _ = self.get(f"/api/traces/{trace_id}")
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body.decode(errors="replace")

    def trace_records(self, trace_id: str) -> list[SpanRecord] | None:
        """The spans of a stored trace (None on 404); fails on any other answer."""
        status, doc = self.trace(trace_id)
        if status == 404:
            return None
        assert status == 200, f"GET /api/traces/{trace_id} answered {status}: {doc!r}"
        assert isinstance(doc, dict) and set(doc) <= {"resourceSpans"}, f"unexpected document keys: {doc!r}"[:500]
        return span_records(otlp_json_to_request(doc), f"store:{trace_id}")

    def search(self, **params) -> list[dict]:
        status, body, _ = self.get("/api/search", params)
        assert status == 200, f"GET /api/search {params} answered {status}: {body[:300]!r}"
        doc = json.loads(body)
        assert isinstance(doc, dict) and isinstance(doc.get("traces"), list), doc
        return doc["traces"]

    def search_ids(self, **params) -> list[str]:
        return [t["traceID"] for t in self.search(**params)]


# --------------------------------------------------------------------------------------------
# Config pieces


def otlp_exporter(target: str, **extra) -> dict:
    """An `otlp` (gRPC) exporter to host:port: insecure, gzip, 5 s timeout, small retry intervals."""
    cfg = {
        "endpoint": target,
        "tls": {"insecure": True},
        "compression": "gzip",
        "timeout": "5s",
        "headers": {"X-Scope-OrgID": "t1"},
        "sending_queue": {"enabled": True, "num_consumers": 4, "queue_size": 100},
        "retry_on_failure": {"enabled": True, "initial_interval": "100ms", "max_interval": "500ms",
                             "max_elapsed_time": "20s"},
    }
    cfg.update(extra)
    return cfg


def otlphttp_exporter(endpoint: str, **extra) -> dict:
    cfg = {
        "endpoint": endpoint,
        "compression": "gzip",
        "encoding": "proto",
        "timeout": "5s",
        "headers": {"X-Scope-OrgID": "t1"},
        "retry_on_failure": {"enabled": True, "initial_interval": "100ms", "max_interval": "500ms",
                             "max_elapsed_time": "20s"},
    }
    cfg.update(extra)
    return cfg


@dataclass(frozen=True)
class StorePorts:
    """A gateway's ports plus its memory exporter's API port."""

    base: Ports
    api: int

    @classmethod
    def allocate(cls, grpc_port: int | None = None) -> "StorePorts":
        p = free_ports(5)
        if grpc_port is not None:
            p = [grpc_port] + [x for x in p if x != grpc_port][:4]
        return cls(Ports(*p[:4]), p[4])


def traces_gateway_config(ports: Ports, exporters: dict, *, batch: bool = True, connectors: dict | None = None,
                          extra_pipelines: dict | None = None, extra_exporters: dict | None = None) -> dict:
    """otlp (grpc+http) -> [batch 200ms] -> `exporters` in one traces pipeline (plus extra pipelines,
    exporters and connectors, e.g. spanmetrics)."""
    processors = {"batch": {"send_batch_size": 8192, "timeout": "200ms"}} if batch else {}
    all_exporters = {**exporters, **(extra_exporters or {})}
    trace_exporters = list(exporters) + list(connectors or {})
    pipelines = {"traces": {"receivers": ["otlp"], "processors": list(processors), "exporters": trace_exporters}}
    pipelines.update(extra_pipelines or {})
    cfg = gateway_config(ports, exporters=all_exporters, processors=processors, pipelines=pipelines)
    if not processors:
        del cfg["processors"]
    if connectors:
        cfg["connectors"] = connectors
    return cfg


def store_gateway_config(sp: StorePorts, *, max_bytes: int = 67108864, debug: bool = True,
                         batch: bool = True) -> dict:
    """The receiving end: otlp -> [batch] -> memory (+ debug)."""
    exporters: dict[str, Any] = {"memory": {"endpoint": f"127.0.0.1:{sp.api}", "max_bytes": max_bytes}}
    if debug:
        exporters["debug"] = {"verbosity": "basic"}
    return traces_gateway_config(sp.base, exporters, batch=batch)


# --------------------------------------------------------------------------------------------
# Raw OTLP trace requests


def kv(key: str, value):
    """A KeyValue; lists become array values (of the elements' types)."""
    from opentelemetry.proto.common.v1 import common_pb2 as c

    av = c.AnyValue()
    _set_any(av, value)
    return c.KeyValue(key=key, value=av)


def _set_any(av, value) -> None:
    if isinstance(value, bool):
        av.bool_value = value
    elif isinstance(value, int):
        av.int_value = value
    elif isinstance(value, float):
        av.double_value = value
    elif isinstance(value, bytes):
        av.bytes_value = value
    elif isinstance(value, (list, tuple)):
        arr = av.array_value
        for x in value:
            _set_any(arr.values.add(), x)
    else:
        av.string_value = str(value)


@dataclass
class RawSpan:
    name: str
    span_id: int
    start_ns: int
    end_ns: int
    parent_id: int = 0
    kind: int = 2  # SPAN_KIND_SERVER
    attrs: dict = field(default_factory=dict)
    status_code: int = 0
    status_message: str = ""


@dataclass
class RawTrace:
    trace_id: int
    service: str
    spans: list[RawSpan]
    # span index -> service name of its resource, for spans from other services (default: `service`)
    span_services: dict[int, str] = field(default_factory=dict)

    @property
    def hex(self) -> str:
        return format(self.trace_id, "032x")

    @property
    def start_ns(self) -> int:
        return min(s.start_ns for s in self.spans)

    @property
    def duration_ns(self) -> int:
        return max(s.end_ns for s in self.spans) - self.start_ns

    @property
    def root(self) -> RawSpan:
        roots = [s for s in self.spans if s.parent_id == 0]
        return min(roots, key=lambda s: s.start_ns)


def raw_trace_request(traces: Sequence[RawTrace], scope: tuple[str, str] = ("tracehelpers", "1")):
    """ExportTraceServiceRequest: one resource per (trace, service) in order, one scope each."""
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts
    from opentelemetry.proto.common.v1 import common_pb2 as c
    from opentelemetry.proto.resource.v1 import resource_pb2 as r

    req = ts.ExportTraceServiceRequest()
    for t in traces:
        groups: dict[str, list[RawSpan]] = {}
        for i, s in enumerate(t.spans):
            groups.setdefault(t.span_services.get(i, t.service), []).append(s)
        for svc, spans in groups.items():
            rs = req.resource_spans.add()
            rs.resource.CopyFrom(r.Resource(attributes=[kv("service.name", svc)]))
            ss = rs.scope_spans.add()
            ss.scope.CopyFrom(c.InstrumentationScope(name=scope[0], version=scope[1]))
            for s in spans:
                sp = ss.spans.add()
                sp.trace_id = t.trace_id.to_bytes(16, "big")
                sp.span_id = s.span_id.to_bytes(8, "big")
                if s.parent_id:
                    sp.parent_span_id = s.parent_id.to_bytes(8, "big")
                sp.name = s.name
                sp.kind = s.kind
                sp.start_time_unix_nano = s.start_ns
                sp.end_time_unix_nano = s.end_ns
                for k, v in s.attrs.items():
                    sp.attributes.append(kv(k, v))
                if s.status_code or s.status_message:
                    sp.status.code = s.status_code
                    sp.status.message = s.status_message
    return req


def send_traces_grpc(channel, req, timeout: float = 10.0):
    """Sends over OTLP/gRPC; returns the ExportTraceServiceResponse (raises grpc.RpcError)."""
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts

    from gwhelpers import grpc_call

    out = ts.ExportTraceServiceResponse()
    out.ParseFromString(grpc_call(channel, TRACES_GRPC_PATH, req.SerializeToString(), timeout=timeout))
    return out


# --------------------------------------------------------------------------------------------
# The Python SDK workload


MS = 1_000_000


@dataclass
class Workload:
    """What emit_workload made: the recording exporter, the expected wire spans by key, and the
    trace ids (hex) in creation order."""

    recorder: Any
    expected: dict[str, SpanRecord]
    trace_ids: list[str]
    facts: dict

    def expected_in_trace(self, trace_id: str) -> dict[str, SpanRecord]:
        return {k: v for k, v in self.expected.items() if v.trace_id == trace_id}


WORKLOAD_SERVICE = "itest-chain"


def emit_workload(exporter, service: str = WORKLOAD_SERVICE, base_ns: int | None = None) -> Workload:
    """~30 spans in 4 traces through TracerProvider + BatchSpanProcessor (one force_flush), with
    explicit start/end times:

    1. `checkout` (SERVER, ERROR "payment declined"): attributes of every type (string, int, double,
       bool, and arrays of each), events with attributes, 24 attributes so SpanLimits drops 4, six
       events so 2 are dropped; children `GET /inventory` (CLIENT, OK), `charge card` (CLIENT, ERROR),
       `publish order` (PRODUCER), and 12 `render-i` (INTERNAL, another scope) under `render`.
    2. `consume order` (CONSUMER) linked to `publish order` (link attributes), 8 CLIENT children.
    3. A span whose parent is REMOTE (trace state `vendor=abc,other=x`, so the span keeps it and its
       flags mark a remote parent), linked to two spans, 5 links so 1 is dropped.
    4. `health` (SERVER, UNSET), alone.
    Every span must pass through unchanged."""
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import SpanLimits, TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, SpanKind, Status, StatusCode, TraceFlags
    from opentelemetry.trace.span import TraceState

    from sdkutil import RecordingSpanExporter

    rec = RecordingSpanExporter(exporter)
    provider = TracerProvider(
        resource=Resource.create({"service.name": service, "service.version": "1.2.3",
                                  "deployment.environment": "itest", "host.cpu.count": 8}),
        span_limits=SpanLimits(max_span_attributes=20, max_events=4, max_links=4),
    )
    provider.add_span_processor(BatchSpanProcessor(rec, schedule_delay_millis=60_000, max_export_batch_size=512))
    tracer = provider.get_tracer("itest.traces", "2.0.1", schema_url="https://opentelemetry.io/schemas/1.21.0",
                                 attributes={"scope.attr": "s1"})
    other_tracer = provider.get_tracer("itest.db", "0.9")
    t0 = base_ns if base_ns is not None else time.time_ns() - 30_000 * MS
    made: list = []

    def span(name, parent=None, *, kind=SpanKind.INTERNAL, at=0.0, dur=1.0, attrs=None, links=None, tr=None,
             context=None):
        ctx = context if context is not None else (trace.set_span_in_context(parent) if parent is not None else None)
        s = (tr or tracer).start_span(name, context=ctx, kind=kind, attributes=attrs, links=links,
                                      start_time=t0 + int(at * MS))
        s._itest_end = t0 + int((at + dur) * MS)
        made.append(s)
        return s

    # 1. checkout
    root = span("checkout", kind=SpanKind.SERVER, at=0, dur=250, attrs={
        "http.method": "POST", "http.route": "/checkout", "http.status_code": 502, "retry.ratio": 0.25,
        "cache.hit": False, "tags": ["a", "b", "c"], "codes": [1, 2, 3], "weights": [0.5, 1.5],
        "flags": [True, False], "empty.string": "", "unicode": "grüße ✓", "big.int": 2**62,
        "neg.int": -7, "neg.double": -1e-9,
    })
    for i in range(10):  # 14 + 10 = 24 attributes, the limit keeps 20, drops 4
        root.set_attribute(f"extra.{i}", i)
    root.add_event("validated", {"items": 3, "ok": True, "ratio": 0.5, "who": "svc"}, timestamp=t0 + 5 * MS)
    root.add_event("priced", {"amounts": [1.25, 2.5], "currency": "EUR"}, timestamp=t0 + 6 * MS)
    for i in range(4):  # 6 events: the limit (4) drops 2
        root.add_event(f"tick-{i}", {"n": i}, timestamp=t0 + (10 + i) * MS)
    root.set_status(Status(StatusCode.ERROR, "payment declined"))
    inv = span("GET /inventory", root, kind=SpanKind.CLIENT, at=10, dur=40,
               attrs={"http.method": "GET", "peer.service": "inventory"})
    inv.set_status(Status(StatusCode.OK))
    charge = span("charge card", root, kind=SpanKind.CLIENT, at=60, dur=120, attrs={"amount": 99.95})
    charge.add_event("exception", {"exception.type": "CardDeclined", "exception.message": "insufficient funds"},
                     timestamp=t0 + 170 * MS)
    charge.set_status(Status(StatusCode.ERROR, "card declined: insufficient funds"))
    publish = span("publish order", root, kind=SpanKind.PRODUCER, at=190, dur=5, attrs={"messaging.system": "kafka"})
    render = span("render", root, at=200, dur=45)
    for i in range(12):
        span(f"render-{i}", render, at=201 + 3 * i, dur=2.5, attrs={"i": i, "even": i % 2 == 0}, tr=other_tracer)

    # 2. consume order, linked to publish order
    pub_ctx = publish.get_span_context()
    consume = span("consume order", kind=SpanKind.CONSUMER, at=300, dur=80,
                   links=[Link(pub_ctx, {"link.kind": "follows", "n": 1, "w": 0.5, "b": True})],
                   attrs={"messaging.operation": "process"})
    for i in range(8):
        q = span(f"db query {i}", consume, kind=SpanKind.CLIENT, at=305 + 8 * i, dur=6,
                 attrs={"db.system": "postgresql", "db.rows": i * 10}, tr=other_tracer)
        if i == 7:
            q.set_status(Status(StatusCode.ERROR, "timeout"))

    # 3. remote parent with trace state, 5 links (1 dropped)
    remote = SpanContext(trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736, span_id=0x00F067AA0BA902B7, is_remote=True,
                         trace_flags=TraceFlags(TraceFlags.SAMPLED),
                         trace_state=TraceState([("vendor", "abc"), ("other", "x")]))
    links = [Link(root.get_span_context(), {"why": "retry-of"}), Link(consume.get_span_context())]
    links += [Link(SpanContext(0xABC + i, 0xDEF + i, is_remote=True), {"i": i}) for i in range(3)]
    remote_child = span("handle callback", kind=SpanKind.SERVER, at=400, dur=30, links=links,
                        context=trace.set_span_in_context(NonRecordingSpan(remote)),
                        attrs={"http.method": "PUT"})
    span("callback work", remote_child, at=405, dur=20)
    span("callback audit", remote_child, kind=SpanKind.PRODUCER, at=426, dur=2)

    # 4. a lone span
    span("health", kind=SpanKind.SERVER, at=500, dur=1, attrs={"http.method": "GET"})

    for s in reversed(made):
        s.end(end_time=s._itest_end)
    assert provider.force_flush(10_000), "SDK force_flush failed"
    provider.shutdown()

    spans = list(rec.spans)
    assert len(spans) == len(made), (len(spans), len(made))
    expected = sdk_span_records(spans)
    trace_ids = []
    for s in made:
        tid = format(s.get_span_context().trace_id, "032x")
        if tid not in trace_ids:
            trace_ids.append(tid)
    ctx_key = lambda s: span_key(s.get_span_context().trace_id, s.get_span_context().span_id)  # noqa: E731
    root_rec = expected[ctx_key(root)]
    # The workload's own checks: the features the comparison relies on really are in the data.
    assert root_rec.span["dropped_attributes_count"] == 4, root_rec.span["dropped_attributes_count"]
    assert root_rec.span["dropped_events_count"] == 2, root_rec.span["dropped_events_count"]
    rc = expected[ctx_key(remote_child)].span
    assert rc["dropped_links_count"] == 1 and rc["trace_state"] == "vendor=abc,other=x", rc
    assert rc["flags"] == 0x300, rc["flags"]  # HAS_IS_REMOTE | IS_REMOTE
    assert len(trace_ids) == 4
    facts = {"root_span_id": root_rec.span_id, "n": len(spans)}
    return Workload(rec, expected, trace_ids, facts)


def sdk_grpc_exporter(target: str, gzip_: bool = True):
    import grpc
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=target, insecure=True, timeout=10,
                            compression=grpc.Compression.Gzip if gzip_ else None)


# --------------------------------------------------------------------------------------------
# Waiting


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, context: Callable[[], str] | None = None,
               interval: float = 0.05):
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            v = predicate()
            if v:
                return v
        except (OSError, ValueError) as e:
            last_exc = e
        if time.monotonic() > deadline:
            msg = f"timed out after {timeout}s waiting for {what}"
            if last_exc is not None:
                msg += f" (last error: {last_exc})"
            if context is not None:
                msg += "\n" + context()
            raise AssertionError(msg)
        time.sleep(interval)
