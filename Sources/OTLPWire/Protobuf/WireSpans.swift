public import GatewayCore

/// One span read in place from forwarded trace bytes: byte ranges into `bytes` and the scalar fields, so a component
/// that needs a few fields (`spanmetrics`, the `memory` exporter) reads them without building the model. Valid only
/// inside the closure it is passed to (`bytes` points into the request).
public struct WireSpan {
    /// The encoded request the span is in.
    public let bytes: UnsafeRawBufferPointer
    /// Counts `ResourceSpans` entries over the whole scan: equal for spans of one resource.
    public var resourceOrdinal = -1
    /// The `ResourceSpans` entry's `resource` payload, its `schema_url`, and the entry's whole encoding.
    public var resource: Range<Int> = 0..<0
    public var resourceSchemaURL: Range<Int> = 0..<0
    /// Counts `ScopeSpans` entries over the whole scan.
    public var scopeOrdinal = -1
    /// The `ScopeSpans` entry's `scope` payload and `schema_url`.
    public var scope: Range<Int> = 0..<0
    public var scopeSchemaURL: Range<Int> = 0..<0
    /// The span's whole payload.
    public var span: Range<Int> = 0..<0
    public var traceID: Range<Int> = 0..<0
    public var spanID: Range<Int> = 0..<0
    public var name: Range<Int> = 0..<0
    public var kind: Int32 = 0
    public var statusCode: Int32 = 0
    public var startTimeUnixNano: UInt64 = 0
    public var endTimeUnixNano: UInt64 = 0
    /// The span's own attributes (not its events' or links').
    public var attributeCount = 0
    /// Whether the span has a parent span id.
    public var hasParent = false

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The bytes of `range`.
    public func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[range]) }

    public func string(_ range: Range<Int>) -> String { String(decoding: slice(range), as: UTF8.self) }

    /// A 16-byte trace id as the model's `TraceID` (zero when the field has another length).
    public var traceIDValue: TraceID {
        guard traceID.count == 16 else { return TraceID(high: 0, low: 0) }
        return TraceID(
            high: Self.bigEndian(bytes, traceID.lowerBound), low: Self.bigEndian(bytes, traceID.lowerBound + 8))
    }

    public var spanIDValue: SpanID {
        guard spanID.count == 8 else { return SpanID(value: 0) }
        return SpanID(value: Self.bigEndian(bytes, spanID.lowerBound))
    }

    static func bigEndian(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
        UInt64(bigEndian: b.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }

    /// The `AnyValue` payload of the span's attribute `key` (span attributes are field 9), nil when absent.
    public func spanAttribute(_ key: String) -> Range<Int>? { WireScan.attribute(key, in: span, field: 9, bytes) }

    /// The `AnyValue` payload of the resource's attribute `key`, nil when absent.
    public func resourceAttribute(_ key: String) -> Range<Int>? {
        WireScan.attribute(key, in: resource, field: 1, bytes)
    }

    /// An `AnyValue` payload as the model's value (strings without a copy of the request).
    public func value(_ range: Range<Int>) -> AnyValue { WireScan.anyValue(slice(range)) }

    /// The bytes of a string `AnyValue` (nil for other kinds, which need `value(_:)`).
    public func stringValue(_ range: Range<Int>) -> Range<Int>? {
        var r = WireScan.Reader(bytes, range)
        var out: Range<Int>?
        while let f = r.next() {
            if f.number == 1, f.type == 2 { out = f.payload } else if f.number >= 2, f.number <= 7 { out = nil }
        }
        return out
    }
}

/// Reading protobuf fields in place over raw bytes; every read is bounds-checked, so malformed bytes end the scan
/// instead of reading outside them.
enum WireScan {
    struct Field {
        var number: Int
        var type: Int
        /// The payload of a length-delimited field; the raw value's bytes otherwise.
        var payload: Range<Int>
        var varint: UInt64
    }

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index: Int
        let end: Int
        var failed = false

        init(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
            self.bytes = bytes
            index = range.lowerBound
            end = range.upperBound
        }

        mutating func varint() -> UInt64? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while index < end, shift < 64 {
                let b = bytes[index]
                index += 1
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
            }
            return nil
        }

        mutating func next() -> Field? {
            guard index < end, !failed else { return nil }
            guard let key = varint() else {
                failed = true
                return nil
            }
            let number = Int(key >> 3)
            let type = Int(key & 7)
            let start = index
            switch type {
            case 0:
                guard let v = varint() else { break }
                return Field(number: number, type: 0, payload: start..<index, varint: v)
            case 1:
                guard end - index >= 8 else { break }
                index += 8
                return Field(
                    number: number, type: 1, payload: start..<index,
                    varint: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: UInt64.self)))
            case 2:
                guard let n = varint(), n <= UInt64(end - index) else { break }
                let from = index
                index += Int(n)
                return Field(number: number, type: 2, payload: from..<index, varint: n)
            case 5:
                guard end - index >= 4 else { break }
                index += 4
                return Field(
                    number: number, type: 5, payload: start..<index,
                    varint: UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: UInt32.self))))
            default: break
            }
            failed = true
            return nil
        }
    }

    /// The `AnyValue` payload of the attribute `key` among the `KeyValue`s in field `field` of `message`.
    static func attribute(_ key: String, in message: Range<Int>, field: Int, _ bytes: UnsafeRawBufferPointer)
        -> Range<Int>?
    {
        var key = key
        return key.withUTF8 { wanted -> Range<Int>? in
            var r = Reader(bytes, message)
            while let f = r.next() {
                guard f.number == field, f.type == 2 else { continue }
                var kv = Reader(bytes, f.payload)
                var k: Range<Int>?
                var v: Range<Int>?
                while let g = kv.next() {
                    if g.number == 1, g.type == 2 { k = g.payload } else if g.number == 2, g.type == 2 { v = g.payload }
                }
                // The first occurrence of a duplicated key wins, as in the model.
                if let k, k.count == wanted.count,
                    UnsafeRawBufferPointer(rebasing: bytes[k]).elementsEqual(UnsafeRawBufferPointer(wanted))
                {
                    return v ?? (f.payload.upperBound..<f.payload.upperBound)
                }
            }
            return nil
        }
    }

    /// An `AnyValue` decoded from its payload (the last of its oneof fields wins, as protobuf says).
    static func anyValue(_ bytes: UnsafeRawBufferPointer) -> AnyValue {
        var r = Reader(bytes, 0..<bytes.count)
        var value = AnyValue.empty
        while let f = r.next() {
            switch (f.number, f.type) {
            case (1, 2):
                value = .string(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[f.payload]), as: UTF8.self))
            case (2, 0): value = .bool(f.varint != 0)
            case (3, 0): value = .int(Int64(bitPattern: f.varint))
            case (4, 1): value = .double(Double(bitPattern: f.varint))
            case (5, 2):
                var items: [AnyValue] = []
                var a = Reader(bytes, f.payload)
                while let e = a.next() {
                    if e.number == 1, e.type == 2 {
                        items.append(anyValue(UnsafeRawBufferPointer(rebasing: bytes[e.payload])))
                    }
                }
                value = .array(items)
            case (6, 2):
                var kvs: [Attribute] = []
                var l = Reader(bytes, f.payload)
                while let e = l.next() {
                    guard e.number == 1, e.type == 2 else { continue }
                    var kv = Reader(bytes, e.payload)
                    var key = ""
                    var v = AnyValue.empty
                    while let g = kv.next() {
                        if g.number == 1, g.type == 2 {
                            key = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[g.payload]), as: UTF8.self)
                        } else if g.number == 2, g.type == 2 {
                            v = anyValue(UnsafeRawBufferPointer(rebasing: bytes[g.payload]))
                        }
                    }
                    kvs.append(Attribute(key: key, value: v))
                }
                value = .keyValueList(kvs)
            case (7, 2): value = .bytes(Array(UnsafeRawBufferPointer(rebasing: bytes[f.payload])))
            default: break
            }
        }
        return value
    }
}

extension OTLPProtobuf {
    /// Calls `body` with every span of forwarded traces, read in place (see `WireSpan`). Returns false when the bytes
    /// do not have the expected shape, which the receiver's validation rules out; spans before that point were
    /// visited. `segmentEnd` is called after each segment's spans, while views of them are still valid.
    public static func forEachWireSpan(
        _ wire: WireTraces, segmentEnd: () -> Void = {}, _ body: (WireSpan) -> Void
    ) -> Bool {
        var resourceOrdinal = -1
        var scopeOrdinal = -1
        for segment in wire.segments {
            let ok = segment.withUnsafeBytes { bytes -> Bool in
                var request = WireScan.Reader(bytes, 0..<bytes.count)
                while let rsField = request.next() {
                    guard rsField.number == 1, rsField.type == 2 else { continue }
                    resourceOrdinal += 1
                    var view = WireSpan(bytes: bytes)
                    view.resourceOrdinal = resourceOrdinal
                    // Resource and schema URL may follow the scopes on the wire: find them first.
                    var rs = WireScan.Reader(bytes, rsField.payload)
                    while let f = rs.next() {
                        if f.number == 1, f.type == 2 { view.resource = f.payload }
                        if f.number == 3, f.type == 2 { view.resourceSchemaURL = f.payload }
                    }
                    guard !rs.failed else { return false }
                    rs = WireScan.Reader(bytes, rsField.payload)
                    while let ssField = rs.next() {
                        guard ssField.number == 2, ssField.type == 2 else { continue }
                        scopeOrdinal += 1
                        view.scopeOrdinal = scopeOrdinal
                        view.scope = 0..<0
                        view.scopeSchemaURL = 0..<0
                        var ss = WireScan.Reader(bytes, ssField.payload)
                        while let f = ss.next() {
                            if f.number == 1, f.type == 2 { view.scope = f.payload }
                            if f.number == 3, f.type == 2 { view.scopeSchemaURL = f.payload }
                        }
                        guard !ss.failed else { return false }
                        ss = WireScan.Reader(bytes, ssField.payload)
                        while let spanField = ss.next() {
                            guard spanField.number == 2, spanField.type == 2 else { continue }
                            guard read(span: spanField.payload, into: &view) else { return false }
                            body(view)
                        }
                    }
                }
                segmentEnd()
                return !request.failed
            }
            guard ok else { return false }
        }
        return true
    }

    private static func read(span: Range<Int>, into view: inout WireSpan) -> Bool {
        view.span = span
        view.traceID = 0..<0
        view.spanID = 0..<0
        view.name = 0..<0
        view.kind = 0
        view.statusCode = 0
        view.startTimeUnixNano = 0
        view.endTimeUnixNano = 0
        view.attributeCount = 0
        view.hasParent = false
        var r = WireScan.Reader(view.bytes, span)
        while let f = r.next() {
            switch (f.number, f.type) {
            case (1, 2): view.traceID = f.payload
            case (2, 2): view.spanID = f.payload
            case (5, 2): view.name = f.payload
            case (6, 0): view.kind = Int32(truncatingIfNeeded: f.varint)
            case (7, 1): view.startTimeUnixNano = f.varint
            case (8, 1): view.endTimeUnixNano = f.varint
            case (9, 2): view.attributeCount += 1
            case (4, 2): view.hasParent = !f.payload.isEmpty
            case (15, 2):
                var status = WireScan.Reader(view.bytes, f.payload)
                while let g = status.next() {
                    if g.number == 3, g.type == 0 { view.statusCode = Int32(truncatingIfNeeded: g.varint) }
                }
            default: break
            }
        }
        return !r.failed
    }
}

extension OTLPProtobuf {
    /// Appends to `out` one `ResourceSpans` entry (field 1 of `ExportTraceServiceRequest`) holding the resource and
    /// scope of `first` and the spans `spans` (payload ranges in `first.bytes`), copied as they are: the request
    /// bytes of a subset of spans, without decoding.
    public static func appendResourceSpans(_ first: WireSpan, spans: [Range<Int>], to out: inout [UInt8]) {
        func field(_ number: Int, _ length: Int) -> Int {
            ProtobufWriter.varintSize(UInt64(number << 3 | 2)) + ProtobufWriter.varintSize(UInt64(length)) + length
        }
        var scopeSpans = 0
        if !first.scope.isEmpty { scopeSpans += field(1, first.scope.count) }
        for s in spans { scopeSpans += field(2, s.count) }
        if !first.scopeSchemaURL.isEmpty { scopeSpans += field(3, first.scopeSchemaURL.count) }
        var resourceSpans = field(2, scopeSpans)
        if !first.resource.isEmpty { resourceSpans += field(1, first.resource.count) }
        if !first.resourceSchemaURL.isEmpty { resourceSpans += field(3, first.resourceSchemaURL.count) }
        // Not reserveCapacity(count + n): exact reservations defeat the array's geometric growth (quadratic copying
        // when a trace's bytes grow run by run).
        func header(_ number: Int, _ length: Int) {
            ProtobufWriter.appendVarint(UInt64(number << 3 | 2), to: &out)
            ProtobufWriter.appendVarint(UInt64(length), to: &out)
        }
        func bytes(_ number: Int, _ range: Range<Int>) {
            header(number, range.count)
            out.append(contentsOf: first.slice(range))
        }
        header(1, resourceSpans)
        if !first.resource.isEmpty { bytes(1, first.resource) }
        header(2, scopeSpans)
        if !first.scope.isEmpty { bytes(1, first.scope) }
        for s in spans { bytes(2, s) }
        if !first.scopeSchemaURL.isEmpty { bytes(3, first.scopeSchemaURL) }
        if !first.resourceSchemaURL.isEmpty { bytes(3, first.resourceSchemaURL) }
    }
}
