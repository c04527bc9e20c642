import ControlProtocol
import InspectionKit
import Journal
import Platform

/// The daemon's owned state and the one pipeline every command goes through:
/// request → validate against state → events → append → `apply` → response.
///
/// All state lives behind one lock. A write command stages its events and applies
/// them while holding it (so the next command validates against the new state),
/// then waits for the group commit *outside* it, so concurrent clients share fsyncs.
public final class InspectionService: @unchecked Sendable {
    private let lock = ConditionLock()
    // Guarded by `lock`:
    private var state: InspectionState
    private var settings: DaemonConfig
    private var domainSettings: DomainSettings

    public let writer: JournalWriter
    public let clock: any DaemonClock
    public let zone: BureauZone
    public let log: Log
    public let paths: JournalPaths
    public let startedAt: Timestamp
    private let startedMonotonic = Sys.monotonicNanos()
    public static let version = "0.1.0"

    /// Warnings found at start (shown by `status`).
    public let startWarnings: [String]

    public init(state: InspectionState, writer: JournalWriter, config: DaemonConfig, clock: any DaemonClock,
                zone: BureauZone, log: Log, warnings: [String], domainSettings: DomainSettings = DomainSettings()) {
        self.state = state
        self.domainSettings = domainSettings
        self.writer = writer
        self.settings = config
        self.clock = clock
        self.zone = zone
        self.log = log
        self.paths = writer.paths
        self.startedAt = clock.now()
        self.startWarnings = warnings
    }

    public var config: DaemonConfig { lock.withLock { settings } }

    public var currentDomainSettings: DomainSettings { lock.withLock { domainSettings } }
    public func replaceDomainSettings(_ new: DomainSettings) { lock.withLock { domainSettings = new } }

    /// Swaps in a reloaded config (roles and limits; paths need a restart).
    public func replaceConfig(_ new: DaemonConfig) { lock.withLock { settings = new } }

    /// Reads the state under the lock.
    public func withState<T>(_ body: (InspectionState) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(state)
    }

    // MARK: - The pipeline

    /// Runs a domain command for `actor` and returns its response.
    public func run(_ command: DomainCommand, args: JSONObject, actor: Actor) -> Result<JSONValue, CommandError> {
        guard actor.mayRun(command.roles) else {
            return .failure(.forbidden("\(command.name) needs role \(command.roles.sorted().map(\.rawValue).joined(separator: " or ")); \(actor.journalName) has \(actor.roles.isEmpty ? "none" : actor.roles.sorted().map(\.rawValue).joined(separator: ", ")). Ask the bureau's IT person to add you in config/inspectd.json \"roles\"."))
        }
        return append(actor: actor.journalName) { (context) throws(CommandError) in
            try command.run(Arguments(args, command: command.name), context(actor), state)
        }
    }

    /// Appends events the daemon decides itself (actor `system`), e.g. recovery notes.
    @discardableResult
    public func appendSystemEvents(_ events: [NewEvent]) -> Result<JSONValue, CommandError> {
        append(actor: Actor.system) { _ throws(CommandError) in CommandOutcome(events: events, result: [:]) }
    }

    private func append(
        actor journalActor: String,
        decide: ((Actor) -> CommandContext) throws(CommandError) -> CommandOutcome
    ) -> Result<JSONValue, CommandError> {
        lock.lock()
        // Journal times never decrease, even if the wall clock steps back.
        var now = clock.now()
        if let last = state.lastEventAt, last > now { now = last }
        let zone = self.zone
        let settings = self.domainSettings
        let outcome: CommandOutcome
        do {
            outcome = try decide { actor in CommandContext(now: now, zone: zone, actor: actor, settings: settings) }
        } catch {
            lock.unlock()
            return .failure(error)
        }
        if outcome.events.isEmpty {
            lock.unlock()
            return .success(outcome.result)
        }
        let records: [JournalRecord]
        do {
            records = try writer.stage(outcome.events, at: zone.format(now), actor: journalActor)
        } catch {
            lock.unlock()
            return .failure(CommandError(.unavailable, error.reason))
        }
        for record in records {
            do {
                try state.apply(record.event())
            } catch {
                // A command produced an event its own apply rejects: a bug. Stop writing
                // rather than let memory and disk disagree.
                writer.poison("apply failed for staged seq \(record.seq): \(error.message)")
                lock.unlock()
                log.error("internal: apply failed for staged seq \(record.seq): \(error.message); journal is now read-only")
                return .failure(CommandError(.internal, "apply failed for seq \(record.seq): \(error.message); the journal is now read-only, restart inspectd"))
            }
        }
        lock.unlock()
        let last = records[records.count - 1].seq
        do {
            try writer.waitUntilDurable(last)
        } catch {
            return .failure(CommandError(.unavailable, error.reason))
        }
        var result = outcome.result
        if case .object(var object) = result, object["seq"] == nil {
            object["seq"] = .int(last)
            if records.count > 1 { object["events"] = .int(records.count) }
            result = .object(object)
        }
        return .success(result)
    }

    /// Runs everything time-driven up to `now` (the reminder ticker hooks in here).
    public func runTimeDriven(upTo now: Timestamp) {
        _ = now
    }

    // MARK: - Status

    public func status(peer: Actor, socketPath: String, connections: Int) -> JSONValue {
        let stats = writer.statistics
        let (lastSeq, counts) = withState { ($0.lastSeq, $0.eventCounts) }
        _ = lastSeq
        let uptime = Double(Sys.monotonicNanos() - startedMonotonic) / 1e9
        var warnings = startWarnings
        if let failure = stats.failure { warnings.append("journal is read-only after a write failure: \(failure)") }
        return [
            "version": .string(Self.version),
            "now": .string(zone.format(clock.now())),
            "timeZone": .string(zone.identifier),
            "clock": .string(clock.isSimulated ? "simulated" : "system"),
            "startedAt": .string(zone.format(startedAt)),
            "uptimeSeconds": .double((uptime * 10).rounded() / 10),
            "socket": .string(socketPath),
            "connections": .int(connections),
            "journal": [
                "path": .string(paths.events),
                "events": .int(stats.events),
                "bytes": .int(stats.bytes),
                "head": .string(stats.head),
                "writable": .bool(stats.failure == nil),
                "commits": .int(stats.commits),
                "meanSyncMicros": .double((stats.meanSyncMicros * 10).rounded() / 10),
            ],
            "eventTypes": .object(JSONObject(counts.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSONValue.int($0.value)) })),
            "peer": [
                "actor": .string(peer.journalName),
                "roles": .array(peer.roles.sorted().map { .string($0.rawValue) }),
            ],
            "warnings": .array(warnings.map { .string($0) }),
        ]
    }
}
