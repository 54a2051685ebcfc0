public import AttributeActions
public import ComponentKit
public import GatewayCore

/// The `attributes` processor, `processors.attributes[/name]`, in the Collector's shape: `actions` on the attributes
/// of spans, log records and metric data points, limited by `include` and `exclude`.
public struct AttributesProcessorConfig: ComponentConfig {
    /// `actions`, applied in order; at least one.
    public var actions: AttributeActions
    /// `include`: only items matching these properties are changed; nil changes every item.
    public var include: MatchProperties?
    /// `exclude`: items matching these properties are left alone.
    public var exclude: MatchProperties?

    public init(actions: AttributeActions, include: MatchProperties? = nil, exclude: MatchProperties? = nil) {
        self.actions = actions
        self.include = include
        self.exclude = exclude
    }

    init(from reader: MappingReader) {
        let actions = AttributeAction.decodeList(reader, key: "actions")
        let include = reader.section("include") { MatchProperties(from: $0) }
        let exclude = reader.section("exclude") { MatchProperties(from: $0) }
        self.init(actions: AttributeActions(actions), include: include, exclude: exclude)
    }

    /// Why this config cannot be used in a pipeline of `signal`: a property for another signal.
    public func signalProblem(_ signal: Signal) -> String? {
        for (name, properties) in [("include", include), ("exclude", exclude)] {
            guard let properties else { continue }
            if let field = properties.fieldsOnlyFor(other: signal).first {
                return "\(name).\(field) does not apply to \(signal.rawValue)"
            }
        }
        return nil
    }
}

/// `include` / `exclude`: an item matches when every property given matches (one of the listed names, all of the
/// listed attributes).
public struct MatchProperties: Sendable {
    /// `match_type`: `strict` (equal) or `regexp` (a match anywhere in the text, as Go's `MatchString`).
    public enum MatchType: String, Sendable, CaseIterable {
        case strict, regexp
    }

    public var matchType: MatchType
    public var services: [Pattern] = []
    public var spanNames: [Pattern] = []
    public var spanKinds: [Pattern] = []
    public var metricNames: [Pattern] = []
    public var logBodies: [Pattern] = []
    public var logSeverityTexts: [Pattern] = []
    /// `log_severity_number`: `min`, and whether a record without a severity (0) matches.
    public var logSeverityNumber: (min: Int32, matchUndefined: Bool)?
    public var attributes: [AttributeMatch] = []
    public var resources: [AttributeMatch] = []
    public var libraries: [(name: Pattern, version: Pattern?)] = []

    /// A name to compare, strict or as a compiled expression.
    public struct Pattern: Sendable {
        public let text: String
        let regex: CompiledPattern?

        public func matches(_ value: String) -> Bool {
            if let regex { return regex.matches(value) }
            return value == text
        }
    }

    /// `{key, value}`: the key must be present, and when `value` is given, equal to it (strict) or match it
    /// (regexp, on the value's text).
    public struct AttributeMatch: Sendable {
        public let key: String
        public let value: AnyValue?
        let pattern: Pattern?

        func matches(_ attributes: Attributes) -> Bool {
            guard let found = attributes[key] else { return false }
            guard let value else { return true }
            if let pattern { return pattern.matches(found.displayString) }
            return found == value
        }
    }

    init(from reader: MappingReader) {
        let typeText = reader.scalar("match_type", expected: "strict or regexp")
        matchType = typeText.flatMap(MatchType.init(rawValue:)) ?? .strict
        if let typeText, MatchType(rawValue: typeText) == nil {
            reader.report("match_type", "expected strict or regexp, got \(quoted(typeText))")
        } else if typeText == nil {
            reader.report("match_type", "required: strict or regexp")
        }
        let regexp = matchType == .regexp
        func patterns(_ key: String) -> [Pattern] {
            guard let list = reader.stringList(key) else { return [] }
            return list.strings.compactMap { Self.pattern($0, regexp: regexp, reader: reader, key: key) }
        }
        services = patterns("services")
        spanNames = patterns("span_names")
        spanKinds = patterns("span_kinds")
        metricNames = patterns("metric_names")
        logBodies = patterns("log_bodies")
        logSeverityTexts = patterns("log_severity_texts")
        logSeverityNumber = reader.section("log_severity_number") { section in
            (
                min: Int32(section.int("min", default: 0, min: 0, max: 24)),
                matchUndefined: section.bool("match_undefined", default: false)
            )
        }
        attributes = Self.attributeMatches(reader, "attributes", regexp: regexp)
        resources = Self.attributeMatches(reader, "resources", regexp: regexp)
        libraries = (reader.mappingList("libraries", expected: "a mapping like {name: lib, version: 1.0}") ?? [])
            .compactMap { item in
                defer { item.finish() }
                guard let name = item.scalar("name", expected: "a library name") else {
                    item.report("name", "required")
                    return nil
                }
                guard let namePattern = Self.pattern(name, regexp: regexp, reader: item, key: "name") else {
                    return nil
                }
                let version = item.scalar("version", expected: "a version").flatMap {
                    Self.pattern($0, regexp: regexp, reader: item, key: "version")
                }
                return (namePattern, version)
            }
        if reader.contains("regexp") {
            // The Collector's regexp cache settings: a cache is not needed here (expressions are compiled once).
            _ = reader.value("regexp")
        }
        if fieldsSet.isEmpty {
            reader.report("needs at least one property to match (services, span_names, attributes, ...)")
        }
    }

    static func pattern(_ text: String, regexp: Bool, reader: MappingReader, key: String) -> Pattern? {
        guard regexp else { return Pattern(text: text, regex: nil) }
        do {
            return Pattern(text: text, regex: try CompiledPattern(text))
        } catch {
            reader.report(key, "invalid regular expression \(quoted(text)): \(error)")
            return nil
        }
    }

    static func attributeMatches(_ reader: MappingReader, _ key: String, regexp: Bool) -> [AttributeMatch] {
        (reader.mappingList(key, expected: "a mapping like {key: k, value: v}") ?? []).compactMap { item in
            defer { item.finish() }
            let name = item.string("key", default: "")
            if name.isEmpty { item.report("key", "required") }
            var value: AnyValue?
            switch item.value("value") {
            case nil, .null?: value = nil
            case .scalar(let text)?: value = AttributeAction.inferredValue(text)
            case let other?: item.report("value", "expected a string, number or boolean, got \(other.summary)")
            }
            let pattern = value.flatMap { v in
                regexp ? Self.pattern(v.displayString, regexp: true, reader: item, key: "value") : nil
            }
            return name.isEmpty ? nil : AttributeMatch(key: name, value: value, pattern: pattern)
        }
    }

    /// The properties given, by YAML key.
    var fieldsSet: [String] {
        var out: [String] = []
        if !services.isEmpty { out.append("services") }
        if !spanNames.isEmpty { out.append("span_names") }
        if !spanKinds.isEmpty { out.append("span_kinds") }
        if !metricNames.isEmpty { out.append("metric_names") }
        if !logBodies.isEmpty { out.append("log_bodies") }
        if !logSeverityTexts.isEmpty { out.append("log_severity_texts") }
        if logSeverityNumber != nil { out.append("log_severity_number") }
        if !attributes.isEmpty { out.append("attributes") }
        if !resources.isEmpty { out.append("resources") }
        if !libraries.isEmpty { out.append("libraries") }
        return out
    }

    /// The properties given that only another signal's items have.
    func fieldsOnlyFor(other signal: Signal) -> [String] {
        let allowed: Set<String>
        switch signal {
        case .traces: allowed = ["services", "span_names", "span_kinds", "attributes", "resources", "libraries"]
        case .metrics: allowed = ["metric_names", "attributes", "resources", "libraries"]
        case .logs:
            allowed = [
                "log_bodies", "log_severity_texts", "log_severity_number", "attributes", "resources", "libraries",
            ]
        }
        return fieldsSet.filter { !allowed.contains($0) }
    }

    func matchesAny(_ patterns: [Pattern], _ value: String) -> Bool {
        patterns.isEmpty || patterns.contains { $0.matches(value) }
    }

    /// Whether the context shared by all items of a scope matches: resources and libraries.
    func matchesContext(resource: Resource, scope: InstrumentationScope) -> Bool {
        guard resources.allSatisfy({ $0.matches(resource.attributes) }) else { return false }
        guard !libraries.isEmpty else { return true }
        return libraries.contains { library in
            library.name.matches(scope.name) && (library.version.map { $0.matches(scope.version) } ?? true)
        }
    }

    func matches(span: Span, resource: Resource, scope: InstrumentationScope) -> Bool {
        guard matchesContext(resource: resource, scope: scope) else { return false }
        if !services.isEmpty {
            guard case .string(let service)? = resource.attributes["service.name"], matchesAny(services, service)
            else { return false }
        }
        return matchesAny(spanNames, span.name) && matchesAny(spanKinds, Self.kindName(span.kind))
            && attributes.allSatisfy { $0.matches(span.attributes) }
    }

    func matches(record: LogRecord, resource: Resource, scope: InstrumentationScope) -> Bool {
        guard matchesContext(resource: resource, scope: scope) else { return false }
        if !logBodies.isEmpty {
            guard case .string(let body) = record.body, matchesAny(logBodies, body) else { return false }
        }
        guard matchesAny(logSeverityTexts, record.severityText) else { return false }
        if let severity = logSeverityNumber {
            if record.severityNumber == 0 {
                guard severity.matchUndefined else { return false }
            } else if record.severityNumber < severity.min {
                return false
            }
        }
        return attributes.allSatisfy { $0.matches(record.attributes) }
    }

    func matches(metric: Metric, pointAttributes: Attributes, resource: Resource, scope: InstrumentationScope)
        -> Bool
    {
        matchesContext(resource: resource, scope: scope) && matchesAny(metricNames, metric.name)
            && attributes.allSatisfy { $0.matches(pointAttributes) }
    }

    static func kindName(_ kind: SpanKind) -> String {
        switch kind {
        case .server: return "SPAN_KIND_SERVER"
        case .client: return "SPAN_KIND_CLIENT"
        case .producer: return "SPAN_KIND_PRODUCER"
        case .consumer: return "SPAN_KIND_CONSUMER"
        case .internal: return "SPAN_KIND_INTERNAL"
        default: return "SPAN_KIND_UNSPECIFIED"
        }
    }
}
