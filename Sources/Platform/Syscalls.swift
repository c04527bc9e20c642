#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// A failed system call: the call's name, `errno`, and what we were doing.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Int32
    public let context: String

    public init(_ call: String, errno: Int32, context: String = "") {
        self.call = call
        self.errno = errno
        self.context = context
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        return context.isEmpty ? "\(call): \(reason)" : "\(context): \(call): \(reason)"
    }
}

/// Thin wrappers over the syscalls the daemon uses. One EINTR loop lives here;
/// `close` is never retried (on Linux the descriptor is gone even on EINTR).
public enum Sys {
    @inline(__always)
    public static func retrying<T: BinaryInteger>(_ call: String, _ context: String, _ body: () -> T) throws(SystemError) -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw SystemError(call, errno: code, context: context)
        }
    }

    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0o640) throws(SystemError) -> Int32 {
        try retrying("open", path) { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Writes all of `bytes`, looping over short writes.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, context: String = "") throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = try retrying("write", context) {
                Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            }
            offset += n
        }
    }

    /// Writes all of `bytes` at `offset`, looping over short writes.
    public static func pwriteAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, offset: Int, context: String = "") throws(SystemError) {
        var done = 0
        while done < bytes.count {
            let n = try retrying("pwrite", context) {
                Glibc.pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            }
            done += n
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], context: String = "") throws(SystemError) {
        var failure: SystemError?
        bytes.withUnsafeBytes { buffer in
            do throws(SystemError) { try writeAll(fd, buffer, context: context) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Sends all of `bytes` on a socket without raising SIGPIPE.
    public static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        var failure: SystemError?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if Glibc.errno == EINTR { continue }
                    failure = SystemError("send", errno: Glibc.errno)
                    return
                }
                offset += n
            }
        }
        if let failure { throw failure }
    }

    /// Reads up to `count` bytes; 0 means end of file.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) throws(SystemError) -> Int {
        try retrying("read", "") { Glibc.read(fd, buffer, count) }
    }

    public static func pread(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, offset: Int) throws(SystemError) -> Int {
        try retrying("pread", "") { Glibc.pread(fd, buffer, count, off_t(offset)) }
    }

    public static func fdatasync(_ fd: Int32, context: String = "") throws(SystemError) {
        _ = try retrying("fdatasync", context) { Glibc.fdatasync(fd) }
    }

    public static func fsync(_ fd: Int32, context: String = "") throws(SystemError) {
        _ = try retrying("fsync", context) { Glibc.fsync(fd) }
    }

    public static func ftruncate(_ fd: Int32, _ length: Int, context: String = "") throws(SystemError) {
        _ = try retrying("ftruncate", context) { Glibc.ftruncate(fd, off_t(length)) }
    }

    /// fsyncs a directory so that a file created or renamed in it survives a crash.
    public static func fsyncDirectory(_ path: String) throws(SystemError) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd, context: path)
    }

    public static func fileSize(_ fd: Int32) throws(SystemError) -> Int {
        var info = stat()
        _ = try retrying("fstat", "") { fstat(fd, &info) }
        return Int(info.st_size)
    }

    public static func fileExists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Whether a peer with `uid` and `groups` may read `path` by its permission bits
    /// (so the daemon never reads, on a client's behalf, a file the client couldn't).
    public static func peerMayRead(_ path: String, uid: UInt32, groups: [UInt32]) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        if uid == 0 { return true }
        if info.st_uid == uid { return info.st_mode & S_IRUSR != 0 }
        if groups.contains(info.st_gid) { return info.st_mode & S_IRGRP != 0 }
        return info.st_mode & S_IROTH != 0
    }

    /// The size of `path` if it is a regular file (following symlinks), else nil.
    public static func regularFileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    public static func isSocket(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFSOCK
    }

    public static func unlink(_ path: String) {
        _ = Glibc.unlink(path)
    }

    public static func rename(_ from: String, _ to: String) throws(SystemError) {
        _ = try retrying("rename", "\(from) → \(to)") { Glibc.rename(from, to) }
    }

    public static func makeDirectory(_ path: String, mode: mode_t = 0o750) throws(SystemError) {
        if mkdir(path, mode) != 0, Glibc.errno != EEXIST {
            throw SystemError("mkdir", errno: Glibc.errno, context: path)
        }
    }

    public static var processID: Int32 { getpid() }
    public static var userID: UInt32 { getuid() }

    /// The user name for `uid`, or `nil` when the passwd database has none.
    public static func userName(_ uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else {
            return nil
        }
        return String(cString: name)
    }

    /// The primary group of `uid` from the passwd database.
    public static func primaryGroup(_ uid: UInt32) -> UInt32? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_gid
    }

    /// Every group `uid` belongs to (primary and supplementary), as ids.
    public static func groupIDs(uid: UInt32, primary: UInt32) -> [UInt32] {
        guard let name = userName(uid) else { return [primary] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, primary, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, primary, &groups, &count) >= 0 else { return [primary] }
        }
        return Array(groups.prefix(Int(count)))
    }

    /// The numeric id of group `name`, or `nil`.
    public static func groupID(named name: String) -> UInt32? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    public static func userID(named name: String) -> UInt32? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    /// Wall-clock time in milliseconds since the Unix epoch.
    public static func wallClockMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Monotonic time in nanoseconds (for uptime and latency, never for event times).
    public static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Fills `count` bytes from the kernel's CSPRNG.
    public static func secureRandomBytes(_ count: Int) throws(SystemError) -> [UInt8] {
        let fd = try open("/dev/urandom", O_RDONLY)
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, count - filled) }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw SystemError("read", errno: Glibc.errno, context: "/dev/urandom")
            }
            if n == 0 { throw SystemError("read", errno: EIO, context: "/dev/urandom returned end of file") }
            filled += n
        }
        return bytes
    }

    public static func ignoreSignal(_ signal: Int32) {
        Glibc.signal(signal, SIG_IGN)
    }

    public static func exit(_ code: Int32) -> Never {
        Glibc.exit(code)
    }

    public static func writeStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        if bytes.last != 10 { bytes.append(10) }
        try? writeAll(2, bytes)
    }
}
