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
    /// Special equipment: rules file, reminder ticker, notify command.
    public let equipment = EquipmentRuntime()

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
    public func replaceConfig(_ new: DaemonConfig) { lock.withLock { settings = new; reloadProblem = nil } }

    /// Why the last SIGHUP could not reload the config (shown in `status` until a reload works).
    private var reloadProblem: String?   // guarded by lock
    public func reportReloadProblem(_ problem: String) { lock.withLock { reloadProblem = problem } }

    /// Reads the state under the lock.
    public func withState<T>(_ body: (InspectionState) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(state)
    }

    // MARK: - The pipeline

    /// Runs a domain command for `actor` and returns its response.
    public func run(_ command: DomainCommand, args: JSONObject, actor: Actor) -> Result<JSONValue, CommandError> {
        finish(begin(command, args: args, actor: actor))
    }

    /// The first half of `run`: decides, stages and applies under the lock, but does not
    /// wait for the fsync — so a connection can stage its next pipelined request while
    /// this one's batch is being synced. `finish` completes it.
    public func begin(_ command: DomainCommand, args: JSONObject, actor: Actor) -> Pending {
        begin([(command, args)], actor: actor)[0]
    }

    /// `begin` for several commands of one client, in order, under one hold of the state
    /// lock: each is decided against the state the ones before it left, exactly as if
    /// `begin` were called for each in turn, without a lock hand-off per command (16
    /// pipelining connections otherwise contend for the lock once per request).
    /// Callers keep the list short (a connection passes at most `maxBatch`): other
    /// clients and `status` wait while it runs. O(n) in the commands.
    public func begin(_ commands: [(command: DomainCommand, args: JSONObject)], actor: Actor) -> [Pending] {
        var results: [Pending] = []
        results.reserveCapacity(commands.count)
        let journalActor = actor.journalName
        lock.lock()
        for (command, args) in commands {
            guard actor.mayRun(command.roles) else {
                results.append(.ready(.failure(.forbidden("\(command.name) needs role \(command.roles.sorted().map(\.rawValue).joined(separator: " or ")); \(actor.journalName) has \(actor.roles.isEmpty ? "none" : actor.roles.sorted().map(\.rawValue).joined(separator: ", ")). Ask the bureau's IT person to add you in config/inspectd.json \"roles\"."))))
                continue
            }
            results.append(beginLocked(journalActor: journalActor, contextActor: actor) { (context, state) throws(CommandError) in
                try command.run(Arguments(args, command: command.name), context, state)
            })
        }
        lock.unlock()
        return results
    }

    /// How many pipelined commands a connection hands to one `begin` call.
    public static let maxBatch = 64

    /// A command that has been decided: either answered already, or waiting for the
    /// fsync of the batch holding its events.
    public enum Pending {
        case ready(Result<JSONValue, CommandError>)
        case awaitingSync(seq: Int, events: Int, result: JSONValue)
    }

    /// Appends events the daemon decides itself (actor `system`), e.g. recovery notes.
    @discardableResult
    public func appendSystemEvents(_ events: [NewEvent]) -> Result<JSONValue, CommandError> {
        execute(actor: nil) { _, _ throws(CommandError) in CommandOutcome(events: events, result: [:]) }
    }

    /// The pipeline: `decide` runs under the state lock against the current state and
    /// returns events (validated) and a result; the events are staged, applied, and
    /// acknowledged after fdatasync. `actor == nil` means the daemon itself (`system`).
    /// Time-driven work (the reminder ticker) decides here too, so two ticks can never
    /// both issue the same reminder.
    public func execute(
        actor: Actor?,
        decide: (CommandContext, InspectionState) throws(CommandError) -> CommandOutcome
    ) -> Result<JSONValue, CommandError> {
        finish(begin(actor: actor, decide: decide))
    }

    public func begin(
        actor: Actor?,
        decide: (CommandContext, InspectionState) throws(CommandError) -> CommandOutcome
    ) -> Pending {
        let journalActor = actor?.journalName ?? Actor.system
        let contextActor = actor ?? Actor(uid: Sys.userID, name: Actor.system, roles: [.admin])
        lock.lock()
        defer { lock.unlock() }
        return beginLocked(journalActor: journalActor, contextActor: contextActor, decide: decide)
    }

    /// `begin`'s work; the caller holds `lock`.
    private func beginLocked(
        journalActor: String, contextActor: Actor,
        decide: (CommandContext, InspectionState) throws(CommandError) -> CommandOutcome
    ) -> Pending {
        // Journal times never decrease, even if the wall clock steps back.
        var now = clock.now()
        if let last = state.lastEventAt, last > now { now = last }
        let zone = self.zone
        let context = CommandContext(now: now, zone: zone, actor: contextActor, settings: domainSettings)
        let outcome: CommandOutcome
        do {
            // Lend the state through its address: passing the stored property itself
            // made Swift copy the struct (a retain and release of every collection in
            // it) for every command.
            outcome = try withUnsafeMutablePointer(to: &state) { (current) throws(CommandError) in
                try decide(context, current.pointee)
            }
        } catch {
            return .ready(.failure(error))
        }
        if outcome.events.isEmpty {
            return .ready(.success(outcome.result))
        }
        let records: [JournalRecord]
        do {
            records = try writer.stage(outcome.events, at: zone.format(now), actor: journalActor)
        } catch {
            return .ready(.failure(CommandError(.unavailable, error.reason)))
        }
        for record in records {
            do {
                try state.apply(record.event)
            } catch {
                // A command produced an event its own apply rejects: a bug. Stop writing
                // rather than let memory and disk disagree.
                writer.poison("apply failed for staged seq \(record.seq): \(error.message)")
                log.error("internal: apply failed for staged seq \(record.seq): \(error.message); journal is now read-only")
                return .ready(.failure(CommandError(.internal, "apply failed for seq \(record.seq): \(error.message); the journal is now read-only, restart inspectd")))
            }
        }
        return .awaitingSync(seq: records[records.count - 1].seq, events: records.count, result: outcome.result)
    }

    /// The second half: waits for the fsync, then answers (adding `seq` to object results).
    public func finish(_ pending: Pending) -> Result<JSONValue, CommandError> {
        guard case .awaitingSync(let last, let count, var result) = pending else {
            if case .ready(let answer) = pending { return answer }
            return .failure(CommandError(.internal, "unreachable"))
        }
        do {
            try writer.waitUntilDurable(last)
        } catch {
            return .failure(CommandError(.unavailable, error.reason))
        }
        snapshotter?.maybeSnapshot(currentSeq: last)
        if case .object(var object) = result, object["seq"] == nil {
            object["seq"] = .int(last)
            if count > 1 { object["events"] = .int(count) }
            result = .object(object)
        }
        return .success(result)
    }

    /// A long write under one lock hold (CSV imports): `body` may read the state and
    /// stage events many times; each `stage` appends and applies immediately, and the
    /// result is acknowledged once the last batch is durable. Other clients wait while
    /// it runs: an import is one atomic step in the journal's order.
    public func executeBatch(actor: Actor, _ body: (BatchSession) throws(CommandError) -> JSONValue) -> Result<JSONValue, CommandError> {
        lock.lock()
        var now = clock.now()
        if let last = state.lastEventAt, last > now { now = last }
        let session = BatchSession(service: self, context: CommandContext(now: now, zone: zone, actor: actor, settings: domainSettings),
                                   at: zone.format(now), actor: actor.journalName)
        let result: JSONValue
        do {
            result = try body(session)
        } catch {
            lock.unlock()
            if session.lastSeq > 0 {
                // Events were staged before the failure: wait for them so the journal and
                // the reply agree, and say how far it got.
                try? writer.waitUntilDurable(session.lastSeq)
            }
            return .failure(error)
        }
        lock.unlock()
        if session.lastSeq > 0 {
            do { try writer.waitUntilDurable(session.lastSeq) } catch { return .failure(CommandError(.unavailable, error.reason)) }
            snapshotter?.maybeSnapshot(currentSeq: session.lastSeq)
        }
        return .success(result)
    }

    /// Handed to `executeBatch` bodies; valid only during the call (the lock is held).
    public final class BatchSession {
        fileprivate unowned let service: InspectionService
        public let context: CommandContext
        fileprivate let at: String
        fileprivate let actor: String
        public private(set) var lastSeq = 0
        public private(set) var staged = 0

        fileprivate init(service: InspectionService, context: CommandContext, at: String, actor: String) {
            self.service = service
            self.context = context
            self.at = at
            self.actor = actor
        }

        /// Reads the current state (including everything staged so far). Don't keep it.
        public func read<T, E: Error>(_ body: (InspectionState) throws(E) -> T) throws(E) -> T {
            try body(service.state)
        }

        /// Stages and applies `events`.
        public func stage(_ events: [NewEvent]) throws(CommandError) {
            guard !events.isEmpty else { return }
            let records: [JournalRecord]
            do {
                records = try service.writer.stage(events, at: at, actor: actor)
            } catch {
                throw CommandError(.unavailable, error.reason)
            }
            for record in records {
                do throws(CommandError) {
                    try service.state.apply(record.event)
                } catch {
                    service.writer.poison("apply failed for staged seq \(record.seq): \(error.message)")
                    throw CommandError(.internal, "apply failed for seq \(record.seq): \(error.message); the journal is now read-only, restart inspectd")
                }
            }
            lastSeq = records[records.count - 1].seq
            staged += records.count
        }
    }

    /// The state and the journal position it includes, captured together.
    func captureForSnapshot() -> (InspectionState, SnapshotStore.Position)? {
        lock.withLock {
            guard let position = writer.stagedPosition, position.seq == state.lastSeq else { return nil }
            return (state, position)
        }
    }

    /// Set once at start; told about every append so it can snapshot periodically.
    var snapshotter: Snapshotter?

    /// Runs everything time-driven up to `now` (the reminder ticker hooks in here).
    public func runTimeDriven(upTo now: Timestamp) {
        equipment.runTimeDriven(service: self, upTo: now)
    }

    /// Keys the reminder queue with the configured stages (a derived index, not journaled).
    public func useReminderStages(_ stages: [Int]) {
        lock.withLock { state.useReminderStages(stages) }
    }

    // MARK: - Status

    public func status(peer: Actor, socketPath: String, connections: Int) -> JSONValue {
        let stats = writer.statistics
        let (lastSeq, counts) = withState { ($0.lastSeq, $0.eventCounts.byType) }
        _ = lastSeq
        let uptime = Double(Sys.monotonicNanos() - startedMonotonic) / 1e9
        var warnings = startWarnings + equipment.warnings
        if let error = snapshotter?.status["lastError"]?.stringValue { warnings.append("last snapshot failed: \(error)") }
        if let problem = lock.withLock({ reloadProblem }) { warnings.append(problem) }
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
            "snapshots": snapshotter?.status ?? .null,
            "eventTypes": .object(JSONObject(counts.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSONValue.int($0.value)) })),
            "equipment": equipment.status(service: self),
            "peer": [
                "actor": .string(peer.journalName),
                "roles": .array(peer.roles.sorted().map { .string($0.rawValue) }),
            ],
            "warnings": .array(warnings.map { .string($0) }),
        ]
    }
}
