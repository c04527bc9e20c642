import Foundation
import InspectionKit
import Journal
import Platform
import Testing

extension EndToEnd {
    /// Start-up recovery and the single-writer lock (SPEC §4).
    @Suite struct RecoveryTests {
        /// A damaged last line that start-up must quarantine, and what the
        /// `journal.tail-repaired` reason must mention.
        struct TornTail: Sendable, CustomStringConvertible {
            var name: String
            var bytes: [UInt8]
            var reasonMentions: String
            var description: String { name }
        }

        static let tornTails: [TornTail] = [
            TornTail(name: "half a line, no newline",
                     bytes: Array(#"{"seq":4,"at":"2025-06-02T09:00:00.000+08:00","type":"journal.annot"#.utf8),
                     reasonMentions: "newline"),
            TornTail(name: "unparseable line with a newline",
                     bytes: Array(#"{"seq":4,"at":"2025-06-02T09:00:00.0"#.utf8) + [0, 0, 0, 10],
                     reasonMentions: "JSON"),
        ]

        /// A complete, well-formed last line whose prev is wrong is not a torn write (the
        /// writer never leaves one): it means this line or the one before it was altered.
        /// Quarantining it would accept an edited line N−1 as genuine, so the start stops.
        @Test func aCompleteLastLineWithAWrongPrevStopsTheStart() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            _ = try sandbox.seedAnnotations(3)
            try? FileManager.default.removeItem(atPath: sandbox.journalDirectory + "/snapshots")
            let forged = Array(#"{"seq":4,"at":"2025-06-02T09:00:00.000+08:00","type":"journal.annotated","actor":"uid:0/root","data":{"text":"forged"},"prev":"\#(String(repeating: "1", count: 64))"}"#.utf8) + [10]
            let handle = try #require(FileHandle(forWritingAtPath: sandbox.eventsPath))
            handle.seekToEndOfFile()
            handle.write(Data(forged))
            try handle.close()
            let before = try sandbox.eventsBytes()
            let outcome = try sandbox.runDaemonExpectingExit()
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.stderr.contains("line 4 (seq 4)") && outcome.stderr.contains("prev"), "\(outcome.stderr)")
            #expect(try sandbox.eventsBytes() == before, "the journal was modified")
            #expect(try sandbox.tornFiles().isEmpty)
        }

        /// A well-formed line whose event `apply` refuses (a type this version does not
        /// know), in a journal of several read chunks: replay stops there and names it.
        /// The line ends the last batch handed before the first chunk's end, so the scan
        /// asks for another chunk after the refusal: replay's second thread must still
        /// read it, or the start hangs.
        @Test func anEventApplyRefusesStopsTheStartAtItsLine() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let text = String(repeating: "第二段巡检记录：设备运行正常。", count: 8)
            func lines(refusing refused: Int) -> [[UInt8]] {
                var prev = JournalRecord.genesisPrev
                return (1...6_000).map { seq in
                    let record = JournalRecord(seq: seq, at: "2025-06-02T09:00:00.000+08:00", type: seq == refused ? "x.future-type" : "journal.annotated",
                                               actor: "uid:1000/zhang", data: ["text": .string("\(seq) \(text)")], prev: prev)
                    let line = record.encoded()
                    prev = Hex.encode(SHA256.hash(line))
                    return line + [10]
                }
            }
            var end = 0
            let lastLineOfFirstChunk = lines(refusing: 0).prefix { end += $0.count; return end <= JournalReader.bufferSize }.count
            let refused = lastLineOfFirstChunk / 256 * 256   // PipelinedReplay.batchSize
            let bytes = Array(lines(refusing: refused).joined())
            #expect(bytes.count > 2 * JournalReader.bufferSize, "the scan reads ahead more than once")
            try FileManager.default.createDirectory(atPath: sandbox.journalDirectory, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: sandbox.eventsPath))
            let outcome = try sandbox.runDaemonExpectingExit()
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.stderr.contains("line \(refused) ") && outcome.stderr.contains("unknown event type \"x.future-type\""), "\(outcome.stderr)")
            #expect(try sandbox.eventsBytes() == bytes, "the journal was modified")
        }

        @Test(arguments: tornTails)
        func aTornLastLineIsQuarantinedAndJournaled(_ torn: TornTail) throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let good = try sandbox.seedAnnotations(3)
            let goodBytes = try sandbox.eventsBytes()
            let handle = try #require(FileHandle(forWritingAtPath: sandbox.eventsPath))
            handle.seekToEndOfFile()
            handle.write(Data(torn.bytes))
            try handle.close()

            let daemon = try sandbox.startDaemon(clock: "2025-06-02T09:00:00+08:00")

            // The torn bytes, exactly, in events.jsonl.torn-<UTC stamp of the daemon's clock>.
            let tornFiles = try sandbox.tornFiles()
            #expect(tornFiles == ["events.jsonl.torn-20250602T010000Z"])
            let tornName = try #require(tornFiles.first)
            let quarantined = Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.journalDirectory + "/" + tornName)))
            #expect(quarantined == torn.bytes, "quarantined bytes differ from the torn tail")

            // The first three lines are untouched; line 4 records the repair.
            let lines = try sandbox.journalLines()
            #expect(lines.count == 4)
            #expect(Array(try sandbox.eventsBytes().prefix(goodBytes.count)) == goodBytes)
            #expect(Array(lines.prefix(3)) == good)
            let objects = try sandbox.journalObjects()
            let repair = try #require(objects.last)
            #expect(repair["seq"] as? Int == 4)
            #expect(repair["type"] as? String == "journal.tail-repaired")
            #expect(repair["actor"] as? String == "system")
            #expect(repair["at"] as? String == "2025-06-02T09:00:00.000+08:00")
            let data = try #require(repair["data"] as? [String: Any])
            #expect(data["file"] as? String == tornName)
            #expect(data["bytes"] as? Int == torn.bytes.count)
            #expect(data["line"] as? Int == 4)
            #expect(data["offset"] as? Int == goodBytes.count)
            #expect(data["claimedSeq"] as? Int == 4)
            #expect((data["reason"] as? String)?.contains(torn.reasonMentions) == true, "reason: \(String(describing: data["reason"]))")
            let digests = try coreutilsSHA256(of: lines, in: sandbox)
            #expect(repair["prev"] as? String == digests[2])

            let connection = try sandbox.connect()
            let status = try connection.requireOK("status")
            let warnings = status["warnings"] as? [String] ?? []
            #expect(warnings.count == 1 && warnings[0].contains(tornName), "warnings: \(warnings)")
            #expect((status["journal"] as? [String: Any])?["events"] as? Int == 4)
            #expect(try connection.requireOK("journal.verify")["ok"] as? Bool == true)
            #expect(try connection.requireOK("journal.annotate", ["text": "after repair"])["seq"] as? Int == 5)

            // A second restart finds nothing to repair.
            #expect(try daemon.terminate() == .exited(0), "\(daemon.stderr)")
            _ = try sandbox.startDaemon()
            #expect(try sandbox.tornFiles() == [tornName])
            #expect(try journalHead(try sandbox.connect()).events == 5)
        }

        @Test func aTornFirstLineLeavesAJournalThatStartsWithTheRepair() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            try FileManager.default.createDirectory(atPath: sandbox.journalDirectory, withIntermediateDirectories: true)
            let torn = Array(#"{"seq":1,"at":"2025-06-02T08:59:59.000+08:00","ty"#.utf8)
            try Data(torn).write(to: URL(fileURLWithPath: sandbox.eventsPath))

            _ = try sandbox.startDaemon()
            let tornFiles = try sandbox.tornFiles()
            #expect(tornFiles.count == 1)
            let quarantined = Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.journalDirectory + "/" + (tornFiles.first ?? "?"))))
            #expect(quarantined == torn)
            let objects = try sandbox.journalObjects()
            #expect(objects.count == 1)
            #expect(objects.first?["seq"] as? Int == 1)
            #expect(objects.first?["type"] as? String == "journal.tail-repaired")
            #expect(objects.first?["prev"] as? String == sixtyFourZeros)
            #expect((objects.first?["data"] as? [String: Any])?["bytes"] as? Int == torn.count)
        }

        @Test func aSecondRepairNeverOverwritesTheFirstQuarantineFile() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            try sandbox.seedAnnotations(2)
            let first = Array("{\"seq\":3,\"at\":\"first torn".utf8)
            let second = Array("{\"seq\":4,\"at\":\"second torn".utf8)
            for (round, tail) in [first, second].enumerated() {
                let handle = try #require(FileHandle(forWritingAtPath: sandbox.eventsPath))
                handle.seekToEndOfFile()
                handle.write(Data(tail))
                try handle.close()
                // The same simulated moment both times: the quarantine names collide.
                // Each round ends in a crash, as torn tails do (and the repair is durable
                // before the socket opens, so nothing is lost by not stopping cleanly).
                let daemon = try sandbox.startDaemon(clock: defaultSimulatedClock)
                #expect(try sandbox.tornFiles().count == round + 1, "round \(round + 1): \(daemon.stderr)")
                _ = try daemon.killHard()
            }
            let tornFiles = try sandbox.tornFiles()
            #expect(tornFiles.count == 2, "\(tornFiles)")
            let contents = try tornFiles.map { Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.journalDirectory + "/" + $0))) }
            #expect(Set(contents) == Set([first, second]), "a quarantine file was overwritten")
            let repairs = try sandbox.journalObjects().filter { $0["type"] as? String == "journal.tail-repaired" }
            #expect(repairs.map { $0["seq"] as? Int } == [3, 4])
            #expect(Set(repairs.compactMap { ($0["data"] as? [String: Any])?["file"] as? String }) == Set(tornFiles))
        }

        /// An edit to line 2 of 5, and what the refusal must name.
        struct MiddleDamage: Sendable, CustomStringConvertible {
            var name: String
            var edit: @Sendable (String) -> String
            var mentions: [String]
            var description: String { name }
        }

        static let middleDamages: [MiddleDamage] = [
            MiddleDamage(name: "line 2 is no longer JSON",
                         edit: { $0.replacingOccurrences(of: #"{"text":"note 2"}"#, with: #"{"text":"note 2""#) },
                         mentions: ["line 2 (seq 2)", "JSON"]),
            MiddleDamage(name: "line 2 claims another seq",
                         edit: { $0.replacingOccurrences(of: #"{"seq":2,"#, with: #"{"seq":9,"#) },
                         mentions: ["line 2 (seq 9)", "expected 2"]),
            // The edit itself is valid JSON; the chain catches it at line 3.
            MiddleDamage(name: "line 2's text was changed",
                         edit: { $0.replacingOccurrences(of: "note 2", with: "NOTE 2") },
                         mentions: ["line 3 (seq 3)", "line 2"]),
        ]

        /// Run twice: with the snapshot the seeding daemon wrote at its clean stop, and
        /// with snapshots removed (a full replay). SPEC §4 makes no exception for either.
        ///
        /// BUG (snapshots, a7c528b): with a snapshot at seq 5, an edit to line 2 that keeps
        /// the line's length (another seq digit, changed text) is not noticed at start: the
        /// daemon loads the snapshot, replays nothing, and serves — while its own
        /// journal.verify and the offline verify report the damage. Only a length-changing
        /// edit (which moves the snapshot's line offset) falls back to the full check.
        @Test(.bug(id: "e2e-snapshot-hides-damage", "a same-length edit before the snapshot seq is not detected at start"), arguments: middleDamages, [false, true])
        func damageBeforeTheLastLineStopsTheStartAndChangesNothing(_ damage: MiddleDamage, keepSnapshots: Bool) throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            var lines = try sandbox.seedAnnotations(5).map(\.text)
            if !keepSnapshots { try? FileManager.default.removeItem(atPath: sandbox.journalDirectory + "/snapshots") }
            let edited = damage.edit(lines[1])
            try #require(edited != lines[1], "the edit did not apply to \(lines[1])")
            lines[1] = edited
            let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
            try FileManager.default.createDirectory(atPath: sandbox.journalDirectory, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: sandbox.eventsPath))

            let outcome = try sandbox.runDaemonExpectingExit()
            #expect(outcome.status == 1, "\(outcome)")
            for fragment in damage.mentions {
                #expect(outcome.stderr.contains(fragment), "stderr should name \(fragment):\n\(outcome.stderr)")
            }
            #expect(try sandbox.eventsBytes() == bytes, "the damaged journal was modified")
            #expect(try sandbox.tornFiles().isEmpty)
            #expect(!Sys.fileExists(sandbox.socketPath), "a refused start left a socket")
        }

        /// A start from a snapshot compares the journal lines it skips by the snapshot's
        /// `journalChecksum`, and the next snapshot continues the checksum from there: the
        /// third start below only passes if the second daemon's incremental checksum over
        /// lines 6–8 equals one of the whole file.
        @Test func aRestartChecksTheSkippedLinesByTheSnapshotsChecksum() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            _ = try sandbox.seedAnnotations(5)
            let second = try sandbox.startDaemon()
            #expect(second.stderr.contains("verified the checksum of lines 1…5 ("), "\(second.stderr)")
            let connection = try sandbox.connect()
            for n in 6...8 { #expect(try connection.requireOK("journal.annotate", ["text": "more \(n)"])["seq"] as? Int == n) }
            #expect(try second.terminate() == .exited(0))
            let third = try sandbox.startDaemon()
            #expect(third.stderr.contains("verified the checksum of lines 1…8 ("), "\(third.stderr)")
            #expect(try journalHead(try sandbox.connect()).events == 8)
        }

        /// A snapshot chain-checks only lines nothing has checked yet: those appended since
        /// the start (replay and the start's snapshot check count), and none at all right
        /// after a full replay.
        @Test func aSnapshotChecksOnlyLinesNotCheckedBefore() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let first = try sandbox.startDaemon()
            let connection = try sandbox.connect()
            for n in 1...5 { _ = try connection.requireOK("journal.annotate", ["text": "note \(n)"]) }
            #expect(try first.terminate() == .exited(0))
            #expect(first.stderr.contains("journal lines 1…5 chain-checked"), "\(first.stderr)")
            let second = try sandbox.startDaemon()   // from the snapshot at seq 5
            let more = try sandbox.connect()
            for n in 6...8 { _ = try more.requireOK("journal.annotate", ["text": "more \(n)"]) }
            #expect(try second.terminate() == .exited(0))
            #expect(second.stderr.contains("journal lines 6…8 chain-checked"), "\(second.stderr)")
            try FileManager.default.removeItem(atPath: sandbox.journalDirectory + "/snapshots")
            let third = try sandbox.startDaemon()   // a full replay checks lines 1…8
            #expect(try third.terminate() == .exited(0))
            #expect(third.stderr.contains("no journal lines to check"), "\(third.stderr)")
            let fourth = try sandbox.startDaemon()
            #expect(fourth.stderr.contains("verified the checksum of lines 1…8 ("), "the replay's checksum is the snapshot's: \(fourth.stderr)")
        }

        /// Line 2 is changed on disk (same length, in place) while the daemon runs, after its
        /// start checked the chain. Its clean stop must not record a `journalChecksum` of the
        /// damaged bytes: the snapshot is refused, and the next start refuses the journal,
        /// naming the line (SPEC §4). (Found by review: the first version hashed the file as
        /// it found it.)
        @Test func damageWhileRunningIsRefusedAtTheNextStart() throws {
            let (stop, restart) = try damageWhileRunning(fromSnapshot: false) { sandbox, lines in
                try writeInPlace(sandbox, at: offset(ofLine: 2, in: lines) + 30, replacing(lines[1], "note 2", with: "NOTE 2", from: 30))
            }
            #expect(stop.contains("the journal is damaged"), "\(stop)")
            #expect(restart.stderr.contains("line 3 (seq 3)"), "\(restart.stderr)")
        }

        /// The same for lines appended after a start from a snapshot: the clean stop checks
        /// lines 5–8 before it hashes them, and the next start, from the snapshot at seq 5,
        /// finds the damage in the lines it replays.
        @Test func damageToLinesAppendedSinceTheSnapshotIsRefusedAtTheNextStart() throws {
            let (stop, restart) = try damageWhileRunning(fromSnapshot: true) { sandbox, lines in
                try writeInPlace(sandbox, at: offset(ofLine: 7, in: lines) + 30, replacing(lines[6], "more 7", with: "MORE 7", from: 30))
            }
            #expect(stop.contains("the journal is damaged"), "\(stop)")
            #expect(restart.stderr.contains("line 8 (seq 8)"), "\(restart.stderr)")
        }

        /// The newline ending line 5 — the line the start from the snapshot checked last — is
        /// turned into a space while the daemon runs (lines 5 and 6 joined): the clean stop's
        /// check of lines 5…8 must see it, and the next start refuse. (Found by review: the
        /// first continued check hashed line 5 again but not its newline.)
        @Test func aJoinedLineAtTheSnapshotPositionIsRefusedAtTheNextStart() throws {
            let (stop, restart) = try damageWhileRunning(fromSnapshot: true) { sandbox, lines in
                try writeInPlace(sandbox, at: offset(ofLine: 6, in: lines) - 1, [UInt8(ascii: " ")])
            }
            #expect(stop.contains("the journal is damaged"), "\(stop)")
            #expect(restart.stderr.contains("line 5 (seq 5)"), "\(restart.stderr)")
        }

        /// A stop that comes while periodic snapshots are being written (one every event
        /// here) waits for the one under way instead of writing the same temp file beside
        /// it: the next start loads the newest snapshot without ignoring any.
        @Test func aStopDuringPeriodicSnapshotsLeavesSnapshotsTheNextStartTrusts() throws {
            var config = SandboxConfig()
            config.snapshotEvery = 1
            let sandbox = try Sandbox(config)
            defer { sandbox.cleanup() }
            let daemon = try sandbox.startDaemon()
            let connection = try sandbox.connect()
            for n in 1...40 { _ = try connection.requireOK("journal.annotate", ["text": "note \(n)"]) }
            #expect(try daemon.terminate() == .exited(0))
            let next = try sandbox.startDaemon()
            #expect(!next.stderr.contains("ignored"), "\(next.stderr)")
            #expect(next.stderr.contains("verified the checksum of lines 1…40 ("), "\(next.stderr)")
            #expect(try journalHead(try sandbox.connect()).events == 40)
        }

        /// Starts the daemon — after a first one stopped cleanly at seq 5, leaving a snapshot,
        /// when `fromSnapshot` — and appends up to seq 8 (5 without the snapshot); `damage`
        /// then changes the journal in place, as a disk fault or a careless edit would, and
        /// the daemon is stopped cleanly. Returns its log and the next start, which must
        /// refuse.
        private func damageWhileRunning(fromSnapshot: Bool, _ damage: (Sandbox, [[UInt8]]) throws -> Void) throws -> (stop: String, restart: CommandOutput) {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            if fromSnapshot { _ = try sandbox.seedAnnotations(5) }
            let daemon = try sandbox.startDaemon()
            let connection = try sandbox.connect()
            for n in (fromSnapshot ? 6 : 1)...(fromSnapshot ? 8 : 5) {
                _ = try connection.requireOK("journal.annotate", ["text": "\(fromSnapshot ? "more" : "note") \(n)"])
            }
            try damage(sandbox, try sandbox.journalLines())
            #expect(try daemon.terminate() == .exited(0))
            let restart = try sandbox.runDaemonExpectingExit()
            #expect(restart.status == 1, "\(restart)")
            return (daemon.stderr, restart)
        }

        /// Where line `line` (1-based) starts.
        private func offset(ofLine line: Int, in lines: [[UInt8]]) -> Int {
            lines[..<(line - 1)].reduce(0) { $0 + $1.count + 1 }
        }

        /// `line` from byte `from` on, with `old` replaced by `new` (same length).
        private func replacing(_ line: [UInt8], _ old: String, with new: String, from: Int) throws -> [UInt8] {
            let edited = Array(String(decoding: line, as: UTF8.self).replacingOccurrences(of: old, with: new).utf8)
            try #require(edited.count == line.count && edited != line, "\(old) is not in the line")
            return Array(edited[from...])
        }

        /// Writes `bytes` over the journal at `offset`, in place (the daemon keeps its descriptor).
        private func writeInPlace(_ sandbox: Sandbox, at offset: Int, _ bytes: [UInt8]) throws {
            let fd = open(sandbox.eventsPath, O_WRONLY)
            try #require(fd >= 0)
            defer { close(fd) }
            #expect(bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) } == bytes.count)
        }

        /// The journal is the truth; a snapshot is only a cache of it. Restoring an older
        /// journal and writing a different history must never bring back the old state.
        @Test func aSnapshotOfAnotherHistoryIsNeverTrusted() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let original = try sandbox.seedAnnotations(5)   // a clean stop may leave a snapshot at seq 5
            // Restore the first three lines (an older backup).
            let restored: [UInt8] = original.prefix(3).flatMap { $0 + [10] }
            try Data(restored).write(to: URL(fileURLWithPath: sandbox.eventsPath))

            let daemon = try sandbox.startDaemon()
            let connection = try sandbox.connect()
            #expect(try journalHead(connection).events == 3)
            for n in 4...5 {
                #expect(try connection.requireOK("journal.annotate", ["text": "new history \(n)"])["seq"] as? Int == n)
            }
            // No clean stop: any snapshot at seq 5 on disk is the old history's.
            _ = try daemon.killHard()

            _ = try sandbox.startDaemon()
            let after = try sandbox.connect()
            let notes = try after.requireOK("journal.annotations")["annotations"] as? [[String: Any]] ?? []
            #expect(notes.compactMap { $0["text"] as? String } == ["note 1", "note 2", "note 3", "new history 4", "new history 5"])
            let head = try journalHead(after)
            #expect(head.events == 5)
            #expect(head.head == (try coreutilsSHA256(of: try sandbox.journalLines(), in: sandbox)).last)
        }

        @Test func aSecondDaemonOnTheSameJournalIsRefused() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let first = try sandbox.startDaemon()
            let connection = try sandbox.connect()
            #expect(try connection.requireOK("journal.annotate", ["text": "first"])["seq"] as? Int == 1)

            let second = try sandbox.runDaemonExpectingExit()
            #expect(second.status == 1, "\(second)")
            #expect(second.stderr.contains("journal in use by pid \(first.pid)"), "\(second.stderr)")

            // The first daemon is unharmed: same socket, same journal.
            #expect(first.isRunning)
            #expect(Sys.isSocket(sandbox.socketPath))
            #expect(try journalHead(try sandbox.connect()).events == 1)
            #expect(try connection.requireOK("journal.annotate", ["text": "still first"])["seq"] as? Int == 2)
            #expect(try sandbox.journalLines().count == 2)
        }
    }
}
