import GatewayCore

// Resource, InstrumentationScope, KeyValue and AnyValue: shared by all three signals.

extension OTLPJSON {
    // MARK: Reading

    static func readAttributes(_ r: inout JSONReader) throws(JSONFailure) -> Attributes {
        Attributes(try r.array(readKeyValue))
    }

    static func readKeyValue(_ r: inout JSONReader) throws(JSONFailure) -> Attribute {
        var key = ""
        var value = AnyValue.empty
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("key") {
                key = try r.readString()
            } else if r.key("value") {
                value = try r.nested(readAnyValue)
            } else {
                try r.skipUnknownValue()
            }
        }
        return Attribute(key: key, value: value)
    }

    /// An `AnyValue` object; `{}` is the empty value. The reader's depth limit bounds the recursion.
    static func readAnyValue(_ r: inout JSONReader) throws(JSONFailure) -> AnyValue {
        var value = AnyValue.empty
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("stringValue", "string_value") {
                value = .string(try r.readString())
            } else if r.key("intValue", "int_value") {
                value = .int(try r.readInt64())
            } else if r.key("doubleValue", "double_value") {
                value = .double(try r.readDouble())
            } else if r.key("boolValue", "bool_value") {
                value = .bool(try r.readBool())
            } else if r.key("arrayValue", "array_value") {
                value = .array(try r.nested(readArrayValue))
            } else if r.key("kvlistValue", "kvlist_value") {
                value = .keyValueList(try r.nested(readKeyValueList))
            } else if r.key("bytesValue", "bytes_value") {
                value = .bytes(try r.readBytes())
            } else {
                try r.skipUnknownValue()
            }
        }
        return value
    }

    /// An `ArrayValue`: `{"values":[AnyValue...]}`.
    static func readArrayValue(_ r: inout JSONReader) throws(JSONFailure) -> [AnyValue] {
        var values: [AnyValue] = []
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("values") { values = try r.array(readAnyValue) } else { try r.skipUnknownValue() }
        }
        return values
    }

    /// A `KeyValueList`: `{"values":[KeyValue...]}`, kept in the order sent.
    static func readKeyValueList(_ r: inout JSONReader) throws(JSONFailure) -> [Attribute] {
        var values: [Attribute] = []
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("values") { values = try r.array(readKeyValue) } else { try r.skipUnknownValue() }
        }
        return values
    }

    static func readResource(_ r: inout JSONReader) throws(JSONFailure) -> Resource {
        var resource = Resource()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("attributes") {
                resource.attributes = try readAttributes(&r)
            } else if r.key("droppedAttributesCount", "dropped_attributes_count") {
                resource.droppedAttributesCount = try r.readUInt32()
            } else {
                try r.skipUnknownValue()
            }
        }
        return resource
    }

    static func readScope(_ r: inout JSONReader) throws(JSONFailure) -> InstrumentationScope {
        var scope = InstrumentationScope()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("name") {
                scope.name = try r.readString()
            } else if r.key("version") {
                scope.version = try r.readString()
            } else if r.key("attributes") {
                scope.attributes = try readAttributes(&r)
            } else if r.key("droppedAttributesCount", "dropped_attributes_count") {
                scope.droppedAttributesCount = try r.readUInt32()
            } else {
                try r.skipUnknownValue()
            }
        }
        return scope
    }

    // MARK: Writing

    /// Writes `name: [KeyValue...]`, or nothing for no attributes.
    static func writeAttributes(_ w: inout JSONWriter, _ name: StaticString, _ attributes: some Collection<Attribute>) {
        guard !attributes.isEmpty else { return }
        w.key(name)
        w.beginArray()
        for attribute in attributes { writeKeyValue(&w, attribute) }
        w.endArray()
    }

    static func writeKeyValue(_ w: inout JSONWriter, _ attribute: Attribute) {
        w.beginObject()
        w.key("key")
        w.string(attribute.key)
        w.key("value")
        writeAnyValue(&w, attribute.value)
        w.endObject()
    }

    static func writeAnyValue(_ w: inout JSONWriter, _ value: AnyValue) {
        w.beginObject()
        switch value {
        case .empty:
            break
        case .string(let s):
            w.key("stringValue")
            w.string(s)
        case .bool(let b):
            w.key("boolValue")
            w.bool(b)
        case .int(let i):
            w.key("intValue")
            w.quoted(i)
        case .double(let d):
            w.key("doubleValue")
            w.double(d)
        case .bytes(let b):
            w.key("bytesValue")
            w.base64(b)
        case .array(let values):
            w.key("arrayValue")
            w.beginObject()
            w.key("values")
            w.beginArray()
            for element in values { writeAnyValue(&w, element) }
            w.endArray()
            w.endObject()
        case .keyValueList(let values):
            w.key("kvlistValue")
            w.beginObject()
            w.key("values")
            w.beginArray()
            for element in values { writeKeyValue(&w, element) }
            w.endArray()
            w.endObject()
        }
        w.endObject()
    }

    static func writeResource(_ w: inout JSONWriter, _ resource: Resource) {
        w.key("resource")
        w.beginObject()
        writeAttributes(&w, "attributes", resource.attributes)
        writeUInt32(&w, "droppedAttributesCount", resource.droppedAttributesCount)
        w.endObject()
    }

    static func writeScope(_ w: inout JSONWriter, _ scope: InstrumentationScope) {
        w.key("scope")
        w.beginObject()
        writeString(&w, "name", scope.name)
        writeString(&w, "version", scope.version)
        writeAttributes(&w, "attributes", scope.attributes)
        writeUInt32(&w, "droppedAttributesCount", scope.droppedAttributesCount)
        w.endObject()
    }

    // Scalar members, left out at their default as proto3 JSON does.

    static func writeString(_ w: inout JSONWriter, _ name: StaticString, _ value: String) {
        guard !value.isEmpty else { return }
        w.key(name)
        w.string(value)
    }

    static func writeUInt32(_ w: inout JSONWriter, _ name: StaticString, _ value: UInt32) {
        guard value != 0 else { return }
        w.key(name)
        w.number(Int64(value))
    }

    static func writeInt32(_ w: inout JSONWriter, _ name: StaticString, _ value: Int32) {
        guard value != 0 else { return }
        w.key(name)
        w.number(Int64(value))
    }

    static func writeUInt64(_ w: inout JSONWriter, _ name: StaticString, _ value: UInt64) {
        guard value != 0 else { return }
        w.key(name)
        w.quoted(value)
    }

    static func writeTraceID(_ w: inout JSONWriter, _ name: StaticString, _ id: TraceID) {
        guard id.isValid else { return }
        w.key(name)
        w.hex(high: id.high, low: id.low)
    }

    static func writeSpanID(_ w: inout JSONWriter, _ name: StaticString, _ id: SpanID) {
        guard id.isValid else { return }
        w.key(name)
        w.hex(id.value)
    }
}
