import Foundation
import Journal
import Platform
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Group commit under concurrent writers, and what survives SIGTERM and kill -9 (SPEC §4).
    @Suite struct DurabilityTests {
        /// An acknowledged annotation: what was sent and the seq the daemon answered.
        struct Ack: Sendable, Hashable {
            var text: String
            var seq: Int
        }

        @Test func sixteenConcurrentClientsEachAppendAHundredAnnotations() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let daemon = try sandbox.startDaemon()
            let socketPath = sandbox.socketPath
            let clients = 16, perClient = 100

            let acks = Locked<[Ack]>([])
            let failures = Locked<[String]>([])
            let verifications = Locked(0)
            // One more thread plays auditor: journal.verify while the writers write.
            let finished = runOnThreads(clients + 1) { client in
                if client == clients {
                    do {
                        let auditor = try Connection(socketPath: socketPath)
                        // Once per 200 acknowledged writes (a full scan per call is not cheap in a debug build).
                        for milestone in stride(from: 200, to: clients * perClient, by: 200) {
                            poll(seconds: 30) { acks.current.count >= milestone || !failures.current.isEmpty }
                            if !failures.current.isEmpty { return }
                            let reply = try auditor.call("journal.verify")
                            guard reply.ok, reply.result["ok"] as? Bool == true, (reply.result["events"] as? Int ?? 0) >= milestone else {
                                failures.withValue { $0.append("journal.verify under load: \(reply)") }
                                return
                            }
                            verifications.withValue { $0 += 1 }
                        }
                    } catch {
                        failures.withValue { $0.append("auditor: \(error)") }
                    }
                    return
                }
                do {
                    let connection = try Connection(socketPath: socketPath)
                    for n in 0..<perClient {
                        let text = "client \(client) note \(n)"
                        let reply = try connection.call("journal.annotate", ["text": text])
                        guard reply.ok, let seq = reply.result["seq"] as? Int else {
                            failures.withValue { $0.append("\(text): \(reply)") }
                            return
                        }
                        acks.withValue { $0.append(Ack(text: text, seq: seq)) }
                    }
                } catch {
                    failures.withValue { $0.append("client \(client): \(error)") }
                }
            }
            #expect(finished, "clients did not finish within 60 s")
            #expect(failures.current.isEmpty, "\(failures.current.prefix(5))")
            #expect(verifications.current > 0, "the auditor never verified during the load")
            let acknowledged = acks.current
            #expect(acknowledged.count == clients * perClient)
            #expect(acknowledged.map(\.seq).sorted() == Array(1...clients * perClient), "seqs are not exactly 1…1600")

            // Restart: the journal on disk, read by a fresh daemon, holds all of them.
            #expect(try daemon.terminate() == .exited(0), "\(daemon.stderr)")
            _ = try sandbox.startDaemon()
            let connection = try sandbox.connect()
            let status = try connection.requireOK("status")
            #expect((status["journal"] as? [String: Any])?["events"] as? Int == 1600)
            let verified = try connection.requireOK("journal.verify")
            #expect(verified["ok"] as? Bool == true, "\(verified)")
            #expect(verified["events"] as? Int == 1600)

            let lines = try sandbox.journalLines()
            let objects = try sandbox.journalObjects()
            #expect(lines.count == 1600)
            // One expectation per property over all lines (1,600 separate #expects are slow).
            let actor = "uid:\(getuid())/\(userName())"
            var wrong: [String] = []
            var textBySeq: [Int: String] = [:]
            for (index, object) in objects.enumerated() {
                if object["seq"] as? Int != index + 1 { wrong.append("line \(index + 1): seq \(object["seq"] ?? "nil")") }
                if object["type"] as? String != "journal.annotated" { wrong.append("line \(index + 1): type") }
                if object["actor"] as? String != actor { wrong.append("line \(index + 1): actor \(object["actor"] ?? "nil")") }
                if object["at"] as? String != "2025-06-02T09:00:00.000+08:00" { wrong.append("line \(index + 1): at \(object["at"] ?? "nil")") }
                textBySeq[index + 1] = (object["data"] as? [String: Any])?["text"] as? String
            }
            #expect(wrong.isEmpty, "\(wrong.count) problems, e.g. \(wrong.prefix(5))")
            let misplaced = acknowledged.filter { textBySeq[$0.seq] != $0.text }
            #expect(misplaced.isEmpty, "acknowledged seqs holding other texts: \(misplaced.prefix(5))")
            #expect(Set(textBySeq.values).count == 1600, "texts in the journal are not 1,600 distinct notes")

            // The chain, checked with coreutils rather than the project's SHA-256.
            let digests = try coreutilsSHA256(of: lines, in: sandbox)
            #expect(objects[0]["prev"] as? String == sixtyFourZeros)
            let brokenLinks = (1..<lines.count).filter { objects[$0]["prev"] as? String != digests[$0 - 1] }.map { $0 + 1 }
            #expect(brokenLinks.isEmpty, "lines whose prev is not the sha256sum of the line before: \(brokenLinks.prefix(10))")
            #expect((status["journal"] as? [String: Any])?["head"] as? String == digests.last)
            #expect(verified["head"] as? String == digests.last)

            // And the journal module's own reader agrees.
            let scan = try JournalReader.scan(path: sandbox.eventsPath)
            #expect(scan.damage == nil)
            #expect(scan.count == 1600)
            #expect(scan.head == digests.last)

            // Following from deep in the file (past the first sparse-index stride of 1,024).
            for from in [1024, 1025, 1600] {
                let follower = try sandbox.connect()
                try follower.send(#"{"id":"f","cmd":"journal.follow","args":{"from":\#(from)}}"#)
                #expect(try follower.readReply().ok)
                #expect(try follower.readLine() == lines[from - 1], "follow from \(from) did not start at seq \(from)")
            }

            // Appending continues the chain after the restart.
            #expect(try connection.requireOK("journal.annotate", ["text": "after restart"])["seq"] as? Int == 1601)
        }

        @Test(arguments: [SIGTERM, SIGINT])
        func aStopSignalUnderLoadExitsZeroAndKeepsEveryAcknowledgedWrite(_ signal: Int32) throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let daemon = try sandbox.startDaemon()
            // Bystanders: an idle connection and a journal follower must not hold up the stop.
            let idle = try sandbox.connect()
            _ = try idle.requireOK("status")
            let follower = try sandbox.connect()
            try follower.send(#"{"id":"f","cmd":"journal.follow","args":{"from":1}}"#)
            #expect(try follower.readReply().ok)

            let (acks, failures, finished) = try annotateUntilStopped(sandbox: sandbox, clients: 8) { () throws in
                #expect(try daemon.terminate(signal: signal) == .exited(0), "\(daemon.stderr)")
            }
            #expect(finished, "clients did not stop after the daemon did")
            #expect(!Sys.fileExists(sandbox.socketPath), "the socket file is still there after the stop")
            #expect(failures.allSatisfy { !$0.contains("\"internal\"") }, "\(failures)")
            #expect(try sandbox.tornFiles().isEmpty, "a clean stop left a torn tail")
            #expect(daemon.stderr.contains("stopped cleanly"), "\(daemon.stderr)")

            try expectJournalHolds(acks, sandbox: sandbox, expectTornTail: false)

            // The idle connection was closed; what the follower got is the file's beginning, byte for byte.
            #expect(try idle.readLine() == nil)
            let file = try sandbox.journalLines()
            var followed: [[UInt8]] = []
            while let line = try follower.readLine() { followed.append(line) }
            #expect(followed.count <= file.count)
            #expect(followed == Array(file.prefix(followed.count)), "the follower's stream is not a prefix of the journal")
            // A clean stop answers every request it carried out: nothing is in the
            // journal that its client was not told about (it would retry and duplicate).
            let journaled = try sandbox.journalObjects().count
            #expect(journaled == acks.count, "\(journaled - acks.count) annotations were written but never acknowledged")
        }

        @Test func killNineUnderLoadThenRestartKeepsEveryAcknowledgedWrite() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let daemon = try sandbox.startDaemon()
            let (acks, _, finished) = try annotateUntilStopped(sandbox: sandbox, clients: 8) { () throws in
                #expect(try daemon.killHard() == .signaled(SIGKILL))
            }
            #expect(finished, "clients did not stop after the daemon was killed")

            // The restart recovers (quarantining a torn tail if the kill split a write).
            let restarted = try sandbox.startDaemon()
            let status = try sandbox.connect().requireOK("status")
            #expect((status["journal"] as? [String: Any])?["writable"] as? Bool == true)
            try expectJournalHolds(acks, sandbox: sandbox, expectTornTail: nil)
            #expect(try restarted.terminate() == .exited(0), "\(restarted.stderr)")
            let scan = try JournalReader.scan(path: sandbox.eventsPath)
            #expect(scan.damage == nil)
        }

        // MARK: Helpers

        /// Clients annotate in a loop until their connection fails; once at least 200
        /// writes are acknowledged, `stop` runs (SIGTERM or SIGKILL) while they still are.
        func annotateUntilStopped(sandbox: Sandbox, clients: Int, stop: () throws -> Void) throws -> (acks: [Ack], failures: [String], finished: Bool) {
            let socketPath = sandbox.socketPath
            let acks = Locked<[Ack]>([])
            let failures = Locked<[String]>([])
            let done = Locked(false)
            let group = DispatchGroup()
            for client in 0..<clients {
                group.enter()
                startThread {
                    defer { group.leave() }
                    guard let connection = try? Connection(socketPath: socketPath) else { return }
                    var n = 0
                    while !done.current {
                        let text = "load \(client)-\(n)"
                        n += 1
                        do {
                            let reply = try connection.call("journal.annotate", ["text": text])
                            guard reply.ok, let seq = reply.result["seq"] as? Int else {
                                failures.withValue { $0.append(reply.line) }
                                return
                            }
                            acks.withValue { $0.append(Ack(text: text, seq: seq)) }
                        } catch {
                            failures.withValue { $0.append("\(error)") }
                            return
                        }
                    }
                }
            }
            let loaded = poll(seconds: 20) { acks.current.count >= 200 }
            #expect(loaded, "clients got only \(acks.current.count) acknowledgements")
            try stop()
            let countAtStop = acks.current.count
            let finished = group.wait(timeout: .now() + 20) == .success
            done.withValue { $0 = true }
            #expect(countAtStop >= 200)
            return (acks.current, failures.current, finished)
        }

        /// Every acknowledged annotation is in the journal at its seq; the journal
        /// verifies and holds each note at most once.
        func expectJournalHolds(_ acks: [Ack], sandbox: Sandbox, expectTornTail: Bool?) throws {
            let objects = try sandbox.journalObjects()
            var textBySeq: [Int: String] = [:]
            var tailRepairs = 0
            for (index, object) in objects.enumerated() {
                #expect(object["seq"] as? Int == index + 1)
                if object["type"] as? String == "journal.tail-repaired" {
                    tailRepairs += 1
                    #expect(object["actor"] as? String == "system")
                } else {
                    textBySeq[index + 1] = (object["data"] as? [String: Any])?["text"] as? String
                }
            }
            var missing: [Ack] = []
            for ack in acks where textBySeq[ack.seq] != ack.text { missing.append(ack) }
            #expect(missing.isEmpty, "\(missing.count) acknowledged annotations are not in the journal, e.g. \(missing.prefix(3))")
            #expect(Set(textBySeq.values).count == textBySeq.count, "a note appears twice")
            #expect(objects.count >= acks.count)

            let torn = try sandbox.tornFiles()
            #expect(torn.count == tailRepairs, "torn files \(torn) vs \(tailRepairs) journal.tail-repaired events")
            if let expectTornTail { #expect(torn.isEmpty != expectTornTail) }

            let scan = try JournalReader.scan(path: sandbox.eventsPath)
            #expect(scan.damage == nil, "\(String(describing: scan.damage))")
            #expect(scan.count == objects.count)

            // The auditor's offline tool agrees.
            let offline = try sandbox.inspectctl(["journal", "verify", "--journal", sandbox.journalDirectory])
            #expect(offline.status == 0, "\(offline)")
            #expect(offline.stdout.hasPrefix("journal OK: \(objects.count) events"), "\(offline)")
        }
    }
}

/// SHA-256 of each line's bytes (without `\n`), computed by coreutils `sha256sum`
/// in one run over one file per line.
func coreutilsSHA256(of lines: [[UInt8]], in sandbox: Sandbox) throws -> [String] {
    let dir = sandbox.root + "/lines"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var paths: [String] = []
    for (index, line) in lines.enumerated() {
        // Plain open/write: Foundation's Data.write costs about a millisecond a file here.
        let path = "\(dir)/\(index + 1)"
        let fd = try Sys.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { Sys.close(fd) }
        try Sys.writeAll(fd, line, context: path)
        paths.append(path)
    }
    let output = try sandbox.run("/usr/bin/sha256sum", paths)
    guard output.status == 0 else { throw HarnessError("sha256sum failed: \(output)") }
    let digests = output.stdout.split(separator: "\n").map { String($0.prefix(64)) }
    guard digests.count == lines.count else { throw HarnessError("sha256sum printed \(digests.count) digests for \(lines.count) lines") }
    return digests
}
