import Foundation
import Testing

extension EndToEnd {
    /// `inspectctl` against a real daemon: exit codes 0 ok, 1 error response,
    /// 2 usage error, 3 daemon unreachable (SPEC §5), and offline `journal verify`.
    @Suite struct InspectctlTests {
        @Test func exitCodesAgainstARunningDaemon() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            _ = try sandbox.startDaemon()
            let socket = ["--socket", sandbox.socketPath]

            let status = try sandbox.inspectctl(socket + ["status"])
            #expect(status.status == 0, "\(status)")
            #expect(status.stdout.contains("simulated"), "\(status)")
            #expect(status.stderr.isEmpty, "\(status)")

            // INSPECTD_SOCKET picks the socket too.
            let viaEnvironment = try sandbox.inspectctl(["journal", "head", "--json"], environment: ["INSPECTD_SOCKET": sandbox.socketPath])
            #expect(viaEnvironment.status == 0, "\(viaEnvironment)")
            let head = try JSONSerialization.jsonObject(with: Data(viaEnvironment.stdout.utf8)) as? [String: Any]
            #expect(head?["events"] as? Int == 0)
            #expect(head?["head"] as? String == sixtyFourZeros)

            let annotate = try sandbox.inspectctl(socket + ["journal", "annotate", "checked", "the", "boiler"])
            #expect(annotate.status == 0, "\(annotate)")
            #expect(annotate.stdout == "recorded as seq 1\n", "\(annotate)")
            #expect(try sandbox.journalObjects().first.flatMap { ($0["data"] as? [String: Any])?["text"] as? String } == "checked the boiler")

            let unknown = try sandbox.inspectctl(socket + ["frobnicate"])
            #expect(unknown.status == 2, "\(unknown)")
            #expect(unknown.stderr.contains("unknown command \"frobnicate\""), "\(unknown)")

            let unknownVerb = try sandbox.inspectctl(socket + ["journal", "frobnicate"])
            #expect(unknownVerb.status == 2, "\(unknownVerb)")

            let missingText = try sandbox.inspectctl(socket + ["journal", "annotate"])
            #expect(missingText.status == 2, "\(missingText)")
            #expect(missingText.stderr.contains("TEXT"), "\(missingText)")

            let badOption = try sandbox.inspectctl(socket + ["journal", "annotations", "--limit", "many"])
            #expect(badOption.status == 2, "\(badOption)")

            // An error response from the daemon is exit 1 (the clock only moves forward).
            let backwards = try sandbox.inspectctl(socket + ["clock", "set", "2020-01-01T00:00:00+08:00"])
            #expect(backwards.status == 1, "\(backwards)")
            #expect(backwards.stderr.contains("conflict"), "\(backwards)")

            #expect(try sandbox.journalLines().count == 1, "a failed command appended something")
        }

        @Test func anErrorResponseIsExitOne() throws {
            var config = SandboxConfig()
            config.daemonUser = []
            config.everyone = ["viewer"]
            let sandbox = try Sandbox(config)
            defer { sandbox.cleanup() }
            _ = try sandbox.startDaemon()

            let forbidden = try sandbox.inspectctl(["--socket", sandbox.socketPath, "journal", "annotate", "hello"])
            #expect(forbidden.status == 1, "\(forbidden)")
            #expect(forbidden.stderr.contains("forbidden"), "\(forbidden)")
            #expect(forbidden.stdout.isEmpty, "\(forbidden)")

            let json = try sandbox.inspectctl(["--socket", sandbox.socketPath, "journal", "annotate", "hello", "--json"])
            #expect(json.status == 1, "\(json)")
            let printed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect((printed?["error"] as? [String: Any])?["code"] as? String == "forbidden", "\(json)")

            #expect(try journalHead(try sandbox.connect()).events == 0)
        }

        @Test func anUnreachableDaemonIsExitThree() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            // No daemon at all.
            let missing = try sandbox.inspectctl(["--socket", sandbox.root + "/nobody.sock", "status"])
            #expect(missing.status == 3, "\(missing)")
            #expect(missing.stderr.contains("cannot reach inspectd"), "\(missing)")

            // A stale socket left by a killed daemon.
            let daemon = try sandbox.startDaemon()
            _ = try daemon.killHard()
            let stale = try sandbox.inspectctl(["--socket", sandbox.socketPath, "status"])
            #expect(stale.status == 3, "\(stale)")
        }

        @Test func offlineVerifyPassesAGoodJournalAndNamesTheBadLine() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let lines = try sandbox.seedAnnotations(5)
            let digests = try coreutilsSHA256(of: lines, in: sandbox)

            let good = try sandbox.inspectctl(["journal", "verify", "--journal", sandbox.journalDirectory])
            #expect(good.status == 0, "\(good)")
            #expect(good.stdout.contains("journal OK: 5 events"), "\(good)")
            #expect(good.stdout.contains(digests[4]), "\(good)")

            let goodJSON = try sandbox.inspectctl(["journal", "verify", "--journal", sandbox.journalDirectory, "--json"])
            #expect(goodJSON.status == 0, "\(goodJSON)")
            let goodResult = try JSONSerialization.jsonObject(with: Data(goodJSON.stdout.utf8)) as? [String: Any]
            #expect(goodResult?["ok"] as? Bool == true)
            #expect(goodResult?["events"] as? Int == 5)
            #expect(goodResult?["head"] as? String == digests[4])

            // Line 2 of 5 no longer parses.
            var text = lines.map(\.text)
            text[1] = text[1].replacingOccurrences(of: "\"type\":", with: "\"type\" ")
            try Data((text.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: sandbox.eventsPath))

            let bad = try sandbox.inspectctl(["journal", "verify", "--journal", sandbox.journalDirectory])
            #expect(bad.status == 1, "\(bad)")
            #expect(bad.stdout.contains("journal DAMAGED: line 2 (seq 2)"), "\(bad)")
            #expect(bad.stdout.contains("1 events before it verified"), "\(bad)")

            let badJSON = try sandbox.inspectctl(["journal", "verify", "--journal", sandbox.journalDirectory, "--json"])
            #expect(badJSON.status == 1, "\(badJSON)")
            let badResult = try JSONSerialization.jsonObject(with: Data(badJSON.stdout.utf8)) as? [String: Any]
            #expect(badResult?["ok"] as? Bool == false)
            #expect(badResult?["line"] as? Int == 2)
            #expect(badResult?["seq"] as? Int == 2)
            #expect(badResult?["events"] as? Int == 1)

            // No journal there at all: a usage error, not a crash.
            let nothing = try sandbox.inspectctl(["journal", "verify", "--journal", sandbox.root + "/empty"])
            #expect(nothing.status == 2, "\(nothing)")
        }

        @Test func verifyThroughTheDaemonMatchesTheFile() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let lines = try sandbox.seedAnnotations(3)
            let digests = try coreutilsSHA256(of: lines, in: sandbox)
            _ = try sandbox.startDaemon()
            let verify = try sandbox.inspectctl(["--socket", sandbox.socketPath, "journal", "verify", "--json"])
            #expect(verify.status == 0, "\(verify)")
            let result = try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any]
            #expect(result?["ok"] as? Bool == true)
            #expect(result?["events"] as? Int == 3)
            #expect(result?["head"] as? String == digests[2])
        }
    }
}
