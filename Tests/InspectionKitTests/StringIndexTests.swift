@testable import InspectionKit
import Testing

struct StringIndexTests {
    /// Every key length around the packing limits (8-byte words, 23 bytes packed whole),
    /// keys that share their first 16 bytes (confirmed through `isKey`), CJK text, and
    /// enough keys to grow the table several times: each key finds its own record, and
    /// keys never added — including ones differing only past byte 16 — find nothing.
    @Test func findsEveryKeyAndNothingElse() {
        var keys: [String] = []
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 22, 23, 24, 25, 31, 32, 40, 100] {
            keys.append(String(repeating: "k", count: length))
        }
        let sharedPrefix = "35010220000000000000"   // 20 bytes: packed whole
        let longPrefix = "3501022000000000000000000"   // 25 bytes: only 16 packed
        for i in 0..<3_000 {
            keys.append("\(sharedPrefix)\(i)")
            keys.append("\(longPrefix)\(i)")
            keys.append("福州市鼓楼区五一中路\(i)号")
        }
        var index = StringIndex()
        for key in keys { index.append(key) }
        #expect(index.count == keys.count)
        var confirmations = 0
        for (n, key) in keys.enumerated() {
            let found = index.find(key) { confirmations += 1; return keys[$0] == key }
            #expect(found == Int32(n), "\(key)")
        }
        #expect(confirmations > 0, "long keys are confirmed by the caller")
        for absent in ["kk ", "\(sharedPrefix)x", "\(longPrefix)3000", "\(longPrefix)30000", "福州市鼓楼区五一中路号", "K", "福"] {
            #expect(index.find(absent) { keys[$0] == absent } == nil, "\(absent)")
        }
    }

    /// Keys added in bulk (`append(count:key:)`, as a snapshot's decode builds its indexes)
    /// find the same records as keys added one by one: a first batch that grows the table,
    /// a second that fits in it (placed without a rehash), then single appends.
    @Test func keysAddedInBulkFindWhatSingleAppendsFind() {
        let keys = (0..<1_100).map { i in i % 3 == 0 ? "91350100MA\(i)" : "福州市鼓楼区五一中路\(i)号" }
        var bulk = StringIndex()
        bulk.append(count: 1_000) { keys[$0] }
        bulk.append(count: 20) { keys[1_000 + $0] }   // 1,020 keys fit the 2,048 slots of the first batch
        for n in 0..<1_020 {
            #expect(bulk.find(keys[n]) { keys[$0] == keys[n] } == Int32(n), "\(keys[n]) before any rehash")
        }
        for key in keys[1_020...] { bulk.append(key) }   // grows past 1,024 keys: a rehash
        #expect(bulk.count == keys.count)
        for (n, key) in keys.enumerated() {
            #expect(bulk.find(key) { keys[$0] == key } == Int32(n), "\(key)")
        }
        #expect(bulk.find("91350100MA1") { keys[$0] == "91350100MA1" } == nil)
    }

    /// Keys that are equal as text but not as bytes (é composed and decomposed) are two keys.
    @Test func keysCompareAsBytes() {
        var index = StringIndex()
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        index.append(composed)
        #expect(index.find(composed) { _ in true } == 0)
        #expect(index.find(decomposed) { _ in true } == nil)
    }
    /// The prefetch hint's guess: for a key that is present it is the key's own record, or
    /// (rarely) a record earlier in the probe run with the same 32-bit tag; for a key that
    /// is absent it is nothing, or such a record. Never a record a lookup could not reach.
    @Test func prefetchEntryGuessesTheRecordALookupWouldFind() throws {
        var index = StringIndex()
        let keys = (0..<20_000).map { "TZ3501\($0)" }
        for key in keys { index.append(key) }
        var exact = 0
        for (n, key) in keys.enumerated() {
            let hash = StringIndex.hash(key)
            let guess = index.likelyRecord(hash: hash)
            if guess == n { exact += 1; continue }
            let other = try #require(guess, "\(key) has no candidate")
            #expect(StringIndex.hash(keys[other]) >> 32 == hash >> 32, "\(key): \(other) is not a tag match")
        }
        #expect(exact >= keys.count - 2)
        for absent in ["TZ3501x", "TZ350120000", ""] {
            let hash = StringIndex.hash(absent)
            if let guess = index.likelyRecord(hash: hash) {
                #expect(StringIndex.hash(keys[guess]) >> 32 == hash >> 32)
            }
        }
        #expect(StringIndex().likelyRecord(hash: 12345) == nil)
    }
}
