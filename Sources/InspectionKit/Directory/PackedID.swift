/// An entity id packed into three big-endian integers plus its length: comparing two
/// packed ids gives the ids' byte order, and the bytes can be written back without
/// touching the String. Ids are 统一社会信用代码 (18 ASCII bytes); up to 24 bytes fit.
public struct PackedID: Sendable, Comparable, Hashable, Codable {
    public var a: UInt64
    public var b: UInt64
    public var c: UInt64
    public var length: UInt8

    /// The same from the id's UTF-8 bytes.
    public init(utf8 id: UnsafeRawBufferPointer) {
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        for (count, byte) in id.prefix(24).enumerated() {
            let shifted = UInt64(byte) << (56 - 8 * UInt64(count % 8))
            switch count / 8 {
            case 0: words.0 |= shifted
            case 1: words.1 |= shifted
            default: words.2 |= shifted
            }
        }
        (a, b, c) = words
        length = UInt8(min(id.count, 24))
    }

    public init(_ id: String) {
        var id = id
        self = id.withUTF8 { PackedID(utf8: UnsafeRawBufferPointer($0)) }
    }

    public static func < (l: PackedID, r: PackedID) -> Bool {
        if l.a != r.a { return l.a < r.a }
        if l.b != r.b { return l.b < r.b }
        if l.c != r.c { return l.c < r.c }
        return l.length < r.length
    }

    /// The id as a new String, or nil if it may have been longer than the 24 bytes kept.
    /// Reading a million-entity registry at random, this touches one 32-byte record
    /// instead of the entity and its id's storage (two cache misses).
    public var string: String? {
        guard length < 24 else { return nil }
        return String(unsafeUninitializedCapacity: Int(length)) { buffer in
            for i in 0..<Int(length) {
                let word = i < 8 ? a : (i < 16 ? b : c)
                buffer[i] = UInt8(truncatingIfNeeded: word >> (56 - 8 * UInt64(i % 8)))
            }
            return Int(length)
        }
    }

    /// Appends the id's bytes.
    @inline(__always)
    public func append(to bytes: inout [UInt8]) {
        for i in 0..<Int(length) {
            let word = i < 8 ? a : (i < 16 ? b : c)
            bytes.append(UInt8(truncatingIfNeeded: word >> (56 - 8 * UInt64(i % 8))))
        }
    }
}

/// The small fields of an entity, kept in a flat array for pool scans.
public struct EntityAttributes: Sendable, Equatable, Codable {
    public var status: EntityStatus
    public var kind: EntityKind
    public var risk: RiskClass?

    init(_ entity: Entity) {
        self.init(status: entity.status, kind: entity.kind, risk: entity.risk)
    }

    init(status: EntityStatus, kind: EntityKind, risk: RiskClass?) {
        self.status = status
        self.kind = kind
        self.risk = risk
    }
}
