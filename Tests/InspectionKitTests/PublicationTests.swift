import Foundation
import InspectionKit
import Testing

/// The official 2026 calendar from `config/calendar/2026.json`, read here with
/// JSONSerialization (the kit reads no files).
private let calendar2026: WorkingDayCalendar = {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/calendar/2026.json").path
    guard let data = FileManager.default.contents(atPath: path),
          let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let list = root["days"] as? [[String: Any]] else {
        fatalError("cannot read \(path)")
    }
    let days = list.map { item -> (date: CivilDate, isOffDay: Bool, name: String) in
        (CivilDate(iso: item["date"] as! String)!, item["isOffDay"] as! Bool, item["name"] as! String)
    }
    return WorkingDayCalendar(days: days, coveredYears: [2026])
}()

/// The 公示 labels exactly as SPEC §7's table gives them.
private let specLabels: [(code: String, label: String)] = [
    ("no_problem", "未发现问题"),
    ("not_publicised", "未按规定公示应当公示的信息"),
    ("false_publicity", "公示信息隐瞒真实情况、弄虚作假"),
    ("unreachable", "通过登记的住所（经营场所）无法联系"),
    ("rectified", "发现问题经责令已改正"),
    ("pending_followup", "发现问题待后续处理"),
    ("not_operating", "未发现开展本次抽查涉及的经营活动"),
    ("closed", "已关闭停业或正在组织清算"),
    ("uncooperative", "不配合检查情节严重"),
    ("deregistered", "注销 / 被吊销 / 被撤销 / 迁出"),
]

private let authority = "福州市鼓楼区市场监督管理局"

/// A count task of `picks` over 25 numbered entities, drawn on Monday 2026-02-02, with
/// the official calendar.
private func drawnTask(picks: Int = 10, tasks: Int = 1) throws -> (DomainLedger, [String]) {
    var ledger = DomainLedger(now: "2026-02-02T09:00:00+08:00")
    ledger.settings = DomainSettings(calendar: calendar2026, authority: authority)
    try Worlds.numbered(25).register(into: &ledger)
    for t in 1...tasks {
        try ledger.run("task.create", taskArgs(items: ["SJ-02"], sampling: ["count": .int(picks)], sources: ["福彩3D开奖号码", "上证指数收盘价×100"],
                                               due: "2026-04-30", name: "任务\(t)"))
        try ledger.run("task.draw", ["task": .string("T2026-000\(t)"), "sources": Fixture.strings(["\(t) 9319", "2 5 12 8 10"])])
    }
    let targets = ledger.targets(of: "T2026-0001").map(\.entity)
    return (ledger, targets)
}

private func record(_ ledger: inout DomainLedger, task: String = "T2026-0001", _ entity: String, at time: String,
                    outcomes: [String] = ["no_problem"], detail: String? = nil) throws -> JSONValue {
    ledger.setClock(time)
    var args: JSONObject = ["task": .string(task), "entity": .string(entity), "outcomes": Fixture.strings(outcomes),
                            "inspectors": ["I1", "I2"]]
    if let detail { args["detail"] = .string(detail) }
    return try ledger.run("inspection.record", args)
}

struct PublicationTests {
    // MARK: The 20-working-day deadline (企业信息公示暂行条例 Art. 6)

    /// Spring Festival 2026: off Sun 02-15 … Mon 02-23, make-up workdays Sat 02-14 and Sat 02-28.
    @Test(arguments: [
        ("2026-02-06T10:00:00+08:00", "2026-03-12"),   // Fri: 02-14 and 02-28 count, the holiday doesn't
        ("2026-02-12T10:00:00+08:00", "2026-03-18"),
        ("2026-02-13T10:00:00+08:00", "2026-03-19"),   // the last ordinary workday before the holiday
        ("2026-02-13T23:59:00+08:00", "2026-03-19"),   // still Friday in Beijing (15:59 UTC)
        ("2026-02-14T00:30:00+08:00", "2026-03-20"),   // the make-up Saturday (Friday 16:30 UTC)
        ("2026-02-14T10:00:00+08:00", "2026-03-20"),
        ("2026-02-15T10:00:00+08:00", "2026-03-20"),   // recorded on a holiday: counting starts 02-24
        ("2026-02-23T10:00:00+08:00", "2026-03-20"),
        ("2026-02-27T10:00:00+08:00", "2026-03-26"),
        ("2026-02-28T10:00:00+08:00", "2026-03-27"),   // recorded on the make-up Saturday itself
        ("2026-03-02T10:00:00+08:00", "2026-03-30"),
        ("2026-04-30T10:00:00+08:00", "2026-06-01"),   // across 劳动节 (05-01…05-05 off, 05-09 worked)
        ("2026-09-30T10:00:00+08:00", "2026-11-03"),   // across 国庆/中秋
    ])
    func publishByIsTwentyWorkingDaysOnTheOfficialCalendar(_ recordedAt: String, publishBy: String) throws {
        var (ledger, targets) = try drawnTask()
        let result = try record(&ledger, targets[0], at: recordedAt)
        #expect(result["publishBy"] == .string(publishBy))
        #expect(ledger.events.last?.data["publishBy"] == .string(publishBy))
        let row = try ledger.query("task.get", ["task": "T2026-0001"])["targets"]?.arrayValue?.first
        #expect(row?["publishBy"] == .string(publishBy))
        // Independently: count the working days one by one from the loaded file.
        let recorded = BureauZone.shanghai.localDate(of: BureauZone.shanghai.parse(recordedAt)!)
        #expect(calendar2026.workingDays(from: recorded, to: CivilDate(iso: publishBy)!) == 20)
        #expect(calendar2026.isWorkingDay(CivilDate(iso: publishBy)!))
    }

    /// The deadline runs from the recording, not from the inspection date given with it.
    @Test func publishByCountsFromTheRecordingNotTheInspectionDate() throws {
        var (ledger, targets) = try drawnTask()
        ledger.setClock("2026-02-13T10:00:00+08:00")
        let result = try ledger.run("inspection.record", ["task": "T2026-0001", "entity": .string(targets[0]), "outcomes": ["no_problem"],
                                                          "inspectors": ["I1", "I2"], "date": "2026-02-03"])
        #expect(result["publishBy"] == "2026-03-19")
        #expect(ledger.events.last?.data["date"] == "2026-02-03")
        #expect(try ledger.query("queue.publication")["results"]?.arrayValue?.first?["recorded"] == "2026-02-13")
    }

    /// A year without a calendar file falls back to Monday–Friday (2027 is not shipped).
    @Test func missingYearFallsBackToMondayToFriday() throws {
        var (ledger, targets) = try drawnTask()
        let result = try record(&ledger, targets[0], at: "2026-12-31T10:00:00+08:00")
        #expect(result["publishBy"] == "2027-01-28")
    }

    /// Without the official calendar (the default Mon–Fri) the Spring Festival deadline is
    /// wrong by four working days — which is why the daemon must pass the real one.
    @Test func theCalendarMatters() throws {
        var (ledger, targets) = try drawnTask()
        ledger.settings = DomainSettings()
        #expect(try record(&ledger, targets[0], at: "2026-02-06T10:00:00+08:00")["publishBy"] == "2026-03-06")
    }

    // MARK: queue.publication

    @Test func queueIsSoonestDeadlineFirstAcrossTasks() throws {
        var (ledger, targets) = try drawnTask(tasks: 2)
        let other = ledger.targets(of: "T2026-0002").map(\.entity)
        _ = try record(&ledger, targets[3], at: "2026-02-06T10:00:00+08:00")                  // → 03-12
        _ = try record(&ledger, task: "T2026-0002", other[0], at: "2026-02-10T10:00:00+08:00") // → 03-16
        _ = try record(&ledger, targets[4], at: "2026-02-12T10:00:00+08:00")                  // → 03-18
        _ = try record(&ledger, targets[0], at: "2026-02-13T10:00:00+08:00")                  // → 03-19
        _ = try record(&ledger, targets[1], at: "2026-02-14T10:00:00+08:00")                  // → 03-20
        ledger.setClock("2026-03-19T09:00:00+08:00")
        let queue = try ledger.query("queue.publication")
        let rows = queue["results"]?.arrayValue ?? []
        #expect(queue["total"] == 5)
        #expect(rows.map { "\($0["task"]?.stringValue ?? "") \($0["entity"]?.stringValue ?? "")" } == [
            "T2026-0001 \(targets[3])", "T2026-0002 \(other[0])", "T2026-0001 \(targets[4])",
            "T2026-0001 \(targets[0])", "T2026-0001 \(targets[1])",
        ])
        #expect(rows.map { $0["publishBy"]?.stringValue ?? "" } == ["2026-03-12", "2026-03-16", "2026-03-18", "2026-03-19", "2026-03-20"])
        #expect(rows.map { $0["recorded"]?.stringValue ?? "" } == ["2026-02-06", "2026-02-10", "2026-02-12", "2026-02-13", "2026-02-14"])
        #expect(rows.map { $0["workingDaysLeft"]?.intValue ?? 99 } == [-5, -3, -1, 0, 1])
        #expect(rows.map { $0["late"]?.boolValue ?? false } == [true, true, true, false, false])

        try ledger.run("task.publish", ["task": "T2026-0001"])
        let after = try ledger.query("queue.publication")
        #expect(after["total"] == 1)
        #expect(after["results"]?.arrayValue?.first?["task"] == "T2026-0002")
    }

    // MARK: task.publish

    /// One result per outcome code; the published rows carry SPEC §7's labels, the
    /// authority, entity name and USCC, item names and the inspection date.
    @Test func publishedRowsCarryTheSpecLabels() throws {
        var (ledger, targets) = try drawnTask(picks: 10)
        #expect(targets.count == specLabels.count)
        for (i, (code, _)) in specLabels.enumerated() {
            _ = try record(&ledger, targets[i], at: "2026-02-0\(3 + i / 4)T10:\(10 + i):00+08:00",
                           outcomes: [code], detail: code == "deregistered" ? "被吊销" : nil)
        }
        let result = try ledger.run("task.publish", ["task": "T2026-0001"])
        #expect(ledger.events.last?.type == "task.published")
        #expect(ledger.events.last?.data["entities"] == Fixture.strings(targets))
        #expect(result["published"] == 10)
        let rows = result["rows"]?.arrayValue ?? []
        #expect(rows.count == 10)
        for (i, row) in rows.enumerated() {
            let (code, label) = specLabels[i]
            #expect(row["uscc"] == .string(targets[i]))
            #expect(row["entity"] == .string("对象\(Int(targets[i].dropLast().suffix(7))!)"))
            #expect(row["items"] == "事项 SJ-02")
            #expect(row["authority"] == .string(authority))
            #expect(row["task"] == "T2026-0001")
            #expect(row["date"] == .string("2026-02-0\(3 + i / 4)"))
            if code == "deregistered" {
                #expect(row["outcome"]?.stringValue?.hasPrefix(label) == true, "\(code): \(row["outcome"] ?? .null)")
                #expect(row["outcome"]?.stringValue?.contains("被吊销") == true)
            } else {
                #expect(row["outcome"] == .string(label), "\(code)")
            }
        }
        #expect(try ledger.query("task.publication", ["task": "T2026-0001"])["rows"] == result["rows"])
        #expect(try ledger.query("task.get", ["task": "T2026-0001"])["published"] == 10)
        ledger.expectFailure("task.publish", ["task": "T2026-0001"], code: .conflict, mentions: ["T2026-0001", "already published"])
    }

    /// Several outcomes are published together, in the order given.
    @Test func multiSelectOutcomesJoinTheirLabels() throws {
        var (ledger, targets) = try drawnTask()
        _ = try record(&ledger, targets[0], at: "2026-02-03T10:00:00+08:00", outcomes: ["rectified", "not_publicised"])
        let rows = try ledger.run("task.publish", ["task": "T2026-0001"])["rows"]?.arrayValue ?? []
        #expect(rows.count == 1)
        let outcome = rows.first?["outcome"]?.stringValue ?? ""
        #expect(outcome.hasPrefix("发现问题经责令已改正"))
        #expect(outcome.hasSuffix("未按规定公示应当公示的信息"))
        #expect(ledger.events.last(where: { $0.type == "inspection.recorded" })?.data["outcomes"] == ["rectified", "not_publicised"])
    }

    /// A second publish with nothing new is a conflict; results recorded since are
    /// published by the next one, and only they.
    @Test func publishOnlyWhatIsNew() throws {
        var (ledger, targets) = try drawnTask()
        ledger.expectFailure("task.publish", ["task": "T2026-0001"], code: .conflict, mentions: ["T2026-0001", "no recorded results"])
        _ = try record(&ledger, targets[0], at: "2026-02-03T10:00:00+08:00")
        _ = try record(&ledger, targets[1], at: "2026-02-03T11:00:00+08:00")
        #expect(try ledger.run("task.publish", ["task": "T2026-0001"])["published"] == 2)
        let message = ledger.expectFailure("task.publish", ["task": "T2026-0001"], code: .conflict, mentions: ["already published", "seq \(ledger.events.count)"])
        #expect(!message.isEmpty)
        _ = try record(&ledger, targets[2], at: "2026-02-04T10:00:00+08:00")
        let second = try ledger.run("task.publish", ["task": "T2026-0001"])
        #expect(second["published"] == 1)
        #expect(second["rows"]?.arrayValue?.map { $0["uscc"] } == [.string(targets[2])])
        #expect(try ledger.query("task.publication", ["task": "T2026-0001"])["rows"]?.arrayValue?.count == 3)
    }

    /// SPEC §7: "every result must be published within 20 working days of its recording".
    /// A task cancelled after results were recorded must not make those results vanish:
    /// either the cancellation is refused, or the results stay in the publication queue
    /// and can still be published.
    @Test func resultsOfACancelledTaskAreStillPublished() throws {
        var (ledger, targets) = try drawnTask()
        _ = try record(&ledger, targets[0], at: "2026-02-03T10:00:00+08:00", outcomes: ["pending_followup"])
        let cancel = ledger.attempt("task.cancel", ["task": "T2026-0001", "reason": "任务调整"])
        guard case .success(let outcome) = cancel else { return }    // refusing is one correct answer
        try ledger.append(outcome.events)
        let queue = try ledger.query("queue.publication")
        #expect(queue["total"] == 1, "the recorded result left the publication queue when its task was cancelled")
        switch ledger.attempt("task.publish", ["task": "T2026-0001"]) {
        case .success(let published):
            #expect(published.result["published"] == 1)
        case .failure(let error):
            Issue.record("a recorded result can no longer be published: \(error)")
        }
    }

    // MARK: Other queues

    @Test func drawsWorklistAndOverdueQueues() throws {
        var (ledger, targets) = try drawnTask(picks: 3)
        try ledger.run("task.create", taskArgs(items: ["SJ-02"], sampling: ["count": 2], due: "2026-05-31", name: "待抽取"))
        #expect(try ledger.query("queue.draws")["tasks"]?.arrayValue?.map { $0["task"] } == ["T2026-0002"])
        let teams = Dictionary(uniqueKeysWithValues: ledger.targets(of: "T2026-0001").map { ($0.entity, $0.team) })
        let all = try ledger.query("worklist")
        #expect(all["total"] == 3)
        #expect(all["worklist"]?.arrayValue?.map { $0["entity"] } == targets.map { .string($0) })
        for inspector in ["I1", "I2", "I3"] {
            let mine = try ledger.query("worklist", ["inspector": .string(inspector)])
            #expect(mine["worklist"]?.arrayValue?.map { $0["entity"]?.stringValue ?? "" } == targets.filter { teams[$0]!.contains(inspector) })
        }
        _ = try record(&ledger, targets[0], at: "2026-02-03T10:00:00+08:00")
        #expect(try ledger.query("worklist")["total"] == 2)
        #expect(try ledger.query("queue.overdue")["total"] == 0)
        ledger.setClock("2026-05-03T09:00:00+08:00")   // due 2026-04-30
        let overdue = try ledger.query("queue.overdue")
        #expect(overdue["overdue"]?.arrayValue?.map { $0["entity"] } == targets.dropFirst().map { .string($0) })
        #expect(overdue["overdue"]?.arrayValue?.first?["daysOverdue"] == 3)
        #expect(try ledger.query("worklist")["worklist"]?.arrayValue?.first?["overdue"] == true)
        #expect(try ledger.query("task.list", ["status": "drawn"])["tasks"]?.arrayValue?.first?["overdue"] == 2)
        ledger.expectFailure("worklist", ["inspector": "NOBODY"], code: .notFound, mentions: ["NOBODY"])
    }
}
