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
        let written = try writeSnapshot(in: dir)
        var expected = written.payload
        withUnsafeBytes(of: UInt32(0xDEAD_BEEF).littleEndian) { for i in 0..<4 { expected[8 + i] = $0[i] } }
        let file = readFile(written.path)
        let newline = try #require(file.firstIndex(of: 10))
        #expect(file[newline - 1] == 0x20, "the header is padded into its reserved room")
        switch written.store.load(written.path, journal: written.store.journal) {
        case .failure(let rejected):
            Issue.record("rejected: \(rejected)")
        case .success(let loaded):
            #expect(loaded.position == written.position)
            #expect(Array(loaded.payload) == expected)
            #expect(loaded.journalChecksum == written.journalChecksum)
        }
    }

    /// A snapshot of another version (5: written before `journalChecksum` and the shared
    /// unit strings; 6: inspection details as JSON text; 8: a later one) is refused, as is
    /// a version 7 header without the checksum: start-up then replays the journal.
    @Test func otherVersionsAndAMissingJournalChecksumAreRefused() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let written = try writeSnapshot(in: dir)
        let original = readFile(written.path)
        let newline = try #require(original.firstIndex(of: 10))
        let header = String(decoding: original[..<newline], as: UTF8.self)
        let checksumField = "\"journalChecksum\":\"\(written.journalChecksum)\","
        try #require(header.contains(checksumField) && header.contains("\"version\":7,"))
        func load(_ edit: (String) -> String) -> Result<SnapshotStore.Loaded, SnapshotRejected> {
            var line = Array(edit(header).utf8)
            line += [UInt8](repeating: 0x20, count: newline - line.count)
            writeFile(written.path, line + original[newline...])
            return written.store.load(written.path, journal: written.store.journal)
        }
        guard case .success = load({ $0 }) else {
            Issue.record("the unedited snapshot was refused")
            return
        }
        for (version, edit) in [("5", { (h: String) in h.replacingOccurrences(of: checksumField, with: "").replacingOccurrences(of: "\"version\":7,", with: "\"version\":5,") }),
                                ("6", { (h: String) in h.replacingOccurrences(of: "\"version\":7,", with: "\"version\":6,") }),
                                ("8", { (h: String) in h.replacingOccurrences(of: "\"version\":7,", with: "\"version\":8,") })] {
            guard case .failure(let rejected) = load(edit) else {
                Issue.record("a version \(version) snapshot was accepted")
                continue
            }
            #expect(rejected.reason.contains("not a version 7"), "\(rejected)")
        }
        guard case .failure(let missing) = load({ $0.replacingOccurrences(of: checksumField, with: "") }) else {
            Issue.record("a version 7 snapshot without journalChecksum was accepted")
            return
        }
        #expect(missing.reason.contains("journalChecksum"))
    }

    /// The running journal checksum equals the one-shot `SnapshotChecksum` of the same
    /// bytes at every length: continued from a shorter prefix, started over for a shorter
    /// one, and refused for more bytes than the file has.
    @Test func theRunningJournalChecksumEqualsTheWholeOne() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let bytes = [UInt8]((0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ 3) })
        let path = dir.path + "/events.jsonl"
        writeFile(path, bytes)
        var running = JournalPrefixChecksum()
        for count in [0, 1, 31, 32, 33, 64, 1_000, 4_097, 99_999, 100_003, 5_000, 63, 100_000] {
            let whole = bytes.withUnsafeBytes { SnapshotChecksum.hex(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            #expect(try running.checksum(journal: path, count: count) == whole, "\(count) bytes")
            #expect(running.absorbed == count & ~31)
        }
        #expect(throws: SystemError.self) { try running.checksum(journal: path, count: bytes.count + 1) }
    }

    /// Three journal lines and a snapshot of them whose payload is written in two pieces
    /// and then patched (as `BinaryEncoder` does).
    private func writeSnapshot(in dir: TemporaryDirectory) throws
        -> (store: SnapshotStore, path: String, position: SnapshotStore.Position, payload: [UInt8], journalChecksum: String)
    {
        var chain = ChainBuilder()
        for i in 1...3 { chain.add("第\(i)行") }
        let paths = JournalPaths(directory: dir.path)
        writeFile(paths.events, chain.fileBytes)
        let lastOffset = chain.lines.dropLast().reduce(0) { $0 + $1.count + 1 }
        let position = SnapshotStore.Position(seq: 3, lineOffset: lastOffset, bytes: chain.fileBytes.count,
                                              lineSHA256: Hex.encode(SHA256.hash(chain.lines[2])), sparseOffsets: [0])
        let payload = [UInt8]((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let store = SnapshotStore(paths: paths)
        let journalChecksum = SnapshotChecksum.hex(chain.fileBytes)
        let (path, payloadBytes) = try store.write(position: position, journalChecksum: journalChecksum,
                                                   createdAt: "2026-11-30T09:00:00.000+08:00") { file in
            try payload.withUnsafeBytes { raw in
                try file.append(UnsafeRawBufferPointer(rebasing: raw[..<60_000]))
                try file.append(UnsafeRawBufferPointer(rebasing: raw[60_000...]))
            }
            try file.patch32(at: 8, 0xDEAD_BEEF)
        }
        #expect(payloadBytes == payload.count)
        return (store, path, position, payload, journalChecksum)
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
