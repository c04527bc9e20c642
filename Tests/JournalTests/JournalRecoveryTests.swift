import Foundation
import InspectionKit
@testable import Journal
import Platform
import Testing

/// SPEC §4 recovery: a torn last line is quarantined; damage before it stops the start.
struct JournalRecoveryTests {
    enum Fixture: String, CaseIterable, CustomTestStringConvertible {
        case noTrailingNewline, garbageTail, wrongPrevOnLastLine, damageInTheMiddle, emptyFile, onlyATornLine,
             seqGapInTheMiddle, intact
        var testDescription: String { rawValue }
    }

    struct Expectation {
        var validEvents: Int
        var damage: JournalDamage.Kind?
        var damagedLine: Int?
        var repairable: Bool
    }

    static func build(_ fixture: Fixture) -> (bytes: [UInt8], expect: Expectation) {
        var chain = ChainBuilder()
        for i in 1...3 { chain.add("note \(i)") }
        var bytes = chain.fileBytes
        switch fixture {
        case .intact:
            return (bytes, Expectation(validEvents: 3, damage: nil, damagedLine: nil, repairable: false))
        case .noTrailingNewline:
            chain.add("note 4")
            bytes += chain.lines[3]   // complete JSON, no \n
            return (bytes, Expectation(validEvents: 3, damage: .unterminated, damagedLine: 4, repairable: true))
        case .garbageTail:
            bytes += Array(#"{"seq":4,"at":"2026-11-22T09:3"#.utf8)
            return (bytes, Expectation(validEvents: 3, damage: .unterminated, damagedLine: 4, repairable: true))
        case .wrongPrevOnLastLine:
            let record = JournalRecord(seq: 4, at: "2026-11-22T09:30:00.123+08:00", type: "journal.annotated",
                                       actor: "uid:1000/zhang", data: ["text": "forged"], prev: String(repeating: "1", count: 64))
            bytes += record.encoded() + [10]
            // Complete and well-formed, so not a torn write: it must stop the start.
            return (bytes, Expectation(validEvents: 3, damage: .prev, damagedLine: 4, repairable: false))
        case .damageInTheMiddle:
            chain.add("note 4")
            var lines = chain.lines
            lines[1] = Array(String(decoding: lines[1], as: UTF8.self).replacingOccurrences(of: "note 2", with: "note X").utf8)
            bytes = lines.flatMap { $0 + [10] }
            // Line 2 itself is valid; line 3's prev no longer matches it.
            return (bytes, Expectation(validEvents: 2, damage: .prev, damagedLine: 3, repairable: false))
        case .seqGapInTheMiddle:
            chain.add("note 4")
            var lines = chain.lines
            lines.remove(at: 1)
            bytes = lines.flatMap { $0 + [10] }
            return (bytes, Expectation(validEvents: 1, damage: .seq, damagedLine: 2, repairable: false))
        case .emptyFile:
            return ([], Expectation(validEvents: 0, damage: nil, damagedLine: nil, repairable: false))
        case .onlyATornLine:
            return (Array(#"{"seq":1,"at":"2026"#.utf8), Expectation(validEvents: 0, damage: .unterminated, damagedLine: 1, repairable: true))
        }
    }

    @Test(arguments: Fixture.allCases)
    func scanFindsExactlyTheDamage(fixture: Fixture) throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        let (bytes, expect) = Self.build(fixture)
        writeFile(paths.events, bytes)

        let scan = try JournalReader.scan(path: paths.events)
        #expect(scan.count == expect.validEvents)
        #expect(scan.damage?.kind == expect.damage)
        #expect(scan.damage?.line == expect.damagedLine)
        #expect((scan.damage?.isRepairableTornTail ?? false) == expect.repairable)
        #expect(scan.fileBytes == bytes.count)
    }

    @Test(arguments: Fixture.allCases.filter { build($0).expect.repairable })
    func quarantineMovesTheTornTailByteForByte(fixture: Fixture) throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        let (bytes, _) = Self.build(fixture)
        writeFile(paths.events, bytes)

        let scan = try JournalReader.scan(path: paths.events)
        let torn = try JournalRecovery.quarantineTornTail(paths: paths, scan: scan, utcStamp: "20261122T013000Z")

        #expect(torn.file == "events.jsonl.torn-20261122T013000Z")
        #expect(readFile(paths.events) == Array(bytes[0..<scan.validBytes]))
        #expect(readFile(dir.path + "/" + torn.file) == Array(bytes[scan.validBytes...]))
        #expect(torn.bytes == bytes.count - scan.validBytes)
        let rescan = try JournalReader.scan(path: paths.events)
        #expect(rescan.damage == nil)
        #expect(rescan.count == scan.count)

        // A second repair in the same second never overwrites the first quarantine file.
        writeFile(paths.events, bytes)
        let again = try JournalRecovery.quarantineTornTail(paths: paths, scan: try JournalReader.scan(path: paths.events),
                                                           utcStamp: "20261122T013000Z")
        #expect(again.file == "events.jsonl.torn-20261122T013000Z-2")
    }

    @Test func damageMessageNamesLineAndSeq() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        writeFile(paths.events, Self.build(.damageInTheMiddle).bytes)
        let damage = try #require(try JournalReader.scan(path: paths.events).damage)
        #expect(damage.description.hasPrefix("line 3 (seq 3): prev"))
    }

    @Test func missingFileReadsAsEmpty() throws {
        let scan = try JournalReader.scan(path: "/nonexistent/inspectd/events.jsonl")
        #expect(scan.count == 0 && scan.damage == nil && scan.head == JournalRecord.genesisPrev)
    }

    @Test func readsLinesLongerThanTheBuffer() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        var chain = ChainBuilder()
        chain.add("short")
        chain.add(String(repeating: "长", count: JournalReader.bufferSize / 2))   // ~12 MiB of UTF-8
        chain.add("after")
        writeFile(paths.events, chain.fileBytes)
        let scan = try JournalReader.scan(path: paths.events)
        #expect(scan.damage == nil)
        #expect(scan.count == 3)
        #expect(scan.head == chain.head)
    }
}
