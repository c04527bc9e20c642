@testable import InspectionKit
import Testing

/// `EquipmentInspection`, `EquipmentRegistration` and `EquipmentReminder` are both what the commands (and the ticker) write and
/// what the journal reader hands `apply` for a line in their exact shape: the two must not drift.
struct EquipmentInspectionTests {
    /// Registrations with and without their optional members (variant, user name, grade,
    /// last inspection, certificate date, suspended) and inspections with and without every optional member (grade, certificate date,
    /// report, inspector, a note with characters that need escapes, a failed one that keeps
    /// the schedule): each payload the command wrote reads back to an inspection whose
    /// `json` is that payload, and replaying the journal with typed payloads gives the
    /// same units, inspection records (details included) and history as with JSON ones.
    @Test func typedPayloadsReplayLikeTheJSONTheCommandsWrote() throws {
        var ledger = try DomainLedger.equipment(now: "2026-07-01T09:00:00+08:00")
        try ledger.register("E1")
        try ledger.register("V1", ["category": "pressure_vessel", "grade": 2])
        try ledger.register("E2", ["userName": "福州某某物业有限公司", "registration": "梯11闽A00001(20)", "lastInspected": "2025-03-01",
                                   "nextDue": "2026-03-31", "status": "suspended"])
        try ledger.register("E3", ["address": "", "region": ""])
        try ledger.run("equipment.inspect", ["code": "E1", "date": "2026-02-20", "conclusion": "pass", "nextDue": "2027-01-31",
                                             "report": "闽特检(2026)第1号", "inspector": "福建省特种设备检验研究院"])
        try ledger.run("equipment.inspect", ["code": "E1", "date": "2026-05-20", "conclusion": "fail", "note": "门锁\t\"失效\"\\"])
        try ledger.run("equipment.inspect", ["code": "E1", "date": "2026-06-01", "conclusion": "pass_after_rectification"])
        try ledger.run("equipment.inspect", ["code": "V1", "date": "2026-01-05", "conclusion": "pass", "grade": 3, "kind": "supervision"])

        // Reminders: a tick long after every due date (stages passed over are `skipped`).
        ledger.day("2028-06-01")
        let reminders = try ledger.tick()
        #expect(reminders.count >= 2)
        #expect(reminders.contains { $0["skipped"] != nil })

        // Each payload read typed, as the journal reader does for a line in its exact shape.
        var typedCounts: [String: Int] = [:]
        let typedEvents = try ledger.events.map { event throws -> Event in
            let data = Payload(event)
            let payload: EventPayload
            switch event.type {
            case EventType.equipmentRegistered: payload = .equipmentRegistration(try EquipmentRegistration(data))
            case EventType.reminderIssued: payload = .equipmentReminder(try EquipmentReminder(data))
            case EventType.equipmentInspected:
                let inspection = try EquipmentInspection(data)
                let object = detailsObject(event.data)
                #expect(Self.unpacked(inspection) == object)
                payload = .equipmentInspection(inspection)
            default: return event
            }
            #expect(payload.json == event.data, "\(event.type) seq \(event.seq)")
            typedCounts[event.type, default: 0] += 1
            var typed = event
            typed.payload = payload
            return typed
        }
        #expect(typedCounts == [EventType.equipmentRegistered: 4, EventType.equipmentInspected: 4, EventType.reminderIssued: reminders.count])

        // And with an inspection's texts inline where they are plain (as replay's reader
        // makes them): the same JSON, details bytes and state.
        var inlineCount = 0
        let inlineEvents = typedEvents.map { event -> Event in
            guard case .equipmentInspection(let inspection) = event.payload, let line = Self.inline(inspection) else { return event }
            inlineCount += 1
            #expect(line.inspection == inspection)
            #expect(Self.detailTexts(line) == Self.detailTexts(inspection))
            var inline = event
            inline.payload = .equipmentInspectionLine(line)
            #expect(inline.payload.json == event.data)
            return inline
        }
        #expect(inlineCount == 3)   // all but the note with escapes

        var viaJSON = InspectionState(), viaTyped = InspectionState(), viaInline = InspectionState()
        for event in ledger.events { try viaJSON.apply(event) }
        for event in typedEvents { try viaTyped.apply(event) }
        for var event in inlineEvents {
            event.prepareLookup()
            try viaInline.apply(inPlace: &event)
        }
        for code in ["E1", "V1", "E2", "E3"] {
            #expect(String(describing: viaInline.equipment.unit(code)) == String(describing: viaJSON.equipment.unit(code)))
        }
        #expect(Array(viaInline.equipment.inspections).map { Self.serialized(viaInline.equipment.details(of: $0)) }
                == Array(viaJSON.equipment.inspections).map { Self.serialized(viaJSON.equipment.details(of: $0)) })
        #expect(String(describing: Array(viaInline.equipment.history)) == String(describing: Array(viaJSON.equipment.history)))
        for code in ["E1", "V1", "E2", "E3"] {
            #expect(String(describing: viaTyped.equipment.unit(code)) == String(describing: viaJSON.equipment.unit(code)))   // every stored field
        }
        #expect(Array(viaTyped.equipment.inspections).map { Self.serialized(viaTyped.equipment.details(of: $0)) }
                == Array(viaJSON.equipment.inspections).map { Self.serialized(viaJSON.equipment.details(of: $0)) })
        #expect(Array(viaTyped.equipment.inspections).map(\.grade) == [0, 0, 0, 3])
        #expect(viaTyped.equipment.details(of: Array(viaTyped.equipment.inspections)[1])["note"]?.stringValue == "门锁\t\"失效\"\\")
        #expect(Array(viaTyped.equipment.history).map(\.seq) == Array(viaJSON.equipment.history).map(\.seq))
        #expect(viaTyped.equipment.remindersIssued == viaJSON.equipment.remindersIssued)
        #expect(String(describing: Array(viaTyped.equipment.history)) == String(describing: Array(viaJSON.equipment.history)))
        func details(_ state: InspectionState) -> [String] {
            state.equipment.historyDetails.sorted { $0.key < $1.key }.map { "\($0.key) \(JSONValue.object($0.value).serialized())" }
        }
        #expect(details(viaTyped) == details(viaJSON))
        #expect(details(viaTyped).contains { $0.contains("skipped") })
    }

    /// The inspection with its texts inline, if they are plain JSON string content and fit.
    static func inline(_ i: EquipmentInspection) -> InspectionLine? {
        let texts = [i.code, i.report, i.inspector, i.note].map { $0.map { Array($0.utf8) } }
        guard texts.allSatisfy({ ($0 ?? []).allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C } }) else { return nil }
        func with(_ k: Int, _ body: ([UnsafeRawBufferPointer?]) -> InspectionLine?, _ done: [UnsafeRawBufferPointer?] = []) -> InspectionLine? {
            guard k < texts.count else { return body(done) }
            guard let text = texts[k] else { return with(k + 1, body, done + [nil]) }
            return text.withUnsafeBytes { with(k + 1, body, done + [$0]) }
        }
        return with(0) { t in
            InspectionLine(code: t[0]!, date: i.date, kind: i.kind, conclusion: i.conclusion, grade: i.grade, certificateDue: i.certificateDue,
                           report: t[1], inspector: t[2], note: t[3], nextDue: i.due.nextDue, nextDueSource: i.due.source,
                           dueBase: i.due.base, dueBaseFirst: i.due.baseFirst, gradeNotUsable: i.due.gradeNotUsable)
        }
    }

    /// The report, inspector and note bytes an inspection hands `apply` (nil: absent).
    static func detailTexts(_ facts: some InspectionFacts) -> [[UInt8]?] {
        facts.withDetailTexts { report, inspector, note in [report, inspector, note].map { $0.map(Array.init) } }
    }

    /// The details packed as `apply` packs them, and unpacked as a query shows them.
    static func unpacked(_ facts: some InspectionFacts) -> JSONObject? {
        var inspectors = InternTable()
        _ = inspectors.number(interning: UnsafeRawBufferPointer(start: nil, count: 0))   // the inspector is not number 0
        var packed: [UInt8] = []
        facts.withDetailTexts { report, inspector, note in
            PackedInspectionDetails.write(report: report, inspector: inspector.map { inspectors.number(interning: $0) }, note: note, into: &packed)
        }
        return packed.withUnsafeBytes { PackedInspectionDetails.object($0, inspectors: inspectors.all) }
    }

    static func serialized(_ object: JSONObject) -> String { JSONValue.object(object).serialized() }

    private func detailsObject(_ data: JSONObject) -> JSONObject {
        var details = JSONObject()
        for key in ["report", "inspector", "note"] { if let value = data[key] { details[key] = value } }
        return details
    }
}
