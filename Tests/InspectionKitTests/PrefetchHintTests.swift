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
        for stage in [InspectionState.PrefetchStage.slot, .record, .text] {
            state.prefetch(&registered, stage: stage)
            state.prefetch(&updated, stage: stage)
            state.prefetch(&inspected, stage: stage)
            state.prefetch(&annotated, stage: stage)
            #expect(updated.lookupHint.table == .entities && updated.lookupHint.hash == StringIndex.hash(entity.id))
            #expect(inspected.lookupHint.table == .units && inspected.lookupHint.hash == StringIndex.hash(inspection.code))
            #expect(annotated.lookupHint.table == .none)
        }
        #expect(updated.payload == .entity(entity) && inspected.payload == .equipmentInspection(inspection))
        try state.apply(updated)
        #expect(state.directory.entity(entity.id) == entity)
    }
}
