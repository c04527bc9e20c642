import Foundation
import InspectionKit
import Journal
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Special equipment end to end (SPEC §8): the real daemon on a simulated clock, driven
/// day by day over its socket; reminders, restarts, the overdue list, the rules file,
/// the notify command, CSV import and the CLI tables.
extension EndToEnd {
    @Suite struct EquipmentTests {
        static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        static let stages = [30, 7, 0, -1, -30]
        static let userA = "91350111EHNMLW5TDL"
        static let userB = "91350103WCA8RK980C"

        /// A sandbox on the shipped rules (the harness points the config at them).
        static func sandbox() throws -> Sandbox { try Sandbox() }

        /// Rewrites the sandbox config: rules from `rules` (default: the shipped file) and
        /// an optional notify command.
        static func writeConfig(_ sandbox: Sandbox, rules: String? = nil, notify: [String]? = nil, timeout: Int = 5) throws {
            var object: [String: Any] = [
                "journalDirectory": "journal", "socketPath": "journal/inspectd.sock",
                "roles": ["daemonUser": ["admin"], "everyone": ["viewer"]],
                "calendarDirectory": packageRoot + "/config/calendar",
                "equipmentRules": rules ?? packageRoot + "/config/equipment-rules.json",
            ]
            if let notify { object["notify"] = ["command": notify, "timeoutSeconds": timeout] }
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: sandbox.configPath))
        }

        /// Journal events of one type, decoded independently (JSONSerialization).
        static func events(_ sandbox: Sandbox, _ type: String) throws -> [[String: Any]] {
            try sandbox.journalObjects().filter { $0["type"] as? String == type }
        }

        static func date(_ text: String) -> CivilDate { CivilDate(iso: text)! }

        struct Reminder: Hashable, CustomStringConvertible {
            var equipment: String
            var due: String
            var stage: Int
            var skipped: [Int]
            var day: String
            var description: String { "\(equipment) due \(due) stage \(stage) skipped \(skipped) on \(day)" }
        }

        static func reminders(_ sandbox: Sandbox) throws -> [Reminder] {
            try events(sandbox, "reminder.issued").map { event in
                let data = event["data"] as? [String: Any] ?? [:]
                #expect(event["actor"] as? String == "system")
                return Reminder(equipment: data["equipment"] as? String ?? "", due: data["due"] as? String ?? "",
                                stage: data["stage"] as? Int ?? 999, skipped: data["skipped"] as? [Int] ?? [],
                                day: String((event["at"] as? String ?? "").prefix(10)))
            }
        }

        /// What a daemon ticking once a day from `firstTick` to `last` must issue for a unit
        /// due on `due` that is reminded about from `firstTick` until `silentFrom` (exclusive):
        /// stages whose day passed by the first tick collapse into one catch-up reminder.
        static func expected(_ code: String, due: String, firstTick: String, last: String, silentFrom: String? = nil) -> [Reminder] {
            let dueDate = date(due), first = date(firstTick), end = date(last)
            var out: [Reminder] = []
            var caughtUp: [Int] = []
            for stage in stages {
                let day = dueDate.adding(days: -stage)
                if let silentFrom, day >= date(silentFrom) { break }
                if day <= first {
                    caughtUp.append(stage)
                } else if day <= end {
                    out.append(Reminder(equipment: code, due: due, stage: stage, skipped: [], day: day.description))
                }
            }
            if let stage = caughtUp.last {
                if let silentFrom, first >= date(silentFrom) { return out }
                out.insert(Reminder(equipment: code, due: due, stage: stage, skipped: Array(caughtUp.dropLast()), day: firstTick), at: 0)
            }
            return out
        }

        @Test func remindersDayByDayExactlyOnceAcrossRestarts() throws {
            let sandbox = try Self.sandbox()
            defer { sandbox.cleanup() }
            var daemon = try sandbox.startDaemon(clock: "2026-01-05T09:00:00+08:00")
            var connection = try sandbox.connect()
            // A journal that never used special equipment carries no rules.
            #expect(try journalHead(connection).events == 0)

            func register(_ code: String, _ fields: [String: Any]) throws {
                var args: [String: Any] = ["code": code, "category": "elevator", "user": Self.userA, "commissioned": "2019-05-20",
                                           "address": "福州市鼓楼区五一路\(code.count)号", "region": "鼓楼区"]
                for (key, value) in fields { args[key] = value }
                _ = try connection.requireOK("equipment.register", args)
            }
            try register("A-CERT", ["nextDue": "2026-02-20"])
            try register("B-TOWER", ["category": "crane", "variant": "tower", "lastInspected": "2025-03-31", "user": Self.userB])
            try register("C-VESSEL", ["category": "pressure_vessel", "grade": 1, "lastInspected": "2020-02-29"])
            try register("D-LATE", ["nextDue": "2026-01-01"])
            try register("E-SUSP", ["nextDue": "2026-03-10"])
            try register("F-LPG", ["category": "gas_cylinder", "variant": "lpg", "lastInspected": "2022-03-15"])
            try register("G-SCRAP", ["nextDue": "2026-02-15"])
            // The rules were journaled (by the daemon) just before the first registration.
            let objects = try sandbox.journalObjects()
            #expect(objects.first?["type"] as? String == "rules.changed" && objects.first?["actor"] as? String == "system")
            #expect(objects.dropFirst().first?["type"] as? String == "equipment.registered")
            #expect(try Self.events(sandbox, "rules.changed").count == 1)
            let computed = try connection.requireOK("equipment.get", ["code": "B-TOWER"])
            #expect(computed["nextDue"] as? String == "2026-03-31")
            #expect(computed["nextDueSource"] as? String == "computed")
            #expect(try connection.requireOK("equipment.get", ["code": "C-VESSEL"])["nextDue"] as? String == "2026-02-28")
            #expect(try connection.requireOK("equipment.get", ["code": "F-LPG"])["nextDue"] as? String == "2026-03-15")

            var today = Self.date("2026-01-05")
            func advanceDay() throws {
                let moved = try connection.requireOK("clock.advance", ["seconds": 86_400])
                today = today.adding(days: 1)
                #expect(moved["now"] as? String == "\(today)T09:00:00.000+08:00")
            }
            while today < Self.date("2026-05-10") {
                try advanceDay()
                switch today.description {
                case "2026-01-10":
                    _ = try connection.requireOK("equipment.scrap", ["code": "G-SCRAP", "reason": "拆除"])
                case "2026-02-01":
                    _ = try connection.requireOK("equipment.suspend", ["code": "E-SUSP", "reason": "停业装修"])
                case "2026-03-01":
                    // A clean restart at the same instant: nothing repeated.
                    #expect(try daemon.terminate() == .exited(0), "\(daemon.stderr)")
                    daemon = try sandbox.startDaemon(clock: "2026-03-01T09:00:00+08:00")
                    connection = try sandbox.connect()
                case "2026-04-01":
                    // Power cut, down for a day: the start-up catch-up issues 2 April's reminders.
                    #expect(try daemon.killHard() == .signaled(SIGKILL))
                    today = today.adding(days: 1)
                    daemon = try sandbox.startDaemon(clock: "2026-04-02T09:00:00+08:00")
                    connection = try sandbox.connect()
                default:
                    break
                }
            }
            let last = "2026-05-10"
            var expected: [Reminder] = []
            expected += Self.expected("A-CERT", due: "2026-02-20", firstTick: "2026-01-06", last: last)
            expected += Self.expected("B-TOWER", due: "2026-03-31", firstTick: "2026-01-06", last: last)
            expected += Self.expected("C-VESSEL", due: "2026-02-28", firstTick: "2026-01-06", last: last)
            expected += Self.expected("D-LATE", due: "2026-01-01", firstTick: "2026-01-06", last: last)
            expected += Self.expected("E-SUSP", due: "2026-03-10", firstTick: "2026-01-06", last: last, silentFrom: "2026-02-01")
            expected += Self.expected("F-LPG", due: "2026-03-15", firstTick: "2026-01-06", last: last)
            expected += Self.expected("G-SCRAP", due: "2026-02-15", firstTick: "2026-01-06", last: last, silentFrom: "2026-01-10")
            let got = try Self.reminders(sandbox)
            #expect(Set(got).count == got.count, "a reminder was issued twice: \(got)")
            #expect(Set(got) == Set(expected), "missing \(Set(expected).subtracting(got)); unexpected \(Set(got).subtracting(expected))")
            #expect(got.contains(Reminder(equipment: "D-LATE", due: "2026-01-01", stage: -1, skipped: [30, 7, 0], day: "2026-01-06")))
            #expect(!got.contains { $0.equipment == "E-SUSP" || $0.equipment == "G-SCRAP" })

            // The overdue list against an independent computation on the same registry.
            let dues = ["A-CERT": "2026-02-20", "B-TOWER": "2026-03-31", "C-VESSEL": "2026-02-28", "D-LATE": "2026-01-01", "F-LPG": "2026-03-15"]
            let expectedOverdue = dues.map { (code: $0.key, days: Self.date($0.value).days(until: today)) }
                .sorted { ($0.days, $1.code) > ($1.days, $0.code) }
            let overdue = try connection.requireOK("equipment.overdue")
            let rows = overdue["units"] as? [[String: Any]] ?? []
            #expect(rows.map { $0["code"] as? String ?? "" } == expectedOverdue.map(\.code))
            #expect(rows.map { $0["daysOverdue"] as? Int ?? -1 } == expectedOverdue.map(\.days))
            #expect(rows.first?["address"] as? String != nil && rows.first?["user"] as? String == Self.userA)
            let listed = try connection.requireOK("reminder.list", ["since": "2026-01-01"])
            #expect(listed["total"] as? Int == got.count)
            #expect(try daemon.terminate() == .exited(0))
            #expect(try sandbox.inspectctl(["journal", "verify", "--journal", sandbox.journalDirectory]).status == 0)
        }

        @Test func aChangedRulesFileIsJournaledOnSighupAndRecomputesComputedDates() throws {
            let sandbox = try Self.sandbox()
            defer { sandbox.cleanup() }
            let rulesPath = sandbox.root + "/equipment-rules.json"
            try FileManager.default.copyItem(atPath: packageRoot + "/config/equipment-rules.json", toPath: rulesPath)
            try Self.writeConfig(sandbox, rules: rulesPath)
            let daemon = try sandbox.startDaemon(clock: "2026-01-05T09:00:00+08:00")
            let connection = try sandbox.connect()
            _ = try connection.requireOK("equipment.register", ["code": "COMPUTED", "category": "elevator", "user": Self.userA,
                                                                "commissioned": "2019-01-01", "lastInspected": "2025-06-10"])
            _ = try connection.requireOK("equipment.register", ["code": "CERT", "category": "elevator", "user": Self.userA,
                                                                "commissioned": "2019-01-01", "nextDue": "2026-06-01"])
            var text = try String(contentsOfFile: rulesPath, encoding: .utf8)
            let original = "\"$comment\": \"电梯 3000\",\n      \"intervalMonths\": 12,"
            #expect(text.contains(original))
            text = text.replacingOccurrences(of: original, with: "\"$comment\": \"电梯 3000\",\n      \"intervalMonths\": 6,")
            try text.write(toFile: rulesPath, atomically: true, encoding: .utf8)
            kill(daemon.pid, SIGHUP)
            #expect(poll { ((try? Self.events(sandbox, "rules.changed"))?.count ?? 0) == 2 }, "\(daemon.stderr)")
            let changed = try #require(try Self.events(sandbox, "rules.changed").last)
            let data = changed["data"] as? [String: Any] ?? [:]
            #expect(data["sha256"] as? String == SHA256.hexDigest(Array(try Data(contentsOf: URL(fileURLWithPath: rulesPath)))))
            #expect(data["previous"] as? String != nil)
            let elevator = ((data["rules"] as? [String: Any])?["categories"] as? [String: Any])?["elevator"] as? [String: Any]
            #expect(elevator?["intervalMonths"] as? Int == 6)
            #expect(try connection.requireOK("equipment.get", ["code": "COMPUTED"])["nextDue"] as? String == "2025-12-10")
            #expect(try connection.requireOK("equipment.get", ["code": "CERT"])["nextDue"] as? String == "2026-06-01")
            let rules = try connection.requireOK("equipment.rules")
            #expect(rules["sha256"] as? String == data["sha256"] as? String)

            // A broken file keeps the rules in force and says so.
            try "{ not json".write(toFile: rulesPath, atomically: true, encoding: .utf8)
            kill(daemon.pid, SIGHUP)
            #expect(poll { ((try? connection.requireOK("status"))?["warnings"] as? [String] ?? []).contains { $0.contains("equipment-rules.json") } })
            #expect(try Self.events(sandbox, "rules.changed").count == 2)
            #expect(try daemon.terminate() == .exited(0))
            // Back to the original file: one more rules.changed at start, and none on a second start.
            text = text.replacingOccurrences(of: "\"$comment\": \"电梯 3000\",\n      \"intervalMonths\": 6,", with: original)
            try text.write(toFile: rulesPath, atomically: true, encoding: .utf8)
            for _ in 0..<2 {
                let again = try sandbox.startDaemon(clock: "2026-01-06T09:00:00+08:00")
                _ = try sandbox.connect().requireOK("status")   // fully up before it is stopped
                #expect(try again.terminate() == .exited(0))
            }
            #expect(try Self.events(sandbox, "rules.changed").count == 3)
        }

        @Test func badInputOverTheSocketAppendsNothing() throws {
            let sandbox = try Self.sandbox()
            defer { sandbox.cleanup() }
            _ = try sandbox.startDaemon(clock: "2026-01-05T09:00:00+08:00")
            let connection = try sandbox.connect()
            _ = try connection.requireOK("equipment.register", ["code": "E1", "category": "elevator", "user": Self.userA, "commissioned": "2020-03-10"])
            _ = try connection.requireOK("equipment.register", ["code": "S1", "category": "elevator", "user": Self.userA, "commissioned": "2020-03-10"])
            _ = try connection.requireOK("equipment.scrap", ["code": "S1"])
            let before = try journalHead(connection).events
            let cases: [(String, [String: Any], String, String)] = [
                ("equipment.register", ["code": "N", "category": "rocket", "user": Self.userA, "commissioned": "2020-01-01"], "bad_request", "rocket"),
                ("equipment.register", ["code": "N", "category": "crane", "variant": "sky", "user": Self.userA, "commissioned": "2020-01-01"], "bad_request", "sky"),
                ("equipment.register", ["code": "N", "category": "pressure_vessel", "grade": 9, "user": Self.userA, "commissioned": "2020-01-01"], "bad_request", "9"),
                ("equipment.register", ["code": "N", "category": "elevator", "user": "91350111EHNMLW5TDX", "commissioned": "2020-01-01"], "bad_request", "91350111EHNMLW5TDX"),
                ("equipment.inspect", ["code": "E1", "date": "2019-01-01", "conclusion": "pass"], "bad_request", "2019-01-01"),
                ("equipment.inspect", ["code": "E1", "date": "2026-02-01", "conclusion": "pass"], "bad_request", "2026-02-01"),
                ("equipment.inspect", ["code": "E1", "date": "2026-01-05", "conclusion": "pass", "nextDue": "2025-01-01"], "bad_request", "2025-01-01"),
                ("equipment.inspect", ["code": "S1", "date": "2026-01-05", "conclusion": "pass"], "conflict", "S1"),
                ("equipment.resume", ["code": "E1"], "conflict", "E1"),
            ]
            for (cmd, args, code, mention) in cases {
                let reply = try connection.call(cmd, args)
                #expect(!reply.ok && reply.code == code && reply.message.contains(mention), "\(cmd): \(reply)")
            }
            #expect(try journalHead(connection).events == before)
            // The CLI maps the error onto exit status 1 and prints the message.
            let cli = try sandbox.inspectctl(["--socket", sandbox.socketPath, "equipment", "resume", "E1"])
            #expect(cli.status == 1 && cli.stderr.contains("not suspended"), "\(cli)")
        }

        @Test func notifyRunsPerReminderAndFailuresAreCounted() throws {
            let sandbox = try Self.sandbox()
            defer { sandbox.cleanup() }
            let out = sandbox.root + "/notified.jsonl"
            try Self.writeConfig(sandbox, notify: ["/bin/sh", "-c", "cat >> '\(out)'"])
            var daemon = try sandbox.startDaemon(clock: "2026-01-05T09:00:00+08:00")
            var connection = try sandbox.connect()
            for code in ["N1", "N2", "N3"] {
                _ = try connection.requireOK("equipment.register", ["code": code, "category": "elevator", "user": Self.userB,
                                                                    "commissioned": "2020-01-01", "nextDue": "2026-02-01"])
            }
            _ = try connection.requireOK("clock.advance", ["seconds": 86_400])   // stage 30 for all three
            #expect(poll { ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").count == 3 })
            let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
            let journal = try Self.events(sandbox, "reminder.issued")
            for (line, event) in zip(lines, journal) {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(object["seq"] as? Int == event["seq"] as? Int)
                #expect(object["type"] as? String == "reminder.issued")
                #expect((object["data"] as? [String: Any])?["equipment"] as? String == (event["data"] as? [String: Any])?["equipment"] as? String)
            }
            #expect(poll { ((try? connection.requireOK("status"))?["equipment"] as? [String: Any]).flatMap { ($0["notify"] as? [String: Any])?["sent"] as? Int } == 3 })
            #expect(try daemon.terminate() == .exited(0))

            // A failing command and a hanging one: counted, logged, and the journal carries on.
            try Self.writeConfig(sandbox, notify: ["/bin/sh", "-c", "cat > /dev/null; exit 3"])
            daemon = try sandbox.startDaemon(clock: "2026-01-06T09:00:00+08:00")
            connection = try sandbox.connect()
            _ = try connection.requireOK("clock.set", ["time": "2026-01-25T09:00:00+08:00"])   // stage 7
            #expect(poll { ((try? connection.requireOK("status"))?["equipment"] as? [String: Any]).flatMap { ($0["notify"] as? [String: Any])?["failed"] as? Int } == 3 })
            #expect(try daemon.terminate() == .exited(0))
            try Self.writeConfig(sandbox, notify: ["/bin/sleep", "30"], timeout: 1)
            daemon = try sandbox.startDaemon(clock: "2026-01-25T09:00:00+08:00")
            connection = try sandbox.connect()
            let started = Date()
            _ = try connection.requireOK("clock.set", ["time": "2026-02-01T09:00:00+08:00"])     // stage 0, answered at once
            #expect(Date().timeIntervalSince(started) < 1)
            #expect(poll(seconds: 15) { ((try? connection.requireOK("status"))?["equipment"] as? [String: Any]).flatMap { ($0["notify"] as? [String: Any])?["timedOut"] as? Int } == 3 })
            #expect(try Self.events(sandbox, "reminder.issued").count == 9)
            #expect(daemon.stderr.contains("timed out"))
            #expect(try daemon.terminate() == .exited(0))
        }

        /// The sample registry through `inspectctl equipment import`, and the overdue list
        /// against a computation of its own from the CSV text.
        @Test func sampleImportAndCLITables() throws {
            let sandbox = try Self.sandbox()
            defer { sandbox.cleanup() }
            let daemon = try sandbox.startDaemon(clock: "2026-11-23T09:00:00+08:00")
            let sample = Self.repository.appendingPathComponent("config/samples/equipment.csv").path
            let socket = ["--socket", sandbox.socketPath]
            let imported = try sandbox.inspectctl(socket + ["equipment", "import", sample, "--json"])
            #expect(imported.status == 0, "\(imported)")
            let summary = try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any]
            let rows = try String(contentsOfFile: sample, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            #expect(summary?["rows"] as? Int == rows.count)
            // Independent computation: certificate date, else last inspection + interval.
            func months(_ row: [String]) -> Int {
                switch (row[2], row[3], row[9]) {
                case ("起重机械", "bridge", _), ("起重机械", "桥式起重机", _): return 24
                case ("气瓶", _, _): return 48
                case ("压力容器", _, "1"), ("压力容器", _, "2"), ("压力管道", _, "1"), ("压力管道", _, "2"): return 72
                case ("压力容器", _, _), ("压力管道", _, _): return 36
                default: return 12
                }
            }
            let today = Self.date("2026-11-23")
            let expected = rows.map { row -> (code: String, due: CivilDate) in
                (row[0], row[10].isEmpty ? Self.date(row[11]).adding(months: months(row)) : Self.date(row[10]))
            }.filter { $0.due < today }.sorted { ($0.due, $0.code) < ($1.due, $1.code) }
            let overdue = try sandbox.inspectctl(socket + ["equipment", "overdue", "--json"])
            let object = try JSONSerialization.jsonObject(with: Data(overdue.stdout.utf8)) as? [String: Any]
            let units = object?["units"] as? [[String: Any]] ?? []
            #expect(!expected.isEmpty)
            #expect(units.map { $0["code"] as? String ?? "" } == expected.map(\.code))
            #expect(units.map { $0["daysOverdue"] as? Int ?? -1 } == expected.map { $0.due.days(until: today) })
            let table = try sandbox.inspectctl(socket + ["equipment", "overdue"])
            #expect(table.status == 0 && table.stdout.contains("days overdue") && table.stdout.contains("起重机械"), "\(table)")
            #expect(table.stdout.contains("\(expected.count) overdue"))
            let show = try sandbox.inspectctl(socket + ["equipment", "show", expected[0].code])
            #expect(show.status == 0 && show.stdout.contains("history") && show.stdout.contains("equipment.registered"), "\(show)")
            // Re-importing the same file changes nothing.
            let again = try sandbox.inspectctl(socket + ["equipment", "import", sample, "--json"])
            #expect((try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["changed"] as? Int == 0, "\(again)")
            #expect(try daemon.terminate() == .exited(0))

        }
        /// Start-up replay applies events on a second thread, warming each event's lookups a
        /// few events ahead of it and passing events in place. Over a journal of several
        /// 256-event batches mixing every typed payload (entities registered and updated,
        /// units registered, inspected and reminded), a replay without a snapshot must
        /// answer exactly as the live daemon did; and an `equipment.inspected` for a unit
        /// that was never registered, chained correctly into a later batch, must stop the
        /// start at its own line and leave the journal as it was.
        @Test func aReplayOfManyBatchesAnswersAsTheLiveDaemonAndStopsAtARefusedLine() throws {
            let sandbox = try Self.sandbox()
            defer { sandbox.cleanup() }
            var daemon = try sandbox.startDaemon(clock: "2026-01-05T09:00:00+08:00")
            var connection = try sandbox.connect()
            func entities(_ name: String) -> String {
                var csv = "统一社会信用代码,名称,风险等级,区域\n"
                for i in 0..<150 { csv += "\(AuditTests.uscc(i)),\(name)\(i)有限公司,\(["A", "B", "C", "D", ""][i % 5]),鼓楼区\n" }
                return csv
            }
            _ = try connection.requireOK("entity.import", ["csv": entities("企业"), "name": "entities.csv"])
            for i in 0..<300 {
                _ = try connection.requireOK("equipment.register", [
                    "code": "U\(i)", "category": "elevator", "user": i % 2 == 0 ? Self.userA : Self.userB, "commissioned": "2019-05-20",
                    "address": "福州市鼓楼区五一路\(i)号", "region": "鼓楼区", "nextDue": "2026-02-\(String(format: "%02d", 1 + i % 28))"])
            }
            _ = try connection.requireOK("entity.import", ["csv": entities("更名企业"), "name": "entities-2.csv"])
            for i in stride(from: 0, to: 300, by: 3) {
                _ = try connection.requireOK("equipment.inspect", ["code": "U\(i)", "date": "2026-01-05", "conclusion": i % 9 == 0 ? "fail" : "pass"])
            }
            _ = try connection.requireOK("clock.advance", ["seconds": 86_400 * 20])
            let lines = try sandbox.journalLines()
            let types = lines.compactMap { try? JournalRecord.decode($0).type }
            try #require(lines.count > 3 * 256, "only \(lines.count) lines")
            for type in ["entity.registered", "entity.updated", "equipment.registered", "equipment.inspected", "reminder.issued"] {
                #expect(types.contains(type), "no \(type) in the journal")
            }
            let queries: [(String, [String: Any])] = [
                ("entity.list", ["limit": 500]), ("equipment.overdue", [:]), ("equipment.due", ["within": 60]),
                ("reminder.list", ["since": "2026-01-01"]), ("equipment.get", ["code": "U0"]), ("equipment.get", ["code": "U299"]),
            ]
            func answers() throws -> [String] {
                try queries.map { query, args in
                    let reply = try connection.requireOK(query, args)
                    return String(decoding: try JSONSerialization.data(withJSONObject: reply, options: [.sortedKeys]), as: UTF8.self)
                }
            }
            let live = try answers(), liveHead = try journalHead(connection)
            #expect(try daemon.terminate() == .exited(0))
            try? FileManager.default.removeItem(atPath: sandbox.journalDirectory + "/snapshots")
            daemon = try sandbox.startDaemon(clock: "2026-01-25T09:00:00+08:00")
            connection = try sandbox.connect()
            let replayed = try answers()
            #expect(try journalHead(connection) == liveHead)
            for (n, query) in queries.enumerated() {
                #expect(replayed[n] == live[n], "\(query.0) differs after a replay without a snapshot")
            }
            #expect(try daemon.terminate() == .exited(0))

            // An inspection of a unit never registered, in the third batch, chained correctly.
            var edited = try sandbox.journalLines()
            let refused = try #require(edited.indices.first { $0 >= 600 && types[$0] == "equipment.inspected" })
            var record = try JournalRecord.decode(edited[refused])
            var data = record.data
            data["code"] = "NO-SUCH-UNIT"
            record.data = data
            edited[refused] = record.encoded()
            for j in (refused + 1)..<edited.count {
                var next = try JournalRecord.decode(edited[j])
                next.prev = SHA256.hexDigest(edited[j - 1])
                edited[j] = next.encoded()
            }
            let bytes: [UInt8] = edited.flatMap { $0 + [10] }
            try? FileManager.default.removeItem(atPath: sandbox.journalDirectory + "/snapshots")
            try Data(bytes).write(to: URL(fileURLWithPath: sandbox.eventsPath))
            let outcome = try sandbox.runDaemonExpectingExit()
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.stderr.contains("line \(refused + 1) (seq \(refused + 1))") && outcome.stderr.contains("NO-SUCH-UNIT"), "\(outcome.stderr)")
            #expect(try sandbox.eventsBytes() == bytes, "the journal was modified")
        }
    }
}
