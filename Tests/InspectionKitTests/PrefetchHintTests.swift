@testable import InspectionKit
import Testing

/// Replay's prefetch hints read a recorded hash; these check that it is the lookup's.
struct PrefetchHintTests {
    /// The first stage records the table and key hash the event's `apply` looks up; the
    /// later stages reuse it and leave the event as it was.
    @Test func theFirstStageRecordsTheLookupTheLaterStagesUse() throws {
        var state = InspectionState()
        let entity = Entity(id: "91350100MA2XY7UQ3L", name: "福州市仓山区华瑞餐饮管理有限公司", address: "福州市仓山区五一中路227号")
        var registered = Event(seq: 1, at: Timestamp(millis: 0), type: "entity.registered", actor: "system", payload: .compactEntity(CompactEntity(entity)))
        try state.apply(registered)
        var updated = Event(seq: 2, at: Timestamp(millis: 1), type: "entity.updated", actor: "system", payload: .compactEntity(CompactEntity(entity)))
        let inspection = EquipmentInspection(code: "35010220000000025019", date: Day(raw: 20_000), kind: .periodic, conclusion: .pass, grade: nil,
                                             certificateDue: nil, report: "闽特检(2025)第7号", inspector: nil, note: nil, nextDue: nil,
                                             nextDueSource: .computed, dueBase: Day(raw: 20_000), dueBaseFirst: false, gradeNotUsable: false)
        var inspected = Event(seq: 3, at: Timestamp(millis: 2), type: "equipment.inspected", actor: "system", payload: .equipmentInspection(inspection))
        var annotated = Event(seq: 3, at: Timestamp(millis: 2), type: "journal.annotated", actor: "system", data: ["text": .string("x")])
        for stage in [InspectionState.PrefetchStage.slot, .record] {
            state.prefetch(&registered, stage: stage)
            state.prefetch(&updated, stage: stage)
            state.prefetch(&inspected, stage: stage)
            state.prefetch(&annotated, stage: stage)
            #expect(updated.lookupHint.table == .entities && updated.lookupHint.hash == StringIndex.hash(entity.id))
            #expect(inspected.lookupHint.table == .units && inspected.lookupHint.hash == StringIndex.hash(inspection.code))
            #expect(annotated.lookupHint.table == .none)
        }
        #expect(updated.payload == .compactEntity(CompactEntity(entity)) && inspected.payload == .equipmentInspection(inspection))
        try state.apply(updated)
        #expect(state.directory.entity(entity.id) == entity)
    }

    /// A hint worked out ahead is dropped with the payload it was made from: a new payload
    /// set through `data` is looked up by its own key.
    @Test func aNewPayloadDropsTheHintOfTheOldOne() throws {
        var state = InspectionState()
        let first = Entity(id: "91350100MA2XY7UQ3L", name: "甲公司"), second = Entity(id: "91350100MA2XY7UR1F", name: "乙公司")
        try state.apply(Event(seq: 1, at: Timestamp(millis: 0), type: "entity.registered", actor: "system", payload: .compactEntity(CompactEntity(first))))
        try state.apply(Event(seq: 2, at: Timestamp(millis: 1), type: "entity.registered", actor: "system", payload: .compactEntity(CompactEntity(second))))
        var update = Event(seq: 3, at: Timestamp(millis: 2), type: "entity.updated", actor: "system", payload: .compactEntity(CompactEntity(first)))
        update.prepareLookup()
        #expect(update.lookupHint.table == .entities)
        var renamed = second
        renamed.name = "乙公司（更名）"
        update.data = renamed.json
        #expect(update.lookupHint.table == .unknown)
        try state.apply(inPlace: &update)
        #expect(state.directory.entity(second.id)?.name == "乙公司（更名）" && state.directory.entity(first.id)?.name == "甲公司")
    }
}

/// `apply(inPlace:)` moves what the state keeps out of the event and leaves the rest in
/// it, for replay's reader thread to free; the state ends up as `apply(_:)` leaves it.
struct ApplyInPlaceTests {
    static let unitCode = "35010220000000025019"

    static func events() -> [Event] {
        let first = Entity(id: "91350100MA2XY7UQ3L", name: ["福州市仓山区", "华瑞餐饮管理有限公司"].joined(), industry: "餐饮服务",
                           region: "仓山区", address: ["福州市仓山区", "五一中路227号"].joined(), risk: .B, tags: ["school"])
        var second = first
        second.name = ["福州市仓山区", "华瑞餐饮有限公司"].joined()
        second.address = ["福州市仓山区", "八一七中路9号"].joined()
        second.tags = []
        let registration = EquipmentRegistration(
            code: unitCode, registration: ["梯11闽A", "00007(20)"].joined(), category: .elevator, variant: "traction",
            user: first.id, userName: nil, address: ["福州市仓山区", "五一路7号"].joined(), region: "仓山区",
            commissioned: Day(raw: 19_000), grade: nil, lastInspected: nil, status: .inUse, suspendedOn: nil,
            nextDue: Day(raw: 20_000), nextDueSource: .certificate, dueBase: Day(raw: 19_000), dueBaseFirst: false, gradeNotUsable: false)
        let inspection = EquipmentInspection(code: unitCode, date: Day(raw: 20_000), kind: .periodic, conclusion: .pass, grade: nil,
                                             certificateDue: nil, report: "闽特检(2025)第7号", inspector: "福建省特种设备检验研究院", note: nil,
                                             nextDue: Day(raw: 20_730), nextDueSource: .computed, dueBase: Day(raw: 20_000),
                                             dueBaseFirst: false, gradeNotUsable: false)
        let payloads: [(String, EventPayload)] = [
            ("entity.registered", .compactEntity(CompactEntity(first))), ("entity.updated", .compactEntity(CompactEntity(second))),
            ("equipment.registered", .equipmentRegistration(registration)), ("equipment.inspected", .equipmentInspection(inspection)),
        ]
        return payloads.enumerated().map { i, p in Event(seq: i + 1, at: Timestamp(millis: Int64(i)), type: p.0, actor: "system", payload: p.1) }
    }

    @Test func theStateKeepsWhatItMovedAndTheEventKeepsTheRest() throws {
        var copied = InspectionState(), moved = InspectionState()
        var events = Self.events()
        let originals = events
        for i in events.indices {
            try copied.apply(events[i])
            events[i].prepareLookup()   // as replay's reader does: apply then looks up by the hint
            try moved.apply(inPlace: &events[i])
        }
        // The same state either way.
        let entity = try #require(moved.directory.entity("91350100MA2XY7UQ3L"))
        #expect(entity == copied.directory.entity("91350100MA2XY7UQ3L"))
        guard case .compactEntity(let second) = originals[1].payload else { Issue.record("not an entity"); return }
        #expect(entity == second.entity)
        let unit = try #require(moved.equipment.unit(Self.unitCode))
        #expect(unit.registration == "梯11闽A00007(20)" && unit.address == "福州市仓山区五一路7号" && unit.lastInspected == Day(raw: 20_000))
        let today = CivilDate(iso: "2026-01-01")!
        #expect(moved.equipment.detail(unit, today: today, zone: .shanghai, historyLimit: 10)
                == copied.equipment.detail(try #require(copied.equipment.unit(Self.unitCode)), today: today, zone: .shanghai, historyLimit: 10))
        // What the events were left with: the registration gave up its values, the update
        // holds the values it replaced, the unit's own strings left its registration, the
        // inspection (nothing kept) is whole.
        guard case .compactEntity(let registrationLeft) = events[0].payload, case .compactEntity(let updateLeft) = events[1].payload,
              case .equipmentRegistration(let unitLeft) = events[2].payload, case .equipmentInspection(let inspectionLeft) = events[3].payload
        else { Issue.record("a typed payload was not put back"); return }
        #expect(registrationLeft.id.isEmpty && registrationLeft.name.isEmpty && registrationLeft.tags.isEmpty)
        guard case .compactEntity(let first) = originals[0].payload else { return }
        #expect(updateLeft.id == first.id && updateLeft.name == first.name && updateLeft.address == first.address && updateLeft.tags == ["school"])
        #expect(unitLeft.code.isEmpty && unitLeft.registration.isEmpty && unitLeft.address.isEmpty && unitLeft.user == first.id)
        #expect(events[3].payload == originals[3].payload && inspectionLeft.report == "闽特检(2025)第7号")
    }
}
