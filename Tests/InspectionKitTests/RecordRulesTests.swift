import InspectionKit
import Testing

/// Who may be recorded as present at an inspection.
struct RecordRulesTests {
    static func drawnLedger() throws -> DomainLedger {
        var ledger = DomainLedger()
        try ledger.run("item.define", ["code": "SJ-1", "name": "公示信息检查", "department": "市场监管局"])
        for i in 0..<5 {
            try ledger.run("inspector.register", ["id": .string("INS\(i)"), "name": .string("检查员\(i)"), "department": "市场监管局"])
        }
        for i in 0..<10 { try ledger.run("entity.register", ["id": .string(Fixture.uscc(i)), "name": .string("企业\(i)")]) }
        try ledger.run("task.create", ["name": "甲", "items": ["SJ-1"], "teamSize": 2, "due": "2026-12-31", "sources": ["1"],
                                       "sampling": ["count": 3]])
        try ledger.run("task.draw", ["task": "T2026-0001", "sources": ["42"]])
        return ledger
    }

    @Test func oneInspectorIsNotEnough() throws {
        let ledger = try Self.drawnLedger()
        let target = ledger.targets(of: "T2026-0001")[0]
        ledger.expectFailure("inspection.record", ["task": "T2026-0001", "entity": .string(target.entity), "outcomes": ["no_problem"],
                                                   "inspectors": .array([.string(target.team[0])])],
                             code: .badRequest, mentions: ["at least two", "Art. 42"])
        ledger.expectFailure("inspection.record", ["task": "T2026-0001", "entity": .string(target.entity), "outcomes": ["no_problem"],
                                                   "inspectors": .array([.string(target.team[0]), .string(target.team[0])])],
                             code: .badRequest, mentions: ["two different"])
    }

    @Test func substitutesAreRecordedAsOffTeam() throws {
        var ledger = try Self.drawnLedger()
        let target = ledger.targets(of: "T2026-0001")[0]
        let substitute = try #require(["INS0", "INS1", "INS2", "INS3", "INS4"].first { !target.team.contains($0) })
        let result = try ledger.run("inspection.record", ["task": "T2026-0001", "entity": .string(target.entity), "outcomes": ["no_problem"],
                                                          "inspectors": .array([.string(target.team[0]), .string(substitute)])])
        #expect(result["offTeam"] == .array([.string(substitute)]))
        #expect(ledger.events.last?.data["offTeam"] == .array([.string(substitute)]))
    }
}
