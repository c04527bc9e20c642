@testable import InspectionKit
import Testing

struct TextArenaTests {
    /// Texts of every size — empty, CJK, across a chunk's end, longer than a chunk — read
    /// back as written, also after a snapshot round trip; a copy is independent.
    @Test func textsReadBackAsWrittenAcrossChunks() throws {
        var arena = TextArena()
        var texts: [String] = []
        var refs: [TextArena.Ref] = []
        func add(_ text: String) {
            texts.append(text)
            refs.append(arena.append(text))
        }
        add("")
        for i in 0..<20_000 { add(#"{"report":"闽特检(2025)第\#(i)号","inspector":"福建省特种设备检验研究院"}"#) }   // ~1.6 MiB
        add(String(repeating: "长", count: TextArena.chunkSize))   // 3 MiB: spans four chunks
        add("")
        add("after")
        #expect(arena.chunks.count == (arena.byteCount + TextArena.chunkSize - 1) / TextArena.chunkSize && arena.chunks.count >= 5)
        #expect(arena.chunks.dropLast().allSatisfy { $0.count == TextArena.chunkSize })
        #expect(arena.byteCount == texts.reduce(0) { $0 + $1.utf8.count })
        for (text, ref) in zip(texts, refs) {
            #expect(arena.string(ref) == text)
            #expect(arena.contains(ref))
        }
        #expect(refs.map(\.offset) == Array(texts.map(\.utf8.count).reduce(into: [0]) { $0.append($0.last! + $1) }.dropLast()))

        let decoded = try BinaryDecoder().decode(TextArena.self, from: try BinaryEncoder().encode(arena))
        #expect(decoded == arena)
        for (text, ref) in zip(texts, refs) { #expect(decoded.string(ref) == text) }

        var copy = arena
        let extra = copy.append("复制后追加")
        #expect(copy.string(extra) == "复制后追加" && arena.byteCount == copy.byteCount - "复制后追加".utf8.count)
        #expect(!arena.contains(TextArena.Ref(offset: arena.byteCount, count: 1)) && arena.contains(TextArena.Ref(offset: arena.byteCount, count: 0)))
    }

    /// A snapshot whose chunks are not full before the last is refused, not misread.
    @Test func aShortChunkBeforeTheLastIsRefused() throws {
        let bytes = try BinaryEncoder().encode([[UInt8](repeating: 65, count: 10), [UInt8](repeating: 66, count: 10)])
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(TextArena.self, from: bytes) }
    }
}
