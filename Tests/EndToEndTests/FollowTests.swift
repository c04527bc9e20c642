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
