import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Inputs found by a review that could stall or poison the daemon.
    @Suite struct HostileInputTests {
        @Test func importingAFifoOrADeviceIsRefusedAndTheDaemonKeepsServing() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let daemon = try sandbox.startDaemon()
            let connection = try sandbox.connect()
            let fifo = sandbox.root + "/f.csv"
            #expect(mkfifo(fifo, 0o644) == 0)
            for path in [fifo, "/dev/zero"] {
                let reply = try connection.call("entity.import", ["path": path])
                #expect(!reply.ok && reply.code == "bad_request", "\(reply)")
                #expect(reply.message.contains("not a regular file"), "\(reply)")
            }
            #expect(try connection.requireOK("journal.head")["events"] as? Int == 0)
            #expect(try daemon.terminate() == .exited(0))
        }

        @Test func duplicateKeysAreRefusedNotGuessed() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let daemon = try sandbox.startDaemon()
            let connection = try sandbox.connect()
            try connection.send(#"{"id":"1","cmd":"status","cmd":"journal.annotate","args":{"text":"x"}}"#)
            let first = try connection.readReply()
            #expect(!first.ok && first.code == "bad_request" && first.message.contains("\"cmd\" appears twice"), "\(first)")
            try connection.send(#"{"id":"2","cmd":"journal.annotate","args":{"text":"a","text":"b"}}"#)
            let second = try connection.readReply()
            #expect(!second.ok && second.message.contains("\"text\" appears twice"), "\(second)")
            #expect(try connection.requireOK("journal.head")["events"] as? Int == 0)
            #expect(try daemon.terminate() == .exited(0))
        }

        @Test func theSimulatedClockStopsAtYear9999() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let daemon = try sandbox.startDaemon()
            let connection = try sandbox.connect()
            let reply = try connection.call("clock.set", ["time": "9999-12-31T23:59:59+08:00"])
            #expect(!reply.ok && reply.code == "bad_request" && reply.message.contains("9999"), "\(reply)")
            _ = try connection.requireOK("clock.set", ["time": "9999-12-30T00:00:00+08:00"])
            let advance = try connection.call("clock.advance", ["seconds": 14 * 86_400])
            #expect(!advance.ok, "\(advance)")
            _ = try connection.requireOK("journal.annotate", ["text": "late"])
            #expect(try daemon.terminate() == .exited(0))
            let verify = try sandbox.inspectctl(["journal", "verify", "--journal", sandbox.journalDirectory])
            #expect(verify.status == 0, "\(verify)")
        }
    }
}
