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
    /// The latest time the journal's `at` format can hold (a four-digit year).
    public static let latest = Timestamp(millis: 253_402_300_799_000 - 14 * 3600 * 1000)   // 9999-12-31T23:59:59, any zone

    public func set(_ time: Timestamp) throws(CommandError) {
        try lock.withLock { () throws(CommandError) in
            let zone = BureauZone.shanghai
            guard time >= current else {
                throw .conflict("clock.set: the simulated clock only moves forward (now \(zone.format(current)), asked \(zone.format(time)))")
            }
            guard time <= Self.latest else {
                throw .badRequest("clock.set: \(zone.format(time)) is past year 9999, which journal times cannot express")
            }
            current = time
        }
    }
}
