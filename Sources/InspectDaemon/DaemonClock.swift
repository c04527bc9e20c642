import InspectionKit
import Platform

/// Where the daemon gets "now". Injected so that tests and rehearsals can drive time
/// (`--simulated-clock`) instead of sleeping.
public protocol DaemonClock: Sendable {
    func now() -> Timestamp
    var isSimulated: Bool { get }
}

/// The machine's real-time clock.
public struct SystemClock: DaemonClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(millis: Sys.wallClockMillis()) }
    public var isSimulated: Bool { false }
}

/// A clock that stands still until `clock.set`/`clock.advance` moves it, so a test's
/// timeline is exactly the one it scripts.
public final class SimulatedClock: DaemonClock, @unchecked Sendable {
    private let lock = ConditionLock()
    private var current: Timestamp  // guarded by lock

    public init(start: Timestamp) { current = start }
    public func now() -> Timestamp { lock.withLock { current } }
    public var isSimulated: Bool { true }

    /// Moves the clock; it never goes backwards (journal times must not decrease).
    public func set(_ time: Timestamp) throws(CommandError) {
        try lock.withLock { () throws(CommandError) in
            guard time >= current else {
                throw .conflict("clock.set: the simulated clock only moves forward (now \(current.millis) ms, asked \(time.millis) ms)")
            }
            current = time
        }
    }
}
