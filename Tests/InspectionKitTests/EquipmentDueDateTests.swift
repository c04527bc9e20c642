import Foundation
import InspectionKit
import Testing

/// Due dates from the rules (SPEC §8): intervals by category, variant and grade, the first
/// inspection after commissioning, month-end clamping, certificate precedence, and the
/// recomputation a `rules.changed` triggers.
struct EquipmentDueDateTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var category: EquipmentCategory
        var variant: String?
        var grade: Int?
        var base: String
        var first: Bool
        var expected: String?          // nil: not usable
        var testDescription: String { "\(category.rawValue) \(variant ?? "-") g\(grade ?? 0) \(base)\(first ? " first" : "") → \(expected ?? "not usable")" }
    }

    static let defaults: [Case] = [
        .init(category: .elevator, base: "2024-02-29", first: false, expected: "2025-02-28"),       // clamped: 2025 has no 29 Feb
        .init(category: .elevator, base: "2025-01-31", first: true, expected: "2026-01-31"),        // no firstMonths: the interval
        .init(category: .boiler, variant: "steam", base: "2026-03-31", first: false, expected: "2027-03-31"),
        .init(category: .crane, base: "2024-08-31", first: false, expected: "2026-08-31"),
        .init(category: .crane, variant: "bridge", base: "2024-08-31", first: false, expected: "2026-08-31"),
        .init(category: .crane, variant: "tower", base: "2024-08-31", first: false, expected: "2025-08-31"),
        .init(category: .crane, variant: "mobile", base: "2024-01-15", first: false, expected: "2025-01-15"),
        .init(category: .crane, variant: "hoist", base: "2024-01-15", first: false, expected: "2025-01-15"),
        .init(category: .crane, variant: "molten_metal", base: "2024-01-15", first: false, expected: "2025-01-15"),
        .init(category: .gasCylinder, variant: "lpg", base: "2020-02-29", first: false, expected: "2024-02-29"),
        .init(category: .gasCylinder, variant: "corrosive", base: "2022-02-28", first: false, expected: "2024-02-28"),
        .init(category: .gasCylinder, variant: "general", base: "2022-05-31", first: false, expected: "2025-05-31"),
        .init(category: .gasCylinder, variant: "inert", base: "2020-02-29", first: false, expected: "2025-02-28"),
        .init(category: .pressureVessel, base: "2023-05-31", first: true, expected: "2026-05-31"),
        .init(category: .pressureVessel, grade: 2, base: "2023-05-31", first: true, expected: "2026-05-31"),   // first interval wins
        .init(category: .pressureVessel, grade: 1, base: "2023-05-31", first: false, expected: "2029-05-31"),
        .init(category: .pressureVessel, grade: 2, base: "2023-05-31", first: false, expected: "2029-05-31"),
        .init(category: .pressureVessel, grade: 3, base: "2023-05-31", first: false, expected: "2026-05-31"),
        .init(category: .pressureVessel, grade: 4, base: "2023-05-31", first: false, expected: "2026-05-31"),
        .init(category: .pressureVessel, grade: 5, base: "2023-05-31", first: false, expected: nil),
        .init(category: .pressureVessel, grade: 5, base: "2023-05-31", first: true, expected: nil),
        .init(category: .pressureVessel, base: "2023-05-31", first: false, expected: "2026-05-31"),           // no grade yet
        .init(category: .pressurePiping, base: "2022-12-31", first: true, expected: "2025-12-31"),
        .init(category: .pressurePiping, grade: 2, base: "2022-12-31", first: false, expected: "2028-12-31"),
        .init(category: .pressurePiping, grade: 3, base: "2022-12-31", first: false, expected: "2025-12-31"),
        .init(category: .pressurePiping, grade: 4, base: "2022-12-31", first: false, expected: nil),
        .init(category: .fieldVehicle, variant: "forklift", base: "2025-10-31", first: false, expected: "2026-10-31"),
        .init(category: .amusementRide, base: "2025-06-30", first: false, expected: "2026-06-30"),
        .init(category: .ropeway, base: "2024-02-29", first: false, expected: "2025-02-28"),
    ]

    @Test(arguments: defaults)
    func specDefaults(_ c: Case) {
        let due = EquipmentRules.specDefaults.due(category: c.category, variant: c.variant, grade: c.grade,
                                                  base: CivilDate(iso: c.base)!, first: c.first)
        if let expected = c.expected {
            #expect(due == .date(CivilDate(iso: expected)!))
        } else {
            #expect(due == .notUsable)
        }
    }

    @Test(arguments: [("2024-01-31", "2024-02-29"), ("2025-01-31", "2025-02-28"), ("2024-03-31", "2024-04-30"),
                      ("2024-12-31", "2025-01-31"), ("2024-08-30", "2024-09-30")])
    func monthEndClampingWithAOneMonthRule(base: String, expected: String) throws {
        let rules = try EquipmentRules(json: ["categories": ["elevator": ["intervalMonths": 1]]])
        #expect(rules.due(category: .elevator, variant: nil, grade: nil, base: CivilDate(iso: base)!, first: false)
                == .date(CivilDate(iso: expected)!))
    }

    /// The shipped file must say what SPEC §8 says (and what tests and the benchmark use).
    @Test func shippedRulesFileMatchesTheSpecDefaults() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("config/equipment-rules.json"))
        let rules = try EquipmentRules(json: try JSONValue.parse(Array(data)))
        #expect(rules == EquipmentRules.specDefaults)
        #expect(Set(EquipmentCategory.allCases.map { rules.rule(for: $0) != nil }) == [true])
    }

    @Test(arguments: [
        (#"{"categories":{"lift":{"intervalMonths":12}}}"#, "categories.lift"),
        (#"{"categories":{"elevator":{"intervalMonths":0}}}"#, "categories.elevator.intervalMonths"),
        (#"{"categories":{"elevator":{"intervalMonths":"12"}}}"#, "categories.elevator.intervalMonths"),
        (#"{"categories":{"elevator":{"interval":12}}}"#, "categories.elevator.interval"),
        (#"{"categories":{"pressure_vessel":{"intervalMonths":36,"grades":{"6":{"intervalMonths":1}}}}}"#, "categories.pressure_vessel.grades.6"),
        (#"{"categories":{"pressure_vessel":{"intervalMonths":36,"grades":{"5":{"usable":true}}}}}"#, "grades.5.usable"),
        (#"{"categories":{"gas_cylinder":{"variants":{"lpg":{}}}}}"#, "categories.gas_cylinder"),
        (#"{"categories":{"crane":{"intervalMonths":24,"variants":{"Tower":{}}}}}"#, "variants.Tower"),
        (#"{"cats":{}}"#, "cats"),
    ])
    func rejectsBadRulesNamingThePath(json: String, path: String) throws {
        #expect {
            _ = try EquipmentRules(json: try JSONValue.parse(json))
        } throws: { error in
            (error as? CommandError)?.message.contains(path) == true
        }
    }

    @Test func certificateWinsAndIsRemembered() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("E1", ["lastInspected": "2025-06-10"])
        try ledger.register("E2", ["lastInspected": "2025-06-10", "nextDue": "2026-03-01"])
        try ledger.register("E3", ["commissioned": "2025-09-30"])
        #expect(ledger.nextDue("E1") == "2026-06-10")
        #expect(ledger.unit("E1")?.nextDueSource == .computed)
        #expect(ledger.nextDue("E2") == "2026-03-01")
        #expect(ledger.unit("E2")?.nextDueSource == .certificate)
        #expect(ledger.nextDue("E3") == "2026-09-30")

        // An inspection's certificate date wins over date + interval…
        ledger.day("2026-02-20")
        try ledger.run("equipment.inspect", ["code": "E1", "date": "2026-02-20", "conclusion": "pass", "nextDue": "2027-01-31"])
        #expect(ledger.nextDue("E1") == "2027-01-31")
        #expect(ledger.unit("E1")?.nextDueSource == .certificate)
        // …and without one the interval counts from the inspection date.
        try ledger.run("equipment.inspect", ["code": "E2", "date": "2026-02-20", "conclusion": "pass"])
        #expect(ledger.nextDue("E2") == "2027-02-20")
        #expect(ledger.unit("E2")?.nextDueSource == .computed)
        // update can drop a certificate date again.
        try ledger.run("equipment.update", ["code": "E1", "nextDue": "computed"])
        #expect(ledger.nextDue("E1") == "2027-02-20")
    }

    @Test func rulesChangedRecomputesComputedDatesOnly() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("COMPUTED", ["lastInspected": "2025-06-10"])
        try ledger.register("CERT", ["lastInspected": "2025-06-10", "nextDue": "2026-06-01"])
        try ledger.register("VESSEL", ["category": "pressure_vessel", "grade": 3, "lastInspected": "2024-01-31"])
        try ledger.register("SUSP", ["lastInspected": "2024-06-10"])
        ledger.day("2026-01-06")
        try ledger.run("equipment.suspend", ["code": "SUSP", "date": "2025-01-01"])
        try ledger.run("equipment.resume", ["code": "SUSP"])
        #expect(ledger.unit("SUSP")?.nextDueSource == .resumed)
        #expect(ledger.nextDue("SUSP") == "2026-01-06")
        #expect(ledger.nextDue("VESSEL") == "2027-01-31")

        var changed = EquipmentRules.specDefaultsJSON
        if case .object(var root) = changed, case .object(var categories)? = root["categories"] {
            categories["elevator"] = ["intervalMonths": 6]
            categories["pressure_vessel"] = ["firstMonths": 36, "intervalMonths": 36,
                                             "grades": ["1": ["intervalMonths": 72], "3": ["intervalMonths": 24], "5": ["usable": false]]]
            root["categories"] = .object(categories)
            changed = .object(root)
        }
        try ledger.installRules(changed, sha256: "second")
        #expect(ledger.nextDue("COMPUTED") == "2025-12-10")
        #expect(ledger.nextDue("CERT") == "2026-06-01")
        #expect(ledger.nextDue("VESSEL") == "2026-01-31")
        #expect(ledger.nextDue("SUSP") == "2026-01-06")
        #expect(ledger.state.equipment.rulesSHA256 == "second")
        // Replay gives the same dates without any file.
        let replayed = try ledger.replayed()
        for code in ["COMPUTED", "CERT", "VESSEL", "SUSP"] {
            #expect(replayed.equipment.unit(code)?.nextDue == ledger.unit(code)?.nextDue)
        }
        // The same file again journals nothing.
        #expect(try ledger.state.equipment.rulesChangedEvent(json: changed, sha256: "second", source: "test") == nil)
    }

    @Test func rulesThatDropAVariantInUseAreRefused() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("TC1", ["category": "crane", "variant": "tower"])
        let lacking: JSONValue = ["categories": ["crane": ["intervalMonths": 24, "variants": ["bridge": [:]]]]]
        #expect {
            _ = try ledger.state.equipment.rulesChangedEvent(json: lacking, sha256: "x", source: "test")
        } throws: { error in
            (error as? CommandError)?.code == .conflict && (error as? CommandError)?.message.contains("crane.tower") == true
        }
    }

    @Test func failKeepsTheScheduleAndQueuesForRectification() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("E1", ["lastInspected": "2025-06-10"])
        ledger.day("2026-05-20")
        let result = try ledger.run("equipment.inspect", ["code": "E1", "date": "2026-05-20", "conclusion": "fail", "report": "JY-001"])
        #expect(result["usable"]?.boolValue == false)
        #expect(ledger.nextDue("E1") == "2026-06-10")
        #expect(ledger.unit("E1")?.failed == true)
        let failed = try ledger.query("equipment.failed")
        #expect(failed["units"]?.arrayValue?.first?["code"]?.stringValue == "E1")
        #expect(failed["units"]?.arrayValue?.first?["reason"]?.stringValue?.contains("fail") == true)

        ledger.day("2026-06-02")
        try ledger.run("equipment.inspect", ["code": "E1", "date": "2026-06-01", "conclusion": "pass_after_rectification"])
        #expect(ledger.unit("E1")?.failed == false)
        #expect(ledger.nextDue("E1") == "2027-06-01")
        #expect(try ledger.query("equipment.failed")["total"]?.intValue == 0)
    }

    @Test func aGradeThatForbidsUseTakesTheUnitOutOfTheDueQueues() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("V1", ["category": "pressure_vessel", "commissioned": "2022-01-10"])
        #expect(ledger.nextDue("V1") == "2025-01-10")
        #expect(try ledger.query("equipment.overdue")["total"]?.intValue == 1)
        try ledger.run("equipment.inspect", ["code": "V1", "date": "2026-01-05", "conclusion": "pass", "grade": 5])
        #expect(ledger.unit("V1")?.notUsableByGrade == true)
        #expect(ledger.unit("V1")?.nextDue == nil)
        #expect(try ledger.query("equipment.overdue")["total"]?.intValue == 0)
        #expect(try ledger.query("equipment.due", ["within": 3660])["total"]?.intValue == 0)
        let failed = try ledger.query("equipment.failed")
        #expect(failed["units"]?.arrayValue?.first?["reason"]?.stringValue == "grade 5: not usable")
        #expect(try ledger.tick().isEmpty)
        // Repaired and re-graded: back on schedule.
        ledger.day("2026-03-01")
        try ledger.run("equipment.inspect", ["code": "V1", "date": "2026-03-01", "conclusion": "pass", "grade": 2])
        #expect(ledger.nextDue("V1") == "2032-03-01")
    }

    @Test func resumeAfterLapseIsDueAtOnce() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("LAPSED", ["nextDue": "2026-02-01"])
        try ledger.register("VALID", ["nextDue": "2026-12-01"])
        ledger.day("2026-01-10")
        try ledger.run("equipment.suspend", ["code": "LAPSED", "reason": "装修停用"])
        try ledger.run("equipment.suspend", ["code": "VALID"])
        #expect(try ledger.query("equipment.suspended")["total"]?.intValue == 2)
        ledger.day("2026-04-15")
        let lapsed = try ledger.run("equipment.resume", ["code": "LAPSED"])
        #expect(lapsed["lapsed"]?.boolValue == true)
        #expect(ledger.nextDue("LAPSED") == "2026-04-15")
        let valid = try ledger.run("equipment.resume", ["code": "VALID"])
        #expect(valid["lapsed"]?.boolValue == false)
        #expect(ledger.nextDue("VALID") == "2026-12-01")
        #expect(try ledger.query("equipment.due", ["within": 0])["units"]?.arrayValue?.map { $0["code"]?.stringValue } == ["LAPSED"])
    }

    @Test func scrappedUnitsLeaveEveryQueue() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("OLD", ["nextDue": "2025-12-01"])
        try ledger.run("directive.issue", ["equipment": "OLD", "reason": "超期未检", "deadline": "2026-01-31"])
        #expect(try ledger.query("equipment.overdue")["total"]?.intValue == 1)
        #expect(try ledger.query("directive.list")["total"]?.intValue == 1)
        try ledger.run("equipment.scrap", ["code": "OLD", "reason": "报废拆除"])
        for queue in ["equipment.overdue", "equipment.suspended", "equipment.failed", "directive.list"] {
            #expect(try ledger.query(queue)["total"]?.intValue == 0, "\(queue)")
        }
        #expect(try ledger.query("equipment.due", ["within": 3000])["total"]?.intValue == 0)
        #expect(try ledger.query("directive.list", ["status": "all"])["total"]?.intValue == 1)
        #expect(try ledger.tick().isEmpty)
    }

    @Test func overdueListIsMostOverdueFirstWithDays() throws {
        var ledger = try DomainLedger.equipment(now: "2026-11-23T10:00:00+08:00")
        try ledger.register("B", ["nextDue": "2026-11-01"])
        try ledger.register("A", ["nextDue": "2026-11-01"])
        try ledger.register("C", ["nextDue": "2026-06-30"])
        try ledger.register("TODAY", ["nextDue": "2026-11-23"])
        try ledger.register("FUTURE", ["nextDue": "2026-12-23"])
        let overdue = try ledger.query("equipment.overdue")
        let rows = overdue["units"]?.arrayValue ?? []
        #expect(rows.map { $0["code"]?.stringValue ?? "" } == ["C", "A", "B"])
        #expect(rows.map { $0["daysOverdue"]?.intValue ?? -1 } == [146, 22, 22])
        #expect(rows.first?["address"]?.stringValue == "福州市鼓楼区五一路1号")
        #expect(rows.first?["categoryLabel"]?.stringValue == "电梯")
        let due = try ledger.query("equipment.due", ["within": 30])
        #expect(due["units"]?.arrayValue?.map { $0["code"]?.stringValue ?? "" } == ["TODAY", "FUTURE"])
    }

    @Test func directivesReportWithARecheckTenWorkingDaysLater() throws {
        var ledger = try DomainLedger.equipment(now: "2026-09-28T09:00:00+08:00")
        // A calendar with 国庆 1–7 Oct off and Saturday 10 Oct worked.
        var days: [(date: CivilDate, isOffDay: Bool, name: String)] = (1...7).map { (CivilDate(year: 2026, month: 10, day: $0)!, true, "国庆节") }
        days.append((CivilDate(iso: "2026-10-10")!, false, "国庆节"))
        ledger.settings = DomainSettings(calendar: WorkingDayCalendar(days: days, coveredYears: [2026]))
        try ledger.register("E1", ["nextDue": "2026-09-01"])
        let user = Fixture.uscc(42)
        let issued = try ledger.run("directive.issue", ["equipment": "E1", "reason": "超期未检验", "deadline": "2026-10-31"])
        let id = try #require(issued["id"]?.stringValue)
        #expect(id == "ZL2026-0001")
        try ledger.run("directive.issue", ["user": .string(user), "reason": "未办理使用登记", "deadline": "2026-10-15"])
        ledger.day("2026-09-30")
        let reported = try ledger.run("directive.report", ["id": .string(id), "date": "2026-09-29", "note": "已报检"])
        // 30 Sep (1), then 8, 9, 10 (Sat, worked), 12, 13, 14, 15, 16, 19 Oct.
        #expect(reported["recheckDue"]?.stringValue == "2026-10-19")
        ledger.expectFailure("directive.report", ["id": .string(id)], code: .conflict, mentions: [id, "reported"])
        let list = try ledger.query("directive.list")
        #expect(list["directives"]?.arrayValue?.map { $0["id"]?.stringValue ?? "" } == ["ZL2026-0002", id])
        try ledger.run("directive.close", ["id": .string(id), "note": "复查合格"])
        #expect(try ledger.query("directive.list")["total"]?.intValue == 1)
        ledger.expectFailure("directive.close", ["id": .string(id)], code: .conflict, mentions: [id, "closed"])
        ledger.expectFailure("directive.issue", ["user": "91350111EHNMLW5TDX", "reason": "x", "deadline": "2026-12-01"],
                             code: .badRequest, mentions: ["91350111EHNMLW5TDX"])
        ledger.expectFailure("directive.issue", ["equipment": "E1", "user": .string(user), "reason": "x", "deadline": "2026-12-01"],
                             code: .badRequest, mentions: ["exactly one"])
        // The re-check date is in the event: replay needs no calendar.
        let replayed = try ledger.replayed()
        #expect(replayed.equipment.directive(id)?.recheckDue?.description == "2026-10-19")
    }

    // MARK: - Bad input: a clear error naming the input, nothing appended

    struct BadInput: CustomTestStringConvertible, Sendable {
        var command: String
        var args: JSONObject
        var code: ErrorCode
        var mentions: [String]
        var testDescription: String { "\(command) \(mentions.joined(separator: " "))" }
    }

    static let badInputs: [BadInput] = [
        .init(command: "equipment.register", args: ["code": "N1", "category": "lift", "user": .string(Fixture.uscc(1)), "commissioned": "2020-01-01"],
              code: .badRequest, mentions: ["category", "lift"]),
        .init(command: "equipment.register", args: ["code": "N1", "category": "crane", "variant": "rocket", "user": .string(Fixture.uscc(1)), "commissioned": "2020-01-01"],
              code: .badRequest, mentions: ["variant", "rocket", "tower"]),
        .init(command: "equipment.register", args: ["code": "N1", "category": "gas_cylinder", "user": .string(Fixture.uscc(1)), "commissioned": "2020-01-01"],
              code: .badRequest, mentions: ["variant", "lpg"]),
        .init(command: "equipment.register", args: ["code": "N1", "category": "pressure_vessel", "grade": 6, "user": .string(Fixture.uscc(1)), "commissioned": "2020-01-01"],
              code: .badRequest, mentions: ["grade", "6", "1–5"]),
        .init(command: "equipment.register", args: ["code": "N1", "category": "pressure_vessel", "grade": 0, "user": .string(Fixture.uscc(1)), "commissioned": "2020-01-01"],
              code: .badRequest, mentions: ["grade", "0"]),
        .init(command: "equipment.register", args: ["code": "N1", "category": "elevator", "user": "91350111EHNMLW5TDX", "commissioned": "2020-01-01"],
              code: .badRequest, mentions: ["user", "91350111EHNMLW5TDX"]),
        .init(command: "equipment.register", args: ["code": "N1", "category": "elevator", "user": .string(Fixture.uscc(1)), "commissioned": "2027-01-01"],
              code: .badRequest, mentions: ["commissioned", "2027-01-01", "future"]),
        .init(command: "equipment.register", args: ["code": "E1", "category": "elevator", "user": .string(Fixture.uscc(1)), "commissioned": "2020-01-01"],
              code: .conflict, mentions: ["E1", "already registered"]),
        .init(command: "equipment.register", args: ["code": "N1", "category": "elevator", "user": .string(Fixture.uscc(1)), "commissioned": "2020-01-01", "nextDue": "2019-12-01"],
              code: .badRequest, mentions: ["nextDue", "2019-12-01"]),
        .init(command: "equipment.register", args: ["code": "N1", "category": "elevator", "user": .string(Fixture.uscc(1)), "commissioned": "2020-01-01", "colour": "red"],
              code: .badRequest, mentions: ["colour"]),
        .init(command: "equipment.inspect", args: ["code": "E1", "date": "2019-06-01", "conclusion": "pass"],
              code: .badRequest, mentions: ["2019-06-01", "commissioning", "2020-03-10"]),
        .init(command: "equipment.inspect", args: ["code": "E1", "date": "2026-01-06", "conclusion": "pass"],
              code: .badRequest, mentions: ["2026-01-06", "future"]),
        .init(command: "equipment.inspect", args: ["code": "E1", "date": "2026-01-05", "conclusion": "pass", "nextDue": "2025-12-31"],
              code: .badRequest, mentions: ["nextDue", "2025-12-31", "2026-01-05"]),
        .init(command: "equipment.inspect", args: ["code": "E1", "date": "2026-01-05", "conclusion": "fail", "nextDue": "2027-01-05"],
              code: .badRequest, mentions: ["nextDue", "fail"]),
        .init(command: "equipment.inspect", args: ["code": "E1", "date": "2026-01-05", "conclusion": "ok"],
              code: .badRequest, mentions: ["conclusion", "ok"]),
        .init(command: "equipment.inspect", args: ["code": "E1", "date": "2026-01-05", "conclusion": "pass", "grade": 2],
              code: .badRequest, mentions: ["grade", "elevator"]),
        .init(command: "equipment.inspect", args: ["code": "SCRAPPED", "date": "2026-01-05", "conclusion": "pass"],
              code: .conflict, mentions: ["SCRAPPED", "scrapped"]),
        .init(command: "equipment.inspect", args: ["code": "NOPE", "date": "2026-01-05", "conclusion": "pass"],
              code: .notFound, mentions: ["NOPE"]),
        .init(command: "equipment.resume", args: ["code": "E1"], code: .conflict, mentions: ["E1", "not suspended"]),
        .init(command: "equipment.suspend", args: ["code": "SCRAPPED"], code: .conflict, mentions: ["SCRAPPED", "scrapped"]),
        .init(command: "equipment.update", args: ["code": "E1", "variant": "rocket"], code: .badRequest, mentions: ["variant", "rocket"]),
        .init(command: "equipment.update", args: ["code": "E1", "user": "123"], code: .badRequest, mentions: ["user", "123"]),
    ]

    @Test(arguments: badInputs)
    func badInputIsRefusedAndNothingAppended(_ bad: BadInput) throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("E1")
        try ledger.register("SCRAPPED")
        try ledger.run("equipment.scrap", ["code": "SCRAPPED"])
        let before = ledger.events.count
        ledger.expectFailure(bad.command, bad.args, code: bad.code, mentions: bad.mentions)
        #expect(ledger.events.count == before)
    }

    @Test func withoutRulesEquipmentCommandsSayWhatToDo() {
        let ledger = DomainLedger(now: "2026-01-05T09:00:00+08:00")
        ledger.expectFailure("equipment.register", ["code": "E1", "category": "elevator", "user": .string(Fixture.uscc(1)), "commissioned": "2020-01-01"],
                             code: .conflict, mentions: ["equipment-rules.json", "SIGHUP"])
    }

    @Test func dayPrintsLikeCivilDate() {
        for n in stride(from: -800_000, through: 3_000_000, by: 997) {
            let date = CivilDate(daysSinceEpoch: n)
            #expect(Day(date).description == date.description, "\(n)")
            #expect(Day(date).date == date)
        }
    }

    @Test func lenientImportFormsOfDatesAndCategories() {
        #expect(EquipmentCategory(lenient: "电梯") == .elevator)
        #expect(EquipmentCategory(lenient: "3000") == .elevator)
        #expect(EquipmentCategory(lenient: "场内专用机动车辆") == .fieldVehicle)
        #expect(EquipmentCategory(lenient: " pressure_vessel ") == .pressureVessel)
        #expect(EquipmentCategory(lenient: "lift") == nil)
        #expect(EquipmentRules.specDefaults.variantKey("塔式起重机", category: .crane) == "tower")
        #expect(EquipmentRules.specDefaults.variantKey("塔式起重机", category: .elevator) == nil)
    }
}
