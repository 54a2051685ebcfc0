"""Hand-built protobuf and HTTP/2 bytes for hostile-input tests: what the real SDKs never send (AnyValue
nested thousands deep, invalid UTF-8, HPACK bombs, bad gRPC prefixes) cannot be made with them, and Python's
protobuf would itself refuse to build or parse some of it. Protobuf encoding follows the wire format spec;
HTTP/2 framing uses hyper-h2's frame and HPACK libraries (hyperframe, hpack) so only what is deliberately
malformed is written by hand."""

from __future__ import annotations

import socket
import struct
import time

import hpack
from hyperframe.frame import (DataFrame, Frame, GoAwayFrame, HeadersFrame, RstStreamFrame, SettingsFrame,
                              WindowUpdateFrame)

# ------------------------------------------------------------------------------------------ protobuf


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2)."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def fixed64_field(number: int, value: int) -> bytes:
    return varint(number << 3 | 1) + struct.pack("<Q", value)


def nested_any_value(depth: int, kind: str = "array") -> bytes:
    """An AnyValue nested `depth` AnyValues deep (the outermost counts as 1), through array_value (5) or
    kvlist_value (6), built from the inside out without recursion."""
    value = field(1, b"leaf")  # AnyValue.string_value
    for _ in range(depth - 1):
        if kind == "array":
            value = field(5, field(1, value))  # AnyValue.array_value -> ArrayValue.values
        else:
            value = field(6, field(1, field(1, b"k") + field(2, value)))  # kvlist_value -> values -> KeyValue
    return value


def key_value(key: bytes, any_value: bytes) -> bytes:
    return field(1, key) + field(2, any_value)


def traces_request(attribute_value: bytes, *, name: bytes = b"span") -> bytes:
    span = (field(1, b"\x01" * 16) + field(2, b"\x02" * 8) + field(5, name)
            + fixed64_field(7, 1_000_000_000) + fixed64_field(8, 2_000_000_000)
            + field(9, key_value(b"deep", attribute_value)))
    return field(1, field(2, field(2, span)))  # resource_spans -> scope_spans -> spans


def metrics_request(attribute_value: bytes, *, name: bytes = b"hostile.gauge") -> bytes:
    point = field(7, key_value(b"deep", attribute_value)) + fixed64_field(3, 1_000_000_000) \
        + varint(4 << 3 | 1) + struct.pack("<d", 1.5)
    metric = field(1, name) + field(5, field(1, point))  # gauge -> data_points
    return field(1, field(2, field(2, metric)))  # resource_metrics -> scope_metrics -> metrics


def logs_request(body_value: bytes) -> bytes:
    record = fixed64_field(1, 1_000_000_000) + field(5, body_value)  # body
    return field(1, field(2, field(2, record)))  # resource_logs -> scope_logs -> log_records


REQUESTS = {"traces": traces_request, "metrics": metrics_request, "logs": logs_request}


def grpc_frame(message: bytes, flag: int = 0) -> bytes:
    return bytes([flag]) + struct.pack(">I", len(message)) + message


# ------------------------------------------------------------------------------------------ HTTP/2

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class RawH2:
    """A bare HTTP/2 client connection: frames in, frames out, HPACK through the hpack library (or raw bytes)."""

    def __init__(self, host: str, port: int, *, initial_window: int | None = None, timeout: float = 10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.decoder.max_allowed_table_size = 1 << 20
        self.buffer = b""
        settings = SettingsFrame(0)
        if initial_window is not None:
            settings.settings[SettingsFrame.INITIAL_WINDOW_SIZE] = initial_window
        self.sock.sendall(PREFACE + settings.serialize())

    def close(self) -> None:
        self.sock.close()

    def send(self, frame: Frame) -> None:
        self.sock.sendall(frame.serialize())

    def headers_block(self, headers: list[tuple[str, str]]) -> bytes:
        return self.encoder.encode(headers)

    def request_headers(self, path: str, extra: list[tuple[str, str]] = (), *, host: str = "localhost") -> bytes:
        return self.headers_block([(":method", "POST"), (":scheme", "http"), (":path", path),
                                   (":authority", host), ("content-type", "application/grpc"),
                                   ("te", "trailers"), *extra])

    def send_headers(self, stream_id: int, block: bytes, *, end_stream: bool = False) -> None:
        """Sends a header block, split into a HEADERS frame and CONTINUATION frames of 16 KiB."""
        from hyperframe.frame import ContinuationFrame
        chunks = [block[i:i + 16384] for i in range(0, len(block), 16384)] or [b""]
        first = HeadersFrame(stream_id, data=chunks[0])
        if end_stream:
            first.flags.add("END_STREAM")
        if len(chunks) == 1:
            first.flags.add("END_HEADERS")
        self.send(first)
        for i, chunk in enumerate(chunks[1:], start=1):
            cont = ContinuationFrame(stream_id, data=chunk)
            if i == len(chunks) - 1:
                cont.flags.add("END_HEADERS")
            self.send(cont)

    def send_data(self, stream_id: int, data: bytes, *, end_stream: bool = True) -> None:
        for i in range(0, max(len(data), 1), 16384):
            frame = DataFrame(stream_id, data=data[i:i + 16384])
            if end_stream and i + 16384 >= len(data):
                frame.flags.add("END_STREAM")
            self.send(frame)

    def read_frame(self, timeout: float) -> Frame | None:
        """The next frame, or None at EOF; raises socket.timeout when none arrives in time."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buffer) >= 9:
                length = int.from_bytes(self.buffer[:3], "big")
                if len(self.buffer) >= 9 + length:
                    frame, _ = Frame.parse_frame_header(memoryview(self.buffer[:9]))
                    frame.parse_body(memoryview(self.buffer[9:9 + length]))
                    self.buffer = self.buffer[9 + length:]
                    if isinstance(frame, SettingsFrame) and "ACK" not in frame.flags:
                        ack = SettingsFrame(0)
                        ack.flags.add("ACK")
                        self.send(ack)
                    return frame
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no frame in time")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk

    def response(self, stream_id: int, timeout: float = 5.0) -> dict:
        """Collects one stream's answer: decoded headers (and trailers), DATA, and a reset code if reset."""
        out = {"headers": {}, "data": b"", "reset": None, "goaway": None, "closed": False}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            frame = self.read_frame(deadline - time.monotonic())
            if frame is None:
                out["closed"] = True
                return out
            if isinstance(frame, GoAwayFrame):
                out["goaway"] = frame.error_code
            if frame.stream_id != stream_id:
                continue
            if isinstance(frame, HeadersFrame):
                for k, v in self.decoder.decode(frame.data):
                    out["headers"][k if isinstance(k, str) else k.decode()] = v if isinstance(v, str) else v.decode()
            elif isinstance(frame, DataFrame):
                out["data"] += frame.data
                if frame.flow_controlled_length:
                    self.send(WindowUpdateFrame(0, window_increment=frame.flow_controlled_length))
            elif isinstance(frame, RstStreamFrame):
                out["reset"] = frame.error_code
                return out
            if "END_STREAM" in frame.flags:
                return out
        raise socket.timeout(f"stream {stream_id} not answered within {timeout}s")


def hpack_bomb_block(references: int, value_size: int = 4000) -> bytes:
    """One literal header added to the HPACK dynamic table (incremental indexing, new name), then referenced
    by index `references` times: a few KB on the wire that decode to references * value_size bytes."""
    name = b"x-bomb"
    value = b"a" * value_size
    literal = b"\x40" + hpack_string(name) + hpack_string(value)
    return literal + b"\xbe" * references  # index 62 = the first dynamic-table entry


def hpack_plain_request(path: str) -> bytes:
    """A gRPC request's headers as HPACK literals without indexing, so the dynamic table holds only what a test
    adds on purpose."""
    fields = [(b":method", b"POST"), (b":scheme", b"http"), (b":path", path.encode()), (b":authority", b"localhost"),
              (b"content-type", b"application/grpc"), (b"te", b"trailers")]
    return b"".join(b"\x00" + hpack_string(n) + hpack_string(v) for n, v in fields)


def hpack_string(s: bytes) -> bytes:
    """An HPACK string literal without Huffman coding (7-bit prefix integer length)."""
    n = len(s)
    if n < 127:
        return bytes([n]) + s
    out = bytearray([127])
    n -= 127
    while n >= 128:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out) + s
