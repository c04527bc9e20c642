@testable import InspectionKit
import Testing

/// `UnitTexts` packs a unit's code, registration number and address into one buffer:
/// every combination comes back exactly, inline while it fits, and the registry behaves
/// as with three Strings (lookups, updates, snapshots, order by code).
struct UnitTextsTests {
    static let long = String(repeating: "福州市鼓楼区五一中路", count: 4)   // 120 bytes: more than fits inline

    static let cases: [(code: String, registration: String, address: String)] = [
        ("35010220000000000001", "梯11闽A00001(20)", "福州市鼓楼区五一路1号"),
        ("E1", "", ""),
        ("", "", ""),
        ("E2", "", long),
        ("E3", long, "乙"),
        ("E4", "x", String(repeating: "y", count: UnitTexts.capacity - 3)),   // exactly full
        ("E5", "x", String(repeating: "y", count: UnitTexts.capacity - 2)),   // one byte more
    ]

    static func packedFromBytes(_ c: (code: String, registration: String, address: String)) -> UnitTexts {
        Array(c.code.utf8).withUnsafeBytes { code in
            Array(c.registration.utf8).withUnsafeBytes { registration in
                Array(c.address.utf8).withUnsafeBytes { address in UnitTexts(code: code, registration: registration, address: address) }
            }
        }
    }

    @Test func everyCombinationComesBackExactly() {
        for c in Self.cases {
            let texts = UnitTexts(code: c.code, registration: c.registration, address: c.address)
            #expect(texts.code == c.code && texts.registration == c.registration && texts.address == c.address)
            #expect(Self.packedFromBytes(c) == texts)
            #expect(texts.hasCode(c.code) && !texts.hasCode(c.code + "0"))
            let replaced = texts.replacing(registration: "新证号", address: Self.long)
            #expect(replaced.code == c.code && replaced.registration == "新证号" && replaced.address == Self.long)
            #expect(replaced.replacing(address: c.address).address == c.address)
        }
        #expect(UnitTexts(code: "A", registration: "BC", address: "") != UnitTexts(code: "AB", registration: "C", address: ""))
    }

    @Test func textsThatFitStayInline() {
        #expect(Self.cases.map { UnitTexts(code: $0.code, registration: $0.registration, address: $0.address).isInline }
                == [true, true, true, false, false, true, false])
    }

    /// Codes sort by their bytes: as Strings do for the digit codes units have, and with no
    /// String made.
    @Test func codesSortByTheirBytes() {
        let codes = ["3501", "350", "35010220000000000002", "35010220000000000010", "", "E1", "e1", "电梯1", "3501a"]
        let sorted = codes.map { UnitTexts(code: $0, registration: "", address: "") }
            .sorted { $0.codePrecedes($1) }.map(\.code)
        #expect(sorted == codes.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(sorted.filter { $0.allSatisfy(\.isASCII) } == codes.filter { $0.allSatisfy(\.isASCII) }.sorted())
    }

    /// Through the state: a unit with spilled texts is found by its code, an update of its
    /// registration number and address keeps its code, and a snapshot keeps all three.
    @Test func theRegistryKeepsPackedTextsThroughUpdatesAndSnapshots() throws {
        var ledger = try DomainLedger.equipment(now: "2026-07-01T09:00:00+08:00")
        try ledger.register("E2", ["registration": "梯11闽A00002(20)"])
        try ledger.register("E1", ["address": .string(Self.long)])
        try ledger.run("equipment.update", ["code": "E1", "registration": "梯11闽A00001(21)", "address": "福州市台江区八一七中路1号"])
        try ledger.run("equipment.update", ["code": "E2", "address": .string(Self.long + "之二")])
        var state = InspectionState()
        for event in ledger.events { try state.apply(event) }
        let loaded = try BinaryDecoder().decode(EquipmentState.self, from: try BinaryEncoder().encode(state.equipment))
        for equipment in [ledger.state.equipment, state.equipment, loaded] {
            let e1 = try #require(equipment.unit("E1")), e2 = try #require(equipment.unit("E2"))
            #expect(e1.code == "E1" && e1.registration == "梯11闽A00001(21)" && e1.address == "福州市台江区八一七中路1号")
            #expect(e2.code == "E2" && e2.registration == "梯11闽A00002(20)" && e2.address == Self.long + "之二")
            #expect(!e2.texts.isInline)
            #expect(equipment.unit("E3") == nil)
        }
        let listed = try ledger.run("equipment.list", [:]).objectValue?["units"]?.arrayValue?.compactMap { $0.objectValue?["code"]?.stringValue }
        #expect(listed == ["E1", "E2"])
    }
}
