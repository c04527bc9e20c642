@testable import InspectionKit
import Testing

/// `CompactEntity` packs an entity's name, address and tags into one buffer; every entity
/// must come back out exactly as it went in.
struct CompactEntityTests {
    static let long = String(repeating: "福州市鼓楼区五一中路", count: 8)   // 240 bytes: more than fits inline

    static let entities: [Entity] = [
        Entity(id: "91350100MA2XY7UQ3L", name: "福州市仓山区华瑞餐饮管理有限公司", kind: .enterprise, industry: "餐饮服务", region: "仓山区",
               address: "福州市仓山区五一中路227号", risk: .B, tags: ["school"], status: .active),
        Entity(id: "X", name: ""),
        Entity(id: "Y", name: "a\u{7F}b", kind: .cooperative, tags: [""], status: .revoked),
        Entity(id: "Z", name: "甲", address: "乙", tags: ["a\u{1F}b", "", "crowded", String(repeating: "标", count: 50)]),   // a separator byte, an empty tag, a 150-byte one
        Entity(id: "91350100MA2XY7UR1F", name: long, kind: .individual, address: long, risk: nil, tags: [long, "school"], status: .deregistered),
        Entity(id: "W", name: String(repeating: "x", count: 100), address: String(repeating: "y", count: EntityTexts.capacity - 101)),   // exactly full
        Entity(id: "V", name: String(repeating: "x", count: 100), address: String(repeating: "y", count: EntityTexts.capacity - 100)),   // one byte more
    ]

    @Test func everyEntityComesBackExactly() {
        for entity in Self.entities {
            let compact = CompactEntity(entity)
            #expect(compact.entity == entity)
            #expect(compact.json == entity.json)
            #expect(compact.name == entity.name && compact.address == entity.address && compact.tags == entity.tags)
        }
    }

    /// Texts up to `capacity` bytes in all stay inline (no heap array); longer ones spill.
    @Test func textsThatFitStayInline() {
        #expect(CompactEntity(Self.entities[0]).texts.isInline)
        #expect(CompactEntity(Self.entities[5]).texts.isInline)
        #expect(!CompactEntity(Self.entities[6]).texts.isInline)
        #expect(!CompactEntity(Self.entities[4]).texts.isInline)
    }

    /// Packing from bytes, as the journal decoder does, gives what packing the Strings does.
    @Test func packingBytesEqualsPackingStrings() {
        for entity in Self.entities {
            let id = Array(entity.id.utf8), name = Array(entity.name.utf8), address = Array(entity.address.utf8)
            var texts = id.withUnsafeBytes { i in name.withUnsafeBytes { n in address.withUnsafeBytes { a in EntityTexts(id: i, name: n, address: a) } } }
            for tag in entity.tags { Array(tag.utf8).withUnsafeBytes { texts.appendTag($0) } }
            let compact = CompactEntity(kind: entity.kind, industry: entity.industry, region: entity.region,
                                        risk: entity.risk, status: entity.status, texts: texts)
            #expect(compact.entity == entity)
            #expect(compact.hasID(entity.id) && !compact.hasID(entity.id + "0"))
        }
    }

    /// An update takes everything but the id, and leaves the replaced values in the update.
    @Test func anUpdateExchangesEverythingButTheID() {
        var stored = CompactEntity(Self.entities[0])
        var expected = Self.entities[4]
        expected.id = Self.entities[0].id
        var update = CompactEntity(expected)
        stored.exchangeDetails(with: &update)
        #expect(stored.entity == expected)
        #expect(update.id == Self.entities[0].id)
        #expect(update.name == Self.entities[0].name && update.address == Self.entities[0].address && update.tags == ["school"])
        #expect(update.industry == "餐饮服务" && update.region == "仓山区")
    }

    /// Through the state: registration, update (spilling, then inline again) and
    /// deregistration read back as `Entity` values.
    @Test func theDirectoryStoresAndReturnsEntities() throws {
        var state = InspectionState()
        var entity = Self.entities[0]
        try state.apply(Event(seq: 1, at: Timestamp(millis: 0), type: "entity.registered", actor: "system", data: entity.json))
        #expect(state.directory.entity(entity.id) == entity)
        entity.name = Self.long
        try state.apply(Event(seq: 2, at: Timestamp(millis: 1), type: "entity.updated", actor: "system", payload: .compactEntity(CompactEntity(entity))))
        #expect(state.directory.entity(entity.id) == entity)
        entity.name = "短名"
        entity.tags = []
        try state.apply(Event(seq: 3, at: Timestamp(millis: 2), type: "entity.updated", actor: "system", data: entity.json))
        #expect(state.directory.entity(entity.id) == entity)
        #expect(Array(state.directory.entities) == [entity])
    }
}
