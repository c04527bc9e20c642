import Foundation
import Testing

extension EndToEnd {
    /// `journal.follow {"from":N}`: catch-up, then live (SPEC §5).
    @Suite struct FollowTests {
        @Test func followFromOneSendsTheFileThenLiveLinesInOrder() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            try sandbox.seedAnnotations(5)
            _ = try sandbox.startDaemon()

            let follower = try sandbox.connect()
            try follower.send(#"{"id":"f","cmd":"journal.follow","args":{"from":1}}"#)
            let ack = try follower.readReply()
            #expect(ack.ok, "\(ack)")
            #expect(ack.idJSON == #""f""#)
            #expect(ack.result["following"] as? Bool == true)
            #expect(ack.result["from"] as? Int == 1)

            let file = try sandbox.journalLines()
            #expect(file.count == 5)
            for (index, expected) in file.enumerated() {
                let line = try #require(try follower.readLine(), "stream ended before line \(index + 1)")
                #expect(line == expected, "line \(index + 1) differs from the file:\n\(line.text)\n\(expected.text)")
            }

            // Appended by another client: arrives live, then the next one, with no repeats.
            let writer = try sandbox.connect()
            for seq in 6...8 {
                #expect(try writer.requireOK("journal.annotate", ["text": "live \(seq)"])["seq"] as? Int == seq)
                let line = try #require(try follower.readLine(), "no live line for seq \(seq)")
                let lines = try sandbox.journalLines()
                #expect(line == lines[seq - 1], "live line for seq \(seq) differs from the file")
            }
            // A burst written while the follower is not reading arrives complete and in order.
            for seq in 9...20 {
                #expect(try writer.requireOK("journal.annotate", ["text": "burst \(seq)"])["seq"] as? Int == seq)
            }
            let lines = try sandbox.journalLines()
            for seq in 9...20 {
                let line = try #require(try follower.readLine(), "no line for seq \(seq)")
                #expect(line == lines[seq - 1], "line for seq \(seq) differs from the file")
            }
        }

        @Test func followFromFourSendsOnlyFourAndFive() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let file = try sandbox.seedAnnotations(5)
            _ = try sandbox.startDaemon()

            let follower = try sandbox.connect()
            try follower.send(#"{"id":"f4","cmd":"journal.follow","args":{"from":4}}"#)
            let ack = try follower.readReply()
            #expect(ack.ok, "\(ack)")
            #expect(ack.result["from"] as? Int == 4)
            #expect(try follower.readLine() == file[3])
            #expect(try follower.readLine() == file[4])

            // The next thing on the stream is the next append, not an older line.
            #expect(try sandbox.connect().requireOK("journal.annotate", ["text": "sixth"])["seq"] as? Int == 6)
            let sixth = try #require(try follower.readLine())
            #expect(sixth == (try sandbox.journalLines())[5])
            let object = try JSONSerialization.jsonObject(with: Data(sixth)) as? [String: Any]
            #expect(object?["seq"] as? Int == 6)
        }

        @Test func followStreamsLongLinesAcrossReadChunks() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            _ = try sandbox.startDaemon()
            // 40 lines of ~60 KB: a 2.4 MB file, so lines straddle the follower's 1 MiB reads.
            let writer = try sandbox.connect()
            for n in 1...40 {
                let text = "\(n) " + String(repeating: "锅炉压力容器", count: 3_300 + n)
                #expect(try writer.requireOK("journal.annotate", ["text": text])["seq"] as? Int == n)
            }
            let file = try sandbox.journalLines()
            #expect(try sandbox.eventsBytes().count > 2 << 20)

            for from in [1, 17] {
                let follower = try sandbox.connect()
                try follower.send(#"{"id":"f","cmd":"journal.follow","args":{"from":\#(from)}}"#)
                #expect(try follower.readReply().ok)
                for seq in from...40 {
                    let line = try #require(try follower.readLine(), "stream ended before seq \(seq)")
                    #expect(line == file[seq - 1], "follow from \(from): line for seq \(seq) differs (\(line.count) vs \(file[seq - 1].count) bytes)")
                }
            }
        }

        @Test func followFromTheFutureWaitsForThatSeq() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            try sandbox.seedAnnotations(2)
            _ = try sandbox.startDaemon()

            let follower = try sandbox.connect()
            try follower.send(#"{"id":"f","cmd":"journal.follow","args":{"from":4}}"#)
            #expect(try follower.readReply().ok)
            let writer = try sandbox.connect()
            for seq in 3...4 {
                #expect(try writer.requireOK("journal.annotate", ["text": "n\(seq)"])["seq"] as? Int == seq)
            }
            let line = try #require(try follower.readLine())
            #expect(line == (try sandbox.journalLines())[3], "expected seq 4 first, got \(line.text)")
        }

        @Test func aFollowerThatHangsUpIsReleased() throws {
            // Two slots: a follower that hung up and was never released would lock out
            // the second round.
            var config = SandboxConfig()
            config.maxConnections = 2
            let sandbox = try Sandbox(config)
            defer { sandbox.cleanup() }
            try sandbox.seedAnnotations(1)
            _ = try sandbox.startDaemon()

            /// True once a fresh connection is the only one the daemon counts.
            func alone() -> Bool {
                guard let probe = try? sandbox.connect(), let reply = try? probe.call("status"), reply.ok else { return false }
                return reply.result["connections"] as? Int == 1
            }
            for round in 1...3 {
                // The follower notices a hang-up on its next wake-up, so wait for the release.
                #expect(poll(alone), "round \(round): an earlier connection was never released")
                let follower = try sandbox.connect()
                try follower.send(#"{"id":"f","cmd":"journal.follow","args":{"from":1}}"#)
                #expect(try follower.readReply().ok, "round \(round)")
                #expect(try follower.readLine() != nil, "round \(round)")
            }
            #expect(poll(alone), "the last follower was never released")
        }

        @Test func inspectctlFollowPrintsRawLinesUntilTheDaemonStops() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let lines = try sandbox.seedAnnotations(3)
            let daemon = try sandbox.startDaemon()

            let follow = try sandbox.launchInspectctl(["--socket", sandbox.socketPath, "journal", "follow", "--from", "2"])
            let expected = ([lines[1], lines[2]].map(\.text).joined(separator: "\n")) + "\n"
            #expect(poll { follow.stdout == expected }, "inspectctl printed:\n\(follow.stdout)")

            // A line appended now is printed live.
            #expect(try sandbox.connect().requireOK("journal.annotate", ["text": "live"])["seq"] as? Int == 4)
            let withLive = expected + (try sandbox.journalLines())[3].text + "\n"
            #expect(poll { follow.stdout == withLive }, "inspectctl printed:\n\(follow.stdout)")

            #expect(try daemon.terminate() == .exited(0), "\(daemon.stderr)")
            let output = try sandbox.finish(follow)
            #expect(output.status == 0, "\(output)")
            #expect(output.stdout == withLive)
        }

        @Test func followRejectsABadStart() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            _ = try sandbox.startDaemon()
            let connection = try sandbox.connect()
            for args in [#"{"from":0}"#, #"{"from":"one"}"#, #"{"form":1}"#] {
                try connection.send(#"{"id":"b","cmd":"journal.follow","args":\#(args)}"#)
                let reply = try connection.readReply()
                #expect(reply.code == "bad_request", "\(args): \(reply)")
            }
            // The connection is still a normal one.
            #expect(try connection.requireOK("status")["clock"] as? String == "simulated")
        }
    }
}
