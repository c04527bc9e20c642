@testable import InspectionKit
import Testing

/// An inspection's details packed (`PackedInspectionDetails`) read back exactly, whatever
/// is given; bytes not in that form (a damaged snapshot) read as nil, never trap.
struct PackedInspectionDetailsTests {
    static func pack(report: String?, inspector: Int32?, note: String?) -> [UInt8] {
        var out: [UInt8] = [0xEE]   // something before, as in the arena
        func utf8<T>(_ text: String?, _ then: (UnsafeRawBufferPointer?) -> T) -> T {
            guard let text else { return then(nil) }
            return Array(text.utf8).withUnsafeBytes { then($0) }
        }
        utf8(report) { r in utf8(note) { n in PackedInspectionDetails.write(report: r, inspector: inspector, note: n, into: &out) } }
        #expect(out.first == 0xEE)
        return Array(out.dropFirst())
    }

    static let inspectors: ChunkedArray<String> = ["福建省特种设备检验研究院", "", "福州市特种设备检验所"]

    @Test func everyCombinationReadsBackExactly() {
        let reports: [String?] = [nil, "", "闽特检(2025)第5号", String(repeating: "长", count: 100)]   // 300 bytes: a two-byte length
        let notes: [String?] = [nil, "", "门锁\t\"失效\"\\ \u{1F4CB}", String(repeating: "x", count: 20_000)]
        for report in reports {
            for inspector in [nil, 0, 1, 2] as [Int32?] {
                for note in notes {
                    let packed = Self.pack(report: report, inspector: inspector, note: note)
                    var expected = JSONObject()
                    if let report { expected["report"] = .string(report) }
                    if let inspector { expected["inspector"] = .string(Self.inspectors[Int(inspector)]) }
                    if let note { expected["note"] = .string(note) }
                    #expect(packed.isEmpty == expected.isEmpty)
                    let object = packed.withUnsafeBytes { PackedInspectionDetails.object($0, inspectors: Self.inspectors) }
                    #expect(object == expected, "\(String(describing: report)) \(String(describing: inspector)) \(String(describing: note?.prefix(10)))")
                    #expect(object.map { Array($0.members.map(\.key)) } == Array(expected.members.map(\.key)))   // report, inspector, note
                }
            }
        }
        // A report number and an organisation: 25 bytes packed, 86 as the JSON text kept before.
        #expect(Self.pack(report: "闽特检(2025)第5号", inspector: 0, note: nil).count == 25)
        #expect(#"{"report":"闽特检(2025)第5号","inspector":"福建省特种设备检验研究院"}"#.utf8.count == 86)
    }

    @Test func bytesNotInTheFormReadAsNil() {
        let good = Self.pack(report: "闽特检第1号", inspector: 2, note: "备注")
        #expect(good.withUnsafeBytes { PackedInspectionDetails.object($0, inspectors: Self.inspectors) } != nil)
        var bad: [(String, [UInt8])] = [
            ("no flags", [0]), ("unknown flag", [8]), ("trailing", good + [0]),
            ("inspector out of range", Self.pack(report: nil, inspector: 3, note: nil)),
            ("length past the end", [PackedInspectionDetails.hasReport, 5, 65]),
            ("endless length", [PackedInspectionDetails.hasNote] + [UInt8](repeating: 0xFF, count: 12)),
            ("invalid UTF-8", [PackedInspectionDetails.hasReport, 2, 0xC3, 0x28]),
        ]
        for cut in 1..<good.count { bad.append(("cut at \(cut)", Array(good[..<cut]))) }
        for (name, bytes) in bad {
            #expect(bytes.withUnsafeBytes { PackedInspectionDetails.object($0, inspectors: Self.inspectors) } == nil, "\(name)")
        }
    }

    /// Through the state: inspections name organisations, each stored once; a snapshot
    /// round trip keeps the details and the numbering, and later inspections intern into it.
    @Test func inspectorsAreStoredOnceAndSurviveASnapshot() throws {
        var ledger = try DomainLedger.equipment(now: "2026-07-01T09:00:00+08:00")
        try ledger.register("E1")
        let institutes = ["福建省特种设备检验研究院", "福州市特种设备检验所"]
        for (n, day) in ["2026-02-20", "2026-03-20", "2026-04-20", "2026-05-20"].enumerated() {
            try ledger.run("equipment.inspect", ["code": "E1", "date": .string(day), "conclusion": "pass",
                                                 "report": .string("闽特检第\(n)号"), "inspector": .string(institutes[n % 2])])
        }
        var state = InspectionState()
        for event in ledger.events { try state.apply(event) }
        #expect(Array(state.equipment.inspectors.all) == institutes)
        let loaded = try BinaryDecoder().decode(EquipmentState.self, from: try BinaryEncoder().encode(state.equipment))
        #expect(Array(loaded.inspectors.all) == institutes)
        let shown = { (s: EquipmentState) in Array(s.inspections).map { JSONValue.object(s.details(of: $0)).serialized() } }
        #expect(shown(loaded) == shown(state.equipment))
        #expect(shown(loaded)[3] == #"{"report":"闽特检第3号","inspector":"福州市特种设备检验所"}"#)
    }
}
