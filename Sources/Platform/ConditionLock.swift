#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// A mutex with a condition variable, for the few places that block a thread until
/// something changes (group commit, journal followers, in-flight request drain).
///
/// `@unchecked Sendable` is sound here: every access to shared state guarded by this
/// lock goes through `withLock`, and the pthread objects live at stable heap addresses.
public final class ConditionLock: @unchecked Sendable {
    fileprivate let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = makeMonotonicCondition()
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    @inline(__always)
    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits for a broadcast; call with the lock held. Spurious wake-ups happen:
    /// always wait in a loop on the real condition.
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits at most `milliseconds`; call with the lock held.
    public func wait(milliseconds: Int) { timedWait(condition, mutex, milliseconds: milliseconds) }

    public func broadcast() { pthread_cond_broadcast(condition) }
}

/// A further condition variable on a `ConditionLock`'s mutex, so that threads waiting
/// for different things are not all woken by every change (the journal writer's
/// flusher waits for work, its clients wait for durability).
public final class LockCondition: @unchecked Sendable {
    private let lock: ConditionLock
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    public init(_ lock: ConditionLock) {
        self.lock = lock
        condition = makeMonotonicCondition()
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    /// Waits for a signal; call with `lock` held, and wait in a loop on the real condition.
    public func wait() { pthread_cond_wait(condition, lock.mutex) }

    /// Waits at most `milliseconds`; call with `lock` held.
    public func wait(milliseconds: Int) { timedWait(condition, lock.mutex, milliseconds: milliseconds) }

    /// Wakes one waiter. Only sound when any one waiter can act on the change.
    public func signal() { pthread_cond_signal(condition) }

    public func broadcast() { pthread_cond_broadcast(condition) }
}

private func makeMonotonicCondition() -> UnsafeMutablePointer<pthread_cond_t> {
    let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    condition.initialize(to: pthread_cond_t())
    var attributes = pthread_condattr_t()
    pthread_condattr_init(&attributes)
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
    pthread_cond_init(condition, &attributes)
    pthread_condattr_destroy(&attributes)
    return condition
}

private func timedWait(_ condition: UnsafeMutablePointer<pthread_cond_t>, _ mutex: UnsafeMutablePointer<pthread_mutex_t>, milliseconds: Int) {
    var deadline = timespec()
    clock_gettime(CLOCK_MONOTONIC, &deadline)
    let nanos = Int(deadline.tv_nsec) + (milliseconds % 1000) * 1_000_000
    deadline.tv_sec += milliseconds / 1000 + nanos / 1_000_000_000
    deadline.tv_nsec = nanos % 1_000_000_000
    pthread_cond_timedwait(condition, mutex, &deadline)
}

/// A value guarded by its own lock.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = ConditionLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withValue<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    public var current: Value { withValue { $0 } }
}

private final class ThreadStart {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// Starts a detached OS thread running `body` (for blocking socket and file work).
/// A 1 MiB stack is plenty: nothing recursive runs on these threads.
public func startThread(_ body: @escaping @Sendable () -> Void) {
    let start = Unmanaged.passRetained(ThreadStart(body)).toOpaque()
    var thread = pthread_t()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    pthread_attr_setstacksize(&attributes, 1 << 20)
    let result = pthread_create(&thread, &attributes, { raw in
        Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, start)
    pthread_attr_destroy(&attributes)
    if result != 0 {
        Unmanaged<ThreadStart>.fromOpaque(start).release()
        fatalError("pthread_create failed: \(result)")
    }
}
