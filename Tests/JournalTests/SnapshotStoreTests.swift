import Foundation
import InspectionKit
@testable import Journal
import Platform
import Testing

struct SnapshotStoreTests {
    /// A snapshot streamed to disk (header written last into reserved, space-padded room)
    /// loads back: header fields, payload and checksum, against the journal it describes.
    @Test func aStreamedSnapshotLoadsBack() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        var chain = ChainBuilder()
        for i in 1...3 { chain.add("第\(i)行") }
        let paths = JournalPaths(directory: dir.path)
        writeFile(paths.events, chain.fileBytes)
        let lastOffset = chain.lines.dropLast().reduce(0) { $0 + $1.count + 1 }
        let position = SnapshotStore.Position(seq: 3, lineOffset: lastOffset, bytes: chain.fileBytes.count,
                                              lineSHA256: Hex.encode(SHA256.hash(chain.lines[2])), sparseOffsets: [0])
        let payload = [UInt8]((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let store = SnapshotStore(paths: paths)
        let (path, payloadBytes) = try store.write(position: position, createdAt: "2026-11-30T09:00:00.000+08:00") { file in
            try payload.withUnsafeBytes { raw in
                try file.append(UnsafeRawBufferPointer(rebasing: raw[..<60_000]))
                try file.append(UnsafeRawBufferPointer(rebasing: raw[60_000...]))
            }
            try file.patch32(at: 8, 0xDEAD_BEEF)
        }
        #expect(payloadBytes == payload.count)
        var expected = payload
        withUnsafeBytes(of: UInt32(0xDEAD_BEEF).littleEndian) { for i in 0..<4 { expected[8 + i] = $0[i] } }
        let file = readFile(path)
        let newline = try #require(file.firstIndex(of: 10))
        #expect(file[newline - 1] == 0x20, "the header is padded into its reserved room")
        switch store.load(path, journal: paths.events) {
        case .failure(let rejected):
            Issue.record("rejected: \(rejected)")
        case .success(let loaded):
            #expect(loaded.position == position)
            #expect(Array(loaded.payload) == expected)
        }
    }

    /// The checksum read back from the file in 4 MB pieces equals the one computed over
    /// the bytes in memory, for lengths around the piece and block sizes.
    @Test(arguments: [0, 31, 32, 4 << 20, (4 << 20) + 1, (9 << 20) + 17])
    func theChecksumReadInPiecesEqualsTheWholeOne(_ count: Int) throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.path + "/payload"
        let bytes = [UInt8]((0..<(count + 5)).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) })
        writeFile(path, bytes)
        let fd = try Sys.open(path, O_RDONLY)
        defer { Sys.close(fd) }
        let whole = bytes.withUnsafeBytes { SnapshotChecksum.hex(UnsafeRawBufferPointer(rebasing: $0[5...])) }
        #expect(try SnapshotChecksum.hex(fd: fd, from: 5, count: count) == whole)
    }
}
