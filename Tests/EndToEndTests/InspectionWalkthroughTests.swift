import Foundation
import InspectionKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

// 双随机、一公开 end to end (issue 3): the README walkthrough on the shipped samples against
// the real daemon with the real calendar, CSV imports through inspectctl and the socket
// (file path and inline), malformed files that must append nothing, draw, results,
// publication file, outside verification of the draw, and replay after a restart.

/// The sample files shipped in `config/samples/`.
private let samples = packageRoot + "/config/samples"

/// `python3` on PATH, if any (the verifier in docs/ is Python).
private let python3: String? = {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let path = "\(dir)/python3"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}()

private let authority = "测试市市场监督管理局"

/// A sandbox whose config names its own copy of `config/calendar` (relative path) and an
/// `authority`, and a daemon started on a simulated clock.
private func walkthroughSandbox(clock: String) throws -> (Sandbox, DaemonProcess) {
    let sandbox = try Sandbox()
    let fm = FileManager.default
    try fm.copyItem(atPath: packageRoot + "/config/calendar", toPath: sandbox.root + "/calendar")
    let object: [String: Any] = [
        "journalDirectory": "journal",
        "socketPath": "journal/inspectd.sock",
        "socketMode": "0660",
        "timeZone": "Asia/Shanghai",
        "authority": authority,
        "calendarDirectory": "calendar",
        "equipmentRules": packageRoot + "/config/equipment-rules.json",
        "roles": ["daemonUser": ["admin"], "users": [String: Any](), "groups": [String: Any](), "everyone": ["viewer"]],
        "limits": ["maxRequestBytes": 16 << 20, "maxConnections": 64],
    ]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    try sandbox.writeRawConfig(String(decoding: data, as: UTF8.self))
    do {
        return (sandbox, try sandbox.startDaemon(clock: clock))
    } catch {
        sandbox.cleanup()
        throw error
    }
}

fileprivate extension Sandbox {
    /// `inspectctl --socket <sandbox socket> ARGS`.
    func ctl(_ arguments: [String]) throws -> CommandOutput {
        try inspectctl(["--socket", socketPath] + arguments)
    }

    /// `inspectctl … --json`, requiring exit 0; the printed result object.
    func ctlJSON(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let output = try ctl(arguments + ["--json"])
        guard output.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] else {
            Issue.record("inspectctl \(arguments.joined(separator: " ")) failed: \(output)", sourceLocation: sourceLocation)
            throw HarnessError("inspectctl \(arguments.joined(separator: " ")) failed")
        }
        return object
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = root + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// A JSON object as canonical text (sorted keys), for equality of whole results.
private func canonical(_ object: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "<not JSON>" }
    return String(decoding: data, as: UTF8.self)
}

/// UTF-8 text → GB18030 bytes with the C library's iconv (not the project's transcoder).
private func gb18030(_ text: String) throws -> [UInt8] {
    let cd = iconv_open("GB18030", "UTF-8")
    guard cd != iconv_t(bitPattern: -1) else { throw HarnessError("iconv has no GB18030") }
    defer { iconv_close(cd) }
    var input = Array(text.utf8)
    var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
    let produced: Int = input.withUnsafeMutableBytes { inRaw in
        output.withUnsafeMutableBytes { outRaw in
            var inPtr = inRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
            var inLeft = inRaw.count
            var outPtr = outRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
            var outLeft = outRaw.count
            let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
            return r == -1 || inLeft != 0 ? -1 : outRaw.count - outLeft
        }
    }
    guard produced >= 0 else { throw HarnessError("iconv failed for \(text.prefix(40))") }
    return Array(output[0..<produced])
}

private func uscc(_ n: Int, lead: String = "91350199MA") -> String {
    let digits = String(n)
    return USCC.make(first17: lead + String(repeating: "0", count: 17 - lead.count - digits.count) + digits)!
}

private func wrongCheck(_ id: String) -> String {
    String(id.dropLast()) + (id.last == "0" ? "1" : "0")
}

extension EndToEnd {
    @Suite struct InspectionWalkthroughTests {
        /// Every malformed file: (name, bytes, line, column, words the reason must contain).
        static func malformedFiles() throws -> [(name: String, bytes: [UInt8], line: Int?, column: Int?, reason: String)] {
            let header = "名称,统一社会信用代码,风险等级\n"
            let good = (1...6).map { "新主体\($0),\(uscc($0)),B\n" }
            return [
                ("bad-uscc.csv", Array((header + good[0..<5].joined() + "坏代码,\(wrongCheck(uscc(99))),A\n" + good[5]).utf8), 7, 2, "fails its check"),
                ("unclosed.csv", Array((header + good[0..<2].joined() + "\"未闭合,\(uscc(50)),A\n" + good[2]).utf8), 4, 1, "never closed"),
                ("stray-quote.csv", Array((header + good[0] + "名\"称,\(uscc(51)),A\n").utf8), 3, 1, "quote"),
                ("short-row.csv", Array((header + good[0..<3].joined() + "只有两列,\(uscc(52))\n").utf8), 5, 3, "has 2 fields; the header has 3"),
                ("unknown-column.csv", Array(("名称,统一社会信用代码,颜色\n" + "甲,\(uscc(53)),红\n").utf8), 1, 3, "unknown column \"颜色\""),
                ("duplicate-id.csv", Array((header + good[0] + good[1] + "又一个,\(uscc(1)),C\n").utf8), 4, 2, "appears again (first on line 2)"),
                ("bad-risk.csv", Array((header + good[0] + "乙,\(uscc(54)),Z\n").utf8), 3, 3, "risk is \"Z\""),
                // Neither UTF-8 nor GB18030 on line 2: SPEC §6 wants the line named here too.
                ("not-gb18030.csv", Array(header.utf8) + Array("丙,\(uscc(55)),".utf8) + [0x81, 0x20, 0x0A], 2, nil, "GB18030"),
            ]
        }

        @Test func malformedFilesAppendNothingAndNameFileLineAndColumn() throws {
            let (sandbox, _) = try walkthroughSandbox(clock: "2026-02-02T09:00:00+08:00")
            defer { sandbox.cleanup() }
            let connection = try sandbox.connect()
            _ = try connection.requireOK("journal.annotate", ["text": "before the imports"])
            let before = try journalHead(connection)
            #expect(before.events == 1)
            for file in try Self.malformedFiles() {
                let path = try sandbox.write(file.name, file.bytes)
                let location = file.line.map { line in "line \(line)" + (file.column.map { ", column \($0)" } ?? "") }

                // inspectctl FILE: exit 1, stderr names file, line, column, reason.
                let cli = try sandbox.ctl(["entity", "import", path])
                #expect(cli.status == 1, "\(file.name): \(cli)")
                #expect(cli.stderr.contains("bad_request"), "\(file.name): \(cli)")
                #expect(cli.stderr.contains(file.name), "\(file.name): \(cli)")
                if let location { #expect(cli.stderr.contains(location), "\(file.name): \(cli)") }
                #expect(cli.stderr.contains(file.reason), "\(file.name): \(cli)")

                // The socket, by path and inline, on the same connection (which stays usable).
                let byPath = try connection.call("entity.import", ["path": path])
                #expect(byPath.code == "bad_request", "\(file.name): \(byPath)")
                #expect(byPath.message.contains(file.name), "\(file.name): \(byPath)")
                if let location { #expect(byPath.message.contains(location), "\(file.name): \(byPath)") }
                if file.name != "not-gb18030.csv" {
                    let inline = try connection.call("entity.import", ["csv": String(decoding: file.bytes, as: UTF8.self), "name": "inline-" + file.name])
                    #expect(inline.code == "bad_request", "\(file.name): \(inline)")
                    #expect(inline.message.contains("inline-" + file.name), "\(file.name): \(inline)")
                    if let location { #expect(inline.message.contains(location), "\(file.name): \(inline)") }
                    #expect(inline.message.contains(file.reason), "\(file.name): \(inline)")
                }
                let head = try journalHead(connection)
                #expect(head.events == before.events && head.head == before.head, "\(file.name) appended something")
            }
            // Nothing of the good rows before the bad one was registered.
            let list = try connection.requireOK("entity.list", ["status": ["active", "deregistered", "revoked"]])
            #expect(list["total"] as? Int == 0)
            #expect(try sandbox.journalLines().count == 1)
        }

        /// The README walkthrough: imports (GB18030 detected), a task, a draw, results on the
        /// real calendar across Spring Festival, the 公示 file, an outside verification of the
        /// draw, and identical state after a restart.
        @Test func walkthroughFromImportToPublication() throws {
            let (sandbox, daemon) = try walkthroughSandbox(clock: "2026-02-02T09:00:00+08:00")
            defer { sandbox.cleanup() }
            let connection = try sandbox.connect(timeoutMillis: 30_000)
            // 2027 has no calendar file: deadlines there count Monday–Friday, and status says so.
            let status = try connection.requireOK("status")
            #expect((status["warnings"] as? [String])?.contains { $0.contains("2027") } == true, "\(status["warnings"] ?? "none")")

            // Imports: the GB18030 export first (detected), then the UTF-8 file, by inspectctl;
            // items by path and conflicts inline over the socket.
            let gb = try sandbox.ctlJSON(["entity", "import", samples + "/entities-gb18030.csv"])
            #expect(gb["encoding"] as? String == "gb18030")
            #expect(gb["rows"] as? Int == 20)
            #expect(gb["changed"] as? Int == 20)
            let gbBytes = Array(try Data(contentsOf: URL(fileURLWithPath: samples + "/entities-gb18030.csv")))
            #expect(gb["sha256"] as? String == SHA256.hexDigest(gbBytes))
            let first = try connection.requireOK("entity.get", ["id": "9235011155TH2HUCCH"])
            #expect(first["name"] as? String == "晋安华记小吃店")
            #expect(first["address"] as? String == "福州市晋安区福新路24号")
            #expect(first["kind"] as? String == "individual")
            #expect(first["risk"] as? String == "A")

            let utf8 = try sandbox.ctlJSON(["entity", "import", samples + "/entities.csv"])
            #expect(utf8["encoding"] as? String == "utf-8")
            #expect(utf8["rows"] as? Int == 300)
            #expect(utf8["changed"] as? Int == 280)
            #expect(utf8["unchanged"] as? Int == 20)
            let inspectors = try sandbox.ctl(["inspector", "import", samples + "/inspectors.csv"])
            #expect(inspectors.status == 0, "\(inspectors)")
            #expect(inspectors.stdout.contains("22 rows, 22 changed"), "\(inspectors)")
            let items = try connection.requireOK("item.import", ["path": samples + "/items.csv"])
            #expect(items["rows"] as? Int == 4)
            let conflictsText = try String(contentsOfFile: samples + "/conflicts.csv", encoding: .utf8)
            let conflicts = try connection.requireOK("conflict.import", ["csv": conflictsText, "name": "conflicts.csv"])
            #expect(conflicts["rows"] as? Int == 4)
            #expect(conflicts["changed"] as? Int == 4)
            #expect(try connection.requireOK("conflict.list")["total"] as? Int == 4)
            // Importing again changes nothing.
            let again = try connection.requireOK("entity.import", ["path": samples + "/entities.csv"])
            #expect(again["changed"] as? Int == 0)
            // A UTF-8 file with a BOM and quoted header cells, inline.
            let bom = try connection.requireOK("entity.import", ["csv": "\u{FEFF}\"统一社会信用代码\",\"名称\",\"风险等级\"\r\n\(uscc(7)),\"新, 主体\",D\r\n", "name": "bom.csv"])
            #expect(bom["changed"] as? Int == 1)
            #expect(try connection.requireOK("entity.get", ["id": uscc(7)])["name"] as? String == "新, 主体")

            // Create (pool frozen now) and draw (after the sources are known).
            let created = try sandbox.ctlJSON(["task", "create", "--name", "2026年第一季度双随机抽查", "--items", "SJ-2026-01,SJ-2026-02",
                                               "--ratios", "A=0.01,B=0.03,C=0.10,D=0.30,none=0.05", "--team-size", "2",
                                               "--due", "2026-03-31", "--source", "福彩3D 2026第30期开奖号码",
                                               "--source", "上证指数2026-02-05收盘价×100"])
            #expect(created["task"] as? String == "T2026-0001")
            let picks = try #require(created["picks"] as? Int)
            #expect(picks >= 4)
            _ = try connection.requireOK("clock.set", ["time": "2026-02-06T10:00:00+08:00"])
            let drawn = try sandbox.ctlJSON(["task", "draw", "T2026-0001", "523", "3998, 12"])
            #expect(drawn["key"] as? String == "523./12.3998./")
            #expect(drawn["targets"] as? Int == picks)
            let again2 = try sandbox.ctl(["task", "draw", "T2026-0001", "523", "3998, 12"])
            #expect(again2.status == 1 && again2.stderr.contains("conflict"), "\(again2)")

            let task = try connection.requireOK("task.get", ["task": "T2026-0001"])
            let targets = try #require(task["targets"] as? [[String: Any]])
            #expect(targets.count == picks)
            let entity = { (i: Int) in targets[i]["entity"] as? String ?? "" }
            let team = { (i: Int) in targets[i]["team"] as? [String] ?? [] }

            // Results: Friday before Spring Festival (inspectctl), then the last workday before it.
            let r1 = try sandbox.ctlJSON(["inspection", "record", "T2026-0001", entity(0), "--outcome", "rectified,not_publicised",
                                          "--inspectors", team(0).joined(separator: ","), "--note", "已责令改正"])
            #expect(r1["publishBy"] as? String == "2026-03-12", "the daemon must count on config/calendar (Mon–Fri gives 2026-03-06)")
            _ = try connection.requireOK("clock.set", ["time": "2026-02-13T16:00:00+08:00"])
            let r2 = try connection.requireOK("inspection.record", ["task": "T2026-0001", "entity": entity(1), "outcomes": ["no_problem"],
                                                                     "inspectors": team(1)])
            #expect(r2["publishBy"] as? String == "2026-03-19")
            let r3 = try connection.requireOK("inspection.record", ["task": "T2026-0001", "entity": entity(2), "outcomes": ["deregistered"],
                                                                     "detail": "被吊销", "inspectors": team(2), "date": "2026-02-12"])
            #expect(r3["publishBy"] as? String == "2026-03-19")
            let bad = try connection.call("inspection.record", ["task": "T2026-0001", "entity": entity(3), "outcomes": ["fine"], "inspectors": team(3)])
            #expect(bad.code == "bad_request" && bad.message.contains("fine"), "\(bad)")
            let queue = try connection.requireOK("queue.publication")
            #expect((queue["results"] as? [[String: Any]])?.map { $0["publishBy"] as? String ?? "" } == ["2026-03-12", "2026-03-19", "2026-03-19"])
            let worklist = try connection.requireOK("worklist", ["inspector": team(3)[0]])
            #expect((worklist["worklist"] as? [[String: Any]])?.contains { $0["entity"] as? String == entity(3) } == true)

            // Publish with --out: the 公示 CSV.
            let out = sandbox.root + "/公示-T2026-0001.csv"
            let published = try sandbox.ctl(["task", "publish", "T2026-0001", "--out", out])
            #expect(published.status == 0, "\(published)")
            let csv = Array(try Data(contentsOf: URL(fileURLWithPath: out)))
            #expect(Array(csv.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let lines = String(decoding: csv.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
            #expect(lines.first == "企业名称,统一社会信用代码,抽查事项,检查日期,检查结果,检查实施机关,任务编号")
            #expect(lines.last == "")
            let itemNames = "食品经营许可及经营行为检查；企业公示信息检查"
            let name = { (i: Int) in targets[i]["name"] as? String ?? "" }
            #expect(Array(lines.dropFirst().dropLast()) == [
                "\(name(0)),\(entity(0)),\(itemNames),2026-02-06,发现问题经责令已改正；未按规定公示应当公示的信息,\(authority),T2026-0001",
                "\(name(1)),\(entity(1)),\(itemNames),2026-02-13,未发现问题,\(authority),T2026-0001",
                "\(name(2)),\(entity(2)),\(itemNames),2026-02-12,注销 / 被吊销 / 被撤销 / 迁出（被吊销）,\(authority),T2026-0001",
            ])
            let twice = try sandbox.ctl(["task", "publish", "T2026-0001"])
            #expect(twice.status == 1 && twice.stderr.contains("already published"), "\(twice)")
            #expect((try connection.requireOK("queue.publication")["total"]) as? Int == 0)

            // A name with a comma and quotes is quoted in the 公示 CSV (RFC 4180).
            let tricky = "华记 \"老字号\", 小吃"
            _ = try connection.requireOK("entity.register", ["id": uscc(8), "name": tricky, "region": "测试区"])
            let second = try connection.requireOK("task.create", ["name": "测试区专项", "items": ["SJ-2026-02"], "filter": ["region": ["测试区"]],
                                                                  "sampling": ["count": 1], "teamSize": 2, "due": "2026-03-31", "sources": ["system"]])
            #expect(second["task"] as? String == "T2026-0002")
            _ = try connection.requireOK("task.draw", ["task": "T2026-0002"])
            let secondTeam = try connection.requireOK("task.get", ["task": "T2026-0002"])["targets"] as? [[String: Any]]
            _ = try connection.requireOK("inspection.record", ["task": "T2026-0002", "entity": uscc(8), "outcomes": ["no_problem"],
                                                               "inspectors": secondTeam?.first?["team"] ?? []])
            let out2 = sandbox.root + "/公示-T2026-0002.csv"
            let published2 = try sandbox.ctl(["task", "publish", "T2026-0002", "--out", out2])
            #expect(published2.status == 0, "\(published2)")
            let csv2 = String(decoding: try Data(contentsOf: URL(fileURLWithPath: out2)).dropFirst(3), as: UTF8.self)
            #expect(csv2.components(separatedBy: "\r\n").dropFirst().first
                == "\"华记 \"\"老字号\"\", 小吃\",\(uscc(8)),企业公示信息检查,2026-02-13,未发现问题,\(authority),T2026-0002")

            // The pool file, verified outside inspectd.
            let poolPath = sandbox.root + "/pool.txt"
            let pool = try sandbox.ctl(["task", "pool", "T2026-0001", "--out", poolPath])
            #expect(pool.status == 0, "\(pool)")
            let poolText = try String(contentsOfFile: poolPath, encoding: .utf8)
            #expect(poolText.hasPrefix("# inspectd pool T2026-0001 method rfc3797-v1 key 523./12.3998./\n"))
            if let python3 {
                let verified = try sandbox.run(python3, [packageRoot + "/docs/verify-draw.py", poolPath])
                #expect(verified.status == 0, "\(verified)")
                let picked = verified.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").last.map(String.init) ?? "" }
                #expect(picked == targets.map { $0["entity"] as? String ?? "" }, "\(verified)")
                #expect(!verified.stdout.contains("MISMATCH"))
            }

            // Restart: the journal alone rebuilds the same task (replay).
            let beforeTask = canonical(try connection.requireOK("task.get", ["task": "T2026-0001"]))
            let beforePool = canonical(try connection.requireOK("task.pool", ["task": "T2026-0001"]))
            let beforeHead = try journalHead(connection)
            let queries = ["worklist", "queue.publication", "queue.draws", "task.list"]
            var beforeQueues = try queries.map { canonical(try connection.requireOK($0)) }
            #expect(try daemon.terminate() == .exited(0))

            // 1. Start-up as configured (from a shutdown snapshot, if one was written).
            let secondDaemon = try sandbox.startDaemon(clock: "2026-02-13T16:00:00+08:00")
            var reconnected = try sandbox.connect()
            #expect(canonical(try reconnected.requireOK("task.get", ["task": "T2026-0001"])) == beforeTask)
            #expect(canonical(try reconnected.requireOK("task.pool", ["task": "T2026-0001"])) == beforePool)
            #expect(try queries.map { canonical(try reconnected.requireOK($0)) } == beforeQueues)
            var afterHead = try journalHead(reconnected)
            #expect(afterHead.events == beforeHead.events && afterHead.head == beforeHead.head)
            // New events on the restored state: a task whose pool leaves out the four
            // entities inspected today (excludeInspectedWithinDays 365).
            let active = try reconnected.requireOK("entity.list", ["limit": 1])["total"] as? Int ?? -1
            let third = try reconnected.requireOK("task.create", ["name": "全量", "items": ["SJ-2026-02"], "sampling": ["count": 5], "teamSize": 2,
                                                                  "due": "2026-03-31", "sources": ["system"]])
            #expect(third["task"] as? String == "T2026-0003")
            #expect(third["poolSize"] as? Int == active - 4)
            _ = try reconnected.requireOK("task.draw", ["task": "T2026-0003"])
            let beforeThird = canonical(try reconnected.requireOK("task.get", ["task": "T2026-0003"]))
            let beforeFirst = canonical(try reconnected.requireOK("task.get", ["task": "T2026-0001"]))
            beforeQueues = try queries.map { canonical(try reconnected.requireOK($0)) }
            let headBefore = try journalHead(reconnected)
            #expect(try secondDaemon.terminate() == .exited(0))

            // 2. Every event replayed from the file (snapshots removed).
            try? FileManager.default.removeItem(atPath: sandbox.journalDirectory + "/snapshots")
            let thirdDaemon = try sandbox.startDaemon(clock: "2026-02-13T16:00:00+08:00")
            reconnected = try sandbox.connect()
            #expect(canonical(try reconnected.requireOK("task.get", ["task": "T2026-0001"])) == beforeFirst)
            #expect(canonical(try reconnected.requireOK("task.get", ["task": "T2026-0003"])) == beforeThird)
            #expect(try queries.map { canonical(try reconnected.requireOK($0)) } == beforeQueues)
            afterHead = try journalHead(reconnected)
            #expect(afterHead.events == headBefore.events && afterHead.head == headBefore.head)
            #expect(try thirdDaemon.terminate() == .exited(0))
        }

        /// Auto-detection must not turn a damaged UTF-8 file into GB18030 mojibake: here one
        /// character lost its first two bytes (a truncated export). The rest of the file is
        /// valid UTF-8 with many multi-byte characters, and the damaged bytes happen to be
        /// valid GB18030 — the import must still be refused, naming the file, and append nothing.
        @Test func damagedUTF8IsNotImportedAsGB18030() throws {
            let (sandbox, _) = try walkthroughSandbox(clock: "2026-02-02T09:00:00+08:00")
            defer { sandbox.cleanup() }
            let connection = try sandbox.connect()
            let text = "id,name,address\n\(uscc(1)),晋安华记,福州市鼓楼区\n\(uscc(2)),达隆餐馆,福州市台江区\n"
            var bytes = Array(text.utf8)
            let cut = bytes.firstIndex(of: 0xE6)!          // 晋 = E6 99 8B: drop E6 99, keep 8B
            bytes.removeSubrange(cut..<(cut + 2))
            #expect(String(validating: bytes, as: UTF8.self) == nil)
            let path = try sandbox.write("damaged-utf8.csv", bytes)
            let before = try journalHead(connection)
            let reply = try connection.call("entity.import", ["path": path])
            #expect(!reply.ok, "imported a damaged UTF-8 file as \(reply.result["encoding"] ?? "?"): \(reply)")
            if reply.ok {
                let name = try connection.requireOK("entity.get", ["id": uscc(2)])["name"] as? String
                Issue.record("entity \(uscc(2)) was stored with the name \(name ?? "nil") instead of 达隆餐馆")
            } else {
                #expect(reply.code == "bad_request")
                #expect(reply.message.contains("damaged-utf8.csv"), "\(reply)")
            }
            #expect(try journalHead(connection).events == before.events)
        }

        /// A UTF-8 file with a BOM imported with "encoding":"gb18030" (the clerk thought it was
        /// a GBK export): either the BOM wins and it imports correctly, or the refusal says what
        /// is wrong — not "pass encoding gb18030", which is what the clerk did.
        @Test func utf8BOMDeclaredAsGB18030() throws {
            let (sandbox, _) = try walkthroughSandbox(clock: "2026-02-02T09:00:00+08:00")
            defer { sandbox.cleanup() }
            let connection = try sandbox.connect()
            let path = try sandbox.write("bom.csv", [0xEF, 0xBB, 0xBF] + Array("统一社会信用代码,名称\n\(uscc(3)),鼓楼药房\n".utf8))
            let reply = try connection.call("entity.import", ["path": path, "encoding": "gb18030"])
            if reply.ok {
                #expect(try connection.requireOK("entity.get", ["id": uscc(3)])["name"] as? String == "鼓楼药房")
            } else {
                #expect(reply.message.contains("bom.csv"), "\(reply)")
                #expect(!reply.message.contains("pass \"encoding\":\"gb18030\""), "the advice repeats what was done: \(reply.message)")
                #expect(!reply.message.contains("not valid UTF-8"), "the file is valid UTF-8: \(reply.message)")
            }
        }

        /// A file declared UTF-8 with an invalid byte on line 3: the refusal names the file and
        /// the line (SPEC §6: "the error names file, line, column and reason"), not only a byte
        /// offset, and appends nothing.
        @Test func invalidUTF8NamesTheLine() throws {
            let (sandbox, _) = try walkthroughSandbox(clock: "2026-02-02T09:00:00+08:00")
            defer { sandbox.cleanup() }
            let connection = try sandbox.connect()
            let bytes = Array("名称,统一社会信用代码,风险等级\n甲,\(uscc(1)),A\n乙".utf8) + [0xFF] + Array(",\(uscc(2)),B\n".utf8)
            let path = try sandbox.write("bad-utf8.csv", bytes)
            let reply = try connection.call("entity.import", ["path": path, "encoding": "utf-8"])
            #expect(reply.code == "bad_request", "\(reply)")
            #expect(reply.message.contains("bad-utf8.csv"), "\(reply)")
            #expect(reply.message.contains("line 3"), "\(reply)")
            #expect(try journalHead(connection).events == 0)
        }

        /// GB18030 characters outside GBK (4-byte sequences, e.g. 𠀀 U+20000), and multi-byte
        /// characters of both encodings split across the daemon's 1 MiB read chunks.
        @Test(arguments: [("gb18030", 0), ("gb18030", 1), ("gb18030", 2), ("gb18030", 3), ("utf-8", 1), ("utf-8", 2), ("utf-8", 3)])
        func fourByteCharactersAcrossChunkBoundaries(_ encoding: String, split: Int) throws {
            let (sandbox, _) = try walkthroughSandbox(clock: "2026-02-02T09:00:00+08:00")
            defer { sandbox.cleanup() }
            let connection = try sandbox.connect(timeoutMillis: 30_000)
            func encode(_ text: String) throws -> [UInt8] { encoding == "gb18030" ? try gb18030(text) : Array(text.utf8) }
            let header = try encode("统一社会信用代码,名称,住所\n")
            let chunk = 1 << 20
            // Row 1's address pads the file so that 𠀀 in row 2 starts `split` bytes before the
            // chunk boundary (split 0: exactly on it).
            let row2Prefix = try encode("\(uscc(2)),")
            let padding = chunk - split - header.count - row2Prefix.count - (try encode("\(uscc(1)),甲,\n")).count
            let row1 = try encode("\(uscc(1)),甲,") + [UInt8](repeating: UInt8(ascii: "x"), count: padding) + [0x0A]
            let name = "𠀀记小吃店𪚥"
            let bytes = header + row1 + row2Prefix + (try encode("\(name),福州市𠮷路1号\n"))
            #expect(header.count + row1.count + row2Prefix.count == chunk - split)
            let path = try sandbox.write("four-byte-\(encoding).csv", bytes)
            let result = try connection.requireOK("entity.import", ["path": path])
            #expect(result["encoding"] as? String == encoding)
            #expect(result["rows"] as? Int == 2)
            let entity = try connection.requireOK("entity.get", ["id": uscc(2)])
            #expect(entity["name"] as? String == name)
            #expect(entity["address"] as? String == "福州市𠮷路1号")
            #expect((try connection.requireOK("entity.get", ["id": uscc(1)])["address"] as? String)?.count == padding)
        }

        /// 50,000 generated rows through a file: counts right, re-import a no-op.
        @Test func largeImport() throws {
            let (sandbox, _) = try walkthroughSandbox(clock: "2026-02-02T09:00:00+08:00")
            defer { sandbox.cleanup() }
            let connection = try sandbox.connect(timeoutMillis: 55_000)
            var text = "id,name,region,risk,tags\n"
            let risks = ["A", "B", "C", "D", ""]
            for n in 1...50_000 {
                text += "\(uscc(n, lead: "9135010000")),主体\(n),区\(n % 7),\(risks[n % 5]),t\(n % 3)\n"
            }
            let path = try sandbox.write("large.csv", Array(text.utf8))
            let result = try connection.requireOK("entity.import", ["path": path])
            #expect(result["rows"] as? Int == 50_000)
            #expect(result["changed"] as? Int == 50_000)
            #expect(try journalHead(connection).events == 50_001)
            #expect(try connection.requireOK("entity.list", ["limit": 1])["total"] as? Int == 50_000)
            #expect(try connection.requireOK("entity.list", ["limit": 1, "risk": ["none"]])["total"] as? Int == 10_000)
            #expect(try connection.requireOK("entity.list", ["limit": 1, "region": ["区3"]])["total"] as? Int == 7_143)
            let again = try connection.requireOK("entity.import", ["path": path])
            #expect(again["changed"] as? Int == 0)
            #expect(try journalHead(connection).events == 50_002)
        }
    }
}
