import Foundation

/// Certificates made once per test run with the `openssl` command (Debian's `openssl` package) in a temporary
/// directory: a CA, a server certificate for `IP:127.0.0.1,DNS:localhost`, one for `DNS:gateway.test` only, a
/// client certificate for mutual TLS, and a second, unrelated CA with a client certificate of its own.
struct TestCertificates: Sendable {
    let directory: String

    var ca: String { path("ca.pem") }
    var otherCA: String { path("other-ca.pem") }
    /// SAN `IP:127.0.0.1, DNS:localhost`, signed by `ca`.
    var server: (cert: String, key: String) { (path("server.pem"), path("server.key")) }
    /// SAN `DNS:gateway.test` only, signed by `ca`.
    var namedServer: (cert: String, key: String) { (path("named-server.pem"), path("named-server.key")) }
    /// CN `test client`, signed by `ca`.
    var client: (cert: String, key: String) { (path("client.pem"), path("client.key")) }
    /// CN `stranger`, signed by `otherCA`.
    var stranger: (cert: String, key: String) { (path("stranger.pem"), path("stranger.key")) }

    func path(_ name: String) -> String { directory + "/" + name }

    /// Made once; every test shares them.
    static let shared: Result<TestCertificates, any Error> = Result { try make() }

    static func get() throws -> TestCertificates { try shared.get() }

    /// P-256 keys (fast to make); certificates valid for two days.
    private static let script = #"""
        set -e
        cd "$1"
        key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
        ca() {
          key "$1.key"
          openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$2" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
        }
        leaf() {
          key "$1.key"
          openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$3"
          printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n%s\n' "$5" "$4" > "$1.ext"
          openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" -days 2 -extfile "$1.ext"
        }
        ca ca "Test CA"
        ca other-ca "Other CA"
        leaf server ca localhost "subjectAltName=IP:127.0.0.1,DNS:localhost" serverAuth
        leaf named-server ca gateway.test "subjectAltName=DNS:gateway.test" serverAuth
        leaf client ca "test client" "" clientAuth
        leaf stranger other-ca stranger "" clientAuth
        """#

    private static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("client-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try run("/bin/sh", ["-c", script, "sh", directory.path])
        return TestCertificates(directory: directory.path)
    }

    /// Runs a command, throwing with its output when it fails.
    static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(command: arguments.joined(separator: " "), output: text)
        }
    }

    struct CommandFailed: Error, CustomStringConvertible {
        var command: String
        var output: String
        var description: String { "command failed (is Debian's openssl package installed?): \(command)\n\(output)" }
    }
}
