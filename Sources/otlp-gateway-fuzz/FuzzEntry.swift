import CFuzzEntry
import FuzzHarness

#if canImport(Glibc)
    import Glibc
#endif

// Built two ways. By `scripts/fuzz` with `-sanitize=fuzzer,address -parse-as-library -D FUZZING`: libFuzzer
// supplies `main` and calls `LLVMFuzzerTestOneInput`, the target chosen by the FUZZ_TARGET environment
// variable. In a normal build it is a corpus runner (`otlp-gateway-fuzz TARGET FILE...`), which replays
// crash inputs without sanitizers.

nonisolated(unsafe) private var selected: FuzzHarness.Target?

private func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

private func selectedTarget() -> FuzzHarness.Target {
    if let selected { return selected }
    let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzHarness.target(named: name) else {
        let names = FuzzHarness.targets.map(\.name).joined(separator: ", ")
        printError("set FUZZ_TARGET to one of: \(names)")
        exit(2)
    }
    selected = target
    return target
}

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        selectedTarget().run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
#else
    @main
    struct CorpusRunner {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzHarness.target(named: name) else {
                let names = FuzzHarness.targets.map(\.name).joined(separator: ", ")
                printError("usage: otlp-gateway-fuzz TARGET FILE...  (targets: \(names))")
                exit(2)
            }
            for path in arguments.dropFirst() {
                guard let file = fopen(path, "rb") else {
                    printError("cannot open \(path)")
                    exit(2)
                }
                var bytes: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = fread(&chunk, 1, chunk.count, file)
                    if n <= 0 { break }
                    bytes += chunk[0..<n]
                }
                fclose(file)
                bytes.withUnsafeBytes { target.run($0) }
                print("\(path): ok")
            }
        }
    }
#endif
