import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import TestSupport
import Testing

@testable import ResourceDetectionProcessor

@Suite struct ResourceDetectionProcessorTests {
    static func config(_ body: String) throws -> ResourceDetectionConfig {
        let yaml = document(
            processors: "resourcedetection:\n" + body,
            service:
                "pipelines:\n  traces:\n    receivers: [otlp]\n    processors: [resourcedetection]\n    exporters: [debug]"
        )
        let parsed = try GatewayConfiguration.parse(yaml: yaml, environment: [:])
        return try #require(parsed.processors[ComponentID(type: "resourcedetection")] as? ResourceDetectionConfig)
    }

    static func resources(_ config: ResourceDetectionConfig, env: [String: String], existing: Attributes) throws
        -> Attributes
    {
        let detected = config.detect(environment: env)
        let sink = RecordingConsumer<Traces>()
        try ResourceDetectionProcessor(detected: detected, override: config.override, next: sink).consume(
            Traces(resourceSpans: [ResourceSpans(resource: Resource(attributes: existing), scopeSpans: [])]))
        return try #require(sink.received.first?.resourceSpans.first?.resource.attributes)
    }

    @Test func envAttributesArePercentDecodedAndOverrideDecides() throws {
        let env = ["OTEL_RESOURCE_ATTRIBUTES": "k8s.pod.name=pod-1, service.name=from%20env,broken,team=a%2Cb"]
        let overriding = try Self.config("  detectors: [env]")
        let out = try Self.resources(overriding, env: env, existing: ["service.name": .string("app")])
        #expect(out["k8s.pod.name"] == .string("pod-1"))
        #expect(out["service.name"] == .string("from env"))
        #expect(out["team"] == .string("a,b"))
        let keeping = try Self.config("  detectors: [env]\n  override: false")
        #expect(
            try Self.resources(keeping, env: env, existing: ["service.name": .string("app")])["service.name"]
                == .string("app"))
    }

    @Test func systemAttributesFollowTheirSwitches() throws {
        let defaults = try Self.config("  detectors: [system]")
        let out = try Self.resources(defaults, env: [:], existing: [:])
        #expect(out["os.type"] == .string("linux"))
        if case .string(let name)? = out["host.name"] { #expect(!name.isEmpty) } else { Issue.record("no host.name") }
        #expect(out["host.arch"] == nil)
        let arch = try Self.config(
            "  detectors: [system]\n  system:\n    resource_attributes:\n      host.arch: {enabled: true}\n      os.type: {enabled: false}"
        )
        let archOut = try Self.resources(arch, env: [:], existing: [:])
        #expect(archOut["host.arch"] != nil)
        #expect(archOut["os.type"] == nil)
    }

    @Test func cloudDetectorsAreSkippedAndUnknownOnesRefused() throws {
        let config = try Self.config("  detectors: [env, ec2, gcp]\n  ec2:\n    tags: [a]")
        #expect(config.skipped == ["ec2", "gcp"])
        #expect(
            problems(
                document(
                    processors: "resourcedetection:\n  detectors: [env, marsrover]",
                    service:
                        "pipelines:\n  traces:\n    receivers: [otlp]\n    processors: [resourcedetection]\n    exporters: [debug]"
                ))
                == [#"processors.resourcedetection.detectors: unknown detector "marsrover""#])
    }
}
