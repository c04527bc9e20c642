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
}
