internal import ClientTLS
internal import NIOCore
internal import NIOTLS

/// Sits right after the TLS server handler. An error before the handshake completes (a plaintext client, an
/// unknown CA, no client certificate, no common version) is reported once and closes the connection rather
/// than reaching the protocol handlers, which would see it as their own failure.
final class ServerTLSFailureHandler: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let onHandshakeFailure: @Sendable (String) -> Void
    private var handshakeCompleted = false
    private var reported = false

    init(onHandshakeFailure: @escaping @Sendable (String) -> Void) {
        self.onHandshakeFailure = onHandshakeFailure
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted? = event as? TLSUserEvent { handshakeCompleted = true }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !handshakeCompleted else {
            context.fireErrorCaught(error)
            return
        }
        if !reported {
            reported = true
            onHandshakeFailure(TLSFailure.reason(error))
        }
        context.close(promise: nil)
    }
}
