import Foundation
import InspectionKit
import Journal
import Testing

extension EndToEnd {
    /// SPEC §9 against the real daemon: time travel answers what the daemon answered
    /// then, every draw re-derives, and a forged draw is caught even when the forger
    /// rebuilt the hash chain.
    @Suite struct AuditTests {
        static func uscc(_ n: Int) -> String {
            USCC.make(first17: "91350100MA" + String(format: "%07d", n))!
        }

        /// A small directory and a drawn task with results, scripted over simulated days.
        /// Returns what the daemon answered at each moment.
        static func script(_ sandbox: Sandbox) throws -> [(at: String, query: [String], cmd: String, args: [String: Any], answer: Any)] {
            let c = try sandbox.connect()
            _ = try c.requireOK("item.define", ["code": "SJ-1", "name": "公示信息检查", "department": "市场监管局", "qualification": "general"])
            for i in 0..<8 {
                _ = try c.requireOK("inspector.register", ["id": "INS\(i)", "name": "检查员\(i)", "department": "市场监管局", "qualifications": ["general"]])
            }
            var csv = "统一社会信用代码,名称,风险等级,区域\n"
            for i in 0..<60 { csv += "\(uscc(i)),企业\(i),\(["A", "B", "C", "D", ""][i % 5]),鼓楼区\n" }
            _ = try c.requireOK("entity.import", ["csv": csv, "name": "entities.csv"])
            _ = try c.requireOK("conflict.declare", ["inspector": "INS2", "entity": uscc(3), "reason": "近亲属"])

            var answers: [(String, [String], String, [String: Any], Any)] = []
            func record(_ query: [String], _ cmd: String, _ args: [String: Any] = [:]) throws {
                let now = try c.requireOK("status")["now"] as! String
                answers.append((now, query, cmd, args, try c.requireOK(cmd, args)))
            }
            _ = try c.requireOK("clock.set", ["time": "2025-06-03T10:00:00+08:00"])
            _ = try c.requireOK("task.create", ["name": "六月抽查", "items": ["SJ-1"], "teamSize": 2, "due": "2025-06-20",
                                                "sources": ["福彩3D", "上证指数"],
                                                "sampling": ["ratios": ["A": 0.2, "B": 0.3, "C": 0.5, "D": 1, "none": 0.5]]])
            try record(["queue", "draws"], "queue.draws")
            _ = try c.requireOK("clock.set", ["time": "2025-06-05T15:30:00+08:00"])
            let drawn = try c.requireOK("task.draw", ["task": "T2025-0001", "sources": ["231", "3402 17"]])
            let teams = drawn["teams"] as! [[String: Any]]
            try record(["worklist"], "worklist")
            _ = try c.requireOK("clock.set", ["time": "2025-06-09T11:00:00+08:00"])
            for team in teams.prefix(3) {
                _ = try c.requireOK("inspection.record", ["task": "T2025-0001", "entity": team["entity"]!, "outcomes": ["no_problem"],
                                                          "inspectors": team["inspectors"]!])
            }
            try record(["queue", "publication"], "queue.publication")
            try record(["task", "show", "T2025-0001"], "task.get", ["task": "T2025-0001"])
            _ = try c.requireOK("clock.set", ["time": "2025-06-25T09:00:00+08:00"])
            try record(["queue", "overdue"], "queue.overdue")
            try record(["task", "list"], "task.list")
            // The simulated clock stands still between commands; move it so that "as of"
            // the moment above excludes what follows (real time always moves).
            _ = try c.requireOK("clock.advance", ["seconds": 60])
            _ = try c.requireOK("task.create", ["name": "系统随机", "items": ["SJ-1"], "teamSize": 2, "due": "2025-07-31",
                                                "sources": ["system"], "sampling": ["count": 4]])
            _ = try c.requireOK("task.draw", ["task": "T2025-0002"])
            _ = try c.requireOK("task.cancel", ["task": "T2025-0002", "reason": "计划调整"])
            try record(["task", "list"], "task.list")
            return answers
        }

        static func json(_ text: String) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
        }

        @Test func timeTravelAnswersWhatTheDaemonAnsweredThen() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let daemon = try sandbox.startDaemon(clock: "2025-06-02T09:00:00+08:00")
            let answers = try Self.script(sandbox)
            #expect(try daemon.terminate() == .exited(0))

            for (at, query, cmd, _, answer) in answers {
                let out = try sandbox.inspectctl(["audit", "replay", "--journal", sandbox.journalDirectory, "--as-of", at, "--json"] + query)
                #expect(out.status == 0, "audit replay \(query) as of \(at): \(out)")
                let replayed = try Self.json(out.stdout)
                #expect(replayed["asOf"] as? String == at)
                #expect(NSDictionary(dictionary: replayed["result"] as? [String: Any] ?? [:]).isEqual(to: answer as! [String: Any]),
                        "\(cmd) as of \(at) differs:\nreplay: \(replayed["result"] ?? "nil")\ndaemon: \(answer)")
            }
            // The past is not the present: before the draw, no worklist.
            let early = try sandbox.inspectctl(["audit", "replay", "--journal", sandbox.journalDirectory, "--as-of", "2025-06-04", "--json", "worklist"])
            #expect((try Self.json(early.stdout)["result"] as? [String: Any])?["total"] as? Int == 0)
        }

        @Test func everyDrawReDerivesAndAForgedDrawIsCaught() throws {
            let sandbox = try Sandbox()
            defer { sandbox.cleanup() }
            let daemon = try sandbox.startDaemon(clock: "2025-06-02T09:00:00+08:00")
            _ = try Self.script(sandbox)
            #expect(try daemon.terminate() == .exited(0))

            let good = try sandbox.inspectctl(["audit", "draws", "--journal", sandbox.journalDirectory, "--json"])
            #expect(good.status == 0, "\(good)")
            let report = try Self.json(good.stdout)
            let draws = report["draws"] as? [[String: Any]] ?? []
            #expect(draws.map { $0["status"] as? String } == ["match", "match"])
            #expect(draws.map { $0["system"] as? Bool } == [false, true])
            #expect((report["cancelledAfterDraw"] as? [[String: Any]])?.map { $0["task"] as? String } == ["T2025-0002"])

            // The pool export reproduces the recorded digests.
            let pool = try sandbox.inspectctl(["audit", "pool", "--journal", sandbox.journalDirectory, "--task", "T2025-0001"])
            #expect(pool.status == 0 && pool.stdout.hasPrefix("# inspectd pool T2025-0001 method rfc3797-v1 key 231./17.3402./"), "\(pool)")

            // Forge: swap the first two picks of the first draw and rebuild the whole hash
            // chain, so `journal verify` passes — only re-deriving the draw can tell.
            let lines = try String(contentsOfFile: sandbox.eventsPath, encoding: .utf8).split(separator: "\n").map(String.init)
            var records = try lines.map { try JournalRecord.decode(Array($0.utf8)) }
            let index = try #require(records.firstIndex { $0.type == "task.drawn" })
            var teams = records[index].data["teams"]!.arrayValue!
            let first = teams[0]["entity"]!, second = teams[1]["entity"]!
            teams[0] = .object({ var o = teams[0].objectValue!; o["entity"] = second; return o }())
            teams[1] = .object({ var o = teams[1].objectValue!; o["entity"] = first; return o }())
            records[index].data["teams"] = .array(teams)
            var head = JournalRecord.genesisPrev
            var forged: [UInt8] = []
            for i in records.indices {
                records[i].prev = head
                let bytes = records[i].encoded()
                head = Hex.encode(SHA256.hash(bytes))
                forged += bytes + [10]
            }
            try Data(forged).write(to: URL(fileURLWithPath: sandbox.eventsPath))
            try? FileManager.default.removeItem(atPath: sandbox.journalDirectory + "/snapshots")
            let verify = try sandbox.inspectctl(["journal", "verify", "--journal", sandbox.journalDirectory])
            #expect(verify.status == 0, "the forger rebuilt the chain, so verify passes: \(verify)")

            let caught = try sandbox.inspectctl(["audit", "draws", "--journal", sandbox.journalDirectory, "--json"])
            #expect(caught.status == 1, "\(caught)")
            let forgedReport = try Self.json(caught.stdout)
            let firstDraw = (forgedReport["draws"] as? [[String: Any]])?.first
            #expect(firstDraw?["status"] as? String == "mismatch")
            #expect((firstDraw?["difference"] as? String)?.contains("pick n = 1") == true, "\(firstDraw ?? [:])")
        }
    }
}
