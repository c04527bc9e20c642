#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// The kernel's view of who is on the other end of a Unix socket (SO_PEERCRED).
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

/// Mirrors Linux `struct ucred`, which Swift's Glibc module does not export
/// (it sits behind `_GNU_SOURCE`). Layout: pid_t, uid_t, gid_t — three 32-bit ints.
private struct LinuxUcred {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// Unix stream sockets: listen, accept, connect, peer credentials.
public enum UnixSocket {
    /// Bytes available for a path in `sockaddr_un.sun_path`, including the NUL.
    public static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    private static func address(_ path: String) throws(SystemError) -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < maxPathBytes else {
            throw SystemError("bind", errno: ENAMETOOLONG,
                              context: "socket path \(path) is \(bytes.count) bytes; the limit is \(maxPathBytes - 1)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return addr
    }

    /// Creates a listening socket at `path` with permission `mode`.
    ///
    /// An existing file there is removed only if it is a socket (a stale one from a
    /// crashed daemon); anything else is an error, so a typo can't delete a file.
    /// The mode is set with `fchmod` before `bind`, so the socket never exists with
    /// looser permissions.
    public static func listen(path: String, mode: mode_t, backlog: Int32 = 128) throws(SystemError) -> Int32 {
        var addr = try address(path)
        if Sys.fileExists(path) {
            guard Sys.isSocket(path) else {
                throw SystemError("bind", errno: EEXIST, context: "\(path) exists and is not a socket; refusing to replace it")
            }
            Sys.unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket", errno: errno) }
        do throws(SystemError) {
            if fchmod(fd, mode) != 0 { throw SystemError("fchmod", errno: errno, context: path) }
            let previousMask = umask(0o777 & ~mode)
            let bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            let bindErrno = errno
            umask(previousMask)
            if bound != 0 { throw SystemError("bind", errno: bindErrno, context: path) }
            if chmod(path, mode) != 0 { throw SystemError("chmod", errno: errno, context: path) }
            if Glibc.listen(fd, backlog) != 0 { throw SystemError("listen", errno: errno, context: path) }
        } catch {
            Sys.close(fd)
            throw error
        }
        return fd
    }

    /// Accepts one connection; `nil` when the listening socket was shut down.
    public static func accept(_ listener: Int32) throws(SystemError) -> Int32? {
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                return fd
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EBADF, EINVAL: return nil
            case EMFILE, ENFILE:
                // Out of descriptors: back off briefly instead of spinning.
                usleep(50_000)
                continue
            default: throw SystemError("accept", errno: errno)
            }
        }
    }

    public static func connect(path: String) throws(SystemError) -> Int32 {
        var addr = try address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket", errno: errno) }
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let code = errno
            Sys.close(fd)
            throw SystemError("connect", errno: code, context: path)
        }
        return fd
    }

    public static func peerCredentials(_ fd: Int32) throws(SystemError) -> PeerCredentials {
        var cred = LinuxUcred()
        var length = socklen_t(MemoryLayout<LinuxUcred>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) == 0 else {
            throw SystemError("getsockopt(SO_PEERCRED)", errno: errno)
        }
        return PeerCredentials(pid: cred.pid, uid: cred.uid, gid: cred.gid)
    }

    /// Stops further reads and writes (wakes a thread blocked in `accept`/`recv`).
    public static func shutdown(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Receives up to `count` bytes; 0 means the peer closed.
    public static func receive(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) throws(SystemError) -> Int {
        try Sys.retrying("recv", "") { recv(fd, buffer, count, 0) }
    }

    /// True when the peer has closed (or reset) its end, without consuming data.
    public static func peerHasClosed(_ fd: Int32) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, 0)
        if ready <= 0 { return false }
        if pfd.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return true }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)
    }

    /// True when a read would not block (data, end of stream or an error is pending).
    public static func isReadable(_ fd: Int32) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, 0) > 0
    }

    /// Sets a receive timeout so that a blocked read wakes up periodically.
    public static func setReceiveTimeout(_ fd: Int32, milliseconds: Int) {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
}
