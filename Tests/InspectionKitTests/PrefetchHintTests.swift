@testable import InspectionKit
import Testing

/// Replay's prefetch hints read raw bits (a string's object, a recorded hash); these
/// check that the bits are what the hints take them for.
struct PrefetchHintTests {
    /// The object found for a stored heap string is the string's own storage: its
    /// characters start a header's length after it. A small string or a literal has no
    /// object of its own to warm.
    @Test func aStoredStringsObjectIsItsOwnStorage() {
        let built = ["福州市仓山区", "华瑞餐饮管理有限公司"].joined()   // made at run time: a literal is immortal, not on the heap
        var entity = Entity(id: "91350100MA2XY7UQ3L", name: built, address: "小店")   // 6 bytes: stored inline
        let nameOffset = MemoryLayout<Entity>.offset(of: \Entity.name)!
        let addressOffset = MemoryLayout<Entity>.offset(of: \Entity.address)!
        let characters = entity.name.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress!) }!
        withUnsafeBytes(of: &entity) { raw in
            let object = unretainedStringObject(at: raw.baseAddress! + nameOffset)
            #expect(object != nil)
            if let object { #expect(characters > object && characters - object <= 64, "\(characters - object) bytes apart") }
            #expect(unretainedStringObject(at: raw.baseAddress! + addressOffset) == nil)
        }
        var literal = "a literal long enough to be stored out of line"
        withUnsafeBytes(of: &literal) { #expect(unretainedStringObject(at: $0.baseAddress!) == nil) }
    }

    /// After an update is applied in place, the event holds the name, address and tags it
    /// replaced; the reader's prefetch before freeing them finds exactly their objects
    /// (the probe of `LeftoverLayout` found the layout), and nothing in other payloads.
    @Test func theLeftoversOfAnAppliedUpdateAreTheObjectsTheReaderWarms() throws {
        func built(_ parts: String...) -> String { parts.joined() }   // made at run time: a literal is not on the heap
        var state = InspectionState()
        let registered = Entity(id: "91350100MA2XY7UQ3L", name: built("福州市仓山区", "华瑞餐饮管理有限公司"),
                                address: built("福州市仓山区", "五一中路227号"), tags: [built("school")])
        try state.apply(Event(seq: 1, at: Timestamp(millis: 0), type: "entity.registered", actor: "system", payload: .entity(registered)))
        let update = Entity(id: registered.id, name: built("更新后的名称", "有限公司"), address: built("福州市台江区", "八一七中路1号"), tags: [built("crowded")])
        var event = Event(seq: 2, at: Timestamp(millis: 1), type: "entity.updated", actor: "system", payload: .entity(update))
        try state.apply(inPlace: &event)
        guard case .entity(let leftovers) = event.payload else {
            Issue.record("the applied update holds \(event.payload)")
            return
        }
        #expect(leftovers.name == registered.name && leftovers.address == registered.address && leftovers.tags == registered.tags)
        func object(of string: String) -> UnsafeRawPointer? {
            var string = string
            return withUnsafeBytes(of: &string) { unretainedStringObject(at: $0.baseAddress!) }
        }
        let expected = [object(of: leftovers.name), object(of: leftovers.address),
                        unsafeBitCast(leftovers.tags, to: UnsafeRawPointer?.self)]
        #expect(expected.allSatisfy { $0 != nil })
        var found: [UnsafeRawPointer?] = []
        event.forEachLeftoverObject { found.append($0) }
        #expect(found == expected)
        event.prefetchLeftovers()
        #expect(event.payload == .entity(leftovers))

        var annotated = Event(seq: 3, at: Timestamp(millis: 2), type: "journal.annotated", actor: "system", data: ["text": .string(built("x", "y"))])
        var none = 0
        annotated.forEachLeftoverObject { _ in none += 1 }
        #expect(none == 0)
    }

    /// The first stage records the table and key hash the event's `apply` looks up; the
    /// later stages reuse it and leave the event as it was.
    @Test func theFirstStageRecordsTheLookupTheLaterStagesUse() throws {
        var state = InspectionState()
        let entity = Entity(id: "91350100MA2XY7UQ3L", name: "福州市仓山区华瑞餐饮管理有限公司", address: "福州市仓山区五一中路227号")
        var registered = Event(seq: 1, at: Timestamp(millis: 0), type: "entity.registered", actor: "system", payload: .entity(entity))
        try state.apply(registered)
        var updated = Event(seq: 2, at: Timestamp(millis: 1), type: "entity.updated", actor: "system", payload: .entity(entity))
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
            #expect(updated.lookupHint.table == .entities && updated.lookupHint.hash == StringIndex.pack(entity.id).hash)
            #expect(inspected.lookupHint.table == .units && inspected.lookupHint.hash == StringIndex.pack(inspection.code).hash)
            #expect(annotated.lookupHint.table == .none)
        }
        #expect(updated.payload == .entity(entity) && inspected.payload == .equipmentInspection(inspection))
        #expect(updated.lookupHint.key == StringIndex.pack(entity.id).key && inspected.lookupHint.key == StringIndex.pack(inspection.code).key)
        try state.apply(updated)
        #expect(state.directory.entity(entity.id) == entity)
    }

    /// A hint worked out ahead is dropped with the payload it was made from: a new payload
    /// set through `data` is looked up by its own key.
    @Test func aNewPayloadDropsTheHintOfTheOldOne() throws {
        var state = InspectionState()
        let first = Entity(id: "91350100MA2XY7UQ3L", name: "甲公司"), second = Entity(id: "91350100MA2XY7UR1F", name: "乙公司")
        try state.apply(Event(seq: 1, at: Timestamp(millis: 0), type: "entity.registered", actor: "system", payload: .entity(first)))
        try state.apply(Event(seq: 2, at: Timestamp(millis: 1), type: "entity.registered", actor: "system", payload: .entity(second)))
        var update = Event(seq: 3, at: Timestamp(millis: 2), type: "entity.updated", actor: "system", payload: .entity(first))
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
            ("entity.registered", .entity(first)), ("entity.updated", .entity(second)),
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
        guard case .entity(let second) = originals[1].payload else { Issue.record("not an entity"); return }
        #expect(entity == second)
        let unit = try #require(moved.equipment.unit(Self.unitCode))
        #expect(unit.registration == "梯11闽A00007(20)" && unit.address == "福州市仓山区五一路7号" && unit.lastInspected == Day(raw: 20_000))
        let today = CivilDate(iso: "2026-01-01")!
        #expect(moved.equipment.detail(unit, today: today, zone: .shanghai, historyLimit: 10)
                == copied.equipment.detail(try #require(copied.equipment.unit(Self.unitCode)), today: today, zone: .shanghai, historyLimit: 10))
        // What the events were left with: the registration gave up its values, the update
        // holds the values it replaced, the unit's own strings left its registration, the
        // inspection (nothing kept) is whole.
        guard case .entity(let registrationLeft) = events[0].payload, case .entity(let updateLeft) = events[1].payload,
              case .equipmentRegistration(let unitLeft) = events[2].payload, case .equipmentInspection(let inspectionLeft) = events[3].payload
        else { Issue.record("a typed payload was not put back"); return }
        #expect(registrationLeft.id.isEmpty && registrationLeft.name.isEmpty && registrationLeft.tags.isEmpty)
        guard case .entity(let first) = originals[0].payload else { return }
        #expect(updateLeft.id == first.id && updateLeft.name == first.name && updateLeft.address == first.address && updateLeft.tags == ["school"])
        #expect(unitLeft.code.isEmpty && unitLeft.registration.isEmpty && unitLeft.address.isEmpty && unitLeft.user == first.id)
        #expect(events[3].payload == originals[3].payload && inspectionLeft.report == "闽特检(2025)第7号")
    }
}
