/// Reads what `BinaryEncoder` wrote. Every read is bounds-checked: a damaged snapshot
/// throws `DecodingError`, it never crashes (the daemon then replays the journal).
public struct BinaryDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        try decode(type, from: bytes, at: 0)
    }

    /// Decodes a value lifted out undecoded (`EncodedValue`), on any thread.
    func decode<T: Decodable>(_ type: T.Type, from value: EncodedValue) throws -> T {
        try decode(type, from: value.bytes, at: value.offset)
    }

    /// `offset`: where `bytes` begin in the whole payload (for error messages).
    private func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer, at offset: Int) throws -> T {
        let source = BinarySource(bytes, offset: offset)
        let value = try source.decodeValue(T.self)
        guard source.position == bytes.count else { throw source.corrupt("\(bytes.count - source.position) trailing bytes") }
        return value
    }

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { try decode(type, from: $0) }
    }
}

/// A keyed value's bytes, not decoded yet: `decode(EncodedValue.self, forKey:)` on a
/// container of a `BinaryDecoder` lifts them out (any other decoder refuses), so that
/// `BinaryDecoder().decode(_:from:)` can decode them later or on another thread. Valid
/// while the payload is. Sendable by hand: it is immutable, and the payload it points
/// into is only read (the snapshot's mapping, kept alive until decoding has ended).
struct EncodedValue: Decodable, @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    /// Where `bytes` begin in the payload.
    let offset: Int

    init(bytes: UnsafeRawBufferPointer, offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "only a BinaryDecoder lifts out encoded values"))
    }
}

final class BinarySource {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    /// Where `bytes` begin in the payload (for error messages).
    let offset: Int
    /// The end of the value a keyed container is decoding (`EncodedValue` takes the bytes
    /// up to it); nil elsewhere.
    var valueEnd: Int?

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    func corrupt(_ why: String) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "snapshot damaged at byte \(offset + position): \(why)"))
    }

    @inline(__always) func need(_ n: Int) throws {
        guard n >= 0, position + n <= bytes.count else { throw corrupt("needs \(n) more bytes") }
    }
    @inline(__always) func u8() throws -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }
    @inline(__always) func u32() throws -> UInt32 {
        try need(4)
        defer { position += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self))
    }
    @inline(__always) func u64() throws -> UInt64 {
        try need(8)
        defer { position += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
    }
    /// The next string's bytes in place, checked to be UTF-8: for a value that keeps bytes,
    /// not a String (`CompactEntity`). Valid while the source's bytes are.
    func utf8Bytes() throws -> UnsafeRawBufferPointer {
        let n = Int(try u32())
        try need(n)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
        position += n
        guard slice.isValidUTF8 else { throw corrupt("invalid UTF-8") }
        return slice
    }

    func string() throws -> String {
        let n = Int(try u32())
        try need(n)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
        position += n
        // `String(decoding:)` repairs invalid UTF-8; unchanged bytes mean there was none
        // (cheaper than the generic `String(validating:)`).
        let s = String(decoding: slice, as: UTF8.self)
        var copy = s
        guard copy.withUTF8({ UnsafeRawBufferPointer($0).equalBytes(slice) }) else { throw corrupt("invalid UTF-8") }
        return s
    }

    /// A count and that many fixed-width little-endian values, copied in one go.
    func rawArray<E: FixedWidthInteger>(_ type: E.Type) throws -> [E] {
        let n = Int(try u32())
        // Not `Array(unsafeUninitializedCapacity: 0)`: that writes to the shared empty-array
        // storage, a benign race ThreadSanitizer reports now that snapshots decode on two threads.
        if n == 0 { return [] }
        let byteCount = n * MemoryLayout<E>.stride
        try need(byteCount)
        let source = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + byteCount)])
        position += byteCount
        return [E](unsafeUninitializedCapacity: n) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            initialized = n
        }
    }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        // The keyed value's end holds for this value only, not for values nested in it
        // (the keyed container restores it afterwards).
        let keyedValueEnd = valueEnd
        valueEnd = nil
        if let optional = T.self as? any OptionalDecodable.Type {
            return try optional.decodeOptional(from: self) as! T
        }
        switch type {
        case is EncodedValue.Type:
            guard let end = keyedValueEnd, end >= position else { throw corrupt("an encoded value is lifted out of keyed containers only") }
            let value = EncodedValue(bytes: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), offset: offset + position)
            position = end
            return value as! T
        case is String.Type: return try string() as! T
        case is Int.Type: return Int(Int64(bitPattern: try u64())) as! T
        case is Int64.Type: return Int64(bitPattern: try u64()) as! T
        case is Int32.Type: return Int32(bitPattern: try u32()) as! T
        case is UInt8.Type: return try u8() as! T
        case is Int8.Type: return Int8(bitPattern: try u8()) as! T
        case is Int16.Type:
            let raw = try u32()
            guard raw <= UInt32(UInt16.max) else { throw corrupt("Int16 out of range") }
            return Int16(bitPattern: UInt16(raw)) as! T
        case is UInt16.Type:
            let raw = try u32()
            guard raw <= UInt32(UInt16.max) else { throw corrupt("UInt16 out of range") }
            return UInt16(raw) as! T
        case is UInt.Type: return UInt(try u64()) as! T
        case is Float.Type: return Float(bitPattern: try u32()) as! T
        case is UInt32.Type: return try u32() as! T
        case is UInt64.Type: return try u64() as! T
        case is Bool.Type: return (try u8() != 0) as! T
        case is Double.Type: return Double(bitPattern: try u64()) as! T
        case is [Int32].Type: return try rawArray(Int32.self) as! T
        case is [Int].Type: return try rawArray(Int.self) as! T
        case is [UInt8].Type: return try rawArray(UInt8.self) as! T
        case is [String].Type:
            let n = Int(try u32())
            try need(n * 4)   // each string has at least its length
            var array: [String] = []
            array.reserveCapacity(n)
            for _ in 0..<n { array.append(try string()) }
            return array as! T
        default:
            return try T(from: BinaryValueDecoder(source: self))
        }
    }
}

protocol OptionalDecodable {
    static func decodeOptional(from source: BinarySource) throws -> Any
}

extension Optional: OptionalDecodable where Wrapped: Decodable {
    static func decodeOptional(from source: BinarySource) throws -> Any {
        let present = try source.u8()
        return present == 0 ? Optional<Wrapped>.none as Any : Optional(try source.decodeValue(Wrapped.self)) as Any
    }
}

struct BinaryValueDecoder: Decoder {
    let source: BinarySource
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try BinaryKeyedDecoder<Key>(source: source))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { try BinaryUnkeyedDecoder(source: source) }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { BinarySingleDecoder(source: source) }
}

/// A keyed container: scans its entries once (key bytes and value ranges), so fields
/// can be read in any order; the usual in-order read is a direct hit.
struct BinaryKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let source: BinarySource
    var codingPath: [any CodingKey] { [] }
    private let entries: [(keyStart: Int, keyLength: Int, valueStart: Int, valueLength: Int)]
    private let end: Int
    /// Where the next in-order read is expected (a class: container methods are non-mutating).
    private final class Cursor { var next = 0 }
    private let cursor = Cursor()

    init(source: BinarySource) throws {
        self.source = source
        let count = Int(try source.u32())
        guard count <= source.bytes.count else { throw source.corrupt("implausible entry count \(count)") }
        var entries: [(Int, Int, Int, Int)] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let keyLength = Int(try source.u32())
            try source.need(keyLength)
            let keyStart = source.position
            source.position += keyLength
            let valueLength = Int(try source.u32())
            try source.need(valueLength)
            entries.append((keyStart, keyLength, source.position, valueLength))
            source.position += valueLength
        }
        self.entries = entries
        end = source.position
    }

    private func keyMatches(_ index: Int, _ key: Key) -> Bool {
        let e = entries[index]
        var name = key.stringValue
        return name.withUTF8 { utf8 in
            utf8.count == e.keyLength && memcmpEqual(utf8, source.bytes, e.keyStart)
        }
    }

    private func find(_ key: Key) -> Int? {
        if cursor.next < entries.count, keyMatches(cursor.next, key) { return cursor.next }
        return entries.indices.first { keyMatches($0, key) }
    }

    var allKeys: [Key] {
        entries.compactMap { e in
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: source.bytes[e.keyStart..<(e.keyStart + e.keyLength)]), as: UTF8.self)
            return Key(stringValue: text)
        }
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }
    func decodeNil(forKey key: Key) throws -> Bool { find(key) == nil }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let index = find(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: [], debugDescription: "snapshot lacks \(key.stringValue)"))
        }
        let e = entries[index]
        let saved = source.position, savedEnd = source.valueEnd
        source.position = e.valueStart
        source.valueEnd = e.valueStart + e.valueLength
        defer { source.position = saved; source.valueEnd = savedEnd }
        let value = try source.decodeValue(T.self)
        guard source.position == e.valueStart + e.valueLength else { throw source.corrupt("field \(key.stringValue) has the wrong length") }
        cursor.next = index + 1
        return value
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key) else { return nil }
        return try decode(type, forKey: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw source.corrupt("nested containers are not supported")
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw source.corrupt("nested containers are not supported") }
    func superDecoder() throws -> any Decoder { throw source.corrupt("superDecoder is not supported") }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw source.corrupt("superDecoder is not supported") }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeRawBufferPointer, _ offset: Int) -> Bool {
    for i in 0..<a.count where a[i] != b[offset + i] { return false }
    return true
}

struct BinaryUnkeyedDecoder: UnkeyedDecodingContainer {
    let source: BinarySource
    var codingPath: [any CodingKey] { [] }
    let count: Int?
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    init(source: BinarySource) throws {
        self.source = source
        let n = Int(try source.u32())
        guard n <= source.bytes.count - source.position + 1 else { throw source.corrupt("implausible element count \(n)") }
        count = n
    }

    mutating func decodeNil() throws -> Bool {
        // Only called by Optional decoding paths we route through OptionalDecodable.
        false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard !isAtEnd else { throw source.corrupt("array shorter than its count") }
        currentIndex += 1
        return try source.decodeValue(T.self)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        throw source.corrupt("nested containers are not supported")
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { throw source.corrupt("nested containers are not supported") }
    mutating func superDecoder() throws -> any Decoder { throw source.corrupt("superDecoder is not supported") }
}

struct BinarySingleDecoder: SingleValueDecodingContainer {
    let source: BinarySource
    var codingPath: [any CodingKey] { [] }
    func decodeNil() -> Bool { false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try source.decodeValue(T.self) }
}

// MARK: - Columns read in place

/// An `[E]` column of a snapshot read where it lies in the payload: the decode of a
/// million records reads their fields from here instead of first copying each column
/// into an array (fresh memory the kernel zeroes, then frees). The layout is
/// `BinaryEncoder`'s bulk one: a `UInt32` count, then the little-endian values. Valid
/// while the payload is (see `EncodedValue`).
struct FixedColumn<E: FixedWidthInteger> {
    let count: Int
    private let values: UnsafeRawBufferPointer

    init(_ value: EncodedValue) throws {
        let source = BinarySource(value.bytes, offset: value.offset)
        count = Int(try source.u32())
        let byteCount = count * MemoryLayout<E>.size
        guard value.bytes.count - source.position == byteCount else {
            throw source.corrupt("a column of \(count) values of \(MemoryLayout<E>.size) bytes has \(value.bytes.count - source.position) bytes")
        }
        values = UnsafeRawBufferPointer(rebasing: value.bytes[source.position...])
    }

    /// Value `i`; `i` must be below `count` (the decoders check the column lengths first).
    @inline(__always) subscript(i: Int) -> E {
        E(littleEndian: values.loadUnaligned(fromByteOffset: i &* MemoryLayout<E>.size, as: E.self))
    }
}

/// A `[String]` column of a snapshot read in place, one string at a time in order, each
/// String made once and moved into its record (decoding into a `[String]` first cost an
/// array per column and a retain and release per string).
struct StringColumn {
    let count: Int
    private let source: BinarySource
    private var read = 0

    init(_ value: EncodedValue) throws {
        source = BinarySource(value.bytes, offset: value.offset)
        count = Int(try source.u32())
        try source.need(count * 4)   // each string has at least its length
    }

    /// The next string; at most `count` of them.
    mutating func next() throws -> String {
        guard read < count else { throw source.corrupt("a column of \(count) strings read past its end") }
        read += 1
        return try source.string()
    }

    /// The next string's bytes (`BinarySource.utf8Bytes`); at most `count` of them.
    mutating func nextBytes() throws -> UnsafeRawBufferPointer {
        guard read < count else { throw source.corrupt("a column of \(count) strings read past its end") }
        read += 1
        return try source.utf8Bytes()
    }

    /// Checks that every string was read and nothing follows the last one.
    func finish() throws {
        guard read == count, source.position == source.bytes.count else {
            throw source.corrupt("a column of \(count) strings: \(read) read, \(source.bytes.count - source.position) bytes left")
        }
    }
}

extension KeyedDecodingContainer {
    /// The `[E]` value for `key`, read in place (a `BinaryDecoder` only).
    func fixedColumn<E: FixedWidthInteger>(_ key: Key, of type: E.Type = E.self) throws -> FixedColumn<E> {
        try FixedColumn(decode(EncodedValue.self, forKey: key))
    }

    /// The `[String]` value for `key`, read in place (a `BinaryDecoder` only).
    func stringColumn(_ key: Key) throws -> StringColumn {
        try StringColumn(decode(EncodedValue.self, forKey: key))
    }
}
