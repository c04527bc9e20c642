import InspectionKit
import Testing

/// Issue 3's bad-input list: each is a `CommandError` with the right code, a message
/// naming the input, and no events.
struct TaskBadInputTests {
    static let world = Worlds.skewed()

    /// T2026-0001 drawn (3 announced sources), one result recorded and published;
    /// T2026-0002 awaiting its draw (2 announced sources); T2026-0003 needs teams of 7
    /// from a department with 6 eligible inspectors.
    static let setup: DomainLedger = {
        var ledger = DomainLedger()
        do {
            try world.register(into: &ledger)
            try ledger.run("task.create", taskArgs(items: ["SJ-01"], sampling: DrawTests.skewedRatios))
            try ledger.run("task.create", taskArgs(items: ["SJ-01"], sampling: ["count": 3], sources: ["上证指数收盘价×100", "深证成指收盘价×100"]))
            try ledger.run("task.create", taskArgs(items: ["SJ-01"], sampling: DrawTests.skewedRatios, teamSize: 7))
            try ledger.run("task.draw", ["task": "T2026-0001", "sources": Fixture.strings(DrawTests.section6Values)])
            ledger.setClock("2026-03-04T10:00:00+08:00")
            let first = ledger.targets(of: "T2026-0001")[0]
            try ledger.run("inspection.record", ["task": "T2026-0001", "entity": .string(first.entity), "outcomes": ["no_problem"],
                                                 "inspectors": Fixture.strings(first.team)])
            try ledger.run("task.publish", ["task": "T2026-0001"])
        } catch {
            fatalError("setup failed: \(error)")
        }
        return ledger
    }()

    static var targets: [String] { setup.targets(of: "T2026-0001").map(\.entity) }
    static var notDrawn: String { world.entities.first { $0.active && !targets.contains($0.id) }!.id }

    static let cases: [(name: String, command: String, args: JSONObject, code: ErrorCode, mentions: [String])] = [
        ("invalid USCC check character", "entity.register", ["id": .string(Fixture.wrongCheck(Fixture.uscc(777))), "name": "x"],
         .badRequest, [Fixture.wrongCheck(Fixture.uscc(777)), "\"id\""]),
        ("unknown item", "task.create", taskArgs(items: ["SJ-01", "SJ-99"], sampling: ["count": 1]), .badRequest, ["SJ-99"]),
        ("unknown department", "task.create", taskArgs(items: ["SJ-01"], departments: [Worlds.market, "教育局"], sampling: ["count": 1]),
         .badRequest, ["教育局"]),
        ("ratio above 1", "task.create", taskArgs(items: ["SJ-01"], sampling: ["ratios": ["A": .number("1.5")]]), .badRequest, ["A", "1.5"]),
        ("negative ratio", "task.create", taskArgs(items: ["SJ-01"], sampling: ["ratios": ["B": .number("-0.1")]]), .badRequest, ["B", "-0.1"]),
        ("ratio as a string", "task.create", taskArgs(items: ["SJ-01"], sampling: ["ratios": ["C": "0.1"]]), .badRequest, ["C"]),
        ("ratio with 10 decimals", "task.create", taskArgs(items: ["SJ-01"], sampling: ["ratios": ["D": .number("0.0000000001")]]),
         .badRequest, ["D", "0.0000000001"]),
        ("ratio for an unknown class", "task.create", taskArgs(items: ["SJ-01"], sampling: ["ratios": ["E": .number("0.1")]]), .badRequest, ["\"E\""]),
        ("team size 1 for a single department", "task.create", taskArgs(items: ["SJ-01"], sampling: ["count": 1], teamSize: 1),
         .badRequest, ["teamSize", "1"]),
        ("team size 0 for a joint task", "task.create",
         taskArgs(items: ["SJ-01", "WJ-01"], departments: [Worlds.market, Worlds.health], sampling: ["count": 1], teamSize: 0),
         .badRequest, ["teamSize", "0"]),
        ("count 0", "task.create", taskArgs(items: ["SJ-01"], sampling: ["count": 0]), .badRequest, ["sampling.count"]),
        ("system mixed with announced sources", "task.create", taskArgs(items: ["SJ-01"], sampling: ["count": 1], sources: ["system", "福彩3D"]),
         .badRequest, ["system"]),
        ("due in the past", "task.create", taskArgs(items: ["SJ-01"], sampling: ["count": 1], due: "2026-01-01"), .badRequest, ["2026-01-01"]),
        ("fewer eligible inspectors than a team needs", "task.draw",
         ["task": "T2026-0003", "sources": Fixture.strings(DrawTests.section6Values)], .conflict, [targets[0], "n = 1", "7", Worlds.market]),
        ("drawing twice", "task.draw", ["task": "T2026-0001", "sources": Fixture.strings(DrawTests.section6Values)],
         .conflict, ["T2026-0001", "already drawn"]),
        ("negative source value", "task.draw", ["task": "T2026-0002", "sources": ["12 -3", "7"]], .badRequest, ["-3", "source 1"]),
        ("decimal source value", "task.draw", ["task": "T2026-0002", "sources": ["3021", "3265.58"]], .badRequest, ["3265.58", "source 2"]),
        ("words as a source value", "task.draw", ["task": "T2026-0002", "sources": ["abc", "1"]], .badRequest, ["abc"]),
        ("empty source value", "task.draw", ["task": "T2026-0002", "sources": ["1", " "]], .badRequest, ["source 2"]),
        ("empty entry between commas", "task.draw", ["task": "T2026-0002", "sources": ["1,,2", "3"]], .badRequest, ["1,,2"]),
        ("a source value that is a number, not a string", "task.draw", ["task": "T2026-0002", "sources": [12, 7]], .badRequest, ["sources"]),
        ("too few sources", "task.draw", ["task": "T2026-0002", "sources": ["12"]], .badRequest, ["1 source value(s)", "announced 2"]),
        ("too many sources", "task.draw", ["task": "T2026-0002", "sources": ["1", "2", "3"]], .badRequest, ["3 source value(s)", "announced 2"]),
        ("no sources for announced sources", "task.draw", ["task": "T2026-0002"], .badRequest, ["sources"]),
        ("system values for announced sources", "task.draw", ["task": "T2026-0002", "sources": ["system"]], .badRequest, ["1 source value(s)"]),
        ("unknown task", "task.draw", ["task": "T2026-0099"], .notFound, ["T2026-0099"]),
        ("unknown outcome code", "inspection.record",
         ["task": "T2026-0001", "entity": .string(targets[1]), "outcomes": ["fine"], "inspectors": ["M01"]], .badRequest, ["\"fine\""]),
        ("no_problem with another outcome", "inspection.record",
         ["task": "T2026-0001", "entity": .string(targets[1]), "outcomes": ["no_problem", "rectified"], "inspectors": ["M01"]],
         .badRequest, ["no_problem"]),
        ("deregistered without detail", "inspection.record",
         ["task": "T2026-0001", "entity": .string(targets[1]), "outcomes": ["deregistered"], "inspectors": ["M01"]], .badRequest, ["detail"]),
        ("result for an entity not drawn in the task", "inspection.record",
         ["task": "T2026-0001", "entity": .string(notDrawn), "outcomes": ["no_problem"], "inspectors": ["M01"]],
         .badRequest, [notDrawn, "T2026-0001"]),
        ("result for an unregistered entity", "inspection.record",
         ["task": "T2026-0001", "entity": .string(Fixture.uscc(4242)), "outcomes": ["no_problem"], "inspectors": ["M01"]],
         .badRequest, [Fixture.uscc(4242)]),
        ("result for a task not drawn", "inspection.record",
         ["task": "T2026-0002", "entity": .string(targets[1]), "outcomes": ["no_problem"], "inspectors": ["M01"]], .conflict, ["T2026-0002"]),
        ("a second result for the same entity", "inspection.record",
         ["task": "T2026-0001", "entity": .string(targets[0]), "outcomes": ["no_problem"], "inspectors": ["M01"]], .conflict, [targets[0]]),
        ("result dated in the future", "inspection.record",
         ["task": "T2026-0001", "entity": .string(targets[1]), "outcomes": ["no_problem"], "inspectors": ["M01"], "date": "2026-03-05"],
         .badRequest, ["2026-03-05"]),
        ("result dated before the draw", "inspection.record",
         ["task": "T2026-0001", "entity": .string(targets[1]), "outcomes": ["no_problem"], "inspectors": ["M01"], "date": "2026-03-01"],
         .badRequest, ["2026-03-01"]),
        ("unknown inspector present", "inspection.record",
         ["task": "T2026-0001", "entity": .string(targets[1]), "outcomes": ["no_problem"], "inspectors": ["NOBODY"]], .badRequest, ["NOBODY"]),
        ("publishing twice", "task.publish", ["task": "T2026-0001"], .conflict, ["T2026-0001", "already published"]),
        ("publishing a task not drawn", "task.publish", ["task": "T2026-0002"], .conflict, ["T2026-0002"]),
    ]

    @Test(arguments: cases)
    func refused(_ testCase: (name: String, command: String, args: JSONObject, code: ErrorCode, mentions: [String])) {
        let ledger = Self.setup
        let message = ledger.expectFailure(testCase.command, testCase.args, code: testCase.code, mentions: testCase.mentions)
        #expect(!message.isEmpty, "\(testCase.name)")
    }

    /// The fixture the table relies on (so a table row fails for its own reason).
    @Test func setupIsAsExpected() {
        let ledger = Self.setup
        #expect(ledger.status(of: "T2026-0001") == "drawn")
        #expect(ledger.status(of: "T2026-0002") == "created")
        #expect(ledger.status(of: "T2026-0003") == "created")
        #expect(ledger.events.last?.type == "task.published")
        #expect(Self.targets.count == 12)
    }
}
