import GatewayCore
import PrometheusTranslation
import Testing

@Suite struct PrometheusLabelBuilderTests {
    let builder = PrometheusLabelBuilder(namer: PrometheusNamer())

    static let service = Resource(attributes: [
        "service.name": .string("vllm"),
        "service.namespace": .string("inference"),
        "service.instance.id": .string("pod-1"),
        "host.name": .string("h1"),
    ])

    func render(_ labels: [PrometheusLabel]?) -> String? {
        labels.map { $0.map(\.description).joined(separator: ",") }
    }

    // MARK: Points

    @Test func pointResourceAndScope() {
        let labels = builder.labels(
            point: ["model": .string("llama"), "http.method": .string("GET")],
            resource: Self.service,
            scope: InstrumentationScope(name: "vllm.engine", version: "0.6.0"))
        #expect(
            render(labels)
                == #"http_method="GET",instance="pod-1",job="inference/vllm",model="llama","#
                + #"otel_scope_name="vllm.engine",otel_scope_version="0.6.0""#
        )
    }

    @Test func collidingNamesJoinValuesInKeyByteOrder() {
        #expect(
            render(
                builder.labels(point: ["a_b": .string("2"), "a.b": .string("1")], resource: Resource(), scope: .init()))
                == #"a_b="1;2""#)
        // "-" (0x2D) sorts before "." (0x2E) and "_" (0x5F), whatever order the client sent.
        let three: Attributes = ["a_b": .string("x"), "a.b": .string("y"), "a-b": .string("z")]
        #expect(render(builder.labels(point: three, resource: Resource(), scope: .init())) == #"a_b="z;y;x""#)
    }

    @Test func collisionsWithEmptyValuesFollowPrometheus() {
        // An empty first value is no label yet; an empty later value still adds its separator.
        #expect(
            render(
                builder.labels(point: ["a.b": .string(""), "a_b": .string("x")], resource: Resource(), scope: .init()))
                == #"a_b="x""#)
        #expect(
            render(
                builder.labels(point: ["a.b": .string("x"), "a_b": .string("")], resource: Resource(), scope: .init()))
                == #"a_b="x;""#)
    }

    @Test func emptyValuesAreDropped() {
        let labels = builder.labels(
            point: ["empty": .string(""), "none": .empty, "bytes": .bytes([]), "kept": .int(0)], resource: Resource(),
            scope: InstrumentationScope())
        #expect(render(labels) == #"kept="0""#)
    }

    @Test func nonStringValuesAreStringified() {
        let labels = builder.labels(
            point: ["n": .int(42), "b": .bool(true), "d": .double(0.5), "l": .array([.string("x"), .int(1)])],
            resource: Resource(), scope: InstrumentationScope())
        #expect(render(labels) == #"b="true",d="0.5",l="["x",1]",n="42""#)
    }

    @Test func labelNamesAreEscaped() {
        let labels = builder.labels(
            point: [
                "2xx": .string("a"), "_private": .string("b"), "__meta": .string("c"), "température": .string("d"),
            ],
            resource: Resource(), scope: InstrumentationScope())
        #expect(render(labels) == #"__meta="c",key_2xx="a",key_private="b",temp_rature="d""#)
    }

    @Test func nameAttributeIsIgnored() {
        let labels = builder.labels(
            point: ["__name__": .string("evil"), "a": .string("1")], resource: Resource(), scope: .init())
        #expect(render(labels) == #"a="1""#)
    }

    // MARK: job and instance

    @Test func jobIsServiceNameOrNamespaceSlashName() {
        let nameOnly = Resource(attributes: ["service.name": .string("svc")])
        #expect(render(builder.labels(point: [:], resource: nameOnly, scope: .init())) == #"job="svc""#)
        let namespaceOnly = Resource(attributes: [
            "service.namespace": .string("ns"), "service.instance.id": .string("i"),
        ])
        #expect(render(builder.labels(point: [:], resource: namespaceOnly, scope: .init())) == #"instance="i""#)
        let emptyNamespace = Resource(attributes: ["service.name": .string("svc"), "service.namespace": .string("")])
        #expect(render(builder.labels(point: [:], resource: emptyNamespace, scope: .init())) == #"job="/svc""#)
        #expect(render(builder.labels(point: [:], resource: Resource(), scope: .init())) == "")
    }

    @Test func jobAndInstanceReplaceAttributesOfThatName() {
        let point: Attributes = ["job": .string("attr-job"), "instance": .string("attr-instance")]
        #expect(
            render(builder.labels(point: point, resource: Self.service, scope: .init()))
                == #"instance="pod-1",job="inference/vllm""#)
        #expect(
            render(builder.labels(point: point, resource: Resource(), scope: .init()))
                == #"instance="attr-instance",job="attr-job""#)
    }

    // MARK: Promotion and external labels

    @Test func promotedResourceAttributesGiveWayToPointAttributes() {
        let builder = PrometheusLabelBuilder(
            namer: PrometheusNamer(), promoteResourceAttributes: ["host.name", "k8s.pod.name", "absent"])
        let resource = Resource(attributes: [
            "host.name": .string("h1"), "k8s.pod.name": .string("p1"), "os.type": .string("linux"),
        ])
        #expect(
            render(builder.labels(point: [:], resource: resource, scope: .init()))
                == #"host_name="h1",k8s_pod_name="p1""#)
        #expect(
            render(builder.labels(point: ["k8s_pod_name": .string("mine")], resource: resource, scope: .init()))
                == #"host_name="h1",k8s_pod_name="mine""#)
    }

    @Test func promoteAllExceptIgnored() {
        let builder = PrometheusLabelBuilder(
            namer: PrometheusNamer(), promoteAllResourceAttributes: true, ignoreResourceAttributes: ["host.name"])
        #expect(
            render(builder.labels(point: [:], resource: Self.service, scope: .init()))
                == #"instance="pod-1",job="inference/vllm",service_instance_id="pod-1",service_name="vllm","#
                + #"service_namespace="inference""#
        )
    }

    @Test func externalLabelsOnlyFillGaps() {
        let builder = PrometheusLabelBuilder(
            namer: PrometheusNamer(), externalLabels: [("cluster", "c1"), ("job", "ext"), ("region", "r1")])
        #expect(
            render(builder.labels(point: ["region": .string("mine")], resource: Self.service, scope: .init()))
                == #"cluster="c1",instance="pod-1",job="inference/vllm",region="mine""#)
        #expect(
            render(builder.labels(point: [:], resource: Resource(), scope: .init()))
                == #"cluster="c1",job="ext",region="r1""#)
    }

    // MARK: Scope

    @Test func scopeLabels() {
        let scope = InstrumentationScope(name: "lib", version: "1.2", attributes: ["lib.kind": .string("x")])
        #expect(
            render(
                builder.labels(
                    point: [:], resource: Resource(), scope: scope,
                    scopeSchemaURL: "https://opentelemetry.io/schemas/1.26.0"))
                == #"otel_scope_lib_kind="x",otel_scope_name="lib","#
                + #"otel_scope_schema_url="https://opentelemetry.io/schemas/1.26.0",otel_scope_version="1.2""#
        )
    }

    @Test func scopeWithoutNameGivesNoScopeLabels() {
        let scope = InstrumentationScope(name: "", version: "1.2", attributes: ["lib.kind": .string("x")])
        #expect(render(builder.labels(point: [:], resource: Resource(), scope: scope)) == "")
    }

    @Test func scopeLabelsCanBeTurnedOff() {
        let builder = PrometheusLabelBuilder(namer: PrometheusNamer(), scopeLabels: false)
        #expect(
            render(
                builder.labels(point: [:], resource: Resource(), scope: InstrumentationScope(name: "lib", version: "1"))
            ) == "")
    }

    @Test func scopeLabelsReplacePointAttributes() {
        let point: Attributes = ["otel_scope_name": .string("fake"), "otel_scope_version": .string("fake")]
        // An empty scope version removes the attribute's label too, as Prometheus' label builder does.
        #expect(
            render(builder.labels(point: point, resource: Resource(), scope: InstrumentationScope(name: "lib")))
                == #"otel_scope_name="lib""#)
    }

    // MARK: Rejected keys

    @Test func unusableKeysAreSkippedOrRejectThePoint() {
        let point: Attributes = ["请求": .string("x"), "model": .string("m")]
        #expect(render(builder.labels(point: point, resource: Resource(), scope: .init())) == #"model="m""#)
        #expect(builder.acceptedLabels(point: point, resource: Resource(), scope: .init()) == nil)
        #expect(
            render(builder.acceptedLabels(point: ["model": .string("m")], resource: Self.service, scope: .init()))
                == #"instance="pod-1",job="inference/vllm",model="m""#)

        let promoting = PrometheusLabelBuilder(namer: PrometheusNamer(), promoteResourceAttributes: ["__"])
        let resource = Resource(attributes: ["__": .string("x")])
        #expect(render(promoting.labels(point: [:], resource: resource, scope: .init())) == "")
        #expect(promoting.acceptedLabels(point: [:], resource: resource, scope: .init()) == nil)
    }

    // MARK: No translation

    @Test func noTranslationKeepsKeys() {
        let builder = PrometheusLabelBuilder(namer: PrometheusNamer(strategy: .noTranslation))
        let point: Attributes = [
            "请求": .string("x"), "température": .string("20"), "http.method": .string("GET"), "a_b": .string("1"),
        ]
        let labels = builder.acceptedLabels(
            point: point, resource: Self.service,
            scope: InstrumentationScope(name: "lib", attributes: ["lib.kind": .string("k")]))
        #expect(
            render(labels)
                == #"a_b="1",http.method="GET",instance="pod-1",job="inference/vllm",otel_scope_lib.kind="k","#
                + #"otel_scope_name="lib",température="20",请求="x""#
        )
    }

    // MARK: target_info

    @Test func targetInfoCarriesTheOtherResourceAttributes() {
        let resource = Resource(attributes: [
            "service.name": .string("vllm"), "service.namespace": .string("inference"),
            "service.instance.id": .string("pod-1"), "host.name": .string("h1"), "os.type": .string("linux"),
            "gpu.count": .int(8),
        ])
        #expect(
            render(builder.targetInfoLabels(resource: resource))
                == #"gpu_count="8",host_name="h1",instance="pod-1",job="inference/vllm",os_type="linux""#)
    }

    @Test func noTargetInfoWithoutOtherAttributes() {
        let resource = Resource(attributes: ["service.name": .string("vllm"), "service.instance.id": .string("pod-1")])
        #expect(builder.targetInfoLabels(resource: resource) == nil)
        #expect(builder.targetInfoLabels(resource: Resource()) == nil)
    }

    @Test func noTargetInfoWithoutJobOrInstance() {
        #expect(builder.targetInfoLabels(resource: Resource(attributes: ["host.name": .string("h1")])) == nil)
        let instanceOnly = Resource(attributes: ["service.instance.id": .string("i"), "host.name": .string("h1")])
        #expect(render(builder.targetInfoLabels(resource: instanceOnly)) == #"host_name="h1",instance="i""#)
    }

    @Test func targetInfoKeepsPromotedAttributesAndAddsExternalLabels() {
        let builder = PrometheusLabelBuilder(
            namer: PrometheusNamer(), promoteResourceAttributes: ["host.name"], externalLabels: [("cluster", "c1")])
        let resource = Resource(attributes: ["service.name": .string("svc"), "host.name": .string("h1")])
        #expect(render(builder.targetInfoLabels(resource: resource)) == #"cluster="c1",host_name="h1",job="svc""#)
        // An external `job` label is enough of an identifier for Prometheus.
        let external = PrometheusLabelBuilder(namer: PrometheusNamer(), externalLabels: [("job", "ext")])
        #expect(
            render(external.targetInfoLabels(resource: Resource(attributes: ["host.name": .string("h1")])))
                == #"host_name="h1",job="ext""#)
    }

    @Test func targetInfoMergesCollidingKeysAndSkipsScope() {
        let resource = Resource(attributes: ["service.name": .string("s"), "a.b": .string("1"), "a_b": .string("2")])
        #expect(render(builder.targetInfoLabels(resource: resource)) == #"a_b="1;2",job="s""#)
    }

    @Test func targetInfoUnderNoTranslation() {
        let builder = PrometheusLabelBuilder(namer: PrometheusNamer(strategy: .noTranslation))
        let resource = Resource(attributes: ["service.name": .string("s"), "host.name": .string("h1")])
        #expect(render(builder.targetInfoLabels(resource: resource)) == #"host.name="h1",job="s""#)
    }
}

/// The merge of a point's labels with its resource and scope part must equal applying Prometheus' steps one after
/// another (point labels; promoted fill; `job`/`instance` set; external fill; scope labels set, empty removes),
/// whatever overlaps between them.
@Suite struct PrometheusLabelBuilderMergeTests {
    static let names = ["job", "instance", "a", "b", "host_name", "otel_scope_name", "otel_scope_x", "z", "ext"]

    /// The steps, one after another, over a dictionary.
    static func reference(
        point: Attributes, resource: Resource, scope: InstrumentationScope, promoted: [String],
        external: [(String, String)]
    ) -> [PrometheusLabel] {
        var set: [String: String] = [:]
        for a in point where a.key != "__name__" { set[a.key] = prometheusLabelValue(a.value) }
        set = set.filter { !$0.value.isEmpty }
        func fill(_ n: String, _ v: String) { if set[n] == nil, !v.isEmpty { set[n] = v } }
        func assign(_ n: String, _ v: String) { set[n] = v.isEmpty ? nil : v }
        for a in resource.attributes where promoted.contains(a.key) {
            fill(a.key.replacingDots(), prometheusLabelValue(a.value))
        }
        // As Prometheus: with `service.name` present (even empty), `service.namespace` prefixes it.
        var job = ""
        if let name = resource.attributes["service.name"] {
            job = prometheusLabelValue(name)
            if let ns = resource.attributes["service.namespace"] { job = prometheusLabelValue(ns) + "/" + job }
        }
        if !job.isEmpty { assign("job", job) }
        if let i = resource.attributes["service.instance.id"].map(prometheusLabelValue), !i.isEmpty {
            assign("instance", i)
        }
        for (n, v) in external where !n.isEmpty { fill(n, v) }
        if !scope.name.isEmpty {
            // An empty scope attribute is no label (it does not remove the point's).
            for a in scope.attributes where !prometheusLabelValue(a.value).isEmpty {
                assign("otel_scope_" + a.key, prometheusLabelValue(a.value))
            }
            assign("otel_scope_name", scope.name)
            assign("otel_scope_version", scope.version)
            assign("otel_scope_schema_url", "")
        }
        return set.map { PrometheusLabel(name: $0.key, value: $0.value) }.sorted()
    }

    @Test func mergeEqualsTheStepsOneAfterAnother() {
        var rng = SystemRandomNumberGenerator()
        func value() -> AnyValue {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return .string("")
            case 1: return .int(Int64.random(in: 0..<3, using: &rng))
            default: return .string(["x", "y"].randomElement(using: &rng)!)
            }
        }
        for _ in 0..<500 {
            let point = Attributes(
                Self.names.filter { _ in Bool.random(using: &rng) }.map { Attribute(key: $0, value: value()) }
                    + (Bool.random(using: &rng) ? [Attribute(key: "__name__", value: .string("n"))] : []))
            var resource: [Attribute] = []
            if Bool.random(using: &rng) { resource.append(Attribute(key: "service.name", value: value())) }
            if Bool.random(using: &rng) { resource.append(Attribute(key: "service.namespace", value: value())) }
            if Bool.random(using: &rng) { resource.append(Attribute(key: "service.instance.id", value: value())) }
            if Bool.random(using: &rng) { resource.append(Attribute(key: "host.name", value: value())) }
            if Bool.random(using: &rng) { resource.append(Attribute(key: "z", value: value())) }
            let scope = InstrumentationScope(
                name: Bool.random(using: &rng) ? "lib" : "", version: Bool.random(using: &rng) ? "1" : "",
                attributes: Attributes(
                    ["x", "name"].filter { _ in Bool.random(using: &rng) }.map { Attribute(key: $0, value: value()) }))
            let external = [("ext", "e"), ("job", "ej"), ("a", "ea"), ("host_name", "eh")].filter { _ in
                Bool.random(using: &rng)
            }
            let promoted = ["host.name", "z"].filter { _ in Bool.random(using: &rng) }
            let builder = PrometheusLabelBuilder(
                namer: PrometheusNamer(), promoteResourceAttributes: promoted, externalLabels: external)
            let r = Resource(attributes: Attributes(resource))
            let expected = Self.reference(
                point: point, resource: r, scope: scope, promoted: promoted, external: external)
            #expect(builder.labels(point: point, resource: r, scope: scope) == expected)
        }
    }
}

extension String {
    fileprivate func replacingDots() -> String { String(map { $0 == "." ? "_" : $0 }) }
}
