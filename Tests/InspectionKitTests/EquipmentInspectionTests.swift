@testable import InspectionKit
import Testing

/// `EquipmentInspection` is both what `equipment.inspect` writes and what the journal
/// reader hands `apply` for a line in its exact shape: the two must not drift.
struct EquipmentInspectionTests {
    /// Inspections with and without every optional member (grade, certificate date,
    /// report, inspector, a note with characters that need escapes, a failed one that keeps
    /// the schedule): each payload the command wrote reads back to an inspection whose
    /// `json` is that payload, and replaying the journal with typed payloads gives the
    /// same units, inspection records (details included) and history as with JSON ones.
    @Test func typedPayloadsReplayLikeTheJSONTheCommandWrote() throws {
        var ledger = try DomainLedger.equipment(now: "2026-07-01T09:00:00+08:00")
        try ledger.register("E1")
        try ledger.register("V1", ["category": "pressure_vessel", "grade": 2])
        try ledger.run("equipment.inspect", ["code": "E1", "date": "2026-02-20", "conclusion": "pass", "nextDue": "2027-01-31",
                                             "report": "闽特检(2026)第1号", "inspector": "福建省特种设备检验研究院"])
        try ledger.run("equipment.inspect", ["code": "E1", "date": "2026-05-20", "conclusion": "fail", "note": "门锁\t\"失效\"\\"])
        try ledger.run("equipment.inspect", ["code": "E1", "date": "2026-06-01", "conclusion": "pass_after_rectification"])
        try ledger.run("equipment.inspect", ["code": "V1", "date": "2026-01-05", "conclusion": "pass", "grade": 3, "kind": "supervision"])

        var typedCount = 0
        let typedEvents = try ledger.events.map { event throws -> Event in
            guard event.type == EventType.equipmentInspected else { return event }
            let inspection = try EquipmentInspection(Payload(event))
            #expect(inspection.json == event.data)
            #expect(inspection.detailsJSON == InspectionRecord(seq: 0, date: inspection.date, kind: .periodic, conclusion: .pass, grade: 0,
                                                               certificateDue: nil, nextDue: nil, details: detailsObject(event.data)).detailsJSON)
            typedCount += 1
            var typed = event
            typed.payload = .equipmentInspection(inspection)
            return typed
        }
        #expect(typedCount == 4)

        var viaJSON = InspectionState(), viaTyped = InspectionState()
        for event in ledger.events { try viaJSON.apply(event) }
        for event in typedEvents { try viaTyped.apply(event) }
        for code in ["E1", "V1"] {
            #expect(String(describing: viaTyped.equipment.unit(code)) == String(describing: viaJSON.equipment.unit(code)))   // every stored field
        }
        #expect(Array(viaTyped.equipment.inspections).map(\.detailsJSON) == Array(viaJSON.equipment.inspections).map(\.detailsJSON))
        #expect(Array(viaTyped.equipment.inspections).map(\.grade) == [0, 0, 0, 3])
        #expect(Array(viaTyped.equipment.inspections)[1].details["note"]?.stringValue == "门锁\t\"失效\"\\")
        #expect(Array(viaTyped.equipment.history).map(\.seq) == Array(viaJSON.equipment.history).map(\.seq))
    }

    private func detailsObject(_ data: JSONObject) -> JSONObject {
        var details = JSONObject()
        for key in ["report", "inspector", "note"] { if let value = data[key] { details[key] = value } }
        return details
    }
}
