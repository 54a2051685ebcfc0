import Compression
import Foundation
import GatewayCore
import HTTP2Transport
import OTLPWire
import Testing

@testable import FuzzHarness

/// Every fuzz target over the committed seed corpus (written by `scripts/fuzz-seeds`) and seeded mutations of
/// it, so each test run exercises the decoders on malformed input even without libFuzzer; `scripts/fuzz` runs
/// the same targets under libFuzzer and AddressSanitizer.
@Suite(.timeLimit(.minutes(2))) struct FuzzHarnessTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    static func seed(_ target: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: corpus.appendingPathComponent(target).appendingPathComponent(name)))
    }

    static func seeds(_ target: String) throws -> [[UInt8]] {
        let directory = corpus.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.map { Array(try Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    @Test(arguments: FuzzHarness.targets.map(\.name))
    func targetSurvivesItsSeedsAndTheirMutations(_ name: String) throws {
        let target = try #require(FuzzHarness.target(named: name))
        let seeds = try Self.seeds(name)
        #expect(!seeds.isEmpty, "no seeds for \(name): run scripts/fuzz-seeds")
        var random = Mutator(seed: 0x5eed ^ UInt64(name.utf8.count))
        for seed in seeds {
            seed.withUnsafeBytes { target.run($0) }
            for _ in 0..<300 {
                let mutated = random.mutate(seed)
                mutated.withUnsafeBytes { target.run($0) }
            }
        }
        // Inputs unrelated to any seed, including empty and one byte.
        for length in [0, 1, 2, 5, 9, 64] {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                bytes.withUnsafeBytes { target.run($0) }
            }
        }
    }

    // The seeds must reach the decoders' success paths, or the mutations only explore rejections.

    @Test func otlpSeedsDecode() throws {
        let arena = ProtobufArena()
        let traces = try Self.seed("otlp-protobuf", "traces.bin").dropFirst().withUnsafeBytes {
            try OTLPProtobuf.decodeTraces($0, arena: arena)
        }
        #expect(traces.spanCount == 3)
        let metrics = try Self.seed("otlp-protobuf", "metrics.bin").dropFirst().withUnsafeBytes {
            try OTLPProtobuf.decodeMetrics($0, arena: arena)
        }
        #expect(metrics.metricCount == 5)
        let logs = try Self.seed("otlp-protobuf", "logs.bin").dropFirst().withUnsafeBytes {
            try OTLPProtobuf.decodeLogs($0, arena: arena)
        }
        #expect(logs.logRecordCount == 2)
        // The nesting seeds sit on both sides of the limit.
        let atLimit = try Self.seed("otlp-validate", "nested-array-32.bin").dropFirst()
        #expect(try atLimit.withUnsafeBytes { try OTLPProtobuf.decodeTraces($0, arena: arena) }.spanCount == 1)
        for name in ["nested-array-40.bin", "nested-kvlist-33.bin", "bad-utf8-name.bin"] {
            let refused = try Self.seed("otlp-validate", name).dropFirst()
            #expect(throws: OTLPDecodingError.self) {
                try refused.withUnsafeBytes { try OTLPProtobuf.validate($0, signal: .traces) }
            }
        }
        #expect(try OTLPJSON.decodeTraces(Self.seed("otlp-json", "traces.json").dropFirst()).spanCount == 1)
        #expect(try OTLPJSON.decodeMetrics(Self.seed("otlp-json", "metrics.json").dropFirst()).metricCount == 3)
        #expect(try OTLPJSON.decodeLogs(Self.seed("otlp-json", "logs.json").dropFirst()).logRecordCount == 1)
    }

    @Test func compressionSeedsDecompress() throws {
        let gzip = try Self.seeds("gzip")
        #expect(try Gzip.decompress(gzip[0], limit: 1 << 20) == Array("hello hello hello hello".utf8))
        let snappy = try Self.seeds("snappy")
        #expect(try Snappy.decompress(snappy[0], limit: 1 << 20) == Array("abcabcabc".utf8))
        #expect(try Snappy.decompress(snappy[1], limit: 1 << 20) == Array("hello".utf8))
    }

    @Test func transportAndStatusSeedsParse() throws {
        let frames = try Self.seeds("grpc-frame")
        #expect(try GRPCFraming.unaryMessage(frames[0], limit: 1 << 20).compressed)
        let status = try Self.seeds("grpc-status")
        #expect(OTLPProtobuf.partialSuccess(status[0]).rejected == 3)
        #expect(parseRetryAfter(String(decoding: status[1], as: UTF8.self)) == .seconds(120))
        #expect(OTLPProtobuf.retryDelay(fromStatus: status[2]) == .milliseconds(2500))

        final class Requests: NGHTTP2SessionDelegate {
            var paths: [String] = []
            func session(_ session: NGHTTP2Session, didReceiveRequest request: HTTP2Message) {
                paths.append(request.headers[":path"] ?? "")
            }
            func session(_ session: NGHTTP2Session, didReceiveResponse response: HTTP2Message, errorCode: UInt32) {}
        }
        let h2 = try Self.seeds("http2-server")
        let session = NGHTTP2Session(role: .server)
        let requests = Requests()
        session.delegate = requests
        let input = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + h2[0]
        try input.withUnsafeBytes { try session.receive($0) }
        #expect(requests.paths == ["/opentelemetry.proto.collector.trace.v1.TraceService/Export"])
    }
}

/// Deterministic mutations of the kinds libFuzzer makes: bit flips, byte changes, insertions, deletions,
/// truncation, duplication of a slice, and interesting integer values.
struct Mutator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(4) {
            let at = below(bytes.count + 1)
            switch below(7) {
            case 0 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] ^= UInt8(1) << UInt8(below(8))
            case 1 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] = UInt8(truncatingIfNeeded: next())
            case 2: bytes.insert(UInt8(truncatingIfNeeded: next()), at: at)
            case 3 where !bytes.isEmpty: bytes.remove(at: min(at, bytes.count - 1))
            case 4: bytes.removeLast(bytes.count - at)
            case 5 where !bytes.isEmpty:
                let start = below(bytes.count)
                let end = min(bytes.count, start + 1 + below(16))
                bytes.insert(contentsOf: bytes[start..<end], at: at)
            default:
                let interesting: [UInt8] = [0x00, 0x7f, 0x80, 0xff, 0x01, 0x0f, 0x10, 0xfe]
                if !bytes.isEmpty { bytes[min(at, bytes.count - 1)] = interesting[below(interesting.count)] }
            }
        }
        return bytes
    }
}
