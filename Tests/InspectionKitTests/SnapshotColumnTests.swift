@testable import InspectionKit
import Testing

/// The columns a snapshot's decode reads in place (`FixedColumn`, `StringColumn`) give back
/// what `BinaryEncoder` wrote, and damage to them is an error, never a trap or a short read.
struct SnapshotColumnTests {
    private struct Columns: Encodable {
        enum CodingKeys: String, CodingKey { case numbers, texts }
        var numbers: [Int32]
        var texts: [String]
    }

    /// Decodes `Columns`' two fields in place.
    private struct InPlace: Decodable {
        var numbers: [Int32] = []
        var texts: [String] = []
        var extraRead: Bool

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Columns.CodingKeys.self)
            let numbers = try c.fixedColumn(.numbers, of: Int32.self)
            var texts = try c.stringColumn(.texts)
            self.numbers = (0..<numbers.count).map { numbers[$0] }
            for _ in 0..<texts.count { self.texts.append(try texts.next()) }
            extraRead = (try? texts.next()) != nil
            try texts.finish()
        }
    }

    @Test func columnsReadInPlaceGiveBackWhatWasEncoded() throws {
        let numbers: [Int32] = [0, 1, -1, .min, .max, 0x0102_0304]
        let texts = ["", "a", "福州市鼓楼区五一中路88号", String(repeating: "长", count: 300), "\u{1F}", "tab\there"]
        let decoded = try BinaryDecoder().decode(InPlace.self, from: try BinaryEncoder().encode(Columns(numbers: numbers, texts: texts)))
        #expect(decoded.numbers == numbers)
        #expect(decoded.texts == texts)
        #expect(!decoded.extraRead, "a string column gave more strings than its count")
    }

    /// Damage: a fixed column whose bytes don't match its count, a string column whose last
    /// string runs past its end, and one with bytes after its last string.
    @Test func damagedColumnsAreErrors() throws {
        let good = try BinaryEncoder().encode(Columns(numbers: [1, 2, 3], texts: ["一", "二"]))
        func decodes(_ bytes: [UInt8]) -> Bool { (try? BinaryDecoder().decode(InPlace.self, from: bytes)) != nil }
        #expect(decodes(good))
        // The numbers' count (the first UInt32 of their value) says 4 instead of 3.
        let numbersCount = try #require(find([3, 0, 0, 0, 1, 0, 0, 0], in: good))
        var longer = good
        longer[numbersCount] = 4
        #expect(!decodes(longer))
        // The texts' count says 3: the third string would start past the column's end.
        let textsCount = try #require(find([2, 0, 0, 0, 3, 0, 0, 0, 0xE4], in: good))   // count 2, then "一" (3 bytes)
        var moreTexts = good
        moreTexts[textsCount] = 3
        #expect(!decodes(moreTexts))
        // The texts' count says 1: the second string is left over.
        var fewerTexts = good
        fewerTexts[textsCount] = 1
        #expect(!decodes(fewerTexts))
    }

    /// A unit snapshot whose columns disagree in length is refused with an error.
    @Test func unitColumnsOfDifferentLengthsAreRefused() throws {
        var ledger = try DomainLedger.equipment()
        try ledger.register("E1", ["nextDue": "2026-02-20"])
        try ledger.register("E2", ["nextDue": "2026-03-20"])
        var columns = UnitColumns(ledger.state.equipment.units, interned: ledger.state.equipment.interned)
        #expect(try BinaryDecoder().decode(UnitColumns.Decoded.self, from: try BinaryEncoder().encode(columns)).units.count == 2)
        columns.days.removeLast()
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(UnitColumns.Decoded.self, from: try BinaryEncoder().encode(columns)) }
        columns = UnitColumns(ledger.state.equipment.units, interned: ledger.state.equipment.interned)
        columns.address.removeLast()
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(UnitColumns.Decoded.self, from: try BinaryEncoder().encode(columns)) }
        columns = UnitColumns(ledger.state.equipment.units, interned: ledger.state.equipment.interned)
        columns.sharedRefs[0] = Int32(columns.shared.count)   // past the shared strings
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(UnitColumns.Decoded.self, from: try BinaryEncoder().encode(columns)) }
        columns.sharedRefs[0] = -1
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(UnitColumns.Decoded.self, from: try BinaryEncoder().encode(columns)) }
    }

    /// The strings units share are stored once and come back shared: units with the same
    /// using unit hold one String storage after a load, every field reads back as it was,
    /// a unit registered after the load is interned against the rebuilt table, and a
    /// snapshot of the loaded state is byte for byte the snapshot it was loaded from.
    @Test func sharedUnitStringsComeBackSharedAndAsTheyWere() throws {
        var ledger = try DomainLedger.equipment()
        let longUser = Fixture.uscc(11), longRegion = "福州市鼓楼区东街街道", longName = "福州市鼓楼区某某物业管理有限公司"
        try ledger.register("E1", ["user": .string(longUser), "region": .string(longRegion), "userName": .string(longName)])
        try ledger.register("E2", ["user": .string(longUser), "region": "鼓楼区", "userName": ""])
        try ledger.register("V1", ["category": "pressure_vessel", "variant": "fixed", "grade": 3, "lastInspected": "2023-03-01"])
        try ledger.register("E3", ["user": .string(longUser), "region": .string(longRegion), "userName": .string(longName)])
        let bytes = try BinaryEncoder().encode(ledger.state)
        var restored = ledger
        restored.replaceState(try BinaryDecoder().decode(InspectionState.self, from: bytes))
        #expect(try BinaryEncoder().encode(restored.state) == bytes, "a snapshot of the loaded state differs")
        for code in ["E1", "E2", "V1", "E3"] {
            let before = try #require(ledger.unit(code)), after = try #require(restored.unit(code))
            #expect([after.user, after.userName, after.region, after.variant ?? "-"] == [before.user, before.userName, before.region, before.variant ?? "-"], "\(code)")
        }
        func storage(_ text: String) -> UnsafeRawPointer? {
            var copy = text
            return copy.withUTF8 { UnsafeRawPointer($0.baseAddress) }
        }
        let e1 = try #require(restored.unit("E1")), e3 = try #require(restored.unit("E3"))
        #expect(storage(e1.user) == storage(e3.user), "the same using unit is one String after a load")
        #expect(storage(e1.region) == storage(e3.region))
        try restored.register("E4", ["user": .string(longUser), "region": .string(longRegion)])
        #expect(storage(try #require(restored.unit("E4")).user) == storage(e1.user), "a new unit is interned against the loaded table")
    }

    /// Entities' shared values (kind, industry, region, risk, status) round-trip for every
    /// kind, status and risk (none included), with tags; two entities of one region share
    /// its String after a load; a position past the shared values is refused.
    @Test func entityColumnsRoundTripAndShareTheirValues() throws {
        var entities = ChunkedArray<Entity>()
        let region = "福州市鼓楼区东街街道", industry = "餐饮服务（含网络订餐）"
        for (n, kind) in EntityKind.allCases.enumerated() {
            for (m, status) in EntityStatus.allCases.enumerated() {
                let risk: RiskClass? = (n + m) % 5 == 4 ? nil : RiskClass.allCases[(n + m) % 4]
                entities.append(Entity(id: Fixture.uscc(n * 10 + m), name: "企业\(n)-\(m)", kind: kind, industry: industry, region: region,
                                       address: "五一中路\(n)号", risk: risk, tags: m % 2 == 0 ? [] : ["school", "crowded"], status: status))
            }
        }
        var columns = try EntityColumns(ChunkedArray(entities.map(CompactEntity.init)))
        let decoded = try BinaryDecoder().decode(EntityColumns.Decoded.self, from: try BinaryEncoder().encode(columns)).entities
        #expect(decoded.map(\.entity) == Array(entities))
        func storage(_ text: String) -> UnsafeRawPointer? {
            var copy = text
            return copy.withUTF8 { UnsafeRawPointer($0.baseAddress) }
        }
        #expect(storage(decoded[0].region) == storage(decoded[1].region), "entities of one region share its String after a load")
        columns.sharedRefs[2] = Int32(columns.shared.count)
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(EntityColumns.Decoded.self, from: try BinaryEncoder().encode(columns)) }
    }

    private func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle }
    }
}
