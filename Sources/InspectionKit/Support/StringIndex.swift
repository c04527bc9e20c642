import CSHA256

/// Key → dense record number (an entity's USCC, a unit's 设备代码): an open-addressing hash
/// table of record numbers, each slot carrying 32 bits of its key's hash so that other
/// keys in the probe run are passed over without reading their records.
///
/// A lookup touches two cache lines: the slot and the record, whose key `isKey` compares
/// (records keep their keys' bytes inline, `CompactEntity`, `UnitTexts`: `apply` reads the
/// record next anyway). Until the keys were inline the table kept each key packed beside
/// its hash (32 bytes a key) so as not to reach for a record's String: looking through
/// the records' own Strings cost four misses — slot, hash, record, string storage. Keys
/// are compared as bytes.
///
/// Lookup and insert: expected O(1) (load factor ≤ ½, linear probing). About 24 bytes a
/// record (16 of slots, 8 of hash, kept to place the records again when the slots grow);
/// the hashes live in chunks like the registry, so an insert during a background snapshot
/// copies one chunk and the flat slot array.
struct StringIndex: Sendable {
    /// 0 is empty; else the high 32 bits of the key's hash above record number + 1.
    /// The count is a power of two.
    private var slots: [UInt64] = []
    /// Each record's hash, for placing it again when the slots grow.
    private var hashes = ChunkedArray<UInt64>()

    var count: Int { hashes.count }

    /// Per process (like Swift's own `Hasher`), so ids crafted to collide can't be
    /// precomputed; never persisted, and only lookups depend on it.
    static let seed = UInt64.random(in: .min ... .max)

    /// The key's hash: eight bytes at a time (multiply-xorshift per word; a key shorter
    /// than 24 bytes as three words with its length in the last byte), finished with
    /// MurmurHash3's fmix64 so the low bits (the slot) depend on every byte.
    @inline(__always) static func hash(_ key: String) -> UInt64 {
        if let hash = key.utf8.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) { return hash }
        var copy = key
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always) static func hash(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        @inline(__always) func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
            let x = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            return x ^ (x >> 29)
        }
        let n = raw.count
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var h: UInt64 = seed ^ UInt64(n)
        if n < 24 {
            withUnsafeMutableBytes(of: &words) { out in
                if n > 0 { out.baseAddress!.copyMemory(from: raw.baseAddress!, byteCount: n) }
                out[23] = UInt8(n)
            }
            h = mix(mix(mix(h, words.0), words.1), words.2)
        } else {
            var i = 0
            while i + 8 <= n {
                h = mix(h, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(raw[i]) << shift
                shift += 8
                i += 1
            }
            h = mix(h, tail)
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    /// The number of the record whose key is `key`; `isKey(n)` says whether record n's key
    /// equals it (asked for each record whose slot carries the key's 32-bit tag: almost
    /// always just the one).
    @inline(__always)
    func find(_ key: String, isKey: (Int) -> Bool) -> Int32? {
        find(hash: Self.hash(key), isKey: isKey)
    }

    /// `find` for a key already hashed (`hash`).
    @inline(__always)
    func find(hash h: UInt64, isKey: (Int) -> Bool) -> Int32? {
        guard !slots.isEmpty else { return nil }
        let tag = h >> 32
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            if slot >> 32 == tag {
                let n = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                if isKey(n) { return Int32(n) }
            }
            i = (i + 1) & mask
        }
    }

    // MARK: Prefetching (hints only: they change nothing, and a wrong guess costs a load)

    /// One stage of replay's prefetch of a lookup of a key with this `hash` (`InspectionState.prefetch`):
    /// `.slot` asks for its slot; `.record` reads that slot and returns the record number
    /// the lookup will most likely find, for the caller to prefetch the record, whose key
    /// the lookup compares.
    @inline(__always)
    func prefetch(hash: UInt64, stage: InspectionState.PrefetchStage) -> Int? {
        switch stage {
        case .slot:
            prefetchSlot(hash: hash)
            return nil
        case .record:
            return likelyRecord(hash: hash)
        }
    }

    /// Starts loading the slot a lookup of `hash` (from `pack`) reads first.
    @inline(__always)
    func prefetchSlot(hash: UInt64) {
        guard !slots.isEmpty else { return }
        slots.withUnsafeBufferPointer { cprefetch($0.baseAddress! + (Int(truncatingIfNeeded: hash) & ($0.count - 1))) }
    }

    /// The record number a lookup of `hash` most likely ends at (the first slot whose tag
    /// matches, read now: `prefetchSlot` asked for it earlier); nil if the probe meets no
    /// candidate. Not a lookup: the key is not compared.
    @inline(__always)
    func likelyRecord(hash: UInt64) -> Int? {
        guard !slots.isEmpty else { return nil }
        let tag = hash >> 32
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            if slot >> 32 == tag {
                return Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
            }
            i = (i + 1) & mask
        }
    }

    /// Adds the next record number (`count`) for `key`, which must not be present.
    mutating func append(_ key: String) {
        append(hash: Self.hash(key))
    }

    /// The same for a key already hashed (`hash`).
    mutating func append(hash h: UInt64) {
        hashes.append(h)
        if hashes.count * 2 > slots.count {
            grow()
        } else {
            place(hashes.count, hash: h)
        }
    }

    /// Adds `key(0)`, `key(1)`, … `key(count - 1)` as the next record numbers, none of
    /// them present: all hashed first, then placed (`placeEntries`). A snapshot's decode
    /// builds its indexes this way.
    mutating func append(count: Int, key: (Int) -> String) {
        append(count: count, hash: { Self.hash(key($0)) })
    }

    /// The same with each key hashed by `hash` (`StringIndex.hash`).
    mutating func append(count: Int, hash: (Int) -> UInt64) {
        let first = hashes.count
        hashes.reserveCapacity(first + count)
        for k in 0..<count { hashes.append(hash(k)) }
        var capacity = max(16, slots.count)
        while hashes.count * 2 > capacity { capacity *= 2 }
        if capacity > slots.count {
            rehash(capacity: capacity)
        } else {
            placeEntries(from: first)
        }
    }

    /// Room for `n` keys without growing (a snapshot's decode knows its count).
    mutating func reserveCapacity(_ n: Int) {
        hashes.reserveCapacity(n)
        var capacity = max(16, slots.count)
        while n * 2 > capacity { capacity *= 2 }
        if capacity > slots.count { rehash(capacity: capacity) }
    }

    private mutating func place(_ recordPlusOne: Int, hash: UInt64) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = (hash >> 32) << 32 | UInt64(recordPlusOne)
    }

    private mutating func grow() {
        var capacity = max(16, slots.count)
        while hashes.count * 2 > capacity { capacity *= 2 }
        rehash(capacity: capacity)
    }

    private mutating func rehash(capacity: Int) {
        slots = [UInt64](repeating: 0, count: capacity)
        placeEntries(from: 0)
    }

    /// Places records `start...` with the slot of the record 16 on prefetched: at a million
    /// keys each slot is a cache miss, and this overlaps them (the index of a 10M-event
    /// snapshot's million entities: StringIndex.place was 13 % of its decoding thread).
    private mutating func placeEntries(from start: Int) {
        let ahead = 16, end = hashes.count
        let mask = slots.count - 1
        slots.withUnsafeMutableBufferPointer { slots in
            for n in start..<end {
                if n + ahead < end { cprefetch(slots.baseAddress! + (Int(truncatingIfNeeded: hashes[n + ahead]) & mask)) }
                let hash = hashes[n]
                var i = Int(truncatingIfNeeded: hash) & mask
                while slots[i] != 0 { i = (i + 1) & mask }
                slots[i] = (hash >> 32) << 32 | UInt64(n + 1)
            }
        }
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
    /// What `number(interning:)` returned last.
    private var lastNumber: Int32 = 0

    var count: Int { strings.count }

    init() {}

    /// A table of `distinct`, in order (a snapshot's shared strings), indexed in bulk.
    init(distinct: ChunkedArray<String>) {
        strings = distinct
        index.append(count: distinct.count) { distinct[$0] }
    }

    /// The strings, in the order they were added (`number(of:)` counts in it).
    var all: ChunkedArray<String> { strings }

    /// Where `text` is in `all`, if it is there.
    func number(of text: String) -> Int32? {
        index.find(text, isKey: { strings[$0].hasUTF8(of: text) })
    }

    /// Where `text` (valid UTF-8) is in `all`, adding it if it is new: a String is made
    /// only then.
    mutating func number(interning text: UnsafeRawBufferPointer) -> Int32 {
        // Runs of the same value are common (an organisation's inspections arrive
        // together): checked first, without hashing.
        if lastNumber < strings.count, strings[Int(lastNumber)].hasUTF8(text) { return lastNumber }
        lastNumber = number(interningHashed: text)
        return lastNumber
    }

    private mutating func number(interningHashed text: UnsafeRawBufferPointer) -> Int32 {
        let hash = StringIndex.hash(text)
        if let n = index.find(hash: hash, isKey: { strings[$0].hasUTF8(text) }) { return n }
        index.append(hash: hash)
        strings.append(String(decoding: text, as: UTF8.self))
        return Int32(strings.count - 1)
    }

    /// The shared copy of `text`, adding it if it is new.
    mutating func intern(_ text: String) -> String {
        if let n = index.find(text, isKey: { strings[$0].hasUTF8(of: text) }) { return strings[Int(n)] }
        index.append(text)
        strings.append(text)
        return text
    }
}
