/// A compact binary `Encoder` for state snapshots (SPEC §9, issue "snapshots").
///
/// Layout: integers little-endian (fixed width), strings as a UInt32 length and UTF-8,
/// keyed containers as a UInt32 count of entries `(key, UInt32 length, value)`, unkeyed
/// containers as a UInt32 count of self-delimiting values, optionals outside keyed
/// containers with a presence byte. Keys are kept so that dictionaries round-trip and
/// a field added later decodes as absent instead of shifting every field after it.
/// Nested containers are not supported (the state types don't use them).
public struct BinaryEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let sink = BinarySink()
        try sink.encodeValue(value)
        return sink.bytes
    }
}

final class BinarySink {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 16) }

    @inline(__always) func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) func patch32(at position: Int, _ v: UInt32) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { raw in for i in 0..<4 { bytes[position + i] = raw[i] } }
    }
    func read32(at position: Int) -> UInt32 {
        UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
    }

    func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    func encodeValue<T: Encodable>(_ value: T) throws {
        if let optional = value as? any OptionalEncodable {
            if let wrapped = optional.wrappedEncodable {
                bytes.append(1)
                try encodeValue(wrapped)
            } else {
                bytes.append(0)
            }
            return
        }
        switch value {
        case let v as String: string(v)
        case let v as Int: u64(UInt64(bitPattern: Int64(v)))
        case let v as Int64: u64(UInt64(bitPattern: v))
        case let v as Int32: u32(UInt32(bitPattern: v))
        case let v as UInt8: bytes.append(v)
        case let v as Int8: bytes.append(UInt8(bitPattern: v))
        case let v as Int16: u32(UInt32(UInt16(bitPattern: v)))
        case let v as UInt16: u32(UInt32(v))
        case let v as UInt: u64(UInt64(v))
        case let v as Float: u32(v.bitPattern)
        case let v as UInt32: u32(v)
        case let v as UInt64: u64(v)
        case let v as Bool: bytes.append(v ? 1 : 0)
        case let v as Double: u64(v.bitPattern)
        // Bulk arrays: one cast for the whole array instead of several per element (the
        // column snapshots of entities, units and history are made of these).
        // Raw memory copies assume a little-endian host (x86_64, arm64).
        case let v as [Int32]:
            u32(UInt32(v.count))
            v.withUnsafeBytes { bytes.append(contentsOf: $0) }
        case let v as [Int]:
            u32(UInt32(v.count))
            v.withUnsafeBytes { bytes.append(contentsOf: $0) }
        case let v as [UInt8]:
            u32(UInt32(v.count))
            bytes.append(contentsOf: v)
        case let v as [String]:
            u32(UInt32(v.count))
            for s in v { string(s) }
        default:
            // Every primitive is handled above; anything that reaches here encodes itself
            // through containers. (A primitive missing above would recurse forever.)
            try value.encode(to: BinaryValueEncoder(sink: self))
        }
    }
}

/// Lets the encoder see through `Optional` without knowing its wrapped type.
protocol OptionalEncodable {
    var wrappedEncodable: (any Encodable)? { get }
}

extension Optional: OptionalEncodable where Wrapped: Encodable {
    var wrappedEncodable: (any Encodable)? { self.map { $0 as any Encodable } }
}

struct BinaryValueEncoder: Encoder {
    let sink: BinarySink
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let position = sink.bytes.count
        sink.u32(0)
        return KeyedEncodingContainer(BinaryKeyedEncoder<Key>(sink: sink, countPosition: position))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let position = sink.bytes.count
        sink.u32(0)
        return BinaryUnkeyedEncoder(sink: sink, countPosition: position)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { BinarySingleEncoder(sink: sink) }
}

struct BinaryKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: BinarySink
    let countPosition: Int
    var codingPath: [any CodingKey] { [] }

    private func entry(_ key: Key, _ body: () throws -> Void) rethrows {
        sink.patch32(at: countPosition, sink.read32(at: countPosition) + 1)
        sink.string(key.stringValue)
        let lengthPosition = sink.bytes.count
        sink.u32(0)
        try body()
        sink.patch32(at: lengthPosition, UInt32(sink.bytes.count - lengthPosition - 4))
    }

    mutating func encodeNil(forKey key: Key) throws {}   // absent key = nil
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try entry(key) { try sink.encodeValue(value) }
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        fatalError("BinaryEncoder: nested containers are not supported")
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        fatalError("BinaryEncoder: nested containers are not supported")
    }
    mutating func superEncoder() -> any Encoder { fatalError("BinaryEncoder: superEncoder is not supported") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { fatalError("BinaryEncoder: superEncoder is not supported") }
}

struct BinaryUnkeyedEncoder: UnkeyedEncodingContainer {
    let sink: BinarySink
    let countPosition: Int
    var codingPath: [any CodingKey] { [] }
    var count: Int { Int(sink.read32(at: countPosition)) }

    private func bump() { sink.patch32(at: countPosition, sink.read32(at: countPosition) + 1) }

    mutating func encodeNil() throws {
        bump()
        sink.bytes.append(0)
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        bump()
        try sink.encodeValue(value)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        fatalError("BinaryEncoder: nested containers are not supported")
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { fatalError("BinaryEncoder: nested containers are not supported") }
    mutating func superEncoder() -> any Encoder { fatalError("BinaryEncoder: superEncoder is not supported") }
}

struct BinarySingleEncoder: SingleValueEncodingContainer {
    let sink: BinarySink
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil() throws { sink.bytes.append(0) }
    mutating func encode<T: Encodable>(_ value: T) throws { try sink.encodeValue(value) }
}
