import Foundation
import InspectionKit
@testable import Journal
import Platform
import Testing

/// `scan` reads the file in chunks and hashes each chunk's lines on another thread while
/// it parses the chunk before. Whatever the chunk size — lines cut at every place, lines
/// longer than a chunk — it must find exactly what one chunk holding the whole file finds.
struct ChunkedScanTests {
    struct Outcome: Equatable {
        var count: Int, head: String, validBytes: Int, lastLineOffset: Int, sparseOffsets: [Int]
        var damage: JournalDamage?
        /// The lines `visit` saw, and their seqs.
        var visited: [[UInt8]], visitedSeqs: [Int]
    }

    /// `scan` with `chunkSize`, from `resume` if given; `visit` stops after seq
    /// `stopAfter` and throws (an `.apply` damage) at seq `failAt`.
    func scan(_ path: String, chunkSize: Int, resume: SnapshotStore.Position? = nil,
              stopAfter: Int? = nil, failAt: Int? = nil) throws -> Outcome {
        let fd = try Sys.open(path, O_RDONLY)
        defer { Sys.close(fd) }
        var visited: [[UInt8]] = [], seqs: [Int] = []
        let scan = try JournalReader.scan(fd: fd, resumingAt: resume, chunkSize: chunkSize) { (record, line) throws(JournalDamage) in
            if record.seq == failAt {
                throw JournalDamage(line: 0, offset: 0, expectedSeq: record.seq, claimedSeq: record.seq, kind: .apply,
                                    message: "refused", isLastLine: false)
            }
            visited.append(Array(line))
            seqs.append(record.seq)
            return record.seq != stopAfter
        }
        return Outcome(count: scan.count, head: scan.head, validBytes: scan.validBytes, lastLineOffset: scan.lastLineOffset,
                       sparseOffsets: scan.sparseOffsets, damage: scan.damage, visited: visited, visitedSeqs: seqs)
    }

    /// A chain of lines from ~150 bytes to several chunks long, CJK text included.
    func chain(lines: Int) -> ChainBuilder {
        var chain = ChainBuilder()
        for i in 0..<lines {
            let length = i % 97 == 5 ? 9_000 : (i * 7_919) % 400
            chain.add(i % 3 == 0 ? String(repeating: "检", count: length / 3) : String(repeating: "x", count: length))
        }
        return chain
    }

    /// ASCII lines of the given text lengths.
    func chain(lines: Int, length: (Int) -> Int) -> ChainBuilder {
        var chain = ChainBuilder()
        for i in 0..<lines { chain.add(String(repeating: "x", count: length(i))) }
        return chain
    }

    static let chunkSizes = [16, 100, 1_000, 4_096, 4_097, 65_536]

    @Test func everyChunkSizeFindsWhatOneChunkFinds() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        let chain = chain(lines: JournalScan.indexStride * 2 + 300)
        writeFile(paths.events, chain.fileBytes)
        let whole = try scan(paths.events, chunkSize: chain.fileBytes.count + 1)
        #expect(whole.count == chain.seq && whole.head == chain.head && whole.damage == nil)
        #expect(whole.visited == chain.lines && whole.sparseOffsets.count == 3)
        for size in Self.chunkSizes {
            #expect(try scan(paths.events, chunkSize: size) == whole, "chunk size \(size)")
            let stopped = try scan(paths.events, chunkSize: size, stopAfter: 150)
            #expect(stopped.count == 150 && stopped.visited == Array(chain.lines.prefix(150)), "chunk size \(size)")
        }
    }

    /// A changed byte deep in the file is found at the line after it (its `prev`), and a
    /// torn last line as the unterminated last line, in any chunk.
    @Test func damageIsFoundAtTheSameLineInAnyChunk() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        let chain = chain(lines: 400)
        var edited = chain.fileBytes
        let line300 = chain.lines.prefix(299).reduce(0) { $0 + $1.count + 1 }
        let lastX = try #require(chain.lines[299].lastIndex(of: UInt8(ascii: "x")))   // in line 300's text
        edited[line300 + lastX] = UInt8(ascii: "y")   // still valid, but no longer what line 301 hashed
        writeFile(paths.events, edited)
        for size in [edited.count + 1] + Self.chunkSizes {
            let outcome = try scan(paths.events, chunkSize: size)
            #expect(outcome.damage?.line == 301 && outcome.damage?.kind == .prev && outcome.count == 300, "chunk size \(size): \(String(describing: outcome.damage))")
        }
        let torn = chain.fileBytes.dropLast(30)
        writeFile(paths.events, Array(torn))
        for size in [torn.count + 1] + Self.chunkSizes {
            let outcome = try scan(paths.events, chunkSize: size)
            #expect(outcome.damage?.line == 400 && outcome.damage?.kind == .unterminated && outcome.damage?.isLastLine == true,
                    "chunk size \(size)")
            #expect(outcome.count == 399 && outcome.head == Hex.encode(SHA256.hash(chain.lines[398])), "chunk size \(size)")
        }
    }
}

extension ChunkedScanTests {
    /// Each read-ahead job runs once, on whichever thread claims it first: with a runner
    /// that never runs its jobs (replay's applier holds them back while it is busy), the
    /// scanning thread reads every chunk itself and finds what a full scan finds; the held
    /// jobs, run after the scan, do nothing (the chunks they would read are gone).
    @Test func aReadAheadNoThreadRunsIsReadByTheScan() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        let chain = chain(lines: 700)
        writeFile(paths.events, chain.fileBytes)
        let expected = try scan(paths.events, chunkSize: chain.fileBytes.count + 1)
        let held = Locked<[@Sendable () -> Void]>([])
        let fd = try Sys.open(paths.events, O_RDONLY)
        defer { Sys.close(fd) }
        var seqs: [Int] = []
        let result = try JournalReader.scan(fd: fd, resumingAt: nil, chunkSize: 1_000, visit: { (record, _) throws(JournalDamage) in
            seqs.append(record.seq)
            return true
        }, readingAhead: { job in held.withValue { $0.append(job) } })
        #expect(held.current.count > 10, "the small chunks made jobs the runner held")
        #expect(seqs == expected.visitedSeqs && result.count == expected.count && result.head == expected.head)
        #expect(result.validBytes == expected.validBytes && result.damage == nil)
        for job in held.current { job() }   // already claimed: they must not touch the freed chunks
    }

    /// With `nextRecord` (replay decodes into its batch's slots), each line is decoded into
    /// the slot given, over what an earlier line left there, and the visitor sees that
    /// slot: the records are the ones a plain scan makes.
    @Test func linesDecodedIntoGivenSlotsAreTheSameRecords() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        let chain = chain(lines: 500)
        writeFile(paths.events, chain.fileBytes)
        var plain: [JournalRecord] = []
        let expected = try JournalReader.scan(path: paths.events, visit: { (record, _) throws(JournalDamage) in
            plain.append(record)
            return true
        })
        let slots = UnsafeMutableBufferPointer<JournalRecord>.allocate(capacity: 3)
        slots.initialize(repeating: .blank)
        defer { _ = slots.deinitialize(); slots.deallocate() }
        var given = 0, seen: [JournalRecord] = [], visitedGivenSlot = true
        let result = try JournalReader.scan(path: paths.events, visit: { (record, _) throws(JournalDamage) in
            visitedGivenSlot = visitedGivenSlot && withUnsafeMutablePointer(to: &record) { $0 == slots.baseAddress! + (given - 1) % 3 }
            seen.append(record)
            record.event.replacePayload(.json(JSONObject()))   // as replay's applier leaves it: its values moved out
            return true
        }, nextRecord: {
            defer { given += 1 }
            return slots.baseAddress! + given % 3
        })
        #expect(given == 500 && visitedGivenSlot)
        #expect(seen == plain && result.count == expected.count && result.head == expected.head && result.damage == nil)
    }
}
