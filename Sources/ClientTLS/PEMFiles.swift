package import NIOSSL

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Musl)
    internal import Musl
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// Reads the PEM files of a `tls` section, with errors that name the key and the file and say what is wrong:
/// missing, unreadable, not PEM, or an encrypted key.
package enum PEMFiles {
    /// Certificate files are small; a larger file is surely the wrong one.
    static let maxBytes = 4 << 20

    /// The certificates of the PEM file at `path`, at least one.
    package static func certificates(key: String, path: String) throws(ClientTLS.ConfigurationError)
        -> [NIOSSLCertificate]
    {
        let bytes = try read(key: key, path: path)
        guard contains(bytes, "-----BEGIN CERTIFICATE-----") else {
            throw problem(key, "\(path) is not a PEM certificate file (no -----BEGIN CERTIFICATE----- line)")
        }
        do {
            return try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw problem(key, "\(path) is not a valid PEM certificate file")
        }
    }

    /// The unencrypted private key of the PEM file at `path`.
    package static func privateKey(key: String, path: String) throws(ClientTLS.ConfigurationError) -> NIOSSLPrivateKey {
        let bytes = try read(key: key, path: path)
        guard contains(bytes, "-----BEGIN"), contains(bytes, "PRIVATE KEY-----") else {
            throw problem(key, "\(path) is not a PEM private key file (no -----BEGIN ... PRIVATE KEY----- line)")
        }
        if contains(bytes, "ENCRYPTED") {
            throw problem(
                key, "\(path) is encrypted, which is not supported; decrypt it (openssl pkey -in KEY -out PLAIN)")
        }
        do {
            // A key asking for a passphrase anyway must fail rather than prompt on standard input.
            return try NIOSSLPrivateKey(bytes: bytes, format: .pem) { (_: NIOSSLPassphraseSetter<[UInt8]>) in
                throw ClientTLS.ConfigurationError(description: "no passphrase")
            }
        } catch {
            throw problem(key, "\(path) is not a valid PEM private key file")
        }
    }

    static func read(key: String, path: String) throws(ClientTLS.ConfigurationError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw problem(key, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            bytes.append(contentsOf: buffer[..<count])
            if bytes.count > maxBytes {
                throw problem(key, "\(path) is larger than \(maxBytes >> 20) MiB; not a PEM file")
            }
            if count < buffer.count {
                if ferror(file) != 0 { throw problem(key, "cannot read \(path): \(String(cString: strerror(errno)))") }
                break
            }
        }
        if bytes.isEmpty { throw problem(key, "\(path) is empty") }
        return bytes
    }

    private static func problem(_ key: String, _ message: String) -> ClientTLS.ConfigurationError {
        ClientTLS.ConfigurationError(description: "tls.\(key): \(message)")
    }

    private static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if bytes[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }
}
