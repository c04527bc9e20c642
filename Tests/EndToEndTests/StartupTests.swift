import Foundation
import Platform
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// What `inspectd` refuses at start, and the limits and reloads of a running one.
    @Suite struct StartupTests {
        /// When a stop signal is sent during start-up.
        enum SignalMoment: String, Sendable, CustomStringConvertible {
            /// As soon as journal/LOCK exists: the daemon is replaying its journal.
            case whileReplaying
            /// As soon as the socket accepts a connection: the daemon is already serving.
            case atFirstAccept
            var description: String { rawValue }
        }

        /// BUG (Sources/InspectDaemon/Daemon.swift): SIGTERM/SIGINT/SIGHUP are set to
        /// SIG_IGN (line ~91) long before the Dispatch signal sources are created and
        /// resumed (lines ~143–183, after the journal replay and after the socket is
        /// already listening at ~136); libdispatch registers a source only after
        /// `resume()`, asynchronously. A stop signal in that window is discarded and the
        /// daemon, serving requests, never stops (`systemctl stop` during a long replay
        /// waits for its kill timeout). Fix: block the signals with pthread_sigmask
        /// before any thread starts, instead of SIG_IGN, so an early one stays pending
        /// until the source reads it; and create the sources before the replay.
        @Test(.bug(id: "e2e-sigterm-at-start", "a stop signal during start-up is lost"),
              arguments: [SignalMoment.whileReplaying, .atFirstAccept])
        func aStopSignalDuringStartUpIsHonoured(_ moment: SignalMoment) throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            try sandbox.seedAnnotations(20)
            let lock = sandbox.journalDirectory + "/LOCK"
            for attempt in 1...(moment == .whileReplaying ? 3 : 10) {
                Sys.unlink(lock)
                let daemon = try sandbox.launchDaemon()
                // Spin (no sleep) so the signal follows the moment closely.
                let deadline = Date().addingTimeInterval(10)
                var reached = false
                while !reached && daemon.isRunning && Date() < deadline {
                    switch moment {
                    case .whileReplaying:
                        reached = Sys.fileExists(lock)
                    case .atFirstAccept:
                        if let fd = try? UnixSocket.connect(path: sandbox.socketPath) {
                            Sys.close(fd)
                            reached = true
                        }
                    }
                }
                try #require(reached, "attempt \(attempt): never reached \(moment); stderr:\n\(daemon.stderr)")
                kill(daemon.pid, SIGTERM)
                guard let termination = try? daemon.waitForExit(seconds: 5) else {
                    Issue.record("attempt \(attempt): SIGTERM sent \(moment) was lost; inspectd is still running 5 s later. stderr:\n\(daemon.stderr)")
                    _ = try daemon.killHard()
                    return
                }
                #expect(termination == .exited(0), "attempt \(attempt): \(daemon.stderr)")
                #expect(!Sys.fileExists(sandbox.socketPath), "attempt \(attempt): the socket was left behind")
            }
        }

        @Test func aFileThatIsNotASocketIsNeverReplaced() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            try FileManager.default.createDirectory(atPath: sandbox.journalDirectory, withIntermediateDirectories: true)
            let precious = Array("someone's notes\n".utf8)
            try Data(precious).write(to: URL(fileURLWithPath: sandbox.socketPath))

            let outcome = try sandbox.runDaemonExpectingExit()
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.stderr.contains("not a socket"), "\(outcome)")
            #expect(Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.socketPath))) == precious)
        }

        @Test func aSocketPathLongerThanSunPathIsRefusedByName() throws {
            var config = SandboxConfig()
            config.socketPath = String(repeating: "s", count: 120) + ".sock"
            let sandbox = try Sandbox(config)
            defer { sandbox.cleanup() }
            let outcome = try sandbox.runDaemonExpectingExit()
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.stderr.contains("the limit is 107"), "\(outcome)")
        }

        @Test func badOptionsAndConfigsAreRefused() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }

            let badClock = try sandbox.runDaemonExpectingExit(clock: "next tuesday")
            #expect(badClock.status == 2, "\(badClock)")
            #expect(badClock.stderr.contains("next tuesday"), "\(badClock)")

            let badOption = try sandbox.runDaemonExpectingExit(extraArguments: ["--frobnicate"])
            #expect(badOption.status == 2, "\(badOption)")
            #expect(badOption.stderr.contains("--frobnicate"), "\(badOption)")

            try sandbox.writeRawConfig(#"{"journalDirectory": "journal", "socketMode": "0660", "colour": "red"}"#)
            let unknownKey = try sandbox.runDaemonExpectingExit()
            #expect(unknownKey.status == 1, "\(unknownKey)")
            #expect(unknownKey.stderr.contains("\"colour\""), "\(unknownKey)")

            try sandbox.writeRawConfig(#"{"journalDirectory": "journal", "roles": {"everyone": ["overlord"]}}"#)
            let unknownRole = try sandbox.runDaemonExpectingExit()
            #expect(unknownRole.status == 1, "\(unknownRole)")
            #expect(unknownRole.stderr.contains("overlord"), "\(unknownRole)")

            try sandbox.writeRawConfig(#"{"journalDirectory": "journal", "#)
            let notJSON = try sandbox.runDaemonExpectingExit()
            #expect(notJSON.status == 1, "\(notJSON)")
            #expect(notJSON.stderr.contains(sandbox.configPath), "\(notJSON)")

            // None of these touched a journal.
            #expect(!Sys.fileExists(sandbox.eventsPath))
        }

        @Test func connectionsBeyondTheLimitGetUnavailable() throws {
            var config = SandboxConfig()
            config.maxConnections = 2
            let sandbox = try Sandbox(config)
            defer { sandbox.cleanup() }
            _ = try sandbox.startDaemon()

            // The harness's readiness probe counts until the daemon notices it hung up.
            var first: Connection?
            let alone = poll {
                guard let candidate = try? sandbox.connect(), let reply = try? candidate.call("status"),
                      reply.ok, reply.result["connections"] as? Int == 1 else { return false }
                first = candidate
                return true
            }
            try #require(alone && first != nil, "the readiness probes' connections were never released")
            let second = try sandbox.connect()
            #expect(try second.requireOK("status")["connections"] as? Int == 2)

            let third = try sandbox.connect()
            let refused = try third.readReply()
            #expect(refused.code == "unavailable", "\(refused)")
            #expect(refused.message.contains("maxConnections"), "\(refused)")
            #expect(try third.readLine() == nil)

            // Once one hangs up, a newcomer is served again.
            first = nil
            var served = false
            let admitted = poll {
                guard let next = try? sandbox.connect(), let reply = try? next.call("status") else { return false }
                served = reply.ok
                return reply.ok
            }
            #expect(admitted && served, "no connection was admitted after one closed")
            _ = try second.requireOK("status")
        }

        @Test func sighupReloadsRolesWithoutARestart() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let daemon = try sandbox.startDaemon()
            #expect(try sandbox.connect().requireOK("journal.annotate", ["text": "before reload"])["seq"] as? Int == 1)

            var viewerOnly = SandboxConfig()
            viewerOnly.daemonUser = []
            viewerOnly.everyone = ["viewer"]
            try sandbox.writeConfig(viewerOnly)
            kill(daemon.pid, SIGHUP)

            // Roles are fixed per connection, so each poll opens a new one.
            let reloaded = poll {
                let peer = (try? sandbox.connect().requireOK("status"))?["peer"] as? [String: Any]
                return peer?["roles"] as? [String] == ["viewer"]
            }
            #expect(reloaded, "roles did not change after SIGHUP; stderr:\n\(daemon.stderr)")
            let refused = try sandbox.connect().call("journal.annotate", ["text": "after reload"])
            #expect(refused.code == "forbidden", "\(refused)")
            #expect(daemon.isRunning)
            #expect(try journalHead(try sandbox.connect()).events == 1)
        }
    }
}
