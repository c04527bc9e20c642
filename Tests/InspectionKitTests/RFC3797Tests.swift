import InspectionKit
import Testing

/// SplitMix64, so random cases are the same on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// RFC 3797 done the slow, obvious way: the digest reduced byte by byte, and the pool
/// kept as an array the pick is removed from. O(n·k).
private func referenceSelect(key: String, poolSize n: Int, count k: Int) -> [Int] {
    var remaining = Array(0..<n)
    var picks: [Int] = []
    for i in 0..<min(k, n) {
        let be16: [UInt8] = [UInt8(i >> 8), UInt8(i & 0xff)]
        let digest = MD5.hash(be16 + Array(key.utf8) + be16)
        var j = 0
        for byte in digest { j = (j * 256 + Int(byte)) % remaining.count }
        picks.append(remaining.remove(at: j))
    }
    return picks
}

struct RFC3797Tests {
    static let section6Key = "9319./2.5.8.10.12./9.18.26.34.41.45./"

    // MARK: Published vector

    @Test func section6Example() throws {
        let sources = try ["9319", "2 5 12 8 10", "9 18 26 34 41 45"].map(RFC3797.parseSource)
        #expect(RFC3797.key(sources: sources) == Self.section6Key)

        let picks = RFC3797.select(key: Self.section6Key, poolSize: 25, count: 16)
        #expect(picks.map { $0 + 1 } == [17, 7, 2, 16, 25, 23, 8, 24, 19, 13, 22, 5, 18, 9, 1, 4])
        #expect(picks.prefix(3) == [16, 6, 1])
    }

    @Test func section6FirstDigest() {
        let message = RFC3797.message(key: Self.section6Key, pick: 0)
        #expect(message == [0, 0] + Array(Self.section6Key.utf8) + [0, 0])
        #expect(Hex.encode(MD5.hash(message)) == "990dd0a5692a029a98b5e01aa28f3459")
        #expect(RFC3797.message(key: "k", pick: 258) == [1, 2, UInt8(ascii: "k"), 1, 2])
    }

    // MARK: Sources and key

    @Test(arguments: [
        ("9319", ["9319"]),
        ("2 5 12 8 10", ["2", "5", "12", "8", "10"]),
        ("9,18,26,34,41,45", ["9", "18", "26", "34", "41", "45"]),
        ("  9, 18 ,26\t34\n41 , 45  ", ["9", "18", "26", "34", "41", "45"]),
        ("007 0 000 0100", ["7", "0", "0", "100"]),
        ("340282366920938463463374607431768211455", ["340282366920938463463374607431768211455"]),
        ("00000000000000000000000000000000000000000000123456789012345678901234567890",
         ["123456789012345678901234567890"]),
        ("3 3 3", ["3", "3", "3"]),
    ])
    func parsesSources(text: String, expected: [String]) throws {
        #expect(try RFC3797.parseSource(text) == expected)
    }

    @Test(arguments: [
        ("12 -5 7", "-5", "negative numbers are not allowed"),
        ("3418.27", "3418.27", "write integers only"),
        ("12 abc", "abc", ""),
        ("1，2", "1，2", "ASCII commas"),
        ("1、2", "1、2", "ASCII commas"),
        ("１２ 3", "１２", "not full-width digits"),
        ("+5", "+5", ""),
        ("0x1F", "0x1F", ""),
        ("5;6", "5;6", "ASCII commas"),
    ])
    func rejectsBadTokensNamingThem(text: String, token: String, hint: String) throws {
        let error = try #require(throws: RFC3797.SourceError.self) { try RFC3797.parseSource(text) }
        #expect(error.code == .invalidToken)
        #expect(error.token == token)
        #expect(error.source == text)
        #expect(error.message.contains("\"\(token)\" is not a non-negative whole number"))
        #expect(error.message.contains("\"\(text)\""))
        #expect(hint.isEmpty || error.message.contains(hint))
    }

    @Test(arguments: [
        ("", RFC3797.SourceError.Code.empty),
        ("   ", .empty),
        ("1,,2", .missingValue),
        ("1, ,2", .missingValue),
        (",1", .missingValue),
        ("1,", .missingValue),
        ("1 2 ,", .missingValue),
        (",", .missingValue),
    ])
    func rejectsEmptyValues(text: String, code: RFC3797.SourceError.Code) throws {
        let error = try #require(throws: RFC3797.SourceError.self) { try RFC3797.parseSource(text) }
        #expect(error.code == code)
        #expect(error.message.contains("\"\(text)\""))
    }

    @Test func keySortsNumericallyNotAsText() {
        #expect(RFC3797.key(sources: [["10", "9", "100", "2", "19"]]) == "2.9.10.19.100./")
        #expect(RFC3797.key(sources: [["5", "5", "1"]]) == "1.5.5./")
    }

    @Test func keyKeepsSourceOrderAndSortsWithinEachSource() {
        #expect(RFC3797.key(sources: [["9", "1"], ["3"], ["2", "8"]]) == "1.9./3./2.8./")
        #expect(RFC3797.key(sources: []) == "")
    }

    @Test func keyHandlesLeadingZerosAndHugeIntegers() throws {
        let huge = "340282366920938463463374607431768211455"  // 2^128 − 1, a `system` source
        let sources = try ["007, 0, 10", "\(huge) 18446744073709551616 00099"].map(RFC3797.parseSource)
        #expect(RFC3797.key(sources: sources) == "0.7.10./99.18446744073709551616.\(huge)./")
        // Values not produced by parseSource still lose their leading zeros.
        #expect(RFC3797.key(sources: [["0010", "000", "9"]]) == "0.9.10./")
    }

    // MARK: Selection

    @Test func countAtLeastPoolSizeReturnsAPermutation() {
        for (n, k) in [(1, 1), (5, 5), (25, 40), (100, 65_535), (1000, 1000), (10, 1_000_000)] {
            let picks = RFC3797.select(key: Self.section6Key, poolSize: n, count: k)
            let isPermutation = picks.sorted().elementsEqual(0..<n)
            #expect(isPermutation, "n \(n), k \(k)")
        }
    }

    @Test func emptyCases() {
        #expect(RFC3797.select(key: Self.section6Key, poolSize: 0, count: 5) == [])
        #expect(RFC3797.select(key: Self.section6Key, poolSize: 10, count: 0) == [])
        #expect(RFC3797.select(key: "", poolSize: 1, count: 1) == [0])
    }

    @Test func prefixOfALongerDrawIsTheShorterDraw() {
        let long = RFC3797.select(key: Self.section6Key, poolSize: 25, count: 25)
        #expect(Array(long.prefix(16)) == RFC3797.select(key: Self.section6Key, poolSize: 25, count: 16))
    }

    @Test func agreesWithTheBruteForceReference() {
        var random = SplitMix64(state: 3797)
        for _ in 0..<300 {
            let n = Int.random(in: 1...300, using: &random)
            let k = Int.random(in: 0...(n + 5), using: &random)
            let sourceCount = Int.random(in: 1...3, using: &random)
            let sources = (0..<sourceCount).map { _ in
                (0..<Int.random(in: 1...6, using: &random)).map { _ in String(UInt64.random(in: 0...99_999, using: &random)) }
            }
            let key = RFC3797.key(sources: sources) + "\(Int.random(in: 1...5, using: &random))./"
            #expect(RFC3797.select(key: key, poolSize: n, count: k) == referenceSelect(key: key, poolSize: n, count: k),
                    "key \(key), n \(n), k \(k)")
        }
    }

    @Test func agreesWithTheReferenceOnAwkwardPoolSizes() {
        // Powers of two and their neighbours exercise the Fenwick descent's edges.
        for n in [1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1023, 1024, 1025] {
            #expect(RFC3797.select(key: "awkward./", poolSize: n, count: n) == referenceSelect(key: "awkward./", poolSize: n, count: n),
                    "n \(n)")
        }
    }

    @Test func largePoolPicksAreDistinctAndInRange() {
        let picks = RFC3797.select(key: Self.section6Key, poolSize: 100_000, count: 2_000)
        #expect(picks.count == 2_000)
        #expect(Set(picks).count == 2_000)
        #expect(picks.allSatisfy { (0..<100_000).contains($0) })
        #expect(Array(picks.prefix(50)) == referenceSelect(key: Self.section6Key, poolSize: 100_000, count: 50))
    }
}
