import InspectionKit
import Testing

/// The reminder ticker's decisions (SPEC §8): each stage once per unit and due date, one
/// catch-up reminder listing the skipped stages, silence for suspended/scrapped/not-usable
/// units, and the same decisions after a replay (restart).
struct EquipmentReminderTests {
    typealias Issued = (day: String, stage: Int, skipped: [Int])

    /// Ticks once a day from the ledger's clock through `last`, collecting what each unit got.
    static func tickDaily(_ ledger: inout DomainLedger, through last: String, twice: Bool = false) throws -> [String: [Issued]] {
        var got: [String: [Issued]] = [:]
        let end = CivilDate(iso: last)!
        while ledger.today <= end {
            for data in try ledger.tick() {
                let code = data["equipment"]?.stringValue ?? "?"
                got[code, default: []].append((ledger.today.description, data["stage"]?.intValue ?? 999,
                                               data["skipped"]?.arrayValue?.compactMap(\.intValue) ?? []))
            }
            if twice { #expect(try ledger.tick().isEmpty, "a second tick on \(ledger.today) issued more") }
            ledger.nextDay()
        }
        return got
    }

    static func same(_ a: [Issued]?, _ b: [Issued]) -> Bool {
        guard let a, a.count == b.count else { return false }
        return zip(a, b).allSatisfy { $0.day == $1.day && $0.stage == $1.stage && $0.skipped == $1.skipped }
    }

    @Test func eachStageExactlyOnceOnItsDay() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("E1", ["nextDue": "2026-03-15"])
        let got = try Self.tickDaily(&ledger, through: "2026-06-30", twice: true)
        let expected: [Issued] = [("2026-02-13", 30, []), ("2026-03-08", 7, []), ("2026-03-15", 0, []),
                                  ("2026-03-16", -1, []), ("2026-04-14", -30, [])]
        #expect(Self.same(got["E1"], expected), "\(got)")
        let first = try #require(ledger.events.first { $0.type == EventType.reminderIssued })
        #expect(first.data["due"]?.stringValue == "2026-03-15")
        #expect(first.data["user"]?.stringValue == Fixture.uscc(7))
        #expect(first.data["category"]?.stringValue == "elevator")
        #expect(ledger.state.equipment.remindersIssued == 5)
        let listed = try ledger.query("reminder.list", ["since": "2026-01-01"])
        #expect(listed["total"]?.intValue == 5)
        #expect(listed["reminders"]?.arrayValue?.map { $0["stage"]?.intValue ?? 0 } == [30, 7, 0, -1, -30])
        #expect(try ledger.query("reminder.list", ["since": "2026-03-16"])["total"]?.intValue == 2)
    }

    @Test func aUnitRegisteredLateGetsOneReminderListingTheSkippedStages() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("LATE", ["nextDue": "2026-01-01"])
        try ledger.register("SOON", ["nextDue": "2026-01-20"])
        let got = try Self.tickDaily(&ledger, through: "2026-02-28")
        #expect(Self.same(got["LATE"], [("2026-01-05", -1, [30, 7, 0]), ("2026-01-31", -30, [])]), "\(got)")
        #expect(Self.same(got["SOON"], [("2026-01-05", 30, []), ("2026-01-13", 7, []), ("2026-01-20", 0, []),
                                        ("2026-01-21", -1, []), ("2026-02-19", -30, [])]), "\(got)")
    }

    @Test func afterDowntimeOnlyTheMostRecentPassedStageIsIssued() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("E1", ["nextDue": "2026-03-15"])
        #expect(try ledger.tick().isEmpty)
        ledger.day("2026-03-20")   // the daemon was down from 5 Jan to 20 Mar
        let issued = try ledger.tick()
        #expect(issued.count == 1)
        #expect(issued.first?["stage"]?.intValue == -1)
        #expect(issued.first?["skipped"] == [30, 7, 0])
        #expect(try ledger.tick().isEmpty)
    }

    @Test func suspendedScrappedAndNotUsableUnitsStaySilent() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("SUSP", ["nextDue": "2026-03-15"])
        try ledger.register("SCRAP", ["nextDue": "2026-03-15"])
        try ledger.register("GRADE5", ["category": "pressure_vessel", "grade": 5, "commissioned": "2024-01-10"])
        try ledger.register("REGSUSP", ["nextDue": "2026-03-15", "status": "suspended"])
        var got = try Self.tickDaily(&ledger, through: "2026-02-20")
        #expect(got["SUSP"]?.map(\.stage) == [30])
        #expect(got["SCRAP"]?.map(\.stage) == [30])
        #expect(got["GRADE5"] == nil && got["REGSUSP"] == nil)
        try ledger.run("equipment.suspend", ["code": "SUSP"])
        try ledger.run("equipment.scrap", ["code": "SCRAP"])
        got = try Self.tickDaily(&ledger, through: "2026-04-30")
        #expect(got.isEmpty, "\(got)")
        // Resumed after the due date lapsed: due at once, one catch-up reminder.
        try ledger.run("equipment.resume", ["code": "SUSP"])
        #expect(ledger.nextDue("SUSP") == "2026-05-01")
        got = try Self.tickDaily(&ledger, through: "2026-06-30")
        #expect(Self.same(got["SUSP"], [("2026-05-01", 0, [30, 7]), ("2026-05-02", -1, []), ("2026-05-31", -30, [])]), "\(got)")
        #expect(got["SCRAP"] == nil && got["GRADE5"] == nil && got["REGSUSP"] == nil)
    }

    @Test func aNewDueDateStartsItsOwnStagesAndTheOldOnesStop() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("E1", ["nextDue": "2026-03-15"])
        var got = try Self.tickDaily(&ledger, through: "2026-03-01")
        #expect(got["E1"]?.map(\.stage) == [30])
        try ledger.run("equipment.inspect", ["code": "E1", "date": "2026-03-02", "conclusion": "pass"])
        #expect(ledger.nextDue("E1") == "2027-03-02")
        got = try Self.tickDaily(&ledger, through: "2027-02-01")
        #expect(Self.same(got["E1"], [("2027-01-31", 30, [])]), "\(got)")
    }

    @Test func aCorrectedDueDateNeverRepeatsAStage() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("E1", ["nextDue": "2026-03-15"])
        _ = try Self.tickDaily(&ledger, through: "2026-03-09")           // 30 and 7 issued
        try ledger.run("equipment.update", ["code": "E1", "nextDue": "2026-04-15"])   // typo…
        try ledger.run("equipment.update", ["code": "E1", "nextDue": "2026-03-15"])   // …corrected
        let got = try Self.tickDaily(&ledger, through: "2026-03-16")
        #expect(Self.same(got["E1"], [("2026-03-15", 0, []), ("2026-03-16", -1, [])]), "\(got)")
    }

    @Test func replayedStateDecidesTheSameAndRepeatsNothing() throws {
        var ledger = try DomainLedger.equipment()
        for n in 1...20 {
            try ledger.register("U\(n)", ["nextDue": .string(CivilDate(iso: "2026-02-01")!.adding(days: n * 5).description)])
        }
        _ = try Self.tickDaily(&ledger, through: "2026-03-10")
        // "Restart": a state rebuilt from the journal alone decides exactly what the live one does.
        let replayed = try ledger.replayed()
        #expect(replayed.equipment.remindersIssued == ledger.state.equipment.remindersIssued)
        #expect(replayed.equipment.dueReminders(today: ledger.today.adding(days: -1)).isEmpty)
        var restarted = DomainLedger(now: "2026-01-05T09:00:00+08:00")
        restarted.actor = ledger.actor
        try restarted.append(ledger.events.map { NewEvent($0.type, $0.data) })
        restarted.now = ledger.now
        var continued = ledger
        let a = try Self.tickDaily(&continued, through: "2026-06-30")
        let b = try Self.tickDaily(&restarted, through: "2026-06-30")
        #expect(!a.isEmpty)
        #expect(a.keys.sorted() == b.keys.sorted())
        for (code, list) in a { #expect(Self.same(b[code], list), "\(code)") }
    }

    @Test func configuredStagesKeyTheQueue() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("E1", ["nextDue": "2026-04-01"])
        var state = InspectionState()
        state.useReminderStages([0, 60, -15])
        #expect(state.equipment.reminderStages == [60, 0, -15])
        for event in ledger.events { try state.apply(event) }
        let due = CivilDate(iso: "2026-04-01")!
        #expect(state.equipment.dueReminders(today: due.adding(days: -61)).isEmpty)
        #expect(state.equipment.dueReminders(today: due.adding(days: -60)).map { $0.data["stage"]?.intValue } == [60])
        #expect(state.equipment.dueReminders(today: due.adding(days: 15)).map { $0.data["skipped"] } == [[60, 0]])
        // Re-keying an existing state keeps what was issued.
        ledger.day("2026-03-02")
        #expect(try ledger.tick().map { $0["stage"]?.intValue } == [30])
        var rekeyed = ledger.state
        rekeyed.useReminderStages([45, 30, 7])
        #expect(rekeyed.equipment.dueReminders(today: CivilDate(iso: "2026-03-01")!).isEmpty)
        #expect(rekeyed.equipment.dueReminders(today: CivilDate(iso: "2026-03-25")!).map { $0.data["stage"]?.intValue } == [7])
    }

    @Test func theQueueAnswersOnlyForWhatIsDue() throws {
        var ledger = try DomainLedger.equipment()
        let base = CivilDate(iso: "2026-03-01")!
        for n in 0..<2000 {
            try ledger.register("U\(n)", ["nextDue": .string(base.adding(days: n % 400).description)])
        }
        // 30 days before 1 Mar: exactly the units due on 1 Mar (n ≡ 0 mod 400) have stage 30 due.
        ledger.day("2026-01-30")
        let due = ledger.state.equipment.dueReminders(today: ledger.today)
        #expect(due.count == 5)
        #expect(Set(due.compactMap { $0.data["equipment"]?.stringValue }) == ["U0", "U400", "U800", "U1200", "U1600"])
        let limited = ledger.state.equipment.dueReminders(today: CivilDate(iso: "2026-02-10")!, limit: 7)
        #expect(limited.count == 7)
        #expect(limited.map { $0.data["due"]?.stringValue ?? "" } == limited.map { $0.data["due"]?.stringValue ?? "" }.sorted())
    }

    // MARK: - Against an independent model

    /// A deliberately naive model: every tick scans every unit. The real ticker must issue
    /// exactly what this issues, whatever the sequence of inspections, suspensions,
    /// resumptions and scrappings.
    struct Reference {
        struct Unit { var due: CivilDate; var status = "in_use"; var lastStage: [CivilDate: Int] = [:] }
        var units: [String: Unit] = [:]
        let stages = [30, 7, 0, -1, -30]

        mutating func tick(_ today: CivilDate) -> [String] {
            var out: [String] = []
            for code in units.keys.sorted() {
                guard var unit = units[code], unit.status == "in_use" else { continue }
                let last = unit.lastStage[unit.due]
                let passed = stages.filter { (last == nil || $0 < last!) && unit.due.adding(days: -$0) <= today }
                guard let stage = passed.last else { continue }
                unit.lastStage[unit.due] = stage
                units[code] = unit
                out.append("\(code) \(unit.due) \(stage) \(passed.dropLast())")
            }
            return out.sorted()
        }
    }

    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [1, 2, 3])
    func matchesANaiveFullScanUnderRandomOperations(seed: UInt64) throws {
        var rng = SplitMix(state: seed)
        var ledger = try DomainLedger.equipment(now: "2026-01-01T09:00:00+08:00")
        var model = Reference()
        let start = CivilDate(iso: "2026-01-01")!
        // A small pool of due dates, so units come back to dates they were reminded about.
        let pool = (0..<30).map { _ in start.adding(days: Int.random(in: -60...500, using: &rng)) }
        for n in 0..<120 {
            let due = pool.randomElement(using: &rng)!
            let code = "U\(n)"
            try ledger.register(code, ["nextDue": .string(due.description), "commissioned": "2019-01-01"])
            model.units[code] = .init(due: due)
        }
        for _ in 0..<420 {
            let today = ledger.today
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                let code = "U\(Int.random(in: 0..<120, using: &rng))"
                guard var unit = model.units[code], unit.status != "scrapped" else { continue }
                switch Int.random(in: 0..<20, using: &rng) {
                case 0..<10:
                    guard let cert = pool.filter({ $0 > today }).randomElement(using: &rng) else { continue }
                    try ledger.run("equipment.inspect", ["code": .string(code), "date": .string(today.description),
                                                         "conclusion": "pass", "nextDue": .string(cert.description)])
                    unit.due = cert
                case 10..<14 where unit.status == "in_use":
                    try ledger.run("equipment.suspend", ["code": .string(code)])
                    unit.status = "suspended"
                case 10..<17 where unit.status == "suspended":
                    try ledger.run("equipment.resume", ["code": .string(code)])
                    unit.status = "in_use"
                    if unit.due < today { unit.due = today }
                case 19:
                    try ledger.run("equipment.scrap", ["code": .string(code)])
                    unit.status = "scrapped"
                default:
                    continue
                }
                model.units[code] = unit
            }
            let real = try ledger.tick().map { data in
                "\(data["equipment"]?.stringValue ?? "") \(data["due"]?.stringValue ?? "") \(data["stage"]?.intValue ?? 0) \(data["skipped"]?.arrayValue?.compactMap(\.intValue) ?? [])"
            }.sorted()
            let expected = model.tick(today)
            #expect(real == expected, "\(today)")
            if real != expected { return }
            ledger.nextDay()
        }
        let replayed = try ledger.replayed()
        #expect(replayed.equipment.dueReminders(today: ledger.today).isEmpty == ledger.state.equipment.dueReminders(today: ledger.today).isEmpty)
    }
}
