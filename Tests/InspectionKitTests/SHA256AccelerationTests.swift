import InspectionKit
import Testing

/// The SHA-NI path and the portable Swift path must agree byte for byte; both are
/// checked on the FIPS 180-2 vectors (the other digest tests use the default, which is
/// the accelerated path on CPUs that have it).
struct SHA256AccelerationTests {
    static func hex(_ text: String, accelerated: Bool) -> String {
        var hasher = SHA256(accelerated: accelerated)
        hasher.update(Array(text.utf8))
        return Hex.encode(hasher.finalize())
    }

    @Test(arguments: [true, false])
    func fipsVectors(accelerated: Bool) {
        #expect(Self.hex("abc", accelerated: accelerated) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", accelerated: accelerated)
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var hasher = SHA256(accelerated: accelerated)
        let chunk = [UInt8](repeating: 0x61, count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        #expect(Hex.encode(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func acceleratedAndPortableAgreeOnRandomInputs() {
        var rng = SystemRandomNumberGenerator()
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 128, 300, 1000, 4097] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var fast = SHA256(accelerated: true)
            var slow = SHA256(accelerated: false)
            // Odd chunking exercises the partial-block buffer of both.
            var i = 0
            while i < bytes.count {
                let n = min(bytes.count - i, Int.random(in: 1...70, using: &rng))
                fast.update(bytes[i..<(i + n)])
                slow.update(bytes[i..<(i + n)])
                i += n
            }
            #expect(fast.finalize() == slow.finalize(), "length \(length)")
        }
    }

    /// `digests(_:_:)` (two messages in lockstep) equals two `digest` calls for every pair
    /// of lengths across the padding boundaries (0…200 bytes each, so one, two or three
    /// full blocks and a one- or two-block tail on either side), for longer unequal pairs,
    /// and on the FIPS 180-2 vectors.
    @Test func pairedDigestsEqualSingleDigests() {
        var state: UInt64 = 0x5A17
        let bytes: [UInt8] = (0..<5000).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        var mismatches: [(Int, Int)] = []
        bytes.withUnsafeBytes { all in
            func check(_ a: Range<Int>, _ b: Range<Int>) {
                let first = UnsafeRawBufferPointer(rebasing: all[a]), second = UnsafeRawBufferPointer(rebasing: all[b])
                let (x, y) = SHA256.digests(first, second)
                if x != SHA256.digest(first) || y != SHA256.digest(second) { mismatches.append((a.count, b.count)) }
            }
            for m in 0...200 {
                for n in 0...200 { check(7..<(7 + m), 1000..<(1000 + n)) }
            }
            for (m, n) in [(4097, 0), (0, 4097), (4096, 300), (433, 1200), (3000, 1999)] { check(0..<m, 1..<(1 + n)) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        let abc = Array("abc".utf8), long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        let (x, y) = abc.withUnsafeBytes { a in long.withUnsafeBytes { b in SHA256.digests(a, b) } }
        #expect(x.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(y.hex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// `digests(of:into:)` (two lanes, each refilled as soon as its message ends) equals a
    /// `digest` per message for every count from 0 to 40 of messages whose lengths cross the
    /// padding boundaries in every order, for long and empty messages mixed, and keeps
    /// each digest at its message's place.
    @Test func laneScheduledDigestsEqualSingleDigests() {
        var state: UInt64 = 0xC0FFEE
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let bytes: [UInt8] = (0..<20_000).map { _ in UInt8(truncatingIfNeeded: next()) }
        var failures: [String] = []
        bytes.withUnsafeBytes { all in
            func check(_ lengths: [Int]) {
                let messages = lengths.map { length -> UnsafeRawBufferPointer in
                    let start = next() % (all.count - length)
                    return UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                }
                var out = [SHA256.Digest](repeating: .zero, count: messages.count)
                messages.withUnsafeBufferPointer { m in out.withUnsafeMutableBufferPointer { SHA256.digests(of: m, into: $0) } }
                if out != messages.map(SHA256.digest) { failures.append("\(lengths)") }
            }
            let boundaries = [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 200, 433, 560]
            for count in 0...40 {
                check((0..<count).map { _ in boundaries[next() % boundaries.count] })
                check((0..<count).map { _ in next() % 700 })
            }
            check([9_000, 0, 0, 0, 1, 433, 433, 12_000, 64])
            check([0, 0])
            check([5_000])
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
    }
}
