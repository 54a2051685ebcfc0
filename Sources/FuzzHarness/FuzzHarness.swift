internal import Compression
internal import Gateway
internal import GatewayConfig
internal import GatewayCore
internal import HTTP2Transport
internal import MemoryTraceExporter
internal import OTLPWire
internal import OTTL
internal import PrometheusReceiver

/// One fuzz target per decoder that reads untrusted bytes: what receivers decode (OTLP protobuf and JSON, gzip,
/// snappy, gRPC framing, HTTP/2 frames), what exporters read back from downstream (google.rpc.Status,
/// RetryInfo, partial success, Retry-After) and what users write (collector.yaml, Go durations).
///
/// Each target must return for every input without trapping, and checks a property where the decoder has one:
/// decoded OTLP re-encodes to a fixed point, decompressed output respects its limit and survives a round trip.
/// A violated property traps, which libFuzzer reports as a crash with the input that caused it.
///
/// Driven by libFuzzer through `otlp-gateway-fuzz` (`scripts/fuzz`), and by the unit tests over the committed
/// seed corpus plus seeded mutations, so every normal test run exercises the same code.
public enum FuzzHarness {
    /// A target's name (as `scripts/fuzz` takes it) and its entry point.
    public struct Target: Sendable {
        public let name: String
        public let run: @Sendable (UnsafeRawBufferPointer) -> Void
    }

    public static let targets: [Target] = [
        Target(name: "otlp-protobuf", run: otlpProtobuf),
        Target(name: "otlp-json", run: otlpJSON),
        Target(name: "otlp-validate", run: otlpValidate),
        Target(name: "gzip", run: gzip),
        Target(name: "snappy", run: snappy),
        Target(name: "snappy-framed", run: snappyFramed),
        Target(name: "zstd", run: zstd),
        Target(name: "lz4", run: lz4),
        Target(name: "prometheus-text", run: prometheusText),
        Target(name: "ottl", run: ottl),
        Target(name: "traceql", run: traceQL),
        Target(name: "grpc-frame", run: grpcFrame),
        Target(name: "http2-server", run: http2Server),
        Target(name: "grpc-status", run: grpcStatus),
        Target(name: "config", run: config),
    ]

    public static func target(named name: String) -> Target? { targets.first { $0.name == name } }

    static let decompressionLimit = 1 << 20

    // MARK: OTLP

    /// The first byte picks the signal. Decoded data re-encodes to bytes that decode and re-encode to the same
    /// bytes: the encoder's output is canonical and the decoder loses nothing the encoder writes.
    static func otlpProtobuf(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first else { return }
        let body = UnsafeRawBufferPointer(rebasing: input.dropFirst())
        let arena = ProtobufArena()
        switch selector % 3 {
        case 0:
            guard let decoded = try? OTLPProtobuf.decodeTraces(body, arena: arena) else { return }
            checkFixedPoint(OTLPProtobuf.encode(decoded)) {
                try OTLPProtobuf.encode(OTLPProtobuf.decodeTraces($0, arena: arena))
            }
        case 1:
            guard let decoded = try? OTLPProtobuf.decodeMetrics(body, arena: arena) else { return }
            checkFixedPoint(OTLPProtobuf.encode(decoded)) {
                try OTLPProtobuf.encode(OTLPProtobuf.decodeMetrics($0, arena: arena))
            }
        default:
            guard let decoded = try? OTLPProtobuf.decodeLogs(body, arena: arena) else { return }
            checkFixedPoint(OTLPProtobuf.encode(decoded)) {
                try OTLPProtobuf.encode(OTLPProtobuf.decodeLogs($0, arena: arena))
            }
        }
    }

    /// The non-recursive validator that runs before protobuf-c: whatever it accepts goes through protobuf-c's
    /// unpack and our readers without a crash or a memory error (AddressSanitizer watches), and whatever decodes
    /// must have passed it. protobuf-c may still refuse a few well-formed but unusual encodings the validator lets
    /// through (a fuzzer found one: repeated occurrences of singular fields nested in kvlists, which Python's
    /// protobuf merges); such a request is answered INVALID_ARGUMENT like any other, so that is allowed here.
    static func otlpValidate(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first else { return }
        let body = UnsafeRawBufferPointer(rebasing: input.dropFirst())
        let signal: Signal = [.traces, .metrics, .logs][Int(selector % 3)]
        let arena = ProtobufArena()
        let valid = (try? OTLPProtobuf.validate(body, signal: signal)) != nil
        let failure: OTLPDecodingError?
        var decodedTraces: Traces?
        do throws(OTLPDecodingError) {
            switch signal {
            case .traces: decodedTraces = try OTLPProtobuf.decodeTraces(body, arena: arena)
            case .metrics: _ = try OTLPProtobuf.decodeMetrics(body, arena: arena)
            case .logs: _ = try OTLPProtobuf.decodeLogs(body, arena: arena)
            }
            failure = nil
        } catch {
            failure = error
        }
        if !valid { precondition(failure != nil, "decoded a request the validator refused") }
        guard signal == .traces else { return }
        // The reader that forwards traces undecoded accepts what decodes, counts the same spans, and forwards
        // bytes that decode to the same model.
        let wire = try? OTLPProtobuf.wireTraces(body)
        if !valid { precondition(wire == nil, "the wire reader accepted a request the validator refused") }
        guard let decodedTraces else { return }
        guard let wire else { preconditionFailure("the wire reader refused a request that decodes") }
        precondition(wire.spanCount == decodedTraces.spanCount, "the wire reader counted other spans")
        precondition(wire.resourceSpanCount == decodedTraces.resourceSpans.count, "other resource count")
        precondition(wire.resourceSpans == decodedTraces.resourceSpans, "forwarded bytes decode to another model")
        checkLazyReaders(wire, decodedTraces)
    }

    /// The lazy readers (`spanmetrics` and the `memory` exporter read forwarded traces through them) see, in
    /// order, the fields the full decode gives, and a store fed the bytes answers as one fed the model.
    static func checkLazyReaders(_ wire: Traces, _ decoded: Traces) {
        guard let bytes = wire.wire else { return }
        var spans: [(ResourceSpans, Span)] = []
        for rs in decoded.resourceSpans {
            for ss in rs.scopeSpans { for span in ss.spans { spans.append((rs, span)) } }
        }
        var index = 0
        let complete = OTLPProtobuf.forEachWireSpan(bytes) { view in
            precondition(index < spans.count, "the lazy reader saw more spans than the decode")
            let (rs, span) = spans[index]
            index += 1
            precondition(view.string(view.name) == span.name, "lazy name differs")
            precondition(view.kind == span.kind.rawValue && view.statusCode == span.status.code.rawValue, "kind/status")
            precondition(view.startTimeUnixNano == span.startTimeUnixNano, "lazy start differs")
            precondition(view.endTimeUnixNano == span.endTimeUnixNano, "lazy end differs")
            precondition(view.traceIDValue == span.traceID && view.spanIDValue == span.spanID, "lazy ids differ")
            precondition(view.attributeCount >= span.attributes.count, "lazy attribute count")
            for attribute in span.attributes {
                precondition(
                    view.spanAttribute(attribute.key).map(view.value) == attribute.value, "lazy span attribute differs")
            }
            if let service = rs.resource.attributes["service.name"] {
                precondition(view.resourceAttribute("service.name").map(view.value) == service, "lazy resource")
            }
        }
        precondition(complete && index == spans.count, "the lazy reader did not see every span")
        let (fromBytes, fromModel) = (RecentTraceStore(maxBytes: 1 << 26), RecentTraceStore(maxBytes: 1 << 26))
        fromBytes.add(wire)
        fromModel.add(decoded)
        for (_, span) in spans.prefix(8) {
            precondition(
                fromBytes.trace(id: span.traceID) == fromModel.trace(id: span.traceID),
                "stored bytes decode differently")
        }
    }

    /// JSON decoded by our reader must encode to protobuf that protobuf-c accepts and that is a fixed point too.
    static func otlpJSON(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first else { return }
        let body = UnsafeRawBufferPointer(rebasing: input.dropFirst())
        let arena = ProtobufArena()
        switch selector % 3 {
        case 0:
            guard let decoded = try? OTLPJSON.decodeTraces(body) else { return }
            checkFixedPoint(OTLPProtobuf.encode(decoded)) {
                try OTLPProtobuf.encode(OTLPProtobuf.decodeTraces($0, arena: arena))
            }
        case 1:
            guard let decoded = try? OTLPJSON.decodeMetrics(body) else { return }
            checkFixedPoint(OTLPProtobuf.encode(decoded)) {
                try OTLPProtobuf.encode(OTLPProtobuf.decodeMetrics($0, arena: arena))
            }
        default:
            guard let decoded = try? OTLPJSON.decodeLogs(body) else { return }
            checkFixedPoint(OTLPProtobuf.encode(decoded)) {
                try OTLPProtobuf.encode(OTLPProtobuf.decodeLogs($0, arena: arena))
            }
        }
    }

    /// `bytes` (our encoding of something decoded) must decode and re-encode to itself.
    private static func checkFixedPoint(_ bytes: [UInt8], _ roundTrip: (UnsafeRawBufferPointer) throws -> [UInt8]) {
        let again: [UInt8]
        do {
            again = try bytes.withUnsafeBytes { try roundTrip($0) }
        } catch {
            preconditionFailure("our own encoding of decoded data does not decode: \(error)")
        }
        precondition(
            again == bytes, "re-encoding decoded data is not a fixed point (\(bytes.count) vs \(again.count) bytes)")
    }

    // MARK: Compression

    static func gzip(_ input: UnsafeRawBufferPointer) {
        guard let output = try? Gzip.decompress(input, limit: decompressionLimit) else { return }
        precondition(output.count <= decompressionLimit, "gzip output over its limit")
        let again = try? Gzip.decompress(Gzip.compress(output), limit: decompressionLimit)
        precondition(again == output, "gzip round trip changed the data")
    }

    static func snappy(_ input: UnsafeRawBufferPointer) {
        guard let output = try? Snappy.decompress(input, limit: decompressionLimit) else { return }
        precondition(output.count <= decompressionLimit, "snappy output over its limit")
        let again = try? Snappy.decompress(Snappy.compress(output), limit: decompressionLimit)
        precondition(again == output, "snappy round trip changed the data")
    }

    static func snappyFramed(_ input: UnsafeRawBufferPointer) {
        guard let output = try? SnappyFramed.decompress(Array(input), limit: decompressionLimit) else { return }
        precondition(output.count <= decompressionLimit, "framed snappy output over its limit")
        let again = try? SnappyFramed.decompress(SnappyFramed.compress(output), limit: decompressionLimit)
        precondition(again == output, "framed snappy round trip changed the data")
    }

    static func zstd(_ input: UnsafeRawBufferPointer) {
        guard let output = try? Zstd.decompress(input, limit: decompressionLimit) else { return }
        precondition(output.count <= decompressionLimit, "zstd output over its limit")
        let again = try? Zstd.decompress(Zstd.compress(output), limit: decompressionLimit)
        precondition(again == output, "zstd round trip changed the data")
    }

    static func lz4(_ input: UnsafeRawBufferPointer) {
        guard let output = try? LZ4.decompress(input, limit: decompressionLimit) else { return }
        precondition(output.count <= decompressionLimit, "lz4 output over its limit")
        let again = try? LZ4.decompress(LZ4.compress(output), limit: decompressionLimit)
        precondition(again == output, "lz4 round trip changed the data")
    }

    // MARK: What scrape targets and configs bring

    /// The first byte picks text 0.0.4 or OpenMetrics; whatever parses has every sample in a family, and names and
    /// label names the exposition allows.
    static func prometheusText(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first else { return }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: input.dropFirst()), as: UTF8.self)
        guard let families = try? PrometheusTextParser.parse(text, openMetrics: selector % 2 == 1) else { return }
        for family in families {
            for sample in family.samples {
                precondition(!sample.name.isEmpty, "a sample without a name")
                precondition(sample.labels.allSatisfy { !$0.name.isEmpty }, "a label without a name")
            }
        }
    }

    /// The first byte picks a condition or a statement; parsing any text returns or throws, never traps, and
    /// nesting is bounded.
    static func ottl(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first else { return }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: input.dropFirst()), as: UTF8.self)
        if selector % 2 == 0 {
            guard let condition = try? OTTLCondition.parse(text) else { return }
            _ = condition.evaluate(
                OTTLSpan(
                    span: Span(traceID: .invalid, spanID: .invalid, name: text), resource: Resource(),
                    scope: InstrumentationScope()))
        } else {
            _ = try? OTTLStatement.parse(text)
        }
    }

    /// A TraceQL query (Grafana's search, the live page's) run against a store of one trace: parsing returns or
    /// throws, never traps, and a query that parses is answered.
    static func traceQL(_ input: UnsafeRawBufferPointer) {
        let text = String(decoding: input, as: UTF8.self)
        let query = "q=" + text.utf8.map { "%" + String($0, radix: 16) }.joined()
        _ = traceQLStore.handle(method: "GET", path: "/api/search", query: query)
    }

    static let traceQLStore: TempoAPI = {
        let store = RecentTraceStore(maxBytes: 1 << 20)
        let span = Span(
            traceID: TraceID(high: 1, low: 2), spanID: SpanID(value: 3), name: "GET /", startTimeUnixNano: 1,
            endTimeUnixNano: 1_000_000, attributes: ["http.status_code": .int(500), "a": .string("b")])
        store.add(
            Traces(resourceSpans: [
                ResourceSpans(
                    resource: Resource(attributes: ["service.name": .string("svc")]),
                    scopeSpans: [ScopeSpans(spans: [span])])
            ]))
        return TempoAPI(store: store)
    }()

    // MARK: Transport

    static func grpcFrame(_ input: UnsafeRawBufferPointer) {
        let body = Array(input)
        let limit = 4096
        if let message = try? GRPCFraming.unaryMessage(body, limit: limit) {
            precondition(message.bytes.count <= limit && message.bytes.count == body.count - 5, "gRPC message bounds")
            precondition(GRPCFraming.announcedLength(body) == message.bytes.count, "announced length disagrees")
        }
        _ = GRPCFraming.percentDecode(String(decoding: body, as: UTF8.self))
    }

    /// Bytes from a client into a server session, in three reads split where the input says; every request that
    /// completes is answered, as the receiver does, and the output drained.
    static func http2Server(_ input: UnsafeRawBufferPointer) {
        let session = NGHTTP2Session(role: .server)
        let delegate = AnsweringDelegate()
        session.delegate = delegate
        var output: [UInt8] = []
        // The client preface first, so the fuzzer explores frames rather than the 24 fixed bytes.
        let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        let data = preface + Array(input)
        let cut1 = data.count / 3
        let cut2 = 2 * data.count / 3
        for range in [0..<cut1, cut1..<cut2, cut2..<data.count] {
            let ok = data[range].withUnsafeBytes { (try? session.receive($0)) != nil }
            session.drainOutput(into: &output)
            if !ok { break }
        }
    }

    private final class AnsweringDelegate: NGHTTP2SessionDelegate {
        func session(_ session: NGHTTP2Session, didReceiveRequest request: HTTP2Message) {
            session.respond(
                streamID: request.streamID, headers: [HTTP2Header(":status", "200")], body: [0, 0, 0, 0, 0],
                trailers: [HTTP2Header("grpc-status", "0")])
        }

        func session(_ session: NGHTTP2Session, didReceiveResponse response: HTTP2Message, errorCode: UInt32) {}
    }

    // MARK: Downstream answers

    /// What an exporter reads from a downstream server: a serialized google.rpc.Status (with RetryInfo), an
    /// export response's partial_success, and Retry-After.
    static func grpcStatus(_ input: UnsafeRawBufferPointer) {
        let bytes = Array(input)
        if let delay = OTLPProtobuf.retryDelay(fromStatus: bytes) {
            precondition(delay >= .zero, "negative retry delay")
        }
        _ = OTLPProtobuf.statusMessage(bytes)
        _ = OTLPProtobuf.partialSuccess(bytes)
        if let delay = parseRetryAfter(String(decoding: bytes, as: UTF8.self)) {
            precondition(delay >= .zero, "negative Retry-After")
        }
    }

    // MARK: Configuration

    static func config(_ input: UnsafeRawBufferPointer) {
        let text = String(decoding: input, as: UTF8.self)
        _ = try? GatewayConfiguration.parse(yaml: text, environment: ["A": "1"], components: Components.table)
        _ = parseGoDuration(text)
    }
}
