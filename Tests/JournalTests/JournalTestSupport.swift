import Foundation
import InspectionKit
@testable import Journal
import Platform

/// A fresh directory under /tmp, removed by `cleanUp()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "inspectd-journal-tests-" + UUID().uuidString.prefix(8)
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

/// Builds valid journal lines with a correct hash chain, for recovery fixtures.
struct ChainBuilder {
    var head = JournalRecord.genesisPrev
    var seq = 0
    var lines: [[UInt8]] = []

    mutating func add(_ text: String, at: String = "2026-11-22T09:30:00.123+08:00") {
        seq += 1
        let record = JournalRecord(seq: seq, at: at, type: "journal.annotated", actor: "uid:1000/zhang",
                                   data: ["text": .string(text)], prev: head)
        let line = record.encoded()
        head = Hex.encode(SHA256.hash(line))
        lines.append(line)
    }

    var fileBytes: [UInt8] { lines.flatMap { $0 + [10] } }
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

func readFile(_ path: String) -> [UInt8] {
    Array(FileManager.default.contents(atPath: path) ?? Data())
}
