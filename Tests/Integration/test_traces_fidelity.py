"""What leaves equals what came in: randomized OTLP trace requests built with opentelemetry-proto (many resources
and scopes, every attribute type, nested arrays and maps, events, links, trace state, flags, dropped counts,
schema URLs, fields this schema does not know) and a workload from the real Python SDK go through one gateway
(otlp in over gRPC, OTLP/HTTP protobuf and OTLP/HTTP JSON -> batch -> `otlp` and `otlphttp` out) to two Python
downstream receivers. Both sides are parsed with Python's protobuf and compared as multisets of spans, resource
and scope included; protobuf input is forwarded byte for byte, so even unknown fields arrive."""

from __future__ import annotations

import collections
import json
import random

import tracehelpers as th
from gwhelpers import Ports, http_post
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts
from opentelemetry.proto.common.v1 import common_pb2 as cm
from opentelemetry.proto.trace.v1 import trace_pb2 as tr

# Field 1000 (varint 7) and field 1001 (bytes "x"): unknown to OTLP, kept by protobuf parsers as unknown fields.
UNKNOWN = bytes([0xC0, 0x3E, 0x07, 0xCA, 0x3E, 0x01, 0x78])


def any_value(rng: random.Random, depth: int = 0) -> cm.AnyValue:
    v = cm.AnyValue()
    kind = rng.randrange(7 if depth < 3 else 5)
    if kind == 0:
        v.string_value = rng.choice(["", "plain", "ünïcödé ✓", "x" * rng.randrange(1, 300)])
    elif kind == 1:
        v.bool_value = rng.random() < 0.5
    elif kind == 2:
        v.int_value = rng.randrange(-(2**63), 2**63)
    elif kind == 3:
        v.double_value = rng.uniform(-1e9, 1e9)
    elif kind == 4:
        v.bytes_value = rng.randbytes(rng.randrange(0, 20))
    elif kind == 5:
        v.array_value.values.extend(any_value(rng, depth + 1) for _ in range(rng.randrange(0, 4)))
    else:
        for i in range(rng.randrange(0, 4)):
            v.kvlist_value.values.add(key=f"k{i}", value=any_value(rng, depth + 1))
    return v


def attributes(rng: random.Random, target, n: int) -> None:
    for i in range(n):
        target.add(key=f"attr.{i}.{rng.randrange(1000)}", value=any_value(rng))


def with_unknown(message):
    """The same message with fields this schema does not know appended, as a newer client might send."""
    return type(message).FromString(message.SerializeToString() + UNKNOWN)


def random_request(rng: random.Random, seq: int) -> ts.ExportTraceServiceRequest:
    req = ts.ExportTraceServiceRequest()
    for r in range(rng.randrange(1, 4)):
        rs = req.resource_spans.add()
        rs.resource.attributes.add(key="service.name", value=cm.AnyValue(string_value=f"fidelity-{seq}-{r}"))
        attributes(rng, rs.resource.attributes, rng.randrange(0, 5))
        rs.resource.dropped_attributes_count = rng.randrange(0, 3)
        rs.schema_url = rng.choice(["", "https://opentelemetry.io/schemas/1.26.0"])
        for s in range(rng.randrange(1, 4)):
            ss = rs.scope_spans.add()
            ss.scope.name = f"scope-{s}"
            ss.scope.version = rng.choice(["", "1.2.3"])
            attributes(rng, ss.scope.attributes, rng.randrange(0, 3))
            ss.schema_url = rng.choice(["", "https://s/1"])
            for k in range(rng.randrange(1, 8)):
                sp = tr.Span(
                    trace_id=rng.randbytes(16), span_id=rng.randbytes(8),
                    parent_span_id=rng.choice([b"", rng.randbytes(8)]), trace_state=rng.choice(["", "a=b,c=d"]),
                    flags=rng.choice([0, 1, 0x101, 0x301]), name=f"op-{seq}-{r}-{s}-{k}",
                    kind=rng.randrange(0, 6), start_time_unix_nano=rng.randrange(1, 2**62),
                    end_time_unix_nano=rng.randrange(1, 2**62),
                    dropped_attributes_count=rng.randrange(0, 3), dropped_events_count=rng.randrange(0, 3),
                    dropped_links_count=rng.randrange(0, 3))
                attributes(rng, sp.attributes, rng.randrange(0, 12))
                for e in range(rng.randrange(0, 3)):
                    ev = sp.events.add(time_unix_nano=rng.randrange(1, 2**62), name=f"event-{e}")
                    attributes(rng, ev.attributes, rng.randrange(0, 3))
                for _ in range(rng.randrange(0, 3)):
                    link = sp.links.add(trace_id=rng.randbytes(16), span_id=rng.randbytes(8),
                                        trace_state=rng.choice(["", "x=y"]), flags=rng.choice([0, 0x100]))
                    attributes(rng, link.attributes, rng.randrange(0, 3))
                sp.status.code = rng.randrange(0, 3)
                sp.status.message = rng.choice(["", "failed"]) if sp.status.code == 2 else ""
                ss.spans.append(with_unknown(sp) if rng.random() < 0.3 else sp)
    return req


def canonical(records) -> collections.Counter:
    """A multiset of spans with their resource and scope, independent of grouping and order."""
    return collections.Counter(
        json.dumps([r.resource, r.resource_schema_url, r.scope, r.scope_schema_url, r.span], sort_keys=True,
                   default=repr)
        for r in records)


def raw_spans(requests) -> collections.Counter:
    """The serialized spans (unknown fields included) with their serialized resource and scope."""
    out = collections.Counter()
    for req in requests:
        for rs in req.resource_spans:
            for ss in rs.scope_spans:
                for sp in ss.spans:
                    out[(rs.resource.SerializeToString(deterministic=True), rs.schema_url,
                         ss.scope.SerializeToString(deterministic=True), ss.schema_url,
                         sp.SerializeToString(deterministic=True))] += 1
    return out


def test_randomized_requests_arrive_unchanged_at_both_exporters(gateways, grpc_channel_factory):
    grpc_rx = th.GRPCTraceReceiver().start()
    http_rx = th.HTTPTraceReceiver().start()
    try:
        ports = Ports.allocate()
        exporters = {
            "otlp/down": th.otlp_exporter(grpc_rx.target),
            "otlphttp/down": th.otlphttp_exporter(f"http://127.0.0.1:{http_rx.port}"),
        }
        gw = gateways.start(th.traces_gateway_config(ports, exporters), ports=ports)
        rng = random.Random(20261202)
        channel = grpc_channel_factory(gw.grpc_target)
        sent_proto, sent_json = [], []
        for seq in range(60):
            req = random_request(rng, seq)
            way = seq % 3
            if way == 0:
                resp = th.send_traces_grpc(channel, req)
                assert not resp.HasField("partial_success"), resp
                sent_proto.append(req)
            elif way == 1:
                answer = http_post(gw.http_url("/v1/traces"), req.SerializeToString())
                assert answer.status_code == 200, answer.text
                sent_proto.append(req)
            else:
                # JSON carries no unknown fields: send the request as JSON would describe it.
                plain = ts.ExportTraceServiceRequest.FromString(req.SerializeToString())
                for rs in plain.resource_spans:
                    for ss in rs.scope_spans:
                        for sp in ss.spans:
                            sp.DiscardUnknownFields()
                body = json.dumps(th.request_to_otlp_json(plain)).encode()
                answer = http_post(gw.http_url("/v1/traces"), body, "application/json")
                assert answer.status_code == 200, answer.text
                sent_json.append(plain)
        workload = th.emit_workload(th.sdk_grpc_exporter(gw.grpc_target))

        expected = canonical([r for req in sent_proto + sent_json for r in th.span_records(req)])
        expected += canonical(workload.expected.values())
        total = sum(expected.values())
        th.wait_until(lambda: len(grpc_rx.accepted_spans()) >= total and http_rx.span_count() >= total, 30,
                      f"{total} spans at both receivers", context=gw.logs_tail)

        for name, rx in (("otlp", grpc_rx), ("otlphttp", http_rx)):
            got = canonical(rx.accepted_spans())
            missing, extra = expected - got, got - expected
            assert not missing and not extra, (
                f"{name}: {sum(missing.values())} spans missing, {sum(extra.values())} unexpected; "
                f"first missing: {next(iter(missing), None)}; first unexpected: {next(iter(extra), None)}")

        # Protobuf in, protobuf out: forwarded as received, so every span (unknown fields included) is
        # byte-identical at the gRPC downstream.
        grpc_requests = [c.request for c in grpc_rx.snapshot() if c.answer.code == "OK"]
        received = raw_spans(grpc_requests)
        assert raw_spans(sent_proto) - received == collections.Counter()
        unknown = sum(1 for key in received if UNKNOWN in key[4])
        assert unknown > 0, "no span with unknown fields reached the downstream"
    finally:
        grpc_rx.stop()
        http_rx.stop()
