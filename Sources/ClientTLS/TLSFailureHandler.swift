internal import NIOCore
internal import NIOTLS

/// Sits right after the TLS client handler and replaces the errors it fires with a `TLSFailure` naming the peer
/// and saying whether the handshake failed, so the exporter's log line and error count say what happened.
///
/// Before the handshake completes every error is a handshake failure (a reset or an early close included);
/// afterwards only NIOSSL's own errors are rewritten, and I/O errors pass unchanged.
final class TLSFailureHandler: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let peer: String
    private let serverName: String
    private var handshakeCompleted = false

    init(peer: String, serverName: String) {
        self.peer = peer
        self.serverName = serverName
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted? = event as? TLSUserEvent { handshakeCompleted = true }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !(error is TLSFailure), !handshakeCompleted || TLSFailure.isTLSError(error) else {
            context.fireErrorCaught(error)
            return
        }
        let reason =
            TLSFailure.isHostnameMismatch(error)
            ? "the server's certificate is not valid for \(serverName) (no matching DNS name or IP address entry; see tls.server_name_override)"
            : TLSFailure.reason(error)
        context.fireErrorCaught(TLSFailure(peer: peer, duringHandshake: !handshakeCompleted, reason: reason))
    }
}
