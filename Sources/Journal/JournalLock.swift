import Platform

#if canImport(Glibc)
import Glibc
#endif

/// The single-writer lock: `flock(LOCK_EX|LOCK_NB)` on `journal/LOCK` (SPEC §4).
///
/// The kernel drops the lock when the process dies, so a crashed daemon never leaves
/// a stale lock behind; the pid written into the file is only for the error message.
public final class JournalLock: Sendable {
    private let fd: Int32
    public let path: String

    /// Takes the lock or throws `JournalLockError.inUse` naming the holder's pid.
    public init(path: String) throws(JournalLockError) {
        let fd: Int32
        do {
            fd = try Sys.open(path, O_RDWR | O_CREAT, 0o640)
        } catch {
            throw .system(error)
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            var holder = ""
            var bytes = [UInt8](repeating: 0, count: 32)
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, 32, 0) }
            if n > 0 { holder = String(decoding: bytes[0..<n], as: UTF8.self).trimmingWhitespace() }
            Sys.close(fd)
            if code == EWOULDBLOCK {
                throw .inUse(pid: Int32(holder) ?? 0, path: path)
            }
            throw .system(SystemError("flock", errno: code, context: path))
        }
        let pid = Array("\(Sys.processID)\n".utf8)
        do {
            try Sys.ftruncate(fd, 0, context: path)
            _ = try pid.withBytes { (buffer) throws(SystemError) in
                try Sys.retrying("pwrite", path) { pwrite(fd, buffer.baseAddress!, buffer.count, 0) }
            }
        } catch {
            Sys.close(fd)
            throw .system(error)
        }
        self.fd = fd
        self.path = path
    }

    deinit { Sys.close(fd) }
}

public enum JournalLockError: Error, Sendable, CustomStringConvertible {
    case inUse(pid: Int32, path: String)
    case system(SystemError)

    public var description: String {
        switch self {
        case .inUse(let pid, let path):
            return pid > 0 ? "journal in use by pid \(pid) (lock \(path))" : "journal in use by another process (lock \(path))"
        case .system(let error): return error.description
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
