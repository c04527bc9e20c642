import Foundation
import InspectionKit
@testable import Journal
import Platform
import Testing

struct JournalWriterTests {
    @Test func chainsEveryLineToTheSHA256OfThePreviousStoredBytes() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        let writer = try JournalWriter(paths: paths, continuingFrom: JournalScan())
        let records = try writer.stage((1...5).map { NewEvent("journal.annotated", ["text": .string("第\($0)条")]) },
                                       at: "2026-11-22T09:30:00.123+08:00", actor: "uid:0/root")
        try writer.waitUntilDurable(5)
        writer.close()

        #expect(records.map(\.seq) == [1, 2, 3, 4, 5])
        let lines = readFile(paths.events).split(separator: 10, omittingEmptySubsequences: false)
        #expect(lines.count == 6 && lines[5].isEmpty)   // every line ends in \n
        var previous = JournalRecord.genesisPrev
        for (index, line) in lines.prefix(5).enumerated() {
            let record = try JournalRecord.decode(Array(line))
            #expect(record.seq == index + 1)
            #expect(record.prev == previous)
            previous = Hex.encode(SHA256.hash(Array(line)))
        }
        #expect(writer.durable.head == previous)
        #expect(writer.durable.bytes == readFile(paths.events).count)
    }

    @Test func continuesAnExistingChainAfterAScan() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        var chain = ChainBuilder()
        for i in 1...3 { chain.add("old \(i)") }
        writeFile(paths.events, chain.fileBytes)
        let writer = try JournalWriter(paths: paths, continuingFrom: try JournalReader.scan(path: paths.events))
        let record = try writer.stage([NewEvent("journal.annotated", ["text": "new"])], at: "2026-11-22T10:00:00.000+08:00", actor: "system")
        try writer.waitUntilDurable(4)
        writer.close()
        #expect(record[0].seq == 4)
        #expect(record[0].prev == chain.head)
        let scan = try JournalReader.scan(path: paths.events)
        #expect(scan.count == 4 && scan.damage == nil)
    }

    @Test func refusesToAppendToAFileThatChangedSinceItsScan() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        var chain = ChainBuilder()
        chain.add("one")
        writeFile(paths.events, chain.fileBytes + Array("torn".utf8))
        #expect(throws: SystemError.self) {
            _ = try JournalWriter(paths: paths, continuingFrom: try JournalReader.scan(path: paths.events))
        }
    }

    @Test func concurrentStagersShareFsyncs() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let paths = JournalPaths(directory: dir.path)
        let writer = try JournalWriter(paths: paths, continuingFrom: JournalScan())
        let gate = ConditionLock()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<50 {
                let seq: Int = gate.withLock {   // the daemon's state lock orders staging
                    try! writer.stage([NewEvent("journal.annotated", ["text": .string("\(worker)-\(i)")])],
                                      at: "2026-11-22T09:30:00.123+08:00", actor: "system")[0].seq
                }
                try! writer.waitUntilDurable(seq)
            }
        }
        let stats = writer.statistics
        writer.close()
        #expect(stats.events == 400)
        #expect(stats.commits <= 400)
        let scan = try JournalReader.scan(path: paths.events)
        #expect(scan.count == 400 && scan.damage == nil)
    }

    @Test func stagingAfterCloseIsUnavailable() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let writer = try JournalWriter(paths: JournalPaths(directory: dir.path), continuingFrom: JournalScan())
        writer.close()
        #expect(throws: JournalUnavailable.self) {
            _ = try writer.stage([NewEvent("journal.annotated", ["text": "late"])], at: "2026-11-22T09:30:00.123+08:00", actor: "system")
        }
    }
}

struct JournalLockTests {
    @Test func aSecondHolderIsToldWhoHasIt() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.path + "/LOCK"
        let first = try JournalLock(path: path)
        do {
            _ = try JournalLock(path: path)
            Issue.record("second lock succeeded")
        } catch {
            #expect(error.description == "journal in use by pid \(Sys.processID) (lock \(path))")
        }
        withExtendedLifetime(first) {}
    }

    @Test func theLockIsFreeAgainOnceReleased() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanUp() }
        let path = dir.path + "/LOCK"
        do { _ = try JournalLock(path: path) }
        _ = try JournalLock(path: path)
    }
}
