/// The version `--version` prints.
enum GatewayVersion {
    static let current = "0.1.0"
}
