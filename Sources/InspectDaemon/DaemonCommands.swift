import ControlProtocol
import InspectionKit
import Journal
import Platform

/// The commands that need the daemon itself (files, clock, connections), plus
/// dispatch to the pure domain commands of `CommandCatalog`.
struct DaemonCommands: Sendable {
    let service: InspectionService

    /// Roles for the daemon-level commands.
    static let roles: [String: Set<Role>] = [
        "status": Set(Role.allCases),
        "commands": Set(Role.allCases),
        "journal.head": [.viewer, .auditor],
        "journal.verify": [.auditor, .viewer],
        "journal.follow": [.auditor],
        "clock.set": [.admin],
        "clock.advance": [.admin],
    ]

    /// Starts a request: domain commands stage their events without waiting for the
    /// fsync (see `InspectionService.begin`); everything else is answered at once.
    /// `nil` for the others: the caller runs them with `execute` once the requests
    /// before them are answered, so they see their effects on disk.
    func begin(_ request: Request, actor: Actor) -> InspectionService.Pending? {
        domainCommand(request).map { service.begin($0, args: request.args, actor: actor) }
    }

    /// The domain command `request` names when it can be begun without waiting for the
    /// requests before it (see `begin`); `nil` otherwise.
    func domainCommand(_ request: Request) -> DomainCommand? {
        guard let domain = CommandCatalog.all[request.cmd], !EquipmentCommands.needingRules.contains(request.cmd) else { return nil }
        return domain
    }

    func execute(_ request: Request, actor: Actor, socketPath: String, connections: Int) -> Result<JSONValue, CommandError> {
        if EquipmentCommands.needingRules.contains(request.cmd) { service.equipment.journalPendingRules(service: service) }
        if let domain = CommandCatalog.all[request.cmd] {
            return service.run(domain, args: request.args, actor: actor)
        }
        if let kind = CSVImports.all.first(where: { $0.command == request.cmd }) {
            return importCSV(kind, Arguments(request.args, command: request.cmd), actor: actor)
        }
        guard let allowed = Self.roles[request.cmd] else {
            return .failure(.badRequest("unknown command \"\(request.cmd)\"; \"commands\" lists them all (inspectctl commands)"))
        }
        guard actor.mayRun(allowed) else {
            return .failure(.forbidden("\(request.cmd) needs role \(allowed.sorted().map(\.rawValue).joined(separator: " or ")); \(actor.journalName) has \(actor.roles.isEmpty ? "none" : actor.roles.sorted().map(\.rawValue).joined(separator: ", "))"))
        }
        let args = Arguments(request.args, command: request.cmd)
        do throws(CommandError) {
            switch request.cmd {
            case "status":
                try args.allowOnly([])
                return .success(service.status(peer: actor, socketPath: socketPath, connections: connections))
            case "commands":
                try args.allowOnly([])
                return .success(commandList())
            case "journal.head":
                try args.allowOnly([])
                let durable = service.writer.durable
                return .success(["events": .int(durable.seq), "head": .string(durable.head), "bytes": .int(durable.bytes)])
            case "journal.verify":
                try args.allowOnly([])
                return verify()
            case "clock.set":
                try args.allowOnly(["time"])
                let text = try args.string("time", "an RFC 3339 time like 2026-01-05T09:00:00+08:00")
                guard let time = service.zone.parse(text) else {
                    throw CommandError.badRequest("clock.set: argument \"time\" is \(text), not an RFC 3339 time like 2026-01-05T09:00:00+08:00")
                }
                return try moveClock(to: time)
            case "clock.advance":
                try args.allowOnly(["seconds"])
                let seconds = try args.int("seconds", "a non-negative whole number of seconds")
                guard seconds >= 0, seconds <= 100 * 366 * 86_400 else {
                    throw CommandError.badRequest("clock.advance: argument \"seconds\" must be between 0 and 100 years; got \(seconds)")
                }
                let clock = try simulatedClock("clock.advance")
                return try moveClock(to: Timestamp(millis: clock.now().millis + Int64(seconds) * 1000))
            default:
                return .failure(.badRequest("unknown command \"\(request.cmd)\""))
            }
        } catch {
            return .failure(error)
        }
    }

    /// `X.import {"path": "/abs/file.csv"}` or `{"csv": "text", "name": "file.csv"}`,
    /// optional `"encoding": "utf-8"|"gb18030"` (default: detect).
    private func importCSV(_ kind: CSVImportKind, _ args: Arguments, actor: Actor) -> Result<JSONValue, CommandError> {
        guard actor.mayRun(kind.roles) else {
            return .failure(.forbidden("\(kind.command) needs role \(kind.roles.sorted().map(\.rawValue).joined(separator: " or ")); \(actor.journalName) has \(actor.roles.sorted().map(\.rawValue).joined(separator: ", "))"))
        }
        do throws(CommandError) {
            try args.allowOnly(["path", "csv", "name", "encoding"])
            let encodingText = try args.optionalString("encoding")
            var encoding: CSVImport.Encoding?
            if let encodingText {
                switch encodingText.lowercased() {
                case "utf-8", "utf8": encoding = .utf8
                case "gb18030", "gbk", "gb2312": encoding = .gb18030
                default: throw CommandError.badRequest("\(kind.command): \"encoding\" must be utf-8 or gb18030; got \(encodingText)")
                }
            }
            let source: CSVImport.Source
            if let path = try args.optionalString("path") {
                guard path.hasPrefix("/") else {
                    throw CommandError.badRequest("\(kind.command): \"path\" must be absolute (the daemon's working directory is not yours); inspectctl resolves it for you")
                }
                guard Sys.fileExists(path) else { throw CommandError.notFound("\(kind.command): no file \(path)") }
                // Only regular files: a FIFO or a device would block or never end, and the
                // import runs under the state lock.
                guard let size = Sys.regularFileSize(path) else {
                    throw CommandError.badRequest("\(kind.command): \(path) is not a regular file; export the data to a .csv file and import that")
                }
                guard size <= CSVImport.maxFileBytes else {
                    throw CommandError.tooLarge("\(kind.command): \(path) is \(size) bytes; the limit is \(CSVImport.maxFileBytes) — split the file")
                }
                let groups = Sys.groupIDs(uid: actor.uid, primary: Sys.primaryGroup(actor.uid) ?? 0)
                guard Sys.peerMayRead(path, uid: actor.uid, groups: groups) else {
                    throw CommandError.forbidden("\(kind.command): \(actor.journalName) may not read \(path); the daemon reads files only on behalf of someone who could read them")
                }
                source = .file(path)
            } else if let text = try args.optionalString("csv") {
                source = .inline(text, name: try args.optionalString("name") ?? "(inline csv)")
            } else {
                throw CommandError.badRequest("\(kind.command): give \"path\" (an absolute file path) or \"csv\" (the file's text)")
            }
            return CSVImport(kind: kind, service: service).run(source: source, encoding: encoding, actor: actor)
        } catch {
            return .failure(error)
        }
    }

    private func simulatedClock(_ command: String) throws(CommandError) -> SimulatedClock {
        guard let clock = service.clock as? SimulatedClock else {
            throw .forbidden("\(command) works only when inspectd was started with --simulated-clock TIME (tests and rehearsals)")
        }
        return clock
    }

    private func moveClock(to time: Timestamp) throws(CommandError) -> Result<JSONValue, CommandError> {
        let clock = try simulatedClock("clock.set")
        try clock.set(time)
        service.runTimeDriven(upTo: time)
        return .success(["now": .string(service.zone.format(clock.now()))])
    }

    /// Verifies the durable part of the file: JSON, seq, and the hash chain.
    private func verify() -> Result<JSONValue, CommandError> {
        let durable = service.writer.durable
        let scan: JournalScan
        do {
            scan = try JournalReader.scan(path: service.paths.events) { (record, _) throws(JournalDamage) in
                record.seq < durable.seq
            }
        } catch {
            return .failure(CommandError(.internal, "journal.verify: \(error)"))
        }
        if let damage = scan.damage {
            return .success(["ok": false, "events": .int(scan.count), "damage": .string(damage.description),
                             "line": .int(damage.line), "kind": .string(damage.kind.rawValue)])
        }
        return .success(["ok": true, "events": .int(scan.count), "head": .string(scan.head), "bytes": .int(scan.validBytes)])
    }

    func prepareFollow(_ raw: JSONObject, actor: Actor) -> Result<Int, CommandError> {
        guard actor.mayRun(Self.roles["journal.follow"]!) else {
            return .failure(.forbidden("journal.follow needs role auditor; \(actor.journalName) has \(actor.roles.sorted().map(\.rawValue).joined(separator: ", "))"))
        }
        let args = Arguments(raw, command: "journal.follow")
        do throws(CommandError) {
            try args.allowOnly(["from"])
            let from = try args.optionalInt("from", "a seq ≥ 1") ?? 1
            guard from >= 1 else { throw CommandError.badRequest("journal.follow: argument \"from\" must be a seq ≥ 1; got \(from)") }
            return .success(from)
        } catch {
            return .failure(error)
        }
    }

    private func commandList() -> JSONValue {
        var rows: [(String, Set<Role>, String)] = CommandCatalog.all.values.map { ($0.name, $0.roles, $0.summary) }
        let daemonSummaries = [
            "status": "daemon, journal and clock status", "commands": "this list",
            "journal.head": "events, bytes and chain head", "journal.verify": "check JSON, seq and hash chain of the journal",
            "journal.follow": "stream journal lines from seq N, then live", "clock.set": "set the simulated clock",
            "clock.advance": "advance the simulated clock",
        ]
        for (name, roles) in Self.roles { rows.append((name, roles, daemonSummaries[name] ?? "")) }
        for kind in CSVImports.all { rows.append((kind.command, kind.roles, "import \(kind.noun) rows from CSV (UTF-8, BOM, GB18030); all or nothing")) }
        rows.sort { $0.0 < $1.0 }
        return ["commands": .array(rows.map { row in
            ["name": .string(row.0), "roles": .array(row.1.sorted().map { .string($0.rawValue) }), "summary": .string(row.2)]
        })]
    }
}
