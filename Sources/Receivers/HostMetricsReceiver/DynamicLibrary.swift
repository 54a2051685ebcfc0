#if canImport(Glibc)
    import Glibc
#endif

/// A shared library opened at run time, so the gateway has no link-time dependency on a GPU driver and runs
/// unchanged on machines without one. Never closed: the vendor libraries keep threads and state that do not
/// survive `dlclose`, and one handle per process is all we need.
struct DynamicLibrary: @unchecked Sendable {
    // A dlopen handle is process-wide and immutable; dlsym on it is thread-safe.
    private let handle: UnsafeMutableRawPointer

    /// Why a library could not be used, in words for one log line.
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// Opens `name` (a bare soname is looked up on the loader's search path, as the vendors' own tools do).
    init(name: String) throws(LoadError) {
        _ = dlerror()
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
            throw LoadError(description: Self.lastError() ?? "\(name): cannot be opened")
        }
        self.handle = handle
    }

    /// The symbol as a C function of type `F`.
    func function<F>(_ symbol: String, as type: F.Type) throws(LoadError) -> F {
        _ = dlerror()
        guard let pointer = dlsym(handle, symbol) else {
            throw LoadError(description: Self.lastError() ?? "\(symbol): not found")
        }
        return unsafeBitCast(pointer, to: F.self)
    }

    private static func lastError() -> String? {
        guard let message = dlerror() else { return nil }
        return String(cString: message)
    }
}

/// One GPU's readings at one scrape. A reading the device does not support is nil and its metric is left out.
struct GPUReading: Equatable, Sendable {
    /// `hw.id`: a stable identifier (the vendor's UUID), so series survive reordering of devices.
    var id: String
    /// `hw.name`: the product name.
    var name: String
    /// `hw.vendor`
    var vendor: String
    /// 0...1
    var utilization: Double?
    var memoryUsedBytes: UInt64?
    var memoryTotalBytes: UInt64?
    var temperatureCelsius: Double?
    var powerWatts: Double?
}

/// A vendor library that lists GPUs and reads them.
protocol GPUSource: Sendable {
    /// `nvidia`, `amd`: for log lines.
    var vendor: String { get }
    /// Every device's readings; a device that fails entirely is left out and counted in `failures`.
    func read() -> (readings: [GPUReading], failures: Int)
    /// Releases the library's state at shutdown.
    func shutdown()
}

/// A C string from a fixed-size buffer the vendor libraries and libc fill: up to the first NUL, or the whole
/// buffer when a library filled it without one.
func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
