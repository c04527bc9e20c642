/// Key → dense record number (an entity's USCC, a unit's 设备代码): an open-addressing hash
/// table of record numbers, with each key's 64-bit hash kept per record so lookups rarely
/// compare strings and growth never rehashes a string. The keys themselves stay in the
/// records; `find` asks the caller to compare. About 20 bytes per record, against ~40
/// for `[String: Int32]`, and no String retain/release or SipHash on the replay path.
///
/// Lookup and insert: expected O(1) (load factor ≤ ½, linear probing).
struct StringIndex: Sendable {
    /// record number + 1; 0 is empty. The count is a power of two.
    private var slots: [Int32] = []
    /// The hash of record n's key.
    private var hashes: [UInt64] = []

    var count: Int { hashes.count }

    /// Per process (like Swift's own `Hasher`), so ids crafted to collide can't be
    /// precomputed; never persisted, and only lookups depend on it.
    static let seed = UInt64.random(in: .min ... .max)

    /// Eight bytes at a time (multiply-xorshift per word), finished with MurmurHash3's
    /// fmix64 so the low bits (the slot) depend on every byte.

    @inline(__always) static func hash(_ key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { utf8 in
            let raw = UnsafeRawBufferPointer(utf8)
            var h: UInt64 = seed ^ UInt64(raw.count)
            var i = 0
            while i + 8 <= raw.count {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
                h ^= h >> 29
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < raw.count {
                tail |= UInt64(raw[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 33
            h = h &* 0xff51_afd7_ed55_8ccd
            h ^= h >> 33
            h = h &* 0xc4ce_b9fe_1a85_ec53
            return h ^ (h >> 33)
        }
    }

    /// The number of the record whose key is `code`; `isKey(n)` says whether record n's key equals it.
    @inline(__always)
    func find(_ code: String, isKey: (Int) -> Bool) -> Int32? {
        guard !slots.isEmpty else { return nil }
        let h = Self.hash(code)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            let n = Int(slot - 1)
            if hashes[n] == h && isKey(n) { return Int32(n) }
            i = (i + 1) & mask
        }
    }

    /// Adds the next record number (`count`) for `code`, which must not be present.
    mutating func append(_ code: String) {
        let h = Self.hash(code)
        hashes.append(h)
        if hashes.count * 2 > slots.count {
            grow()
        } else {
            place(Int32(hashes.count), hash: h)
        }
    }

    mutating func reserveCapacity(_ n: Int) {
        hashes.reserveCapacity(n)
    }

    private mutating func place(_ slotValue: Int32, hash: UInt64) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = slotValue
    }

    private mutating func grow() {
        var capacity = max(16, slots.count)
        while hashes.count * 2 > capacity { capacity *= 2 }
        slots = [Int32](repeating: 0, count: capacity)
        for (n, h) in hashes.enumerated() { place(Int32(n + 1), hash: h) }
    }
}

/// One shared copy of each distinct string (a unit's using unit, region, variant): a
/// `StringIndex` over the strings, kept in chunks like the registry, so interning during a
/// background snapshot copies a chunk and the index's two flat arrays (~16 MB at a
/// million strings, a few ms) — a `[String: String]` of a million users was copied whole,
/// 190 ms with the state lock held.
struct InternTable: Sendable {
    private var index = StringIndex()
    private var strings = ChunkedArray<String>()

    var count: Int { strings.count }

    /// The shared copy of `text`, adding it if it is new.
    mutating func intern(_ text: String) -> String {
        if let n = index.find(text, isKey: { strings[$0] == text }) { return strings[Int(n)] }
        index.append(text)
        strings.append(text)
        return text
    }
}
