internal import GatewayCore
internal import HTTP2Transport
public import SelfTelemetry

/// The receiver's self-metrics for one transport, created once so the request path only bumps atomics.
public struct ReceiverTelemetry: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// Decoded and accepted by the pipeline.
        case success
        /// Decoded, but the pipeline refused it.
        case refused
        /// Never reached the pipeline: bad path, method, media type, size, compression or encoding.
        case failure
    }

    let accepted: [Signal: TelemetryCounter]
    let refused: [Signal: TelemetryCounter]
    let requests: [Outcome: TelemetryCounter]
    /// Connections whose TLS handshake failed; registered only for a listener with `tls`.
    let tlsHandshakeFailures: TelemetryCounter?
    /// Requests refused for missing or wrong credentials (also counted as failures); only with `auth`.
    let authFailures: TelemetryCounter?
    /// What the listener refused or ended to protect itself, by reason (`otlp_gateway_receiver_protections_total`).
    let protections: [Protection: TelemetryCounter]
    /// Connections open now on this listener.
    let openConnections: TelemetryGauge

    /// Reasons a connection or stream was refused or ended by the listener's own limits.
    enum Protection: String, CaseIterable {
        /// `max_connections` reached: closed as accepted.
        case maxConnections = "max_connections"
        /// accept failed (out of file descriptors); the listener backed off.
        case acceptError = "accept_error"
        /// A request's headers were larger than `max_header_list_size` (HTTP/2 reset, HTTP/1.1 431).
        case headerListTooLarge = "header_list_too_large"
        /// No HTTP/2 preface (or TLS handshake) within `handshake_timeout`.
        case handshakeTimeout = "handshake_timeout"
        /// A request head not complete within `read_header_timeout`.
        case readHeaderTimeout = "read_header_timeout"
        /// A connection idle past `idle_timeout` / `max_connection_idle`, or a body that stopped arriving.
        case idleTimeout = "idle_timeout"
        /// A response not taken by the client within `write_timeout`.
        case writeTimeout = "write_timeout"
        /// `max_connection_age` reached (GOAWAY).
        case maxConnectionAge = "max_connection_age"
        /// An HTTP/2 stream reset after `stream_idle_timeout` without progress.
        case streamIdleTimeout = "stream_idle_timeout"
        /// The peer broke the HTTP/2 protocol; GOAWAY and close.
        case protocolError = "protocol_error"
    }

    /// `tls` and `auth` say whether the listener has them, so their counters exist only where they can move.
    public init(registry: TelemetryRegistry, receiver: String, transport: String, tls: Bool = false, auth: Bool = false)
    {
        let labels = ["receiver": receiver, "transport": transport]
        var accepted: [Signal: TelemetryCounter] = [:]
        var refused: [Signal: TelemetryCounter] = [:]
        for signal in Signal.allCases {
            accepted[signal] = registry.counter(
                "otelcol_receiver_accepted_\(signal.itemUnit)_total",
                help: "Number of \(signal.itemUnit) successfully pushed into the pipeline.", labels: labels)
            refused[signal] = registry.counter(
                "otelcol_receiver_refused_\(signal.itemUnit)_total",
                help: "Number of \(signal.itemUnit) that could not be pushed into the pipeline.", labels: labels)
        }
        var requests: [Outcome: TelemetryCounter] = [:]
        for outcome in Outcome.allCases {
            var l = labels
            l["outcome"] = outcome.rawValue
            requests[outcome] = registry.counter(
                "otelcol_receiver_requests_total",
                help: "Requests received, by outcome: success, refused by the pipeline, or failure (bad input).",
                labels: l)
        }
        self.accepted = accepted
        self.refused = refused
        self.requests = requests
        var protections: [Protection: TelemetryCounter] = [:]
        for protection in Protection.allCases {
            var l = labels
            l["reason"] = protection.rawValue
            protections[protection] = registry.counter(
                "otlp_gateway_receiver_protections_total",
                help:
                    "Connections or streams the listener refused or ended to protect itself, by reason (limits, timeouts, protocol errors).",
                labels: l)
        }
        self.protections = protections
        openConnections = registry.gauge(
            "otlp_gateway_receiver_open_connections", help: "Connections open on the listener.", labels: labels)
        tlsHandshakeFailures =
            tls
            ? registry.counter(
                "otlp_gateway_receiver_tls_handshake_failures_total",
                help:
                    "Connections closed because their TLS handshake failed (plaintext client, untrusted or missing client certificate, no common version).",
                labels: labels) : nil
        authFailures =
            auth
            ? registry.counter(
                "otlp_gateway_receiver_auth_failures_total",
                help: "Requests refused before their body was read: missing or invalid Authorization credentials.",
                labels: labels) : nil
    }

    func count(_ outcome: Outcome) { requests[outcome]!.add() }

    /// A request refused for its credentials (the caller counts the failure outcome too).
    func countAuthFailure() {
        authFailures?.add()
    }

    func countHandshakeFailure() { tlsHandshakeFailures?.add() }

    func count(_ protection: Protection) { protections[protection]!.add() }

    func count(_ event: HTTP2ServerEvent) {
        switch event {
        case .headerListTooLarge:
            count(Protection.headerListTooLarge)
            // The stream's request never reaches a handler: count it as a failed request too.
            count(Outcome.failure)
        case .handshakeTimeout: count(Protection.handshakeTimeout)
        case .idleTimeout: count(Protection.idleTimeout)
        case .maxAge: count(Protection.maxConnectionAge)
        case .streamStalled: count(Protection.streamIdleTimeout)
        case .protocolError: count(Protection.protocolError)
        }
    }

    func countTimeout(_ kind: HTTP1ConnectionClock.Timeout) {
        switch kind {
        case .readHeader: count(Protection.readHeaderTimeout)
        case .idle: count(Protection.idleTimeout)
        case .write: count(Protection.writeTimeout)
        }
    }

    func countHeaderTooLarge() {
        count(Protection.headerListTooLarge)
        count(Outcome.failure)
    }

    func countAcceptError() { count(Protection.acceptError) }
    func countConnectionRefused() { count(Protection.maxConnections) }
    func connectionOpened() { openConnections.add(1) }
    func connectionClosed() { openConnections.add(-1) }
}
