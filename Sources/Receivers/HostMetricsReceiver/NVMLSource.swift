/// NVIDIA GPUs through NVML, loaded with `dlopen` (normally `libnvidia-ml.so.1`, which the driver installs).
///
/// Only NVML's stable C ABI is used: the `_v2` entry points present since driver 340, opaque device handles,
/// and output structs read through raw buffers of their documented layout (`nvmlUtilization_t` is two
/// `unsigned int`s, `nvmlMemory_t` three `unsigned long long`s).
final class NVMLSource: GPUSource, @unchecked Sendable {
    // Immutable after init; NVML is documented as thread-safe.
    typealias Return = Int32
    typealias Device = OpaquePointer?

    private let shutdownFunction: @convention(c) () -> Return
    private let getCount: @convention(c) (UnsafeMutablePointer<UInt32>?) -> Return
    private let getHandle: @convention(c) (UInt32, UnsafeMutablePointer<Device>?) -> Return
    private let getName: @convention(c) (Device, UnsafeMutablePointer<CChar>?, UInt32) -> Return
    private let getUUID: @convention(c) (Device, UnsafeMutablePointer<CChar>?, UInt32) -> Return
    private let getUtilization: @convention(c) (Device, UnsafeMutableRawPointer?) -> Return
    private let getMemory: @convention(c) (Device, UnsafeMutableRawPointer?) -> Return
    private let getTemperature: @convention(c) (Device, Int32, UnsafeMutablePointer<UInt32>?) -> Return
    private let getPower: @convention(c) (Device, UnsafeMutablePointer<UInt32>?) -> Return
    private let errorString: @convention(c) (Return) -> UnsafePointer<CChar>?

    let vendor = "nvidia"
    /// The driver version NVML reports, for the start-up log line.
    let driverVersion: String

    static let success: Return = 0
    static let temperatureGPU: Int32 = 0
    static let nameBufferSize: UInt32 = 96
    static let uuidBufferSize: UInt32 = 96

    /// Opens the library and initializes NVML; throws with NVML's own message when the library is absent or
    /// the driver is not loaded.
    init(library: String) throws(DynamicLibrary.LoadError) {
        let lib = try DynamicLibrary(name: library)
        let initialize = try lib.function("nvmlInit_v2", as: (@convention(c) () -> Return).self)
        errorString = try lib.function("nvmlErrorString", as: (@convention(c) (Return) -> UnsafePointer<CChar>?).self)
        shutdownFunction = try lib.function("nvmlShutdown", as: (@convention(c) () -> Return).self)
        getCount = try lib.function(
            "nvmlDeviceGetCount_v2", as: (@convention(c) (UnsafeMutablePointer<UInt32>?) -> Return).self)
        getHandle = try lib.function(
            "nvmlDeviceGetHandleByIndex_v2", as: (@convention(c) (UInt32, UnsafeMutablePointer<Device>?) -> Return).self
        )
        getName = try lib.function(
            "nvmlDeviceGetName", as: (@convention(c) (Device, UnsafeMutablePointer<CChar>?, UInt32) -> Return).self)
        getUUID = try lib.function(
            "nvmlDeviceGetUUID", as: (@convention(c) (Device, UnsafeMutablePointer<CChar>?, UInt32) -> Return).self)
        getUtilization = try lib.function(
            "nvmlDeviceGetUtilizationRates", as: (@convention(c) (Device, UnsafeMutableRawPointer?) -> Return).self)
        getMemory = try lib.function(
            "nvmlDeviceGetMemoryInfo", as: (@convention(c) (Device, UnsafeMutableRawPointer?) -> Return).self)
        getTemperature = try lib.function(
            "nvmlDeviceGetTemperature",
            as: (@convention(c) (Device, Int32, UnsafeMutablePointer<UInt32>?) -> Return).self)
        getPower = try lib.function(
            "nvmlDeviceGetPowerUsage", as: (@convention(c) (Device, UnsafeMutablePointer<UInt32>?) -> Return).self)
        let status = initialize()
        guard status == Self.success else {
            throw DynamicLibrary.LoadError(description: "nvmlInit: \(Self.message(errorString, status))")
        }
        var version = [CChar](repeating: 0, count: 96)
        if let getVersion = try? lib.function(
            "nvmlSystemGetDriverVersion", as: (@convention(c) (UnsafeMutablePointer<CChar>?, UInt32) -> Return).self),
            getVersion(&version, UInt32(version.count)) == Self.success
        {
            driverVersion = cString(version)
        } else {
            driverVersion = "unknown"
        }
    }

    func read() -> (readings: [GPUReading], failures: Int) {
        var count: UInt32 = 0
        guard getCount(&count) == Self.success else { return ([], 1) }
        var readings: [GPUReading] = []
        readings.reserveCapacity(Int(count))
        var failures = 0
        for index in 0..<count {
            var device: Device = nil
            guard getHandle(index, &device) == Self.success else {
                failures += 1
                continue
            }
            var buffer = [CChar](repeating: 0, count: Int(Self.uuidBufferSize))
            let id = getUUID(device, &buffer, Self.uuidBufferSize) == Self.success ? cString(buffer) : "gpu\(index)"
            let name = getName(device, &buffer, Self.nameBufferSize) == Self.success ? cString(buffer) : "NVIDIA GPU"
            var reading = GPUReading(id: id, name: name, vendor: vendor)

            var utilization: (UInt32, UInt32) = (0, 0)
            if withUnsafeMutableBytes(of: &utilization, { getUtilization(device, $0.baseAddress) }) == Self.success {
                reading.utilization = Double(utilization.0) / 100
            }
            var memory: (UInt64, UInt64, UInt64) = (0, 0, 0)  // total, free, used
            if withUnsafeMutableBytes(of: &memory, { getMemory(device, $0.baseAddress) }) == Self.success {
                reading.memoryTotalBytes = memory.0
                reading.memoryUsedBytes = memory.2
            }
            var value: UInt32 = 0
            if getTemperature(device, Self.temperatureGPU, &value) == Self.success {
                reading.temperatureCelsius = Double(value)
            }
            if getPower(device, &value) == Self.success {
                reading.powerWatts = Double(value) / 1000  // NVML reports milliwatts.
            }
            readings.append(reading)
        }
        return (readings, failures)
    }

    func shutdown() { _ = shutdownFunction() }

    private static func message(_ errorString: @convention(c) (Return) -> UnsafePointer<CChar>?, _ status: Return)
        -> String
    {
        guard let text = errorString(status) else { return "NVML error \(status)" }
        return "\(String(cString: text)) (NVML error \(status))"
    }
}
