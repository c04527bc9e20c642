import InspectionKit
import Testing

/// A snapshot of the equipment state (the project's binary encoder) decodes to a state that
/// answers and decides exactly as the one it was taken from; indexes are rebuilt.
struct EquipmentSnapshotTests {
    /// A unit reminded about two due dates, restored from a snapshot, then corrected back
    /// to the first: the stage already issued for it must not be issued again. (Needs the
    /// unit's latest-reminded-due mark to survive the snapshot.)
    @Test func aSnapshotKeepsWhichDueDatesWereRemindedAbout() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("E1", ["nextDue": "2026-02-20"])
        ledger.day("2026-01-25")
        #expect(try ledger.tick().map { $0["stage"] } == [30])              // stage 30 for 02-20
        try ledger.run("equipment.update", ["code": "E1", "nextDue": "2026-03-01"])
        ledger.day("2026-01-30")
        #expect(try ledger.tick().map { $0["due"] } == ["2026-03-01"])      // stage 30 for 03-01
        var restored = ledger
        restored.replaceState(try BinaryDecoder().decode(InspectionState.self, from: try BinaryEncoder().encode(ledger.state)))
        for var copy in [ledger, restored] {
            try copy.run("equipment.update", ["code": "E1", "nextDue": "2026-02-20"])   // corrected back
            #expect(try copy.tick().isEmpty, "stage 30 for 2026-02-20 was issued again")
        }
    }

    @Test func snapshotRoundTripAnswersAndDecidesTheSame() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("E1", ["nextDue": "2026-02-20", "userName": "晋安闽昌餐饮管理有限公司"])
        try ledger.register("V1", ["category": "pressure_vessel", "variant": "fixed", "grade": 3, "lastInspected": "2023-03-01"])
        try ledger.register("C1", ["category": "crane", "variant": "tower", "nextDue": "2026-03-10"])
        try ledger.register("S1", ["nextDue": "2026-04-01"])
        ledger.day("2026-01-25")
        try ledger.tick()
        try ledger.run("equipment.inspect", ["code": "V1", "date": "2026-01-20", "conclusion": "fail", "grade": 4, "report": "JY-7"])
        try ledger.run("equipment.suspend", ["code": "S1", "reason": "停业"])
        try ledger.run("directive.issue", ["equipment": "C1", "reason": "未按期检验", "deadline": "2026-03-31"])
        try ledger.run("equipment.update", ["code": "E1", "address": "福州市晋安区湖东路129号"])

        let bytes = try BinaryEncoder().encode(ledger.state)
        let restored = try BinaryDecoder().decode(InspectionState.self, from: bytes)
        #expect(restored.equipment.tally == ledger.state.equipment.tally)
        #expect(restored.equipment.rulesSHA256 == ledger.state.equipment.rulesSHA256)
        #expect(restored.equipment.rules == ledger.state.equipment.rules)
        #expect(restored.equipment.nextReminderDay == ledger.state.equipment.nextReminderDay)
        for code in ["E1", "V1", "C1", "S1"] {
            let a = try #require(ledger.state.equipment.unit(code)), b = try #require(restored.equipment.unit(code))
            #expect(ledger.state.equipment.detail(a, today: ledger.today, zone: ledger.zone, historyLimit: 50)
                    == restored.equipment.detail(b, today: ledger.today, zone: ledger.zone, historyLimit: 50))
        }
        #expect(restored.equipment.directive("ZL2026-0001")?.equipment == "C1")
        for offset in [0, 10, 30, 60, 120] {
            let day = ledger.today.adding(days: offset)
            #expect(restored.equipment.dueReminders(today: day).map(\.data) == ledger.state.equipment.dueReminders(today: day).map(\.data))
        }
        // And it keeps applying events like the original.
        var continued = restored
        let event = Event(seq: ledger.events.count + 1, at: ledger.now, type: EventType.equipmentResumed, actor: "uid:1/t",
                          data: ["code": "S1", "date": "2026-01-25", "lapsed": false, "nextDue": "2026-04-01", "nextDueSource": "certificate",
                                 "dueBase": "2020-03-10", "dueBaseFirst": true])
        try continued.apply(event)
        #expect(continued.equipment.unit("S1")?.status == .inUse)
    }
    /// A snapshot's equipment part decodes on a second thread, and its inspections and
    /// history on another: damage there must come back as an error (never a trap or a
    /// hang) naming the damaged byte's place in the whole payload, not in the part.
    @Test func damageInAPartDecodedOnAnotherThreadIsReportedAtItsByte() throws {
        var ledger = try DomainLedger.equipment()
        for i in 0..<20 { try ledger.register("E\(i)", ["nextDue": .string("2026-02-\(10 + i % 18)")]) }
        ledger.day("2026-01-25")
        try ledger.tick()
        try ledger.run("equipment.inspect", ["code": "E3", "date": "2026-01-20", "conclusion": "pass", "report": "JY-7"])
        let bytes = try BinaryEncoder().encode(ledger.state)
        // The history value: after its key (a UInt32 length, then "history") and its own UInt32 length.
        let key = [UInt8(7), 0, 0, 0] + Array("history".utf8)
        let keyAt = try #require((0...(bytes.count - key.count)).first { Array(bytes[$0..<($0 + key.count)]) == key })
        let historyAt = keyAt + key.count + 4
        var damaged = bytes
        for i in 0..<4 { damaged[historyAt + i] = 0xFF }   // its entry count: 4 billion
        do {
            _ = try BinaryDecoder().decode(InspectionState.self, from: damaged)
            Issue.record("a history with an implausible entry count decoded")
        } catch {
            #expect("\(error)".contains("snapshot damaged at byte \(historyAt + 4)"), "\(error)")
        }
        // The same in parts decoded first (the directory; the units), each on its own side
        // of a `concurrently`: every error must come back, whichever thread met it.
        for key in ["directory", "units"] {
            let keyBytes = [UInt8(key.utf8.count), 0, 0, 0] + Array(key.utf8)
            let at = try #require((0...(bytes.count - keyBytes.count)).first { Array(bytes[$0..<($0 + keyBytes.count)]) == keyBytes })
            var damagedPart = bytes
            for i in 0..<4 { damagedPart[at + keyBytes.count + 4 + i] = 0xFF }
            #expect(throws: DecodingError.self, "\(key)") { _ = try BinaryDecoder().decode(InspectionState.self, from: damagedPart) }
        }
        var rng = SystemRandomNumberGenerator()
        var refused = 0
        for _ in 0..<300 {
            var flipped = bytes
            flipped[Int.random(in: keyAt..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            if (try? BinaryDecoder().decode(InspectionState.self, from: flipped)) == nil { refused += 1 }
        }
        #expect(refused > 0)
    }
}
