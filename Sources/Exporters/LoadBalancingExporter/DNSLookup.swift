#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// Looks a name's addresses up: through the system's resolver (`getaddrinfo`, as the Collector's `dns` resolver
/// does with Go's), or by asking one DNS server directly over UDP for A and AAAA records (`nameserver`).
enum DNSLookup {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The addresses of `hostname`, sorted and without duplicates; IPv6 ones in brackets' inner form (`::1`).
    static func resolve(_ hostname: String, nameserver: (host: String, port: Int)?, timeout: Duration) throws(Failure)
        -> [String]
    {
        if let nameserver { return try query(hostname, server: nameserver, timeout: timeout) }
        return try system(hostname)
    }

    static func system(_ hostname: String) throws(Failure) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(hostname, nil, &hints, &list)
        guard status == 0 else { throw Failure(description: String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(list) }
        var found: Set<String> = []
        var cursor = list
        while let info = cursor?.pointee {
            if let address = info.ai_addr { found.insert(numericHost(address, Int(info.ai_addrlen))) }
            cursor = info.ai_next
        }
        return found.filter { !$0.isEmpty }.sorted()
    }

    private static func numericHost(_ address: UnsafePointer<sockaddr>, _ length: Int) -> String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(address, socklen_t(length), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0
        else { return "" }
        return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Asks `server` for the A and AAAA records of `hostname` (one UDP query each, answered within `timeout`).
    static func query(_ hostname: String, server: (host: String, port: Int), timeout: Duration) throws(Failure)
        -> [String]
    {
        var addresses: Set<String> = []
        var answered = false
        var lastError = ""
        for type: UInt16 in [1, 28] {
            do throws(Failure) {
                addresses.formUnion(try ask(hostname, type: type, server: server, timeout: timeout))
                answered = true
            } catch {
                lastError = error.description
            }
        }
        guard answered else { throw Failure(description: lastError) }
        return addresses.sorted()
    }

    /// One question; the records of `type` in the answer section. NXDOMAIN is an empty answer.
    static func ask(_ hostname: String, type: UInt16, server: (host: String, port: Int), timeout: Duration)
        throws(Failure) -> [String]
    {
        let id = UInt16.random(in: 1...UInt16.max)
        let packet = try question(hostname, type: type, id: id)
        var serverAddress = sockaddr_in()
        serverAddress.sin_family = sa_family_t(AF_INET)
        serverAddress.sin_port = in_port_t(UInt16(server.port).bigEndian)
        guard inet_pton(AF_INET, server.host, &serverAddress.sin_addr) == 1 else {
            throw Failure(description: "nameserver \(server.host) is not an IPv4 address")
        }
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        let (seconds, attoseconds) = timeout.components
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let sent = withUnsafePointer(to: &serverAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == packet.count else { throw Failure(description: "sendto: errno \(errno)") }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let received = recv(fd, &buffer, buffer.count, 0)
            guard received > 0 else { throw Failure(description: "no answer from \(server.host):\(server.port)") }
            let answer = Array(buffer.prefix(received))
            // Another query's late answer: keep waiting for ours.
            guard answer.count >= 12, UInt16(answer[0]) << 8 | UInt16(answer[1]) == id else { continue }
            return try records(answer, type: type)
        }
    }

    static func question(_ hostname: String, type: UInt16, id: UInt16) throws(Failure) -> [UInt8] {
        var packet: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in hostname.split(separator: ".") {
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count) else { throw Failure(description: "invalid hostname \(hostname)") }
            packet.append(UInt8(bytes.count))
            packet.append(contentsOf: bytes)
        }
        packet.append(contentsOf: [0, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1])
        return packet
    }

    /// The A (4-byte) or AAAA (16-byte) records of an answer; malformed packets are failures, never traps.
    static func records(_ packet: [UInt8], type: UInt16) throws(Failure) -> [String] {
        func u16(_ at: Int) throws(Failure) -> Int {
            guard at + 1 < packet.count else { throw Failure(description: "truncated DNS answer") }
            return Int(packet[at]) << 8 | Int(packet[at + 1])
        }
        func skipName(_ start: Int) throws(Failure) -> Int {
            var at = start
            var steps = 0
            while true {
                guard at < packet.count, steps < 128 else { throw Failure(description: "malformed name") }
                steps += 1
                let length = Int(packet[at])
                if length == 0 { return at + 1 }
                if length & 0xC0 == 0xC0 { return at + 2 }
                at += 1 + length
            }
        }
        let rcode = try u16(2) & 0x0F
        if rcode == 3 { return [] }
        guard rcode == 0 else { throw Failure(description: "DNS server answered rcode \(rcode)") }
        let questions = try u16(4)
        let answers = try u16(6)
        var at = 12
        for _ in 0..<questions { at = try skipName(at) + 4 }
        var found: [String] = []
        for _ in 0..<answers {
            at = try skipName(at)
            let recordType = try u16(at)
            let length = try u16(at + 8)
            let data = at + 10
            guard data + length <= packet.count else { throw Failure(description: "truncated DNS record") }
            if recordType == Int(type), type == 1, length == 4 {
                found.append(packet[data..<data + 4].map(String.init).joined(separator: "."))
            } else if recordType == Int(type), type == 28, length == 16 {
                var text = [CChar](repeating: 0, count: 64)
                var raw = Array(packet[data..<data + 16])
                _ = inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                found.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            at = data + length
        }
        return found
    }
}
