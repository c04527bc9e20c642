import InspectionKit
@testable import Journal
import Testing

struct JournalRecordTests {
    @Test func encodesTheFixedKeyOrderByteForByte() {
        let record = JournalRecord(seq: 1, at: "2026-11-22T09:30:00.123+08:00", type: "journal.annotated",
                                   actor: "uid:1000/zhang", data: ["text": "抽查 \"A\"\n", "n": 3],
                                   prev: JournalRecord.genesisPrev)
        let expected = #"{"seq":1,"at":"2026-11-22T09:30:00.123+08:00","type":"journal.annotated","actor":"uid:1000/zhang","data":{"text":"抽查 \"A\"\n","n":3},"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#
        #expect(String(decoding: record.encoded(), as: UTF8.self) == expected)
    }

    @Test func decodesWhatItEncodes() throws {
        let record = JournalRecord(seq: 42, at: "2026-01-05T09:00:00.000+08:00", type: "entity.registered",
                                   actor: "system", data: ["id": "91350100M000100Y43", "tags": ["school", "crowded"]],
                                   prev: String(repeating: "ab", count: 32))
        #expect(try JournalRecord.decode(record.encoded()) == record)
    }

    @Test(arguments: [
        (#"{"at":"2026-11-22T09:30:00.123+08:00","seq":1,"type":"a","actor":"x","data":{},"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#, "keys are"),
        (#"{"seq":0,"at":"2026-11-22T09:30:00.123+08:00","type":"a","actor":"x","data":{},"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#, "seq"),
        (#"{"seq":1,"at":"yesterday","type":"a","actor":"x","data":{},"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#, "RFC 3339"),
        (#"{"seq":1,"at":"2026-11-22T09:30:00.123+08:00","type":"A B","actor":"x","data":{},"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#, "type"),
        (#"{"seq":1,"at":"2026-11-22T09:30:00.123+08:00","type":"a","actor":"x","data":[],"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#, "data"),
        (#"{"seq":1,"at":"2026-11-22T09:30:00.123+08:00","type":"a","actor":"x","data":{},"prev":"00"}"#, "prev"),
        (#"{"seq":1,"at":"2026-11-22T09:30:00.123+08:00","type":"a","actor":"x","data":{},"prev":"0000000000000000000000000000000000000000000000000000000000000000""#, "JSON"),
    ])
    func rejectsLinesOfTheWrongShape(line: String, mentions: String) {
        #expect {
            _ = try JournalRecord.decode(Array(line.utf8))
        } throws: { error in
            String(describing: error).contains(mentions)
        }
    }
}
