import Foundation
import InspectionKit
@testable import Journal
import Platform
import Testing

/// Chunked scan paths the tests beside it do not reach — resuming from a snapshot
/// position (lseek, line numbers continue), `visit` throwing, an empty file, a file whose
/// lines end exactly on chunk boundaries, and damage fields compared in full.
extension ChunkedScanTests {
    /// Resuming after line k (as from a snapshot) finds, for every chunk size, what a
    /// full scan finds: same count, head, offsets, sparse index and damage line.
    @Test func resumingFromAPositionMatchesAFullScan() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        let chain = chain(lines: JournalScan.indexStride + 400) { ($0 * 7_919) % 700 + ($0 % 151 == 3 ? 9_000 : 0) }
        var bytes = chain.fileBytes
        let offsets = chain.lines.reduce(into: [0]) { $0.append($0.last! + $1.count + 1) }
        // Damage late in the file: a byte of line 1300's text changes, so line 1301's prev fails.
        let x = try #require(chain.lines[1_299].lastIndex(of: UInt8(ascii: "x")))
        bytes[offsets[1_299] + x] = UInt8(ascii: "y")
        writeFile(paths.events, bytes)
        let full = try scan(paths.events, chunkSize: bytes.count + 1)
        #expect(full.count == 1_300 && full.damage?.line == 1_301 && full.damage?.kind == .prev)
        for k in [1, 500, 1_024, 1_025, 1_299] {
            let resume = SnapshotStore.Position(seq: k, lineOffset: offsets[k - 1], bytes: offsets[k],
                                                lineSHA256: Hex.encode(SHA256.hash(chain.lines[k - 1])),
                                                sparseOffsets: full.sparseOffsets.filter { $0 < offsets[k] })
            for size in [bytes.count + 1] + Self.chunkSizes {
                var outcome = try scan(paths.events, chunkSize: size, resume: resume)
                #expect(outcome.visitedSeqs == Array((k + 1)...1_300) && outcome.visited == Array(full.visited.dropFirst(k)), "resume \(k), chunk size \(size)")
                (outcome.visited, outcome.visitedSeqs) = ([], [])
                var expected = full
                (expected.visited, expected.visitedSeqs) = ([], [])
                #expect(outcome == expected, "resume \(k), chunk size \(size)")
            }
        }
    }

    /// `visit` throwing stops the scan with the error, its line, offset and isLastLine
    /// set, in any chunk (the hasher may still be hashing the next chunk).
    @Test func aThrowingVisitStopsAtItsLineInAnyChunk() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        let chain = chain(lines: 600) { ($0 * 31) % 300 }
        writeFile(paths.events, chain.fileBytes)
        let offsets = chain.lines.reduce(into: [0]) { $0.append($0.last! + $1.count + 1) }
        for failAt in [1, 2, 299, 600] {
            for size in [chain.fileBytes.count + 1] + Self.chunkSizes {
                let outcome = try scan(paths.events, chunkSize: size, failAt: failAt)
                #expect(outcome.count == failAt - 1 && outcome.visitedSeqs == Array(1..<failAt), "\(failAt), \(size)")
                #expect(outcome.damage?.kind == .apply && outcome.damage?.line == failAt && outcome.damage?.offset == offsets[failAt - 1]
                        && outcome.damage?.isLastLine == (failAt == 600), "\(failAt), \(size)")
                #expect(outcome.validBytes == offsets[failAt - 1], "\(failAt), \(size)")
                #expect(outcome.head == (failAt == 1 ? JournalRecord.genesisPrev : Hex.encode(SHA256.hash(chain.lines[failAt - 2]))))
            }
        }
    }

    /// An empty file, a file of one line, and lines of exactly the chunk size (each
    /// chunk ends right at a newline, so every carried partial line is empty).
    @Test func emptyFilesAndLinesEndingOnChunkBoundaries() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        writeFile(paths.events, [])
        for size in Self.chunkSizes {
            let outcome = try scan(paths.events, chunkSize: size)
            #expect(outcome.count == 0 && outcome.damage == nil && outcome.head == JournalRecord.genesisPrev && outcome.validBytes == 0)
        }
        var one = ChainBuilder()
        one.add("only")
        writeFile(paths.events, one.fileBytes)
        for size in Self.chunkSizes + [one.fileBytes.count, one.fileBytes.count - 1, one.fileBytes.count + 1] {
            let outcome = try scan(paths.events, chunkSize: size)
            #expect(outcome.count == 1 && outcome.head == one.head && outcome.damage == nil, "\(size)")
        }
        // Lines padded so that each is exactly 256 bytes with its newline.
        var chain = ChainBuilder()
        for _ in 0..<50 {
            var probe = chain
            probe.add("")
            let bare = probe.lines.last!.count + 1
            chain.add(String(repeating: "x", count: 256 - bare))
        }
        #expect(chain.lines.allSatisfy { $0.count == 255 })
        writeFile(paths.events, chain.fileBytes)
        for size in [256, 512, 1_024, 255, 257] {
            let outcome = try scan(paths.events, chunkSize: size)
            #expect(outcome.count == 50 && outcome.head == chain.head && outcome.damage == nil && outcome.validBytes == 50 * 256, "\(size)")
        }
        writeFile(paths.events, Array(chain.fileBytes.dropLast()))   // torn: the last newline lost
        for size in [256, 512, 1_024, 255, 257] {
            let outcome = try scan(paths.events, chunkSize: size)
            #expect(outcome.count == 49 && outcome.damage?.kind == .unterminated && outcome.damage?.line == 50
                    && outcome.damage?.offset == 49 * 256 && outcome.damage?.isLastLine == true, "\(size)")
        }
    }
}

/// The prefix checksum a scan fills (replay, for the first snapshot after it) equals the
/// one-shot checksum of the bytes it read, at every chunk size, fresh or continued from a
/// resume position; a scan that stops early or meets damage gives none.
extension ChunkedScanTests {
    @Test func theScansPrefixChecksumIsTheChecksumOfWhatItRead() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        let chain = chain(lines: 700) { ($0 * 7_919) % 700 + ($0 % 151 == 3 ? 9_000 : 0) }
        let bytes = chain.fileBytes
        writeFile(paths.events, bytes)
        let offsets = chain.lines.reduce(into: [0]) { $0.append($0.last! + $1.count + 1) }
        let whole = SnapshotChecksum.hex(bytes)
        func scanned(_ size: Int, resume: SnapshotStore.Position? = nil, from start: JournalPrefixChecksum = .init(),
                     stopAfter: Int? = nil) throws -> JournalScan {
            let fd = try Sys.open(paths.events, O_RDONLY)
            defer { Sys.close(fd) }
            return try JournalReader.scan(fd: fd, resumingAt: resume, chunkSize: size, prefixChecksum: start) { record, _ in record.seq != stopAfter }
        }
        for size in [bytes.count + 1] + Self.chunkSizes {
            var fresh = try #require(try scanned(size).prefixChecksum, "chunk size \(size)")
            #expect(fresh.covered == bytes.count)
            #expect(fresh.checksum(of: bytes.withUnsafeBytes { $0 }) == whole, "chunk size \(size)")
            #expect(try scanned(size, stopAfter: 300).prefixChecksum == nil, "a scan that stopped early covers unread lines")
            for k in [1, 333, 699] {
                let resume = SnapshotStore.Position(seq: k, lineOffset: offsets[k - 1], bytes: offsets[k],
                                                    lineSHA256: Hex.encode(SHA256.hash(chain.lines[k - 1])), sparseOffsets: [0])
                var start = JournalPrefixChecksum()
                _ = try start.checksum(journal: paths.events, count: offsets[k])   // as start-up's check leaves it
                var continued = try #require(try scanned(size, resume: resume, from: start).prefixChecksum, "resume \(k), chunk size \(size)")
                #expect(try continued.checksum(journal: paths.events, count: bytes.count) == whole, "resume \(k), chunk size \(size)")
                #expect(try scanned(size, resume: resume).prefixChecksum == nil, "a checksum that does not reach the resume position is not continued")
            }
        }
        var damaged = bytes
        damaged[offsets[400] + 30] ^= 0x01
        writeFile(paths.events, damaged)
        #expect(try scanned(4_096).prefixChecksum == nil)
    }
}
