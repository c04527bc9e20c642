#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The write end of the self-pipe the signal handler writes to.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Shutdown and reload signals, delivered to one dedicated thread.
///
/// A process-wide handler (installed first thing, so no thread ever takes the default
/// action) writes the signal number to a pipe — `write` is async-signal-safe — and a
/// thread reads the pipe and runs the Swift handler. Unlike a Dispatch signal source,
/// which registers asynchronously, nothing sent after `install` returns is lost; and
/// unlike blocking the signals, it does not depend on the mask of every thread the
/// runtime starts.
public enum Signals {
    public static func install(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        // A launcher may hand us a blocked signal mask (test runners and some process
        // supervisors do): unblock these first, or they would stay pending forever.
        // Threads started later inherit this mask.
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { fatalError("pipe() failed: \(errno)") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        signalPipeWriteEnd = fds[1]
        let readEnd = fds[0]
        startThread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 { handler(Int32(byte)) } else if n < 0 && errno != EINTR { return }
            }
        }
        for number in signals {
            // glibc's signal() has BSD semantics: the handler stays installed and
            // interrupted system calls restart.
            _ = signal(number) { received in
                var byte = UInt8(truncatingIfNeeded: received)
                _ = write(signalPipeWriteEnd, &byte, 1)
            }
        }
    }
}

/// Start-up and shutdown in order: a stop requested while starting runs as soon as
/// the daemon is ready.
public final class Lifecycle: @unchecked Sendable {
    private let lock = ConditionLock()
    // Guarded by lock:
    private var stop: (@Sendable () -> Void)?
    private var reload: (@Sendable () -> Void)?
    private var stopRequested = false

    public init() {}

    /// Called from the signal thread.
    public func signal(_ number: Int32) {
        if number == SIGHUP {
            let action = lock.withLock { reload }
            action?()
            return
        }
        let action: (@Sendable () -> Void)? = lock.withLock {
            stopRequested = true
            return stop
        }
        action?()
    }

    /// Start-up finished: from now on signals act at once; a stop that came earlier runs now.
    public func ready(stop: @escaping @Sendable () -> Void, reload: @escaping @Sendable () -> Void) {
        let pending: Bool = lock.withLock {
            self.stop = stop
            self.reload = reload
            return stopRequested
        }
        if pending { stop() }
    }

    public var isStopRequested: Bool { lock.withLock { stopRequested } }
}
