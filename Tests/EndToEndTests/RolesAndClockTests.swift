import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Roles from the config (SPEC §5) and the simulated clock.
    @Suite struct RolesAndClockTests {
        @Test func aViewerMayReadButNotWrite() throws {
            var config = SandboxConfig()
            config.daemonUser = []
            config.everyone = ["viewer"]
            let sandbox = try Sandbox(config)
            defer { sandbox.cleanup() }
            _ = try sandbox.startDaemon()
            let connection = try sandbox.connect()

            let status = try connection.requireOK("status")
            #expect((status["peer"] as? [String: Any])?["roles"] as? [String] == ["viewer"])
            let before = try journalHead(connection)
            #expect(before.events == 0)

            let annotate = try connection.call("journal.annotate", ["text": "not allowed"])
            #expect(annotate.object["ok"] as? Bool == false)
            #expect(annotate.code == "forbidden", "\(annotate)")
            #expect(annotate.message.contains("journal.annotate needs role admin"), "\(annotate)")
            #expect(annotate.message.contains("has viewer"), "\(annotate)")

            let clock = try connection.call("clock.advance", ["seconds": 60])
            #expect(clock.code == "forbidden", "\(clock)")
            #expect(clock.message.contains("admin"), "\(clock)")

            let follow = try connection.call("journal.follow", ["from": 1])
            #expect(follow.code == "forbidden", "\(follow)")
            #expect(follow.message.contains("auditor"), "\(follow)")

            // Queries a viewer may run still work on the same connection; nothing was appended.
            #expect(try connection.requireOK("journal.annotations")["annotations"] as? [Any] != nil)
            let after = try journalHead(connection)
            #expect(after.events == before.events && after.head == before.head)
            #expect(try sandbox.eventsBytes().isEmpty)
        }

        /// A role rule that matches the test's own user (by uid, name or group), and the
        /// roles the peer must end up with. The daemon user gets none of its own here.
        struct RoleRule: Sendable, CustomStringConvertible {
            var name: String
            var users: [String: [String]] = [:]
            var groups: [String: [String]] = [:]
            var roles: [String]
            var mayAnnotate: Bool
            var description: String { name }
        }

        static let roleRules: [RoleRule] = [
            RoleRule(name: "by uid", users: [String(getuid()): ["admin"]], roles: ["admin", "viewer"], mayAnnotate: true),
            RoleRule(name: "by user name", users: [userName(): ["auditor"]], roles: ["auditor", "viewer"], mayAnnotate: false),
            RoleRule(name: "by primary group id", groups: [String(getgid()): ["admin"]], roles: ["admin", "viewer"], mayAnnotate: true),
            RoleRule(name: "a rule for someone else", users: ["4242424": ["admin"]], roles: ["viewer"], mayAnnotate: false),
        ]

        @Test(arguments: roleRules)
        func rolesComeFromThePeersKernelCredentials(_ rule: RoleRule) throws {
            var config = SandboxConfig()
            config.daemonUser = []
            config.users = rule.users
            config.groups = rule.groups
            let sandbox = try Sandbox(config)
            defer { sandbox.cleanup() }
            _ = try sandbox.startDaemon()
            let connection = try sandbox.connect()
            let peer = try connection.requireOK("status")["peer"] as? [String: Any]
            #expect(peer?["roles"] as? [String] == rule.roles)
            let annotate = try connection.call("journal.annotate", ["text": "by \(rule.name)"])
            #expect(annotate.ok == rule.mayAnnotate, "\(annotate)")
            if !rule.mayAnnotate { #expect(annotate.code == "forbidden", "\(annotate)") }
            #expect(try sandbox.journalLines().count == (rule.mayAnnotate ? 1 : 0))
        }

        @Test func theSimulatedClockMovesOnlyForwardAndStampsEvents() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            _ = try sandbox.startDaemon(clock: "2026-01-05T09:00:00+08:00")
            let connection = try sandbox.connect()

            // Forward, given in UTC: reported in the bureau's zone.
            let set = try connection.requireOK("clock.set", ["time": "2026-02-01T00:30:00Z"])
            #expect(set["now"] as? String == "2026-02-01T08:30:00.000+08:00")
            #expect(try connection.requireOK("status")["now"] as? String == "2026-02-01T08:30:00.000+08:00")

            // Backwards: conflict, and the clock stays where it was.
            let back = try connection.call("clock.set", ["time": "2026-01-31T08:30:00+08:00"])
            #expect(back.code == "conflict", "\(back)")
            #expect(try connection.requireOK("status")["now"] as? String == "2026-02-01T08:30:00.000+08:00")

            // Setting it to exactly now is not going back.
            #expect(try connection.requireOK("clock.set", ["time": "2026-02-01T08:30:00+08:00"])["now"] as? String == "2026-02-01T08:30:00.000+08:00")

            let advanced = try connection.requireOK("clock.advance", ["seconds": 90])
            #expect(advanced["now"] as? String == "2026-02-01T08:31:30.000+08:00")
            #expect(try connection.requireOK("status")["now"] as? String == "2026-02-01T08:31:30.000+08:00")

            let negative = try connection.call("clock.advance", ["seconds": -1])
            #expect(negative.code == "bad_request", "\(negative)")
            let garbage = try connection.call("clock.set", ["time": "next tuesday"])
            #expect(garbage.code == "bad_request", "\(garbage)")

            // Events carry the simulated time with the +08:00 offset.
            #expect(try connection.requireOK("journal.annotate", ["text": "at half past eight"])["seq"] as? Int == 1)
            let objects = try sandbox.journalObjects()
            #expect(objects.count == 1)
            #expect(objects.first?["at"] as? String == "2026-02-01T08:31:30.000+08:00")
            let notes = try connection.requireOK("journal.annotations")["annotations"] as? [[String: Any]]
            #expect(notes?.first?["at"] as? String == "2026-02-01T08:31:30.000+08:00")
            #expect(notes?.first?["text"] as? String == "at half past eight")

            // Crossing midnight and a month end in the bureau's zone.
            #expect(try connection.requireOK("clock.set", ["time": "2026-02-28T23:59:59.999+08:00"])["now"] as? String == "2026-02-28T23:59:59.999+08:00")
            #expect(try connection.requireOK("clock.advance", ["seconds": 1])["now"] as? String == "2026-03-01T00:00:00.999+08:00")
        }

        @Test func clockCommandsAreForbiddenWithoutTheSimulatedClock() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            _ = try sandbox.startDaemon(clock: nil)
            let connection = try sandbox.connect()

            let set = try connection.call("clock.set", ["time": "2030-01-01T00:00:00+08:00"])
            #expect(set.code == "forbidden", "\(set)")
            #expect(set.message.contains("--simulated-clock"), "\(set)")
            let advance = try connection.call("clock.advance", ["seconds": 3600])
            #expect(advance.code == "forbidden", "\(advance)")
            #expect(advance.message.contains("--simulated-clock"), "\(advance)")
            #expect(try connection.requireOK("status")["clock"] as? String == "system")
            #expect(try journalHead(connection).events == 0)
        }
    }
}
