import Dispatch
import Foundation
import InspectionKit
import Platform

/// The daemon side of special equipment: the rules file, the reminder ticker and the
/// `notify` command (SPEC §8). The decisions themselves are pure (`EquipmentState`);
/// this type only feeds them the time and the file, and runs the notifications.
public final class EquipmentRuntime: @unchecked Sendable {
    /// Reminders decided per journal batch; a catch-up of more loops, letting clients in between.
    public static let remindersPerBatch = 10_000

    private let lock = ConditionLock()
    // Guarded by `lock`:
    private var rulesPath = ""
    private var rulesFileState = "not read yet"
    private var rulesWarning: String?
    private var lastTickFailure: String?
    private var lastTick: (at: Timestamp, issued: Int)?

    let notifier = ReminderNotifier()

    public init() {}

    /// Applies config: the notify command and its timeout.
    func configure(config: DaemonConfig, log: Log) {
        notifier.configure(command: config.notifyCommand, timeoutSeconds: config.notifyTimeoutSeconds, log: log)
    }

    // MARK: - Rules file

    /// The rules file as last read and validated: what `rules.changed` will carry.
    private struct LoadedRules {
        var json: JSONValue
        var sha256: String
        var path: String
    }

    private var loaded: LoadedRules?  // guarded by `lock`

    /// Reads and validates the rules file (at start and on SIGHUP). When the journal already
    /// has rules and the file's SHA-256 differs, journals `rules.changed` (actor `system`) at
    /// once, so computed due dates follow. On a journal without rules, the file is journaled
    /// just before the first command that needs it (`journalPendingRules`), so a journal
    /// that never uses special equipment carries no rules. A missing or bad file keeps the
    /// rules in force and is reported in the log and `status`.
    func syncRules(service: InspectionService, path: String) {
        let log = service.log
        func note(_ state: String, warning: String?) {
            lock.withLock {
                rulesPath = path
                rulesFileState = state
                rulesWarning = warning
            }
        }
        let journaled = service.withState { $0.equipment.rules != nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            let text = "equipment rules file \(path) not found"
            lock.withLock { loaded = nil }
            if journaled {
                log.warning("\(text); the rules journaled earlier stay in force")
                note("missing", warning: "\(text): the rules journaled earlier stay in force")
            } else {
                log.warning("\(text): equipment commands are refused until it is in place (then send SIGHUP)")
                note("missing", warning: nil)
            }
            return
        }
        let bytes = Array(data)
        let sha = SHA256.hexDigest(bytes)
        let json: JSONValue
        do {
            // Journaled verbatim as rules.changed: refuse what the journal reader would.
            json = try bytes.withUnsafeBytes { (raw) throws(JSONParseError) in try JSONValue.parse(raw, finiteNumbersOnly: true) }
            _ = try EquipmentRules(json: json)
        } catch {
            let text = "equipment rules file \(path) is not valid (\(error)); " + (journaled ? "the rules in force are kept" : "equipment commands are refused until it is fixed")
            log.error(text)
            note("invalid", warning: text)
            return
        }
        lock.withLock { loaded = LoadedRules(json: json, sha256: sha, path: path) }
        guard journaled else {
            log.info("equipment rules \(path) read (sha256 \(sha.prefix(16))…); journaled with the first equipment command")
            note("ok", warning: nil)
            return
        }
        note(journal(service: service) ? "ok" : "refused", warning: lock.withLock { rulesWarning })
    }

    /// Journals the loaded rules if the journal has none yet (called before every command
    /// that needs rules; O(1) once they are journaled).
    func journalPendingRules(service: InspectionService) {
        guard lock.withLock({ loaded != nil }), service.withState({ $0.equipment.rules == nil }) else { return }
        _ = journal(service: service)
    }

    /// Appends `rules.changed` for the loaded file unless its SHA-256 is already in force.
    private func journal(service: InspectionService) -> Bool {
        guard let rules = lock.withLock({ loaded }) else { return false }
        let outcome = service.execute(actor: nil) { (_, state) throws(CommandError) in
            guard let event = try state.equipment.rulesChangedEvent(json: rules.json, sha256: rules.sha256, source: rules.path) else {
                return .query(["changed": false])
            }
            return CommandOutcome(events: [event], result: ["changed": true])
        }
        switch outcome {
        case .success(let result):
            if result["changed"]?.boolValue == true {
                service.log.info("equipment rules \(rules.path) (sha256 \(rules.sha256.prefix(16))…) journaled as rules.changed at seq \(result["seq"]?.intValue ?? 0); computed due dates follow them")
            } else {
                service.log.info("equipment rules \(rules.path) unchanged (sha256 \(rules.sha256.prefix(16))…)")
            }
            lock.withLock { rulesWarning = nil }
            return true
        case .failure(let error):
            service.log.error(error.message)
            lock.withLock { rulesWarning = error.message }
            return false
        }
    }

    // MARK: - Reminder ticker

    /// Issues every reminder due by `now`'s local date, in batches of `remindersPerBatch`,
    /// then hands each to the notifier. Safe to call concurrently: each batch is decided
    /// under the state lock against the state the previous batch left.
    func runTimeDriven(service: InspectionService, upTo now: Timestamp) {
        let today = service.zone.localDate(of: now)
        var total = 0
        while true {
            var issued: [NewEvent] = []
            var at = now
            let outcome = service.execute(actor: nil) { (context, state) throws(CommandError) in
                issued = state.equipment.dueReminders(today: today, limit: Self.remindersPerBatch)
                at = context.now
                return CommandOutcome(events: issued, result: ["reminders": .int(issued.count)])
            }
            switch outcome {
            case .failure(let error):
                let repeated = lock.withLock { () -> Bool in
                    defer { lastTickFailure = error.message }
                    return lastTickFailure == error.message
                }
                if !repeated { service.log.error("reminder ticker: \(error.message)") }
                return
            case .success(let result):
                lock.withLock { lastTickFailure = nil }
                guard !issued.isEmpty, let last = result["seq"]?.intValue else {
                    if total > 0 { lock.withLock { lastTick = (now, total) } }
                    return
                }
                let first = last - issued.count + 1
                let stamp = service.zone.format(at)
                for (offset, event) in issued.enumerated() {
                    notifier.enqueue(seq: first + offset, at: stamp, event: event)
                }
                total += issued.count
                if issued.count < Self.remindersPerBatch {
                    lock.withLock { lastTick = (now, total) }
                    service.log.info("reminder ticker: issued \(total) reminder\(total == 1 ? "" : "s") due by \(today)")
                    return
                }
            }
        }
    }

    // MARK: - Status

    /// Warnings for the top-level `status` list.
    var warnings: [String] { lock.withLock { rulesWarning.map { [$0] } ?? [] } }

    func status(service: InspectionService) -> JSONValue {
        let (tally, rulesSHA, rulesSeq, issued, stages, next) = service.withState { state in
            (state.equipment.tally, state.equipment.rulesSHA256, state.equipment.rulesSeq,
             state.equipment.remindersIssued, state.equipment.reminderStages, state.equipment.nextReminderDay)
        }
        var rules: JSONObject = ["inForce": .bool(rulesSHA != nil)]
        if let rulesSHA {
            rules["sha256"] = .string(rulesSHA)
            rules["seq"] = .int(rulesSeq)
        }
        lock.withLock {
            rules["file"] = .string(rulesPath)
            rules["fileState"] = .string(rulesFileState)
            if let loaded, loaded.sha256 != rulesSHA { rules["fileSHA256"] = .string(loaded.sha256) }
        }
        var reminders: JSONObject = ["issued": .int(issued), "stages": .array(stages.map { .int($0) })]
        if let next { reminders["nextDay"] = .string(next.description) }
        if let tick = lock.withLock({ lastTick }) {
            reminders["lastIssuedAt"] = .string(service.zone.format(tick.at))
            reminders["lastIssuedCount"] = .int(tick.issued)
        }
        return [
            "units": .int(tally.units), "inUse": .int(tally.inUse), "suspended": .int(tally.suspended),
            "scrapped": .int(tally.scrapped), "failed": .int(tally.failed), "notUsable": .int(tally.notUsable),
            "rules": .object(rules),
            "reminders": .object(reminders),
            "notify": notifier.status(),
        ]
    }
}

/// Runs the configured `notify` command once per reminder, with the event as one JSON line
/// on stdin, on its own serial queue: never under the state lock, never in the way of the
/// journal. A failure (exit status ≠ 0, cannot start, timeout) is logged and counted.
final class ReminderNotifier: @unchecked Sendable {
    /// Notifications waiting beyond this are dropped (and counted) rather than held forever.
    static let maxPending = 100_000

    private let queue = DispatchQueue(label: "inspectd.notify")
    private let lock = ConditionLock()
    // Guarded by `lock`:
    private var command: [String]?
    private var timeoutSeconds = 10
    private var log: Log?
    private var pending = 0
    private var sent = 0
    private var failed = 0
    private var timedOut = 0
    private var dropped = 0
    private var lastError: String?

    func configure(command: [String]?, timeoutSeconds: Int, log: Log) {
        lock.withLock {
            self.command = command
            self.timeoutSeconds = timeoutSeconds
            self.log = log
        }
    }

    func enqueue(seq: Int, at: String, event: NewEvent) {
        let admitted: (command: [String], timeout: Int, log: Log)? = lock.withLock {
            guard let command, let log else { return nil }
            guard pending < Self.maxPending else {
                dropped += 1
                lastError = "queue full (\(Self.maxPending) waiting): notification for seq \(seq) dropped"
                return nil
            }
            pending += 1
            return (command, timeoutSeconds, log)
        }
        guard let admitted else { return }
        let line: JSONValue = [
            "seq": .int(seq), "at": .string(at), "type": .string(event.type), "actor": .string(Actor.system),
            "data": .object(event.data),
        ]
        let input = Array((line.serialized() + "\n").utf8)
        queue.async { [self] in
            let outcome = Self.run(admitted.command, input: input, timeoutSeconds: admitted.timeout)
            lock.withLock {
                pending -= 1
                switch outcome {
                case .ok: sent += 1
                case .failed(let why):
                    failed += 1
                    lastError = "seq \(seq): \(why)"
                case .timedOut:
                    timedOut += 1
                    lastError = "seq \(seq): no exit within \(admitted.timeout) s; killed"
                }
            }
            switch outcome {
            case .ok: break
            case .failed(let why): admitted.log.warning("notify \(admitted.command[0]) for reminder seq \(seq) failed: \(why)")
            case .timedOut: admitted.log.warning("notify \(admitted.command[0]) for reminder seq \(seq) timed out after \(admitted.timeout) s; killed")
            }
        }
    }

    enum Outcome { case ok, failed(String), timedOut }

    static func run(_ command: [String], input: [UInt8], timeoutSeconds: Int) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            return .failed("cannot start \(command[0]): \(error.localizedDescription)")
        }
        var writeError: String?
        do {
            try Sys.writeAll(stdin.fileHandleForWriting.fileDescriptor, input, context: "notify stdin")
        } catch {
            writeError = error.description     // e.g. the command exited without reading
        }
        try? stdin.fileHandleForWriting.close()
        let deadline = Sys.monotonicNanos() + UInt64(timeoutSeconds) * 1_000_000_000
        while process.isRunning {
            if Sys.monotonicNanos() >= deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return .timedOut
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal {
            return .failed("killed by signal \(process.terminationStatus)")
        }
        if process.terminationStatus != 0 { return .failed("exit status \(process.terminationStatus)") }
        if let writeError { return .failed("could not write the event to its stdin: \(writeError)") }
        return .ok
    }

    func status() -> JSONValue {
        lock.withLock {
            var out: JSONObject = ["command": command.map { .array($0.map { .string($0) }) } ?? .null]
            out["timeoutSeconds"] = .int(timeoutSeconds)
            out["sent"] = .int(sent)
            out["failed"] = .int(failed)
            out["timedOut"] = .int(timedOut)
            out["dropped"] = .int(dropped)
            out["pending"] = .int(pending)
            if let lastError { out["lastError"] = .string(lastError) }
            return .object(out)
        }
    }
}
