import InspectionKit
import Testing

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A deterministic byte pattern long enough to span many blocks.
private let pattern: [UInt8] = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 3) }

struct SHA256Tests {
    /// FIPS 180-2 Appendix B vectors, the empty message, and padding boundaries
    /// (55/56/64 bytes; references from coreutils `sha256sum`).
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
    ])
    func publishedVectors(message: String, expected: String) {
        #expect(SHA256.hexDigest(bytes(message)) == expected)
        #expect(Hex.encode(SHA256.hash(message.utf8)) == expected)
        #expect(bytes(message).withUnsafeBytes { SHA256.hexDigest($0) } == expected)
    }

    @Test func oneMillionA() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hexDigest(message) == expected)

        // The same message through the non-contiguous (copying) path, in uneven pieces.
        var hasher = SHA256()
        hasher.update(repeatElement(UInt8(ascii: "a"), count: 333_333))
        hasher.update(repeatElement(UInt8(ascii: "a"), count: 666_667))
        #expect(Hex.encode(hasher.finalize()) == expected)
    }

    @Test(arguments: [1, 2, 3, 7, 13, 31, 55, 56, 63, 64, 65, 127, 129, 999])
    func incrementalUpdatesMatchOneShot(chunkSize: Int) {
        let expected = SHA256.hash(pattern)
        var hasher = SHA256()
        var start = 0
        while start < pattern.count {
            let end = min(start + chunkSize, pattern.count)
            hasher.update(pattern[start..<end])
            start = end
        }
        #expect(hasher.finalize() == expected)
    }

    @Test func everyPrefixLengthAgreesBetweenOneShotAndSplitUpdates() {
        // Lengths 0…200 cross every padding case; split points exercise the pending buffer.
        for length in 0...200 {
            let message = Array(pattern[..<length])
            let expected = SHA256.hash(message)
            for split in [0, 1, length / 2, max(0, length - 1), length] where split <= length {
                var hasher = SHA256()
                message.withUnsafeBytes { all in
                    hasher.update(UnsafeRawBufferPointer(rebasing: all[..<split]))
                    hasher.update(UnsafeRawBufferPointer(rebasing: all[split...]))
                }
                #expect(hasher.finalize() == expected, "length \(length), split \(split)")
            }
        }
    }

    @Test func finalizeResetsTheHasher() {
        var hasher = SHA256()
        hasher.update(bytes("something else"))
        _ = hasher.finalize()
        hasher.update(bytes("abc"))
        #expect(Hex.encode(hasher.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash([]).count == SHA256.byteCount)
    }
}

struct MD5Tests {
    /// The RFC 1321 §A.5 test suite, plus padding boundaries (references from `md5sum`).
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"),
        (String(repeating: "a", count: 55), "ef1772b6dff9a122358552954ad0df65"),
        (String(repeating: "a", count: 56), "3b0c8ac703f828b04c6c197006d17218"),
        (String(repeating: "a", count: 64), "014842d480b571495a4a0363793f7367"),
    ])
    func rfc1321Suite(message: String, expected: String) {
        #expect(MD5.hexDigest(bytes(message)) == expected)
        #expect(Hex.encode(MD5.hash(message.utf8)) == expected)
        #expect(bytes(message).withUnsafeBytes { Hex.encode(MD5.hash($0)) } == expected)
    }

    @Test(arguments: [1, 3, 7, 55, 63, 64, 65, 200])
    func incrementalUpdatesMatchOneShot(chunkSize: Int) {
        let expected = MD5.hash(pattern)
        var hasher = MD5()
        var start = 0
        while start < pattern.count {
            let end = min(start + chunkSize, pattern.count)
            hasher.update(pattern[start..<end])
            start = end
        }
        #expect(hasher.finalize() == expected)
        #expect(expected.count == MD5.byteCount)
    }
}

struct HexTests {
    @Test func encodesLowercase() {
        #expect(Hex.encode([0x00, 0x01, 0x7f, 0x80, 0xab, 0xff]) == "00017f80abff")
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode((0...3).lazy.map { UInt8($0 * 0x11) }) == "00112233")
    }

    @Test func decodesEitherCase() {
        #expect(Hex.decode("00017f80abff") == [0x00, 0x01, 0x7f, 0x80, 0xab, 0xff])
        #expect(Hex.decode("990DD0A5692A029A98B5E01AA28F3459") == Hex.decode("990dd0a5692a029a98b5e01aa28f3459"))
        #expect(Hex.decode("") == [])
    }

    @Test(arguments: ["0", "abc", "zz", "0g", " 00", "00 ", "éé", "+1"])
    func rejectsMalformed(text: String) {
        #expect(Hex.decode(text) == nil)
    }

    @Test func roundTripsAllByteValues() {
        let all = (0...255).map(UInt8.init)
        #expect(Hex.decode(Hex.encode(all)) == all)
    }
}

struct DigestHexMatchTests {
    /// `matches(lowercaseHex:)` (the snapshot prefix check) agrees with parsing the text,
    /// for every single-character change of a digest's hex, in either position of a byte.
    @Test func agreesWithParsingForEveryOneCharacterChange() {
        let digest = Array("abc".utf8).withUnsafeBytes { SHA256.digest($0) }
        #expect(digest.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let hex = Array(digest.hex.utf8)
        func matches(_ text: [UInt8]) -> Bool { text.withUnsafeBytes { digest.matches(lowercaseHex: $0) } }
        #expect(matches(hex))
        #expect(!matches(Array(hex.dropLast())))
        #expect(!matches(hex + [0x30]))
        #expect(!matches(Array(digest.hex.uppercased().utf8)))
        for i in hex.indices {
            for replacement in Array("0123456789abcdefABCDEFg/:`G ".utf8) where replacement != hex[i] {
                var changed = hex
                changed[i] = replacement
                #expect(!matches(changed), "position \(i), byte \(replacement)")
            }
        }
        // All sixteen digits in every nibble position.
        for value in 0..<16 {
            let words: (UInt64, UInt64, UInt64, UInt64) = (UInt64(value) * 0x1111_1111_1111_1111, UInt64(15 - value) * 0x1111_1111_1111_1111,
                                                     0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210)
            let d = SHA256.Digest(words: words)
            let text = Array(d.hex.utf8)
            #expect(text.withUnsafeBytes { d.matches(lowercaseHex: $0) })
            #expect(text.withUnsafeBytes { SHA256.Digest(lowercaseHex: $0) } == d)
        }
    }
}
