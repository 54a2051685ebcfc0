internal import GatewayCore
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

    /// `tls` and `auth` say whether the listener has them, so their counters exist only where they can move.
    public init(registry: TelemetryRegistry, receiver: String, transport: String, tls: Bool = false, auth: Bool = false) {
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
                help: "Requests received, by outcome: success, refused by the pipeline, or failure (bad input).", labels: l)
        }
        self.accepted = accepted
        self.refused = refused
        self.requests = requests
        tlsHandshakeFailures =
            tls
            ? registry.counter(
                "otlp_gateway_receiver_tls_handshake_failures_total",
                help: "Connections closed because their TLS handshake failed (plaintext client, untrusted or missing client certificate, no common version).",
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
}
