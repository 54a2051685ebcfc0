import ComponentKit
import ConfigTestSupport
import GatewayConfig
import OTLPReceiver
import Testing

/// The listeners' connection limits and timeouts: the Collector's keys (`keepalive.server_parameters`,
/// `read_header_timeout`, `idle_timeout`, `write_timeout`, `read_timeout`) and our own bounds.
@Suite struct OTLPReceiverLimitsConfigTests {
    private func receiver(_ body: String) throws -> OTLPReceiverConfig {
        let config = try GatewayConfiguration.parse(yaml: document(receivers: body), environment: [:])
        guard let otlp = config.receivers[ComponentID(type: "otlp")] as? OTLPReceiverConfig else {
            Issue.record("no otlp receiver")
            return OTLPReceiverConfig()
        }
        return otlp
    }

    @Test func safeDefaults() {
        let grpc = GRPCServerConfig()
        #expect(grpc.maxConnectionIdle == .seconds(600))
        #expect(grpc.maxConnectionAge == nil)
        #expect(grpc.handshakeTimeout == .seconds(10))
        #expect(grpc.streamIdleTimeout == .seconds(60))
        #expect(grpc.maxConnections == 4096)
        #expect(grpc.maxHeaderListSize == 16384)
        let http = HTTPServerConfig()
        #expect(http.readHeaderTimeout == .seconds(60))
        #expect(http.idleTimeout == .seconds(60))
        #expect(http.writeTimeout == .seconds(30))
        #expect(http.maxConnections == 4096)
    }

    @Test func collectorKeysAreRead() throws {
        let otlp = try receiver(
            """
            otlp:
              protocols:
                grpc:
                  max_connections: 100
                  handshake_timeout: 2s
                  stream_idle_timeout: 0s
                  keepalive:
                    server_parameters:
                      max_connection_idle: 30s
                      max_connection_age: 5m
                      max_connection_age_grace: 10s
                      time: 2h
                      timeout: 20s
                    enforcement_policy:
                      min_time: 5s
                      permit_without_stream: true
                http:
                  read_header_timeout: 5s
                  idle_timeout: 0s
                  write_timeout: 10s
                  read_timeout: 1m
                  max_header_list_size: 8192
            """)
        let grpc = try #require(otlp.grpc)
        #expect(grpc.maxConnections == 100)
        #expect(grpc.handshakeTimeout == .seconds(2))
        #expect(grpc.streamIdleTimeout == nil)
        #expect(grpc.maxConnectionIdle == .seconds(30))
        #expect(grpc.maxConnectionAge == .seconds(300))
        #expect(grpc.maxConnectionAgeGrace == .seconds(10))
        let http = try #require(otlp.http)
        #expect(http.readHeaderTimeout == .seconds(5))
        #expect(http.idleTimeout == nil)
        #expect(http.writeTimeout == .seconds(10))
        #expect(http.maxHeaderListSize == 8192)
    }

    @Test func badValuesAreRefusedByPath() {
        let lines = problems(
            document(
                receivers:
                    "otlp:\n  protocols:\n    grpc:\n      max_connections: 0\n      keepalive:\n        server_parameters:\n          max_connection_idle: soon"
            ))
        #expect(lines.contains("receivers.otlp.protocols.grpc.max_connections: must be at least 1, got 0"))
        #expect(
            lines.contains(
                "receivers.otlp.protocols.grpc.keepalive.server_parameters.max_connection_idle: expected a duration like 200ms or 5s, got \"soon\""
            ))
    }
}
