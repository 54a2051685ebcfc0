internal import FileIO
internal import Logging

/// Keeps the listeners' `max_connections` under the process's open-files limit. Every accepted connection is a
/// descriptor; should accept ever fail for want of one (EMFILE), the listening socket stays readable and the
/// event loop retries it at once, for ever (SwiftNIO keeps its read pending after the error, so even a backoff
/// handler cannot stop it). So the limits are scaled down until they fit, leaving room for everything else the
/// process opens, and a connection over a limit is accepted and closed, which empties the backlog.
enum ConnectionBudget {
    /// The soft limit on open files (raised to the hard limit at start).
    static func openFilesLimit() -> Int { OpenFiles.limit() }

    /// Descriptors kept free for what is not an accepted connection: listeners, outbound connections, queue
    /// files, the event loops' own.
    static func reserve(openFilesLimit: Int) -> Int { Swift.max(64, openFilesLimit / 8) }

    /// A function scaling each configured `max_connections` so that together they fit the limit; logs once
    /// when it has to.
    static func share(configured: [Int], openFilesLimit: Int, logger: Logger) -> @Sendable (Int) -> Int {
        let total = configured.reduce(0, +)
        let budget = Swift.max(configured.count, openFilesLimit - reserve(openFilesLimit: openFilesLimit))
        guard total > budget else { return { $0 } }
        let factor = Double(budget) / Double(total)
        logger.warning(
            "max_connections lowered to fit the open-files limit",
            metadata: [
                "open_files_limit": "\(openFilesLimit)", "configured_total": "\(total)",
                "allowed_total": "\(budget)",
            ])
        return { Swift.max(1, Int(Double($0) * factor)) }
    }
}
