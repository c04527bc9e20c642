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
            let finished = runOnThreads(clients) { client in
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
            var textBySeq: [Int: String] = [:]
            for (index, object) in objects.enumerated() {
                #expect(object["seq"] as? Int == index + 1)
                #expect(object["type"] as? String == "journal.annotated")
                #expect(object["actor"] as? String == "uid:\(getuid())/\(userName())")
                #expect(object["at"] as? String == "2026-01-05T09:00:00.000+08:00")
                textBySeq[index + 1] = (object["data"] as? [String: Any])?["text"] as? String
            }
            for ack in acknowledged {
                #expect(textBySeq[ack.seq] == ack.text, "seq \(ack.seq) was acknowledged for \(ack.text)")
            }
            #expect(Set(textBySeq.values).count == 1600, "texts in the journal are not 1,600 distinct notes")

            // The chain, checked with coreutils rather than the project's SHA-256.
            let digests = try coreutilsSHA256(of: lines, in: sandbox)
            #expect(objects[0]["prev"] as? String == sixtyFourZeros)
            for index in 1..<lines.count {
                #expect(objects[index]["prev"] as? String == digests[index - 1], "line \(index + 1): prev is not sha256sum of line \(index)")
            }
            #expect((status["journal"] as? [String: Any])?["head"] as? String == digests.last)
            #expect(verified["head"] as? String == digests.last)

            // And the journal module's own reader agrees.
            let scan = try JournalReader.scan(path: sandbox.eventsPath)
            #expect(scan.damage == nil)
            #expect(scan.count == 1600)
            #expect(scan.head == digests.last)

            // Appending continues the chain after the restart.
            #expect(try connection.requireOK("journal.annotate", ["text": "after restart"])["seq"] as? Int == 1601)
        }

        @Test func sigtermUnderLoadExitsZeroAndKeepsEveryAcknowledgedWrite() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let daemon = try sandbox.startDaemon()
            let (acks, failures, finished) = try annotateUntilStopped(sandbox: sandbox, clients: 8) { () throws in
                #expect(try daemon.terminate() == .exited(0), "\(daemon.stderr)")
            }
            #expect(finished, "clients did not stop after the daemon did")
            #expect(!Sys.fileExists(sandbox.socketPath), "the socket file is still there after SIGTERM")
            #expect(failures.allSatisfy { !$0.contains("\"internal\"") }, "\(failures)")
            #expect(try sandbox.tornFiles().isEmpty, "a clean stop left a torn tail")

            try expectJournalHolds(acks, sandbox: sandbox, expectTornTail: false)
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
        let path = "\(dir)/\(index + 1)"
        try Data(line).write(to: URL(fileURLWithPath: path))
        paths.append(path)
    }
    let output = try sandbox.run("/usr/bin/sha256sum", paths)
    guard output.status == 0 else { throw HarnessError("sha256sum failed: \(output)") }
    let digests = output.stdout.split(separator: "\n").map { String($0.prefix(64)) }
    guard digests.count == lines.count else { throw HarnessError("sha256sum printed \(digests.count) digests for \(lines.count) lines") }
    return digests
}
