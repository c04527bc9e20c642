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
        let sink = BinarySink(output: nil)
        try sink.encodeValue(value)
        try sink.finish()
        return sink.bytes
    }

    /// Streams the encoding to `output` in pieces of about `chunkBytes`, so a snapshot of
    /// a large state never holds its whole payload in memory (at 10M events it is ~1 GB).
    /// Counts and lengths that are known only after their bytes were handed on arrive as
    /// `patch32` calls at the end. Returns the payload's size.
    @discardableResult
    public func encode<T: Encodable>(_ value: T, to output: any BinaryOutput, chunkBytes: Int = 4 << 20) throws -> Int {
        let sink = BinarySink(output: output, chunkBytes: chunkBytes)
        try sink.encodeValue(value)
        try sink.finish()
        return sink.position
    }
}

/// Where a streaming `BinaryEncoder` puts the payload (a snapshot file being written).
public protocol BinaryOutput: AnyObject {
    /// The next bytes of the payload.
    func append(_ bytes: UnsafeRawBufferPointer) throws
    /// Overwrites four bytes at `position` (from the payload's start), already appended.
    func patch32(at position: Int, _ value: UInt32) throws
}

/// A container's element count, kept here while the container is open (its placeholder
/// may already have been handed to the output).
final class BinaryCounter {
    let position: Int
    var value: UInt32 = 0
    /// The value the output has at `position`, once the placeholder has left the buffer.
    var written: UInt32?
    init(position: Int) { self.position = position }
}

final class BinarySink {
    /// Bytes not yet handed to the output (all of them without an output).
    var bytes: [UInt8] = []
    private let output: (any BinaryOutput)?
    private let chunkBytes: Int
    /// Bytes handed to the output so far; `bytes[0]` is at this position.
    private var flushed = 0
    /// Counters whose placeholder is still in `bytes`, and those already handed on.
    private var buffered: [BinaryCounter] = []
    private var handedOn: [BinaryCounter] = []
    /// Lengths of containers whose placeholder was handed on before they were known.
    private var latePatches: [(position: Int, value: UInt32)] = []

    init(output: (any BinaryOutput)?, chunkBytes: Int = .max) {
        self.output = output
        self.chunkBytes = chunkBytes
        bytes.reserveCapacity(output == nil ? 1 << 16 : min(chunkBytes, 64 << 20) + (1 << 16))
    }

    /// The payload position of the next byte.
    var position: Int { flushed + bytes.count }

    @inline(__always) func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }

    /// A UInt32 placeholder at the current position, counted up as elements are added.
    func counter() -> BinaryCounter {
        let counter = BinaryCounter(position: position)
        u32(0)
        buffered.append(counter)
        return counter
    }

    /// A UInt32 placeholder for a length; `setLength` fills it in.
    func lengthPlaceholder() -> Int {
        let at = position
        u32(0)
        return at
    }

    /// Sets the placeholder at `at` to the number of bytes written after it.
    func setLength(at: Int) {
        let value = UInt32(position - at - 4)
        if at >= flushed {
            write32(value, atBufferOffset: at - flushed)
        } else {
            latePatches.append((at, value))
        }
    }

    private func write32(_ v: UInt32, atBufferOffset offset: Int) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { raw in for i in 0..<4 { bytes[offset + i] = raw[i] } }
    }

    /// Hands the buffer on once it holds `chunkBytes` (called between values, so a
    /// placeholder is never split).
    @inline(__always) func flushIfFull() throws {
        if bytes.count >= chunkBytes { try flush() }
    }

    private func flush() throws {
        guard let output else { return }
        for counter in buffered {
            write32(counter.value, atBufferOffset: counter.position - flushed)
            counter.written = counter.value
        }
        handedOn.append(contentsOf: buffered)
        buffered.removeAll(keepingCapacity: true)
        try bytes.withUnsafeBytes { try output.append($0) }
        flushed += bytes.count
        bytes.removeAll(keepingCapacity: true)
    }

    /// Writes the final counts; with an output, hands on the rest and patches what changed.
    func finish() throws {
        for counter in buffered { write32(counter.value, atBufferOffset: counter.position - flushed) }
        buffered.removeAll()
        guard let output else { return }
        try flush()
        for counter in handedOn where counter.written != counter.value {
            try output.patch32(at: counter.position, counter.value)
        }
        for patch in latePatches { try output.patch32(at: patch.position, patch.value) }
    }

    func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    func encodeValue<T: Encodable>(_ value: T) throws {
        try flushIfFull()
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
            for s in v {
                string(s)
                try flushIfFull()
            }
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
        KeyedEncodingContainer(BinaryKeyedEncoder<Key>(sink: sink, count: sink.counter()))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        BinaryUnkeyedEncoder(sink: sink, count: sink.counter())
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { BinarySingleEncoder(sink: sink) }
}

struct BinaryKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: BinarySink
    let counter: BinaryCounter
    var codingPath: [any CodingKey] { [] }

    init(sink: BinarySink, count: BinaryCounter) {
        self.sink = sink
        self.counter = count
    }

    private func entry(_ key: Key, _ body: () throws -> Void) rethrows {
        counter.value += 1
        sink.string(key.stringValue)
        let length = sink.lengthPlaceholder()
        try body()
        sink.setLength(at: length)
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
    let counter: BinaryCounter
    var codingPath: [any CodingKey] { [] }
    var count: Int { Int(counter.value) }

    init(sink: BinarySink, count: BinaryCounter) {
        self.sink = sink
        self.counter = count
    }

    private func bump() { counter.value += 1 }

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
