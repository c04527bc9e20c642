import InspectionKit
import Testing

/// `validUTF8String()` and `isValidUTF8` (the journal reader's string checks) against
/// the standard library's `String(validating:as:)`, byte for byte.
struct UTF8ValidationTests {
    @Test func agreesWithTheStandardLibraryOnEveryOneAndTwoByteSequence() {
        var disagreements: [[UInt8]] = []
        for a in 0...255 {
            check([UInt8(a)], &disagreements)
            for b in 0...255 { check([UInt8(a), UInt8(b)], &disagreements) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }

    /// Three- and four-byte sequences around every boundary of table 3-7 (overlong forms,
    /// surrogates, above U+10FFFF, truncated), and random mixes with ASCII runs so that the
    /// eight-at-a-time ASCII step meets them at every alignment.
    @Test func agreesWithTheStandardLibraryAtTheBoundariesAndOnRandomText() {
        var disagreements: [[UInt8]] = []
        let leads: [UInt8] = [0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        let tails: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0]
        for lead in leads {
            for t1 in tails {
                for t2 in tails {
                    check([lead, t1, t2], &disagreements)
                    for t3 in tails { check([lead, t1, t2, t3], &disagreements) }
                }
            }
        }
        var state: UInt64 = 0x5EED
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        let pieces: [[UInt8]] = [Array("福州".utf8), Array("😀".utf8), Array("é".utf8), Array("abcdefghij".utf8), [0x41], [0x80], [0xE5, 0x8F], [0xF0, 0x9F], [0xED, 0xA0, 0x80], [0xFF]]
        for _ in 0..<50_000 {
            var bytes: [UInt8] = []
            for _ in 0..<(1 + next() % 6) { bytes += pieces[Int(next() % UInt64(pieces.count))] }
            check(bytes, &disagreements)
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }

    private func check(_ bytes: [UInt8], _ disagreements: inout [[UInt8]]) {
        let ours = bytes.withUnsafeBytes { $0.validUTF8String() }
        let theirs = String(validating: bytes, as: UTF8.self)
        let inPlace = bytes.withUnsafeBytes { $0.isValidUTF8 }
        if ours.map({ Array($0.utf8) }) != theirs.map({ Array($0.utf8) }) || ours.map({ Array($0.utf8) == bytes }) == false
            || inPlace != (theirs != nil) {
            disagreements.append(bytes)
        }
    }
}
