/// Bytes held inline in a fixed `Storage` (a struct of words, zeroed by `init()`) while
/// they fit, spilled into one heap array when they do not: the buffer of packed texts
/// kept by the million (`EntityTexts`, `UnitTexts`), where a String per text meant a heap
/// block each to allocate, fault in and free.
struct SpillableBytes<Storage: InlineWords>: Sendable {
    static var capacity: Int { MemoryLayout<Storage>.size }

    private var inline = Storage()
    /// All the bytes, when they do not fit inline (empty otherwise: no allocation).
    private var spilled: [UInt8] = []
    private(set) var count: Int32 = 0

    init() {}

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        let old = Int(count), new = old + bytes.count
        if spilled.isEmpty && new <= Self.capacity {
            withUnsafeMutableBytes(of: &inline) { $0.baseAddress!.advanced(by: old).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        } else {
            if spilled.isEmpty {
                spilled.reserveCapacity(new)
                withUnsafeBytes(of: inline) { spilled.append(contentsOf: $0[..<old]) }
            }
            spilled.append(contentsOf: bytes)
        }
        count = Int32(new)
    }

    /// All the bytes.
    @inline(__always)
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if spilled.isEmpty {
            return withUnsafeBytes(of: inline) { body(UnsafeRawBufferPointer(rebasing: $0[..<Int(count)])) }
        }
        return spilled.withUnsafeBytes(body)
    }

    /// Whether the bytes are held inline (no heap array).
    var isInline: Bool { spilled.isEmpty }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.withBytes { a in rhs.withBytes { b in a.equalBytes(b) } }
    }
}

/// Inline room for `SpillableBytes`: a struct of `UInt64` words, all zero from `init()`.
protocol InlineWords: BitwiseCopyable, Sendable {
    init()
}

/// 144 bytes: an entity's id, name, address and a tag or two.
struct InlineWords18: InlineWords {
    var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}

/// 80 bytes: a unit's code, registration number and address.
struct InlineWords10: InlineWords {
    var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}
