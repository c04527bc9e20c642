@testable import InspectionKit
import Testing

struct ByteArenaTests {
    /// Texts of every size — empty, CJK, across a chunk's end, longer than a chunk — read
    /// back as written, also after a snapshot round trip; a copy is independent.
    @Test func textsReadBackAsWrittenAcrossChunks() throws {
        var arena = ByteArena()
        var texts: [String] = []
        var refs: [ByteArena.Ref] = []
        func add(_ text: String) {
            texts.append(text)
            refs.append(arena.append(text))
        }
        add("")
        for i in 0..<20_000 { add(#"{"report":"闽特检(2025)第\#(i)号","inspector":"福建省特种设备检验研究院"}"#) }   // ~1.6 MiB
        add(String(repeating: "长", count: ByteArena.chunkSize))   // 3 MiB: spans four chunks
        add("")
        add("after")
        #expect(arena.chunks.count == (arena.byteCount + ByteArena.chunkSize - 1) / ByteArena.chunkSize && arena.chunks.count >= 5)
        #expect(arena.chunks.dropLast().allSatisfy { $0.count == ByteArena.chunkSize })
        #expect(arena.byteCount == texts.reduce(0) { $0 + $1.utf8.count })
        for (text, ref) in zip(texts, refs) {
            #expect(arena.string(ref) == text)
            #expect(arena.contains(ref))
        }
        #expect(refs.map(\.offset) == Array(texts.map(\.utf8.count).reduce(into: [0]) { $0.append($0.last! + $1) }.dropLast()))

        let decoded = try BinaryDecoder().decode(ByteArena.self, from: try BinaryEncoder().encode(arena))
        #expect(decoded == arena)
        for (text, ref) in zip(texts, refs) { #expect(decoded.string(ref) == text) }

        var copy = arena
        let extra = copy.append("复制后追加")
        #expect(copy.string(extra) == "复制后追加" && arena.byteCount == copy.byteCount - "复制后追加".utf8.count)
        #expect(!arena.contains(ByteArena.Ref(offset: arena.byteCount, count: 1)) && arena.contains(ByteArena.Ref(offset: arena.byteCount, count: 0)))
    }

    /// A snapshot whose chunks are not full before the last is refused, not misread.
    @Test func aShortChunkBeforeTheLastIsRefused() throws {
        let bytes = try BinaryEncoder().encode([[UInt8](repeating: 65, count: 10), [UInt8](repeating: 66, count: 10)])
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(ByteArena.self, from: bytes) }
    }
}

extension ByteArenaTests {
    /// The snapshot column stores one length per record and relies on the texts lying in
    /// record order; records whose texts do not (or an arena holding more) are written
    /// compacted, and read back the same.
    @Test func detailsOutOfRecordOrderAreWrittenInOrder() throws {
        let one = PackedInspectionDetailsTests.pack(report: "一", inspector: nil, note: nil)
        let two = PackedInspectionDetailsTests.pack(report: "二", inspector: nil, note: nil)
        var arena = ByteArena()
        _ = arena.append("unused")
        let second = two.withUnsafeBytes { arena.append($0) }, first = one.withUnsafeBytes { arena.append($0) }
        var records = ChunkedArray<InspectionRecord>()
        for (seq, ref) in [(1, first), (2, second), (3, ByteArena.Ref.empty)] {
            records.append(InspectionRecord(seq: seq, date: Day(raw: 20_000), kind: .periodic, conclusion: .pass, grade: 0,
                                            certificateDue: nil, nextDue: nil, details: ref))
        }
        let bytes = try BinaryEncoder().encode(InspectionColumns(records, details: arena, inspectors: InternTable()))
        let columns = try BinaryDecoder().decode(InspectionColumns.Decoded.self, from: bytes)
        let (decoded, text) = (columns.records, columns.details)
        #expect(Array(decoded).map { r in text.withBytes(r.details) { Array($0) } } == [one, two, []])
        #expect(text.byteCount == one.count + two.count)
    }
}
