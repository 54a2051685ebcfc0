public import GatewayCore

/// Builds the labels of each series from a data point and its resource and scope, as Prometheus' OTLP translator
/// does.
public struct PrometheusLabelBuilder: Sendable {
    /// Names labels.
    public let namer: PrometheusNamer
    /// Resource attributes copied onto every series (when ``promoteAllResourceAttributes`` is false).
    public let promoteResourceAttributes: [String]
    /// Copies every resource attribute onto every series, except ``ignoreResourceAttributes``.
    public let promoteAllResourceAttributes: Bool
    /// Resource attributes not copied when ``promoteAllResourceAttributes`` is true.
    public let ignoreResourceAttributes: [String]
    /// Labels added to every series that does not already have them; used as given.
    public let externalLabels: [(String, String)]
    /// Whether series get `otel_scope_name`, `otel_scope_version`, `otel_scope_schema_url` and `otel_scope_<key>`
    /// labels for their instrumentation scope.
    public let scopeLabels: Bool

    private let promoted: Set<ByteString>
    private let ignored: Set<ByteString>

    /// A builder naming labels with `namer`. `promoteResourceAttributes` (default none) lists resource attributes to
    /// copy onto every series; `promoteAllResourceAttributes` (default false) copies all but
    /// `ignoreResourceAttributes`. `externalLabels` (default none) are added where a series lacks them. `scopeLabels`
    /// (default true) adds the instrumentation scope labels.
    public init(
        namer: PrometheusNamer,
        promoteResourceAttributes: [String] = [],
        promoteAllResourceAttributes: Bool = false,
        ignoreResourceAttributes: [String] = [],
        externalLabels: [(String, String)] = [],
        scopeLabels: Bool = true
    ) {
        self.namer = namer
        self.promoteResourceAttributes = promoteResourceAttributes
        self.promoteAllResourceAttributes = promoteAllResourceAttributes
        self.ignoreResourceAttributes = ignoreResourceAttributes
        self.externalLabels = externalLabels
        self.scopeLabels = scopeLabels
        self.promoted = Set(promoteResourceAttributes.map(ByteString.init))
        self.ignored = Set(ignoreResourceAttributes.map(ByteString.init))
    }

    /// The full label set of one point, sorted by name in byte order, without `__name__`, `le` or `quantile`
    /// (add those with `Array.setLabel(_:_:)`).
    ///
    /// In order, as Prometheus builds it: the point attributes (an attribute `__name__` is ignored; under
    /// underscore escaping, attributes whose names collide are merged into one label, their values joined with
    /// `;` in the byte order of the original keys); promoted resource attributes the point does not already have;
    /// `job` (`service.namespace/service.name`, or `service.name`) and `instance` (`service.instance.id`), which
    /// replace attributes of those names; external labels the series does not already have; and, when the scope has
    /// a name and ``scopeLabels`` is on, `otel_scope_<key>` for each scope attribute, then `otel_scope_name`,
    /// `otel_scope_version` and `otel_scope_schema_url`. Empty values are dropped.
    ///
    /// An attribute whose key cannot be a label name (see ``PrometheusNamer/labelName(_:)``) is skipped here;
    /// Prometheus rejects the whole point instead, as ``acceptedLabels(point:resource:scope:scopeSchemaURL:)`` does.
    public func labels(
        point: Attributes, resource: Resource, scope: InstrumentationScope, scopeSchemaURL: String = ""
    ) -> [PrometheusLabel] {
        labels(point: point, context: context(resource: resource, scope: scope, scopeSchemaURL: scopeSchemaURL))
    }

    /// What a point's labels take from its resource and scope, worked out once for all their points, as two sorted
    /// lists a point's labels are merged with.
    public struct Context: Sendable {
        /// Labels that replace the point's: `job`, `instance` and the scope labels; an empty value removes the label.
        fileprivate var overriding: [PrometheusLabel] = []
        /// Labels the point gets where it lacks them: promoted resource attributes, then external labels.
        fileprivate var filling: [PrometheusLabel] = []
        /// False where Prometheus rejects the points: a promoted or scope attribute key cannot be a label name.
        fileprivate var acceptable = true
    }

    /// The resource and scope part of ``labels(point:resource:scope:scopeSchemaURL:)``.
    public func context(resource: Resource, scope: InstrumentationScope, scopeSchemaURL: String = "") -> Context {
        var context = Context()
        var promotedSet = LabelSetBuilder()
        if promoteAllResourceAttributes || !promoted.isEmpty {
            for attribute in resource.attributes {
                let key = ByteString(attribute.key)
                guard promoteAllResourceAttributes ? !ignored.contains(key) : promoted.contains(key) else { continue }
                let name = namer.labelName(attribute.key)
                if name.isEmpty {
                    context.acceptable = false
                    continue
                }
                promotedSet.set(name, prometheusLabelValue(attribute.value))
            }
        }
        // In the order Prometheus applies them: promoted attributes fill, `job` and `instance` replace, external
        // labels fill, scope labels replace (see `labels(point:resource:scope:scopeSchemaURL:)`). Replacing names
        // and filling names never depend on each other's order, so each side is one sorted list.
        var filling = promotedSet
        for (name, value) in externalLabels where !name.isEmpty { filling.fill(name, value) }
        context.filling = filling.labels
        var overriding: [PrometheusLabel] = []
        let (job, instance) = jobAndInstance(resource)
        if !job.isEmpty { overriding.append(PrometheusLabel(name: "job", value: job)) }
        if !instance.isEmpty { overriding.append(PrometheusLabel(name: "instance", value: instance)) }
        if scopeLabels, !scope.name.isEmpty {
            var scopeSet = LabelSetBuilder(capacity: scope.attributes.count)
            for attribute in scope.attributes {
                let name = namer.labelName("otel_scope_" + attribute.key)
                if name.isEmpty {
                    context.acceptable = false
                    continue
                }
                scopeSet.set(name, prometheusLabelValue(attribute.value))
            }
            // Set after the attributes so that an attribute cannot replace them; empty values remove the label.
            overriding += scopeSet.labels
            overriding += [
                PrometheusLabel(name: "otel_scope_name", value: scope.name),
                PrometheusLabel(name: "otel_scope_version", value: scope.version),
                PrometheusLabel(name: "otel_scope_schema_url", value: scopeSchemaURL),
            ]
        }
        // The last setting of a name wins; sorted by name in byte order, empty values kept (they remove).
        var byName: [PrometheusLabel] = []
        for label in overriding.reversed() where !byName.contains(where: { utf8Equal($0.name, label.name) }) {
            byName.append(label)
        }
        context.overriding = byName.sorted { utf8Less($0.name, $1.name) }
        return context
    }

    /// ``labels(point:resource:scope:scopeSchemaURL:)`` with the resource and scope part worked out already.
    public func labels(point: Attributes, context: Context) -> [PrometheusLabel] {
        build(point: point, context: context, strict: false)!
    }

    /// The labels of ``labels(point:resource:scope:scopeSchemaURL:)``, or nil where Prometheus rejects the point
    /// because a point, promoted or scope attribute key cannot be a label name.
    public func acceptedLabels(
        point: Attributes, resource: Resource, scope: InstrumentationScope, scopeSchemaURL: String = ""
    ) -> [PrometheusLabel]? {
        build(
            point: point, context: context(resource: resource, scope: scope, scopeSchemaURL: scopeSchemaURL),
            strict: true)
    }

    /// The labels of the `target_info` series for a resource: its attributes except `service.name`,
    /// `service.namespace` and `service.instance.id` (merged as point attributes are), `job`, `instance`, and the
    /// external labels the series lacks.
    ///
    /// Nil when Prometheus writes no `target_info`: the resource has no attribute besides those three, or the
    /// series would have neither `job` nor `instance`. Like Prometheus, promoted attributes stay in `target_info`.
    public func targetInfoLabels(resource: Resource) -> [PrometheusLabel]? {
        let attributes = resource.attributes
        var nonIdentifying = attributes.count
        for key in Self.identifyingAttributes where attributes[key] != nil { nonIdentifying -= 1 }
        guard nonIdentifying > 0 else { return nil }

        var set = LabelSetBuilder(capacity: attributes.count + externalLabels.count)
        _ = addAttributes(attributes, to: &set, strict: false) { key in
            Self.identifyingAttributes.contains(key) || key == "__name__"
        }
        let (job, instance) = jobAndInstance(resource)
        if !job.isEmpty { set.set("job", job) }
        if !instance.isEmpty { set.set("instance", instance) }
        addExternalLabels(to: &set)
        guard !set.get("job").isEmpty || !set.get("instance").isEmpty else { return nil }
        return set.labels
    }

    static let identifyingAttributes = ["service.namespace", "service.name", "service.instance.id"]

    private func build(point: Attributes, context: Context, strict: Bool) -> [PrometheusLabel]? {
        if strict, !context.acceptable { return nil }
        let own: [PrometheusLabel]
        if let fast = pointLabels(point) {
            own = fast
        } else {
            var set = LabelSetBuilder(capacity: point.count)
            guard addAttributes(point, to: &set, strict: strict, skip: { $0 == "__name__" }) else { return nil }
            own = set.labels
        }
        return Self.merge(own, context)
    }

    /// The point's own labels when its keys are label names as they are and come in byte order (the common case):
    /// one pass, one array. Nil sends the point through `addAttributes`, which escapes, merges and sorts.
    private func pointLabels(_ point: Attributes) -> [PrometheusLabel]? {
        var labels: [PrometheusLabel] = []
        labels.reserveCapacity(point.count)
        var previous: String?
        let escapes = namer.strategy.escapes
        for attribute in point {
            let key = attribute.key
            guard key != "__name__", escapes ? PrometheusNameRules.isLabelNameKeptAsIs(key) : !key.isEmpty else {
                return nil
            }
            if let previous, !utf8Less(previous, key) { return nil }
            previous = key
            let value = prometheusLabelValue(attribute.value)
            if !value.isEmpty { labels.append(PrometheusLabel(name: key, value: value)) }
        }
        return labels
    }

    /// `own` (sorted, unique, no empty values) with the context's labels: a replacing label wins over the point's,
    /// which wins over a filling one; a replacing label with an empty value removes the name.
    private static func merge(_ own: [PrometheusLabel], _ context: Context) -> [PrometheusLabel] {
        let (o, f) = (context.overriding, context.filling)
        if o.isEmpty, f.isEmpty { return own }
        var out: [PrometheusLabel] = []
        out.reserveCapacity(own.count + o.count + f.count)
        var (i, j, k) = (0, 0, 0)
        while i < own.count || j < o.count || k < f.count {
            // The smallest name among the three heads.
            var name: String?
            if i < own.count { name = own[i].name }
            if j < o.count, name.map({ utf8Less(o[j].name, $0) }) ?? true { name = o[j].name }
            if k < f.count, name.map({ utf8Less(f[k].name, $0) }) ?? true { name = f[k].name }
            let n = name!
            let inOwn = i < own.count && utf8Equal(own[i].name, n)
            let inOverriding = j < o.count && utf8Equal(o[j].name, n)
            let inFilling = k < f.count && utf8Equal(f[k].name, n)
            if inOverriding {
                if !o[j].value.isEmpty { out.append(o[j]) }
            } else if inOwn {
                out.append(own[i])
            } else if inFilling {
                out.append(f[k])
            }
            if inOwn { i += 1 }
            if inOverriding { j += 1 }
            if inFilling { k += 1 }
        }
        return out
    }

    /// Adds attributes as labels to an empty set; false when `strict` and a key cannot be a label name.
    private func addAttributes(
        _ attributes: Attributes, to set: inout LabelSetBuilder, strict: Bool, skip: (String) -> Bool
    ) -> Bool {
        // (original key, label name, value), in the byte order of the original keys.
        var entries: [(key: String, name: String, value: String)] = []
        entries.reserveCapacity(attributes.count)
        for attribute in attributes where !skip(attribute.key) {
            let name = namer.strategy.escapes ? namer.labelName(attribute.key) : attribute.key
            if name.isEmpty {
                if strict { return false }
                continue
            }
            entries.append((attribute.key, name, prometheusLabelValue(attribute.value)))
        }
        // Attributes sorts keys by String order, which differs from byte order only for keys that are not in
        // Unicode normal form C.
        if !isSorted(entries, by: { utf8Less($0.key, $1.key) }) {
            entries.sort { utf8Less($0.key, $1.key) }
        }
        // Escaping can reorder names and make them collide: order by name, colliding ones still by key.
        if !isSorted(entries, by: { utf8Less($0.name, $1.name) }) {
            let order = entries.indices.sorted { a, b in
                let byName = utf8Compare(entries[a].name, entries[b].name)
                return byName != 0 ? byName < 0 : a < b
            }
            entries = order.map { entries[$0] }
        }

        var labels: [PrometheusLabel] = []
        labels.reserveCapacity(entries.count)
        for entry in entries {
            if let last = labels.last, utf8Equal(last.name, entry.name) {
                // Colliding values are joined, as Prometheus does; an empty first value counts as no label yet.
                labels[labels.count - 1].value = last.value.isEmpty ? entry.value : last.value + ";" + entry.value
            } else {
                labels.append(PrometheusLabel(name: entry.name, value: entry.value))
            }
        }
        labels.removeAll { $0.value.isEmpty }
        set = LabelSetBuilder(sorted: labels)
        return true
    }

    private func isSorted<T>(_ entries: [T], by less: (T, T) -> Bool) -> Bool {
        var i = 1
        while i < entries.count {
            if !less(entries[i - 1], entries[i]) { return false }
            i += 1
        }
        return true
    }

    /// `job` (`service.namespace/service.name`, or `service.name`) and `instance` (`service.instance.id`); empty
    /// where the resource lacks them.
    private func jobAndInstance(_ resource: Resource) -> (job: String, instance: String) {
        let attributes = resource.attributes
        var job = ""
        if let serviceName = attributes["service.name"] {
            job = prometheusLabelValue(serviceName)
            if let serviceNamespace = attributes["service.namespace"] {
                job = prometheusLabelValue(serviceNamespace) + "/" + job
            }
        }
        return (job, attributes["service.instance.id"].map { prometheusLabelValue($0) } ?? "")
    }

    private func addExternalLabels(to set: inout LabelSetBuilder) {
        for (name, value) in externalLabels where !name.isEmpty { set.fill(name, value) }
    }
}
