@testable import InspectionKit
import Testing

/// A snapshot's inspection columns whose detail lengths do not tile the text
/// arena exactly are refused (thrown), never trapped on or misread; a copy taken before
/// appends that overflow into new chunks is unaffected by them.
struct InspectionDetailsColumnTests {
    func columns(_ details: [[UInt8]], inspectors: [String] = ["福建省特种设备检验研究院"]) -> InspectionColumns {
        var arena = ByteArena()
        var records = ChunkedArray<InspectionRecord>()
        for (i, bytes) in details.enumerated() {
            let ref = bytes.withUnsafeBytes { arena.append($0) }
            records.append(InspectionRecord(seq: i + 1, date: Day(raw: 20_000), kind: .periodic, conclusion: .pass, grade: 0,
                                            certificateDue: nil, nextDue: nil, details: ref))
        }
        return InspectionColumns(records, details: arena, inspectors: InternTable(distinct: ChunkedArray(inspectors)))
    }

    func roundTrip(_ columns: InspectionColumns) throws -> (ChunkedArray<InspectionRecord>, details: ByteArena) {
        let decoded = try BinaryDecoder().decode(InspectionColumns.Decoded.self, from: try BinaryEncoder().encode(columns))
        return (decoded.records, decoded.details)
    }

    static func pack(report: String? = nil, inspector: Int32? = nil, note: String? = nil) -> [UInt8] {
        PackedInspectionDetailsTests.pack(report: report, inspector: inspector, note: note)
    }

    @Test func detailLengthsMustTileTheText() throws {
        let details = [Self.pack(report: "闽特检第1号", inspector: 0), [], Self.pack(note: "x"),
                       Self.pack(note: String(repeating: "长", count: ByteArena.chunkSize / 2))]
        let good = columns(details)
        let (records, arena) = try roundTrip(good)
        #expect(Array(records).map { r in arena.withBytes(r.details) { Array($0) } } == details)

        var longer = good; longer.detailsLength[0] += 1                 // past its end into the next text
        var shorter = good; shorter.detailsLength[2] -= 1               // leaves bytes unused
        var negative = good; negative.detailsLength[1] = -1
        var huge = good; huge.detailsLength[3] = Int32.max              // past the arena's end
        var minimum = good; minimum.detailsLength[0] = Int32.min
        var missing = good; missing.detailsLength.removeLast()
        for (name, bad) in [("longer", longer), ("shorter", shorter), ("negative", negative), ("huge", huge),
                            ("min", minimum), ("missing", missing)] {
            #expect(throws: DecodingError.self, "\(name)") { _ = try roundTrip(bad) }
        }
    }

    /// Details whose lengths tile the arena but which are not in the packed form — JSON
    /// text as version 6 kept, an inspector number the snapshot has no name for, a cut
    /// length — are refused at load, not shown as empty details later.
    @Test func detailsNotInThePackedFormAreRefused() throws {
        _ = try roundTrip(columns([Self.pack(report: "闽特检第1号", inspector: 0)]))
        let cut = Self.pack(report: "闽特检第1号")
        for (name, bad) in [("JSON text", Array(#"{"report":"闽特检第1号"}"#.utf8)), ("unknown inspector", Self.pack(inspector: 1)),
                            ("cut", Array(cut.dropLast())), ("invalid UTF-8", [PackedInspectionDetails.hasNote, 1, 0xFF])] {
            #expect(throws: DecodingError.self, "\(name)") { _ = try roundTrip(columns([bad])) }
        }
    }

    /// A copy (what a background snapshot captures) keeps its texts while the original
    /// appends across chunk ends, overflow included; the copy encodes as before.
    @Test func aCopyIsUnaffectedByLaterAppendsAcrossChunks() throws {
        var arena = ByteArena()
        var refs: [(ByteArena.Ref, String)] = []
        for i in 0..<9_000 {
            let text = "检验报告\(i)" + String(repeating: "x", count: i % 200)
            refs.append((arena.append(text), text))
        }
        let copy = arena
        let before = try BinaryEncoder().encode(copy)
        for i in 0..<30_000 { _ = arena.append("追加\(i)" + String(repeating: "y", count: i % 300)) }
        _ = arena.append(String(repeating: "z", count: 3 * ByteArena.chunkSize + 7))
        #expect(try BinaryEncoder().encode(copy) == before)
        for (ref, text) in refs {
            #expect(copy.string(ref) == text)
            #expect(arena.string(ref) == text)
        }
    }
}
