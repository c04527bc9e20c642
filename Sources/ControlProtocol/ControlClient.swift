import InspectionKit
import Platform

/// A blocking client for the control socket (used by `inspectctl` and the tests).
public final class ControlClient {
    public let socketPath: String
    private let fd: Int32
    private let reader: LineReader
    private var nextID = 1

    /// Connects; throws `SystemError` (ENOENT, ECONNREFUSED, EACCES…) when the daemon
    /// can't be reached.
    public init(socketPath: String, maxLineBytes: Int = 1 << 30) throws(SystemError) {
        self.socketPath = socketPath
        fd = try UnixSocket.connect(path: socketPath)
        reader = LineReader(fd: fd, maxLineBytes: maxLineBytes)
    }

    deinit { Sys.close(fd) }

    /// Sends one request and waits for its response.
    public func call(_ cmd: String, _ args: JSONObject = [:]) throws -> Response {
        let id = JSONValue.string(String(nextID))
        nextID += 1
        try sendLine(Request(id: id, cmd: cmd, args: args).encoded())
        guard case .line(let line) = try reader.next() else {
            throw ProtocolViolation(message: "the daemon closed the connection before answering \(cmd)")
        }
        return try Response.parse(line)
    }

    /// Sends raw bytes followed by a newline (tests use this to send garbage).
    public func sendLine(_ bytes: [UInt8]) throws(SystemError) {
        try Sys.sendAll(fd, bytes + [10])
    }

    /// The next raw line from the daemon, or `nil` at end of stream.
    public func readLine() throws(SystemError) -> [UInt8]? {
        switch try reader.next() {
        case .line(let line): return line
        case .tooLarge, .endOfStream: return nil
        }
    }
}
