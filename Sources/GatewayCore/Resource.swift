/// The entity that produced telemetry (OTLP `Resource`).
public struct Resource: Sendable, Hashable {
    public var attributes: Attributes
    public var droppedAttributesCount: UInt32

    public init(attributes: Attributes = Attributes(), droppedAttributesCount: UInt32 = 0) {
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
    }
}

/// The library that produced telemetry (OTLP `InstrumentationScope`).
public struct InstrumentationScope: Sendable, Hashable {
    public var name: String
    public var version: String
    public var attributes: Attributes
    public var droppedAttributesCount: UInt32

    public init(
        name: String = "",
        version: String = "",
        attributes: Attributes = Attributes(),
        droppedAttributesCount: UInt32 = 0
    ) {
        self.name = name
        self.version = version
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
    }
}
