import HTTP1Transport

/// Builds an `HTTP1Client.Response` for classification tests.
struct HTTP1ResponseForTest {
    let value: HTTP1Client.Response
    init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        value = HTTP1Client.Response(status: status, headers: headers, body: body)
    }
}
