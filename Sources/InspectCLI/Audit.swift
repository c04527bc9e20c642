import Foundation
import InspectionKit
import Journal
import Platform

/// The auditor's offline tools (SPEC §9): rebuild state from the journal file alone,
/// with the same `apply` the daemon uses, and ask it the daemon's own questions.
enum Audit {
    static let usage = """
        usage: inspectctl audit replay --journal DIR (--as-of TIME | --seq N) QUERY… [--json]
               inspectctl audit draws  --journal DIR [--task T] [--json]
               inspectctl audit pool   --journal DIR --task T [--out FILE]

        replay  rebuilds the state from DIR/events.jsonl up to a moment (events with at ≤ TIME;
                TIME as RFC 3339, a date = its start, or local YYYY-MM-DDTHH:MM) or a seq, then
                answers QUERY as the daemon would have then, e.g.
                  inspectctl audit replay --journal journal --as-of 2026-06-30 equipment overdue
                  inspectctl audit replay --journal journal --seq 1200 task show T2026-0001
                QUERY is any read command of inspectctl (task list|show|pool, worklist, queue …,
                entity get|list, inspector list, equipment due|overdue|show, …).
        draws   re-derives every draw from its frozen pool and recorded sources and compares it
                with the journal: match / mismatch (with the first differing pick) per task;
                lists tasks cancelled after their draw and tasks drawn with system randomness.
        pool    exports a task's frozen pool (as of its task.created) for outside verification.

        --config PATH  takes the time zone and calendar from that daemon config
                       (default config/inspectd.json if present, else Asia/Shanghai, Mon–Fri).
        Exit status: 0 ok, 1 damage or mismatch found, 2 usage error.
        """

    struct Options {
        var journal = "journal"
        var asOf: String?
        var seq: Int?
        var task: String?
        var out: String?
        var config: String?
        var json = false
        var rest: [String] = []
    }

    static func run(_ verb: String, _ arguments: [String], json: Bool) -> Int32 {
        var options = Options()
        options.json = json
        var index = 0
        while index < arguments.count {
            let arg = arguments[index]
            func value() -> String? {
                guard index + 1 < arguments.count else { return nil }
                index += 1
                return arguments[index]
            }
            // Options of the audit itself; anything else belongs to the QUERY.
            switch arg {
            case "--journal": guard let v = value() else { return CLI.usageError("--journal needs a directory") }; options.journal = v
            case "--as-of": guard let v = value() else { return CLI.usageError("--as-of needs a time") }; options.asOf = v
            case "--seq":
                guard let v = value(), let n = Int(v), n >= 0 else { return CLI.usageError("--seq needs a whole number") }
                options.seq = n
            case "--task" where verb != "replay": guard let v = value() else { return CLI.usageError("--task needs a task id") }; options.task = v
            case "--out" where verb != "replay": guard let v = value() else { return CLI.usageError("--out needs a file") }; options.out = v
            case "--config": guard let v = value() else { return CLI.usageError("--config needs a path") }; options.config = v
            default: options.rest.append(arg)
            }
            index += 1
        }
        switch verb {
        case "replay": return replay(options)
        case "draws": return draws(options)
        case "pool": return pool(options)
        default:
            Sys.writeStandardError(usage)
            return CLI.Exit.usage
        }
    }

    // MARK: - Settings

    struct Environment {
        var zone: BureauZone
        var settings: DomainSettings
    }

    /// Zone and calendar from the daemon's config, so deadlines come out as the daemon's did.
    static func environment(_ options: Options) -> Environment {
        let path = options.config ?? "config/inspectd.json"
        var zone = BureauZone.shanghai
        var settings = DomainSettings()
        guard let data = FileManager.default.contents(atPath: path), let root = try? JSONValue.parse(Array(data)) else {
            if options.config != nil { Sys.writeStandardError("inspectctl: cannot read \(path); using Asia/Shanghai and a Monday–Friday calendar") }
            return Environment(zone: zone, settings: settings)
        }
        if let name = root["timeZone"]?.stringValue, let z = BureauZone(identifier: name) { zone = z }
        if let authority = root["authority"]?.stringValue { settings.authority = authority }
        let base = (path as NSString).deletingLastPathComponent
        let calendarDir = root["calendarDirectory"]?.stringValue ?? "calendar"
        let dir = calendarDir.hasPrefix("/") ? calendarDir : (base.isEmpty ? calendarDir : base + "/" + calendarDir)
        settings.calendar = loadCalendar(dir)
        if let stages = root["reminders"]?["stages"]?.arrayValue?.compactMap(\.intValue), !stages.isEmpty {
            settings.reminderStages = stages.sorted(by: >)
        }
        return Environment(zone: zone, settings: settings)
    }

    static func loadCalendar(_ directory: String) -> WorkingDayCalendar {
        var days: [(date: CivilDate, isOffDay: Bool, name: String)] = []
        var years: Set<Int> = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".json") {
            guard let year = Int(name.dropLast(5)), let data = FileManager.default.contents(atPath: directory + "/" + name),
                  let root = try? JSONValue.parse(Array(data)), let list = root["days"]?.arrayValue else { continue }
            for item in list {
                if let d = item["date"]?.stringValue.flatMap(CivilDate.init(iso:)), let off = item["isOffDay"]?.boolValue {
                    days.append((d, off, item["name"]?.stringValue ?? ""))
                }
            }
            years.insert(year)
        }
        return WorkingDayCalendar(days: days, coveredYears: years)
    }

    // MARK: - Rebuilding state

    struct Rebuilt {
        var state: InspectionState
        var scan: JournalScan
        /// The moment the answers are "as of".
        var now: Timestamp
    }

    /// Replays `events.jsonl` up to the limit. `inspect` sees each record before it is applied.
    static func rebuild(
        _ options: Options, zone: BureauZone,
        inspect: (JournalRecord, InspectionState) -> Void = { _, _ in }
    ) -> Result<Rebuilt, AuditFailure> {
        let paths = JournalPaths(directory: options.journal)
        guard Sys.fileExists(paths.events) else {
            return .failure(AuditFailure("no journal at \(paths.events) (pass --journal DIR, the directory holding events.jsonl)"))
        }
        var limit: Timestamp?
        if let text = options.asOf {
            guard let t = zone.parse(text) else { return .failure(AuditFailure("--as-of \(text) is not a time (RFC 3339, YYYY-MM-DD or YYYY-MM-DDTHH:MM)")) }
            limit = t
        }
        var state = InspectionState()
        var lastAt: Timestamp?
        let scan: JournalScan
        do {
            scan = try JournalReader.scan(path: paths.events) { (record, _) throws(JournalDamage) in
                if let seq = options.seq, record.seq > seq { return false }
                let event = record.event
                if let limit, event.at > limit { return false }
                inspect(record, state)
                do throws(CommandError) {
                    try state.apply(event)
                } catch {
                    throw JournalDamage(line: record.seq, offset: 0, expectedSeq: record.seq, claimedSeq: record.seq,
                                        kind: .apply, message: error.message, isLastLine: false)
                }
                lastAt = event.at
                return true
            }
        } catch {
            return .failure(AuditFailure("cannot read \(paths.events): \(error)"))
        }
        if let damage = scan.damage {
            let stoppedEarly = (options.seq.map { scan.count >= $0 } ?? false)
            if !stoppedEarly {
                return .failure(AuditFailure("journal damaged at \(damage); the state can be rebuilt only up to seq \(scan.count) (use --seq \(scan.count))"))
            }
        }
        let now = limit ?? lastAt ?? Timestamp(millis: Sys.wallClockMillis())
        return .success(Rebuilt(state: state, scan: scan, now: now))
    }

    // MARK: - replay

    static func replay(_ options: Options) -> Int32 {
        guard options.asOf != nil || options.seq != nil else {
            return CLI.usageError("audit replay needs --as-of TIME or --seq N\n\n\(usage)")
        }
        guard !options.rest.isEmpty else { return CLI.usageError("audit replay needs a QUERY, e.g. `task list` or `equipment overdue`\n\n\(usage)") }
        guard let (spec, consumed) = CommandTable.find(options.rest) else {
            return CLI.usageError("unknown query \"\(options.rest.joined(separator: " "))\"; run `inspectctl --help` for the read commands")
        }
        guard let command = CommandCatalog.all[spec.command], !command.writes else {
            return CLI.usageError("\(spec.words.joined(separator: " ")) is not a read query; replay answers questions, it never changes the journal")
        }
        let invocation: ParsedInvocation
        do {
            invocation = try CLI.parse(Array(options.rest.dropFirst(consumed)), spec: spec, global: GlobalOptions(json: options.json))
        } catch {
            return CLI.usageError("\(error.message)\nusage: \(spec.usage)")
        }
        let env = environment(options)
        let rebuilt: Rebuilt
        switch rebuild(options, zone: env.zone) {
        case .failure(let failure):
            Sys.writeStandardError("inspectctl: \(failure.message)")
            return CLI.Exit.errorResponse
        case .success(let r): rebuilt = r
        }
        var args = invocation.args
        do { try LocalArguments.apply(command: spec.command, args: &args, local: invocation.local) } catch { return CLI.usageError(error.message) }
        let context = CommandContext(now: rebuilt.now, zone: env.zone,
                                     actor: Actor(uid: Sys.userID, name: "audit", roles: [.admin]), settings: env.settings)
        let header = "as of \(env.zone.format(rebuilt.now)) (seq \(rebuilt.state.lastSeq))"
        if let seq = options.seq, seq > rebuilt.state.lastSeq {
            Sys.writeStandardError("inspectctl: note: the journal ends at seq \(rebuilt.state.lastSeq); --seq \(seq) answers as of its end")
        }
        do throws(CommandError) {
            let outcome = try command.run(Arguments(args, command: command.name), context, rebuilt.state)
            if options.json {
                print(JSONValue.object(["asOf": .string(env.zone.format(rebuilt.now)), "seq": .int(rebuilt.state.lastSeq),
                                        "result": outcome.result]).prettyPrinted())
            } else {
                print(header)
                let text = spec.render(outcome.result, RenderContext(command: spec.command))
                print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            }
            return CLI.Exit.ok
        } catch {
            Sys.writeStandardError("inspectctl: \(header): \(error.code.rawValue): \(error.message)")
            return CLI.Exit.errorResponse
        }
    }

    // MARK: - draws

    static func draws(_ options: Options) -> Int32 {
        let env = environment(options)
        var reports: [JSONValue] = []
        var mismatches = 0
        let result = rebuild(options, zone: env.zone) { record, state in
            guard record.type == "task.drawn", let id = record.data["task"]?.stringValue else { return }
            if let only = options.task, only != id { return }
            guard let task = state.tasks.tasks[id] else {
                reports.append(["task": .string(id), "seq": .int(record.seq), "status": "mismatch", "reason": "task.drawn for an unknown task"])
                mismatches += 1
                return
            }
            let sources = record.data["sources"]?.arrayValue?.map { $0.arrayValue?.compactMap(\.stringValue) ?? [] } ?? []
            let recordedPool = record.data["inspectorPool"]?.arrayValue?.map {
                (department: $0["department"]?.stringValue ?? "", inspectors: $0["inspectors"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            }
            var report: JSONObject = ["task": .string(id), "seq": .int(record.seq), "system": .bool(record.data["system"]?.boolValue ?? false)]
            do throws(CommandError) {
                // The inspector pool is recomputed from the directory at draw time and must
                // equal the recorded one; then the whole draw is re-run.
                let pool = TaskDraw.inspectorPool(task: task, directory: state.directory)
                let rederived = try TaskDraw.run(task: task, sources: sources, directory: state.directory)
                let recordedKey = record.data["key"]?.stringValue ?? ""
                let recordedTeams = record.data["teams"]?.arrayValue ?? []
                let recordedTargets = recordedTeams.compactMap { $0["entity"]?.stringValue }
                var difference: String?
                if let recordedPool, !recordedPool.elementsEqual(pool, by: { $0.department == $1.department && $0.inspectors == $1.inspectors }) {
                    difference = "the recorded inspector pool differs from the directory at draw time"
                } else if rederived.key != recordedKey {
                    difference = "key \(rederived.key) ≠ recorded \(recordedKey)"
                } else if let i = zip(rederived.targets, recordedTargets).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                    difference = "pick n = \(i + 1): re-derived \(rederived.targets[i]), recorded \(recordedTargets[i])"
                } else if rederived.targets.count != recordedTargets.count {
                    difference = "re-derived \(rederived.targets.count) targets, recorded \(recordedTargets.count)"
                } else {
                    for (i, team) in recordedTeams.enumerated() {
                        let members = team["inspectors"]?.arrayValue?.compactMap(\.stringValue) ?? []
                        if members != rederived.teams[i] {
                            difference = "team of n = \(i + 1) (\(recordedTargets[i])): re-derived \(rederived.teams[i].joined(separator: ",")), recorded \(members.joined(separator: ","))"
                            break
                        }
                    }
                }
                report["targets"] = .int(recordedTargets.count)
                report["key"] = .string(recordedKey)
                if let difference {
                    report["status"] = "mismatch"
                    report["difference"] = .string(difference)
                    mismatches += 1
                } else {
                    report["status"] = "match"
                }
            } catch {
                report["status"] = "mismatch"
                report["difference"] = .string("re-running the draw failed: \(error.message)")
                mismatches += 1
            }
            reports.append(.object(report))
        }
        let rebuilt: Rebuilt
        switch result {
        case .failure(let failure):
            Sys.writeStandardError("inspectctl: \(failure.message)")
            return CLI.Exit.errorResponse
        case .success(let r): rebuilt = r
        }
        let tasks = rebuilt.state.tasks
        let cancelled: [JSONValue] = tasks.order.compactMap { tasks.tasks[$0] }.compactMap { task in
            guard let c = task.cancellation, c.afterDraw else { return nil }
            return ["task": .string(task.id), "seq": .int(c.seq), "at": .string(env.zone.format(c.at)), "reason": .string(c.reason)]
        }
        if options.json {
            print(JSONValue.object(["draws": .array(reports), "mismatches": .int(mismatches), "cancelledAfterDraw": .array(cancelled),
                                    "events": .int(rebuilt.state.lastSeq)]).prettyPrinted())
        } else {
            print("re-derived \(reports.count) draw(s) from \(rebuilt.state.lastSeq) events: \(reports.count - mismatches) match, \(mismatches) mismatch")
            print(Render.table(reports, columns: ["task", "seq", "status", "targets", "system", "difference"], rightAligned: ["seq", "targets"]) ?? "", terminator: "")
            print("\ncancelled after their draw: " + (cancelled.isEmpty ? "none" : ""))
            if !cancelled.isEmpty { print(Render.table(cancelled, columns: ["task", "seq", "at", "reason"]) ?? "", terminator: "") }
            let system = reports.filter { $0["system"]?.boolValue == true }.compactMap { $0["task"]?.stringValue }
            print("drawn with system randomness (not publicly predictable, not publicly checkable in advance): " + (system.isEmpty ? "none" : system.joined(separator: ", ")))
        }
        return mismatches == 0 ? CLI.Exit.ok : CLI.Exit.errorResponse
    }

    // MARK: - pool

    static func pool(_ options: Options) -> Int32 {
        guard let task = options.task else { return CLI.usageError("audit pool needs --task T") }
        let env = environment(options)
        switch rebuild(options, zone: env.zone) {
        case .failure(let failure):
            Sys.writeStandardError("inspectctl: \(failure.message)")
            return CLI.Exit.errorResponse
        case .success(let rebuilt):
            let context = CommandContext(now: rebuilt.now, zone: env.zone, actor: Actor(uid: 0, name: "audit", roles: [.admin]), settings: env.settings)
            do throws(CommandError) {
                let outcome = try CommandCatalog.all["task.pool"]!.run(Arguments(["task": .string(task)], command: "task.pool"), context, rebuilt.state)
                let text = Render.poolFile(outcome.result, RenderContext(command: "task.pool"))
                if let out = options.out {
                    do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                        Sys.writeStandardError("inspectctl: cannot write \(out): \(error)")
                        return CLI.Exit.errorResponse
                    }
                    Sys.writeStandardError("inspectctl: wrote \(out)")
                } else if options.json {
                    print(outcome.result.prettyPrinted())
                } else {
                    print(text, terminator: "")
                }
                return CLI.Exit.ok
            } catch {
                Sys.writeStandardError("inspectctl: \(error.code.rawValue): \(error.message)")
                return CLI.Exit.errorResponse
            }
        }
    }
}

struct AuditFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
