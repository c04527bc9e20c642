import Foundation
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
                     bytes: Array(#"{"seq":4,"at":"2026-01-05T09:00:00.000+08:00","type":"journal.annot"#.utf8),
                     reasonMentions: "newline"),
            TornTail(name: "valid JSON with a wrong prev",
                     bytes: Array(#"{"seq":4,"at":"2026-01-05T09:00:00.000+08:00","type":"journal.annotated","actor":"uid:0/root","data":{"text":"forged"},"prev":"\#(String(repeating: "1", count: 64))"}"#.utf8) + [10],
                     reasonMentions: "prev"),
            TornTail(name: "unparseable line with a newline",
                     bytes: Array(#"{"seq":4,"at":"2026-01-05T09:00:00.0"#.utf8) + [0, 0, 0, 10],
                     reasonMentions: "JSON"),
        ]

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

            let daemon = try sandbox.startDaemon(clock: "2026-01-05T09:00:00+08:00")

            // The torn bytes, exactly, in events.jsonl.torn-<UTC stamp of the daemon's clock>.
            let tornFiles = try sandbox.tornFiles()
            #expect(tornFiles == ["events.jsonl.torn-20260105T010000Z"])
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
            #expect(repair["at"] as? String == "2026-01-05T09:00:00.000+08:00")
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

        @Test(arguments: middleDamages)
        func damageBeforeTheLastLineStopsTheStartAndChangesNothing(_ damage: MiddleDamage) throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            var lines = try sandbox.seedAnnotations(5).map(\.text)
            let edited = damage.edit(lines[1])
            try #require(edited != lines[1], "the edit did not apply to \(lines[1])")
            lines[1] = edited
            let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
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
