import Dispatch
import Foundation
import InspectionKit
import Journal
import Platform

/// `inspectd`: starts the daemon (the executable's entry point calls `Daemon.main`).
public enum Daemon {
    static let usage = """
        usage: inspectd [--config PATH] [--simulated-clock TIME] [--no-snapshot] [--version]

        Runs the inspectd daemon: journal in config's journalDirectory, control socket at
        config's socketPath (default <journal>/inspectd.sock).

          --config PATH            daemon config (default: config/inspectd.json, or $INSPECTD_CONFIG)
          --simulated-clock TIME   start a simulated clock at TIME (RFC 3339, e.g. 2026-01-05T09:00:00+08:00);
                                   it stands still until clock.set / clock.advance move it (tests, rehearsals)
          --no-snapshot            ignore journal/snapshots/ and replay the whole journal (a snapshot is
                                   written again at shutdown)
          --version                print the version and exit
          -h, --help               this help

        Signals: SIGTERM/SIGINT stop cleanly (finish in-flight requests, fsync, remove the socket);
        SIGHUP reloads roles and limits from the config, and the equipment rules file.
        """

    struct Options {
        var configPath = ProcessInfo.processInfo.environment["INSPECTD_CONFIG"] ?? DaemonConfig.defaultPath
        var simulatedStart: String?
        var useSnapshots = true
    }

    public static func main(arguments: [String] = CommandLine.arguments) -> Never {
        var options = Options()
        var index = 1
        while index < arguments.count {
            let arg = arguments[index]
            func value() -> String {
                guard index + 1 < arguments.count else { usageError("\(arg) needs a value") }
                index += 1
                return arguments[index]
            }
            switch arg {
            case "--config": options.configPath = value()
            case "--simulated-clock": options.simulatedStart = value()
            case "--no-snapshot": options.useSnapshots = false
            case "-h", "--help":
                print(usage)
                Sys.exit(0)
            case "--version":
                print("inspectd \(InspectionService.version)")
                Sys.exit(0)
            default:
                if arg.hasPrefix("--config=") { options.configPath = String(arg.dropFirst(9)) }
                else if arg.hasPrefix("--simulated-clock=") { options.simulatedStart = String(arg.dropFirst(18)) }
                else { usageError("unknown option \(arg)") }
            }
            index += 1
        }
        do {
            try run(options)
        } catch {
            Sys.writeStandardError("inspectd: \(error)")
            Sys.exit(1)
        }
    }

    static func usageError(_ message: String) -> Never {
        Sys.writeStandardError("inspectd: \(message)\n\n\(usage)")
        Sys.exit(2)
    }

    static func run(_ options: Options) throws -> Never {
        // Signals before anything else. A stop that arrives while the journal is being
        // replayed waits until start-up is done, then runs.
        Sys.ignoreSignal(SIGPIPE)
        let lifecycle = Lifecycle()
        Signals.install([SIGTERM, SIGINT, SIGHUP]) { lifecycle.signal($0) }

        let config = try DaemonConfig.load(path: options.configPath)
        guard let zone = BureauZone(identifier: config.timeZone) else { throw ConfigError("unknown time zone \(config.timeZone)") }
        let log = Log(zone: zone)

        let clock: any DaemonClock
        if let start = options.simulatedStart {
            guard let time = zone.parse(start) else {
                usageError("--simulated-clock \(start) is not an RFC 3339 time like 2026-01-05T09:00:00+08:00")
            }
            clock = SimulatedClock(start: time)
        } else {
            clock = SystemClock()
        }

        let paths = JournalPaths(directory: config.journalDirectory)
        if !Sys.fileExists(paths.directory) {
            try Sys.makeDirectory(paths.directory)
            try? Sys.fsyncDirectory((paths.directory as NSString).deletingLastPathComponent)
        }
        let lock = try JournalLock(path: paths.lock)

        let store = SnapshotStore(paths: paths, keep: config.snapshotKeep)
        var opened = try JournalOpener.open(paths: paths, clock: clock, log: log, snapshots: options.useSnapshots ? store : nil)
        var warnings: [String] = []
        if let torn = opened.tornTail {
            warnings.append("start-up recovery quarantined a torn last line into \(torn.file) (\(torn.bytes) bytes)")
        }
        let writer = try JournalWriter(paths: paths, continuingFrom: opened.scan)
        let calendar = CalendarLoader.load(directory: config.calendarDirectory)
        for problem in calendar.problems { log.warning("calendar: \(problem)") }
        warnings += calendar.problems.map { "calendar: \($0)" }
        let thisYear = zone.localDate(of: clock.now()).year
        let missing = calendar.calendar.missingYears(thisYear...thisYear + 1)
        if !missing.isEmpty {
            let text = "no official holiday calendar for \(missing.map(String.init).joined(separator: ", ")) in \(config.calendarDirectory): deadlines in those years count Monday–Friday only. Add config/calendar/YYYY.json (holiday-cn layout) when the State Council publishes it."
            warnings.append(text)
            log.warning(text)
        }
        let domainSettings = DomainSettings(calendar: calendar.calendar, reminderStages: config.reminderStages,
                                            authority: config.authority)
        // The service takes the state over: nothing else may keep a reference to its
        // arrays, or the first write to each would copy it (hundreds of MB at scale,
        // under the state lock, on a client's request).
        let service = InspectionService(state: opened.takeState(), writer: writer, config: config, clock: clock,
                                        zone: zone, log: log, warnings: warnings, domainSettings: domainSettings)
        if let torn = opened.tornTail {
            if case .failure(let error) = service.appendSystemEvents([NewEvent(EventType.journalTailRepaired, torn.eventData)]) {
                throw ConfigError("could not journal the tail repair: \(error.message)")
            }
        }
        // Special equipment: reminder queue keyed with the configured stages, notify command,
        // rules file (journaled as rules.changed when it changed), then reminders that fell
        // due while the daemon was down.
        service.useReminderStages(config.reminderStages)
        service.equipment.configure(config: config, log: log)
        service.equipment.syncRules(service: service, path: config.equipmentRulesPath)
        service.runTimeDriven(upTo: clock.now())

        let snapshotter = Snapshotter(service: service, store: store, every: config.snapshotEvery, startSeq: opened.snapshotSeq,
                                      checkedPrefix: opened.checkedPrefix)
        service.snapshotter = snapshotter
        let server = try ControlServer(service: service, socketPath: config.socketPath, mode: config.socketMode)
        server.start()
        log.info("inspectd \(InspectionService.version) listening on \(config.socketPath) (journal \(paths.events): \(writer.durable.seq) events, head \(writer.durable.head.prefix(16))…, clock \(clock.isSimulated ? "simulated" : "system"), zone \(zone.identifier))")

        let ticker = Ticker(service: service)
        ticker.start()

        let stop: @Sendable () -> Void = {
            log.info("stopping: no new connections, finishing in-flight requests")
            server.stop()
            ticker.stop()
            writer.close()
            if config.snapshotOnShutdown { snapshotter.write() }
            let durable = writer.durable
            log.info("stopped cleanly at seq \(durable.seq), head \(durable.head)")
            withExtendedLifetime(lock) {}
            Sys.exit(0)
        }
        let reload: @Sendable () -> Void = {
            do {
                let fresh = try DaemonConfig.load(path: options.configPath)
                let old = service.config
                var changes: [String] = []
                if fresh.roles != old.roles { changes.append("roles") }
                if fresh.limits != old.limits { changes.append("limits (maxRequestBytes \(fresh.limits.maxRequestBytes), maxConnections \(fresh.limits.maxConnections))") }
                let restartOnly = [("journalDirectory", fresh.journalDirectory != old.journalDirectory),
                                   ("socketPath", fresh.socketPath != old.socketPath),
                                   ("socketMode", fresh.socketMode != old.socketMode),
                                   ("timeZone", fresh.timeZone != old.timeZone)].filter(\.1).map(\.0)
                var kept = old
                kept.roles = fresh.roles
                kept.limits = fresh.limits
                service.replaceConfig(kept)
                log.info("SIGHUP: reloaded \(options.configPath): " + (changes.isEmpty ? "no changes to roles or limits" : "changed " + changes.joined(separator: ", ")))
                if !restartOnly.isEmpty {
                    log.warning("SIGHUP: \(restartOnly.joined(separator: ", ")) changed in the file but take effect only after a restart")
                }
            } catch {
                log.error("SIGHUP: config not reloaded, keeping the old one: \(error)")
                service.reportReloadProblem("SIGHUP: \(options.configPath) was not reloaded (the previous config stays in force): \(error)")
            }
            service.equipment.syncRules(service: service, path: service.config.equipmentRulesPath)
        }
        lifecycle.ready(stop: stop, reload: reload)
        while true { sleep(3600) }
    }
}

/// Reads the journal at start: replay through `apply`, and torn-tail recovery.
enum JournalOpener {
    struct Opened {
        var state: InspectionState
        var scan: JournalScan
        var tornTail: JournalRecovery.TornTail?
        /// The seq of the snapshot start-up used (0: none).
        var snapshotSeq = 0
        /// The journal prefix start-up checked and hashed with that snapshot, for the next one.
        var checkedPrefix = Snapshotter.CheckedPrefix()

        /// The state, leaving an empty one behind.
        mutating func takeState() -> InspectionState {
            var taken = InspectionState()
            swap(&taken, &state)
            return taken
        }
    }

    /// Replays the journal through `apply` — from the newest trustworthy snapshot when
    /// `snapshots` is given — and repairs a torn tail.
    static func open(paths: JournalPaths, clock: any DaemonClock, log: Log, snapshots: SnapshotStore?) throws -> Opened {
        var state = InspectionState()
        let started = Sys.monotonicNanos()
        var resume: SnapshotStore.Position?
        var checkedPrefix = Snapshotter.CheckedPrefix()
        if let snapshots, let (loaded, position, prefixCheck) = Snapshotter.loadNewest(store: snapshots, log: log) {
            // The snapshot lets replay skip lines 1…N, but not their check: damage there
            // must still stop the start (SPEC §4).
            let verdict = try prefixCheck.get()
            if let damage = verdict.damage {
                throw JournalRecovery.Failure.damaged(damage, path: paths.events)
            }
            log.info("verified \(verdict.method) alongside the snapshot's decoding, \(Int(Double(Sys.monotonicNanos() - started) / 1e6)) ms since start")
            state = loaded
            resume = position
            checkedPrefix = Snapshotter.CheckedPrefix(checksum: verdict.journalPrefix, through: position)
        }
        // Replay continues the checksum over the lines it checks (it covers lines 1…N
        // already, from the start-up check), so the first snapshot need not check them
        // again: a chunk at a time, where replay hashes the chunk, ~0.4 CPU-s per 4 GB.
        var scan = try PipelinedReplay.run(path: paths.events, resume: resume, prefixChecksum: checkedPrefix.checksum, state: &state)
        if let checksum = scan.prefixChecksum, scan.damage == nil, scan.count > (checkedPrefix.through?.seq ?? 0) {
            checkedPrefix = Snapshotter.CheckedPrefix(
                checksum: checksum,
                through: SnapshotStore.Position(seq: scan.count, lineOffset: scan.lastLineOffset, bytes: scan.validBytes,
                                                lineSHA256: scan.head, sparseOffsets: []))
        }
        var torn: JournalRecovery.TornTail?
        if let damage = scan.damage {
            guard damage.isRepairableTornTail else {
                throw JournalRecovery.Failure.damaged(damage, path: paths.events)
            }
            let stamp = utcStamp(clock.now())
            torn = try JournalRecovery.quarantineTornTail(paths: paths, scan: scan, utcStamp: stamp)
            log.warning("recovered a torn last line (\(damage)); moved \(torn!.bytes) bytes to \(torn!.file)")
            scan.damage = nil
            scan.fileBytes = scan.validBytes
        }
        let seconds = Double(Sys.monotonicNanos() - started) / 1e9
        let from = resume.map { "from the snapshot at seq \($0.seq)" } ?? "from the start"
        log.info("replayed \(scan.count - (resume?.seq ?? 0)) events \(from) in \(String(format: "%.2f", seconds)) s; at seq \(scan.count)")
        return Opened(state: state, scan: scan, tornTail: torn, snapshotSeq: resume?.seq ?? 0, checkedPrefix: checkedPrefix)
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC, for quarantine file names.
    static func utcStamp(_ time: Timestamp) -> String {
        let text = time.rfc3339(offsetSeconds: 0)   // 2026-11-22T01:30:00.123+00:00
        let digits = text.prefix(19).filter { $0 != "-" && $0 != ":" }
        return digits + "Z"
    }
}
