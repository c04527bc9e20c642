import InspectionKit
import Platform

/// Splits a socket's byte stream into `\n`-terminated lines, enforcing a maximum
/// line length so one client can't make the daemon buffer without bound.
public final class LineReader {
    public enum Next {
        case line([UInt8])
        /// The peer sent more than `maxLineBytes` without a newline.
        case tooLarge
        case endOfStream
    }

    private let fd: Int32
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    public init(fd: Int32, maxLineBytes: Int) {
        self.fd = fd
        self.maxLineBytes = maxLineBytes
    }

    /// The next line if one is already buffered or arrives without blocking; `nil` when
    /// the peer has sent nothing more yet (used to gather pipelined requests).
    public func nextIfReady() throws(SystemError) -> Next? {
        if buffer[scanned...].contains(10) { return try next() }
        guard UnixSocket.isReadable(fd) else { return nil }
        return try next()
    }

    /// The next line without its newline (a trailing `\r` is kept: JSON treats it as
    /// whitespace). Blocks until one arrives.
    public func next() throws(SystemError) -> Next {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 10) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                scanned = start
                if start > 1 << 20 || start == buffer.count {
                    buffer.removeSubrange(0..<start)
                    start = 0
                    scanned = 0
                }
                if line.count > maxLineBytes { return .tooLarge }
                return .line(line)
            }
            scanned = buffer.count
            if buffer.count - start > maxLineBytes { return .tooLarge }
            let n = try chunk.withMutableBytes { (raw) throws(SystemError) in
                try UnixSocket.receive(fd, into: raw.baseAddress!, count: raw.count)
            }
            if n == 0 {
                if buffer.count > start {
                    // A last request without a newline still deserves an answer.
                    let line = Array(buffer[start...])
                    buffer.removeAll()
                    start = 0
                    scanned = 0
                    if line.count > maxLineBytes { return .tooLarge }
                    return .line(line)
                }
                return .endOfStream
            }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}
