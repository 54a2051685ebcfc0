/// AMD GPUs through AMD SMI (`libamd_smi.so`, installed with ROCm), loaded with `dlopen`.
///
/// Uses the ROCm 6 C API: sockets, then processor handles per socket, and per GPU the activity, VRAM total and
/// usage, edge temperature, UUID and ASIC market name. Output structs are read through raw buffers larger
/// than any released layout, taking only fields whose offsets are stable across releases (the leading
/// `gfx_activity`, the leading `market_name`). Power is not read: `amdsmi_power_info_t` changed layout
/// between releases.
final class AMDSMISource: GPUSource, @unchecked Sendable {
    // Immutable after init; AMD SMI serializes calls internally.
    typealias Status = Int32
    typealias Handle = UnsafeMutableRawPointer?

    private let shutdownFunction: @convention(c) () -> Status
    private let getSockets: @convention(c) (UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<Handle>?) -> Status
    private let getProcessors:
        @convention(c) (Handle, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<Handle>?) -> Status
    private let getActivity: @convention(c) (Handle, UnsafeMutableRawPointer?) -> Status
    private let getMemoryTotal: @convention(c) (Handle, Int32, UnsafeMutablePointer<UInt64>?) -> Status
    private let getMemoryUsage: @convention(c) (Handle, Int32, UnsafeMutablePointer<UInt64>?) -> Status
    private let getTemperature: (@convention(c) (Handle, Int32, Int32, UnsafeMutablePointer<Int64>?) -> Status)?
    private let getUUID:
        (@convention(c) (Handle, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<CChar>?) -> Status)?
    private let getASICInfo: (@convention(c) (Handle, UnsafeMutableRawPointer?) -> Status)?

    let vendor = "amd"

    static let success: Status = 0
    static let initAMDGPUs: UInt64 = 1 << 1
    static let memoryTypeVRAM: Int32 = 0
    static let temperatureEdge: Int32 = 0
    static let temperatureCurrent: Int32 = 0

    init(library: String) throws(DynamicLibrary.LoadError) {
        let lib = try DynamicLibrary(name: library)
        let initialize = try lib.function("amdsmi_init", as: (@convention(c) (UInt64) -> Status).self)
        shutdownFunction = try lib.function("amdsmi_shut_down", as: (@convention(c) () -> Status).self)
        getSockets = try lib.function(
            "amdsmi_get_socket_handles",
            as: (@convention(c) (UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<Handle>?) -> Status).self)
        getProcessors = try lib.function(
            "amdsmi_get_processor_handles",
            as: (@convention(c) (Handle, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<Handle>?) -> Status).self)
        getActivity = try lib.function(
            "amdsmi_get_gpu_activity", as: (@convention(c) (Handle, UnsafeMutableRawPointer?) -> Status).self)
        getMemoryTotal = try lib.function(
            "amdsmi_get_gpu_memory_total",
            as: (@convention(c) (Handle, Int32, UnsafeMutablePointer<UInt64>?) -> Status).self)
        getMemoryUsage = try lib.function(
            "amdsmi_get_gpu_memory_usage",
            as: (@convention(c) (Handle, Int32, UnsafeMutablePointer<UInt64>?) -> Status).self)
        getTemperature = try? lib.function(
            "amdsmi_get_temp_metric",
            as: (@convention(c) (Handle, Int32, Int32, UnsafeMutablePointer<Int64>?) -> Status).self)
        getUUID = try? lib.function(
            "amdsmi_get_gpu_device_uuid",
            as: (@convention(c) (Handle, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<CChar>?) -> Status).self)
        getASICInfo = try? lib.function(
            "amdsmi_get_gpu_asic_info", as: (@convention(c) (Handle, UnsafeMutableRawPointer?) -> Status).self)
        let status = initialize(Self.initAMDGPUs)
        guard status == Self.success else {
            throw DynamicLibrary.LoadError(description: "amdsmi_init: AMD SMI status \(status)")
        }
    }

    /// Every GPU processor handle, socket by socket.
    private func processors() -> [Handle]? {
        var socketCount: UInt32 = 0
        guard getSockets(&socketCount, nil) == Self.success else { return nil }
        var sockets = [Handle](repeating: nil, count: Int(socketCount))
        guard socketCount == 0 || getSockets(&socketCount, &sockets) == Self.success else { return nil }
        var result: [Handle] = []
        for socket in sockets.prefix(Int(socketCount)) {
            var count: UInt32 = 0
            guard getProcessors(socket, &count, nil) == Self.success, count > 0 else { continue }
            var handles = [Handle](repeating: nil, count: Int(count))
            guard getProcessors(socket, &count, &handles) == Self.success else { continue }
            result += handles.prefix(Int(count))
        }
        return result
    }

    func read() -> (readings: [GPUReading], failures: Int) {
        guard let handles = processors() else { return ([], 1) }
        var readings: [GPUReading] = []
        for (index, handle) in handles.enumerated() {
            var reading = GPUReading(id: "amd-gpu\(index)", name: "AMD GPU", vendor: vendor)
            if let getUUID {
                var length: UInt32 = 64
                var buffer = [CChar](repeating: 0, count: Int(length))
                if getUUID(handle, &length, &buffer) == Self.success { reading.id = cString(buffer) }
            }
            if let getASICInfo {
                // market_name (char[256]) leads amdsmi_asic_info_t; 4 KiB is more than any release's struct.
                var info = [UInt8](repeating: 0, count: 4096)
                if info.withUnsafeMutableBytes({ getASICInfo(handle, $0.baseAddress) }) == Self.success {
                    let name = String(decoding: info.prefix(256).prefix { $0 != 0 }, as: UTF8.self)
                    if !name.isEmpty { reading.name = name }
                }
            }
            // amdsmi_engine_usage_t: gfx_activity, umc_activity, mm_activity, then reserved words.
            var activity = [UInt32](repeating: 0, count: 32)
            if activity.withUnsafeMutableBytes({ getActivity(handle, $0.baseAddress) }) == Self.success {
                // Boards without the counter answer 0xFFFF (or UINT32_MAX): no reading rather than 100%.
                if activity[0] <= 100 { reading.utilization = Double(activity[0]) / 100 }
            }
            var total: UInt64 = 0
            var used: UInt64 = 0
            if getMemoryTotal(handle, Self.memoryTypeVRAM, &total) == Self.success,
                getMemoryUsage(handle, Self.memoryTypeVRAM, &used) == Self.success
            {
                reading.memoryTotalBytes = total
                reading.memoryUsedBytes = used
            }
            var temperature: Int64 = 0
            if let getTemperature,
                getTemperature(handle, Self.temperatureEdge, Self.temperatureCurrent, &temperature) == Self.success
            {
                reading.temperatureCelsius = Double(temperature)
            }
            readings.append(reading)
        }
        return (readings, 0)
    }

    func shutdown() { _ = shutdownFunction() }
}
