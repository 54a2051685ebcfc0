import ComponentKit
import ConfigTestSupport
import GatewayConfig
import OTLPReceiver
import Testing

@Suite struct OTLPReceiverConfigTests {
    private func receiver(_ body: String) throws -> OTLPReceiverConfig {
        let config = try GatewayConfiguration.parse(yaml: document(receivers: body), environment: [:])
        guard let otlp = config.receivers[ComponentID(type: "otlp")] as? OTLPReceiverConfig else {
            Issue.record("no otlp receiver")
            return OTLPReceiverConfig()
        }
        return otlp
    }

    @Test func defaults() {
        let grpc = GRPCServerConfig()
        #expect(grpc.endpoint == "127.0.0.1:4317")
        #expect(grpc.maxRecvMsgSizeMiB == 4)
        #expect(grpc.maxConcurrentStreams == 100)
        #expect(grpc.readBufferSize == 524_288)
        let http = HTTPServerConfig()
        #expect(http.endpoint == "127.0.0.1:4318")
        #expect(http.maxRequestBodySize == 20_971_520)
        #expect(http.tracesURLPath == "/v1/traces")
        #expect(http.metricsURLPath == "/v1/metrics")
        #expect(http.logsURLPath == "/v1/logs")
    }

    @Test func presentButNullEnablesWithDefaults() throws {
        #expect(
            try receiver("otlp:\n  protocols:\n    grpc:") == OTLPReceiverConfig(grpc: GRPCServerConfig(), http: nil))
        #expect(
            try receiver("otlp:\n  protocols:\n    http: {}") == OTLPReceiverConfig(grpc: nil, http: HTTPServerConfig())
        )
    }

    @Test func needsAtLeastOneProtocol() {
        let expected = ["receivers.otlp.protocols: must enable at least one of grpc, http"]
        #expect(problems(document(receivers: "otlp:")) == expected)
        #expect(problems(document(receivers: "otlp:\n  protocols:")) == expected)
        #expect(
            problems(document(receivers: "otlp:\n  protocols:\n    grpc:\notlp/2:\n  protocols: {}")) == [
                "receivers.otlp/2.protocols: must enable at least one of grpc, http"
            ])
    }

    @Test func protocolMustBeAMapping() {
        #expect(
            problems(document(receivers: "otlp:\n  protocols:\n    grpc: yes")) == [
                #"receivers.otlp.protocols.grpc: expected a mapping, got "yes""#
            ])
    }

    @Test func grpcProblems() {
        let yaml = document(
            receivers: """
                otlp:
                  protocols:
                    grpc:
                      endpoint: nonsense
                      max_recv_msg_size_mib: 0
                      max_concurrent_streams: 0
                      read_buffer_size: -1
                      keepalive_settings: {}
                """)
        #expect(
            problems(yaml) == [
                #"receivers.otlp.protocols.grpc.endpoint: expected host:port, got "nonsense""#,
                "receivers.otlp.protocols.grpc.max_recv_msg_size_mib: must be between 1 and 4095, got 0",
                "receivers.otlp.protocols.grpc.max_concurrent_streams: must be at least 1, got 0",
                "receivers.otlp.protocols.grpc.read_buffer_size: must be at least 0, got -1",
                "receivers.otlp.protocols.grpc.keepalive_settings: unknown key",
            ])
    }

    @Test func httpProblems() {
        let yaml = document(
            receivers: """
                otlp:
                  protocols:
                    http:
                      endpoint: "localhost:99999"
                      max_request_body_size: 0
                      traces_url_path: "/v1/traces?x=1"
                      bogus_key: 1
                """)
        #expect(
            problems(yaml) == [
                #"receivers.otlp.protocols.http.endpoint: expected host:port, got "localhost:99999""#,
                "receivers.otlp.protocols.http.max_request_body_size: must be at least 1, got 0",
                #"receivers.otlp.protocols.http.traces_url_path: expected a URL path like /v1/traces, got "/v1/traces?x=1""#,
                "receivers.otlp.protocols.http.bogus_key: unknown key",
            ])
    }

    @Test func urlPathsGetALeadingSlashAndMustDiffer() throws {
        let http = try receiver("otlp:\n  protocols:\n    http:\n      traces_url_path: custom/traces").http
        #expect(http?.tracesURLPath == "/custom/traces")
        #expect(
            problems(document(receivers: "otlp:\n  protocols:\n    http:\n      logs_url_path: v1/traces")) == [
                #"receivers.otlp.protocols.http.logs_url_path: same path as traces_url_path, "/v1/traces""#
            ])
    }

    @Test func grpcAndHTTPCannotShareAPort() throws {
        #expect(
            problems(
                document(
                    receivers:
                        "otlp:\n  protocols:\n    grpc:\n      endpoint: 0.0.0.0:5000\n    http:\n      endpoint: 127.0.0.1:5000"
                )) == [
                    #"receivers.otlp.protocols.http.endpoint: "127.0.0.1:5000" conflicts with grpc endpoint "0.0.0.0:5000""#
                ])
        // Different hosts, or ephemeral ports, do not conflict.
        _ = try receiver(
            "otlp:\n  protocols:\n    grpc:\n      endpoint: 127.0.0.1:5000\n    http:\n      endpoint: 10.0.0.1:5000")
        _ = try receiver(
            "otlp:\n  protocols:\n    grpc:\n      endpoint: 127.0.0.1:0\n    http:\n      endpoint: 127.0.0.1:0")
    }

    @Test func unknownReceiverType() {
        #expect(
            problems(document(receivers: "otlp:\n  protocols:\n    grpc:\nkafka:")) == [
                #"receivers.kafka: unknown type "kafka""#
            ])
    }
}
