/// 设备代码 → unit number: an open-addressing hash table of unit numbers, with each code's
/// 64-bit hash kept per unit so lookups rarely compare strings and growth never rehashes
/// a string. About 20 bytes per unit, against ~40 for `[String: Int32]`, and no String
/// retain/release or SipHash on the replay path.
///
/// Lookup and insert: expected O(1) (load factor ≤ ½, linear probing).
struct CodeIndex: Sendable {
    /// unit number + 1; 0 is empty. The count is a power of two.
    private var slots: [Int32] = []
    /// The hash of unit n's code.
    private var hashes: [UInt64] = []

    var count: Int { hashes.count }

    /// FNV-1a over the UTF-8 bytes, finished with a MurmurHash3 fmix64 so the low bits
    /// (the slot) depend on every byte.
    @inline(__always) static func hash(_ code: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in code.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        return h ^ (h >> 33)
    }

    func find(_ code: String, units: [EquipmentUnit]) -> Int32? {
        guard !slots.isEmpty else { return nil }
        let h = Self.hash(code)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            let n = Int(slot - 1)
            if hashes[n] == h && units[n].code == code { return Int32(n) }
            i = (i + 1) & mask
        }
    }

    /// Adds the next unit number (`count`) for `code`, which must not be present.
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
