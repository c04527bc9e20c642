/// Byte strings stored end to end in 1 MiB chunks: one allocation per megabyte instead of
/// a heap block per value, for the many small values the state keeps and rarely reads
/// (an inspection's packed details: 3.5 million of them in the 10M-event benchmark).
///
/// Append-only. A value may continue from one chunk into the next, so every chunk but the
/// last is full. Like `ChunkedArray`, a copy shares the chunks and a later append copies
/// only the last one (a background snapshot's capture stays cheap).
public struct ByteArena: Sendable, Equatable {
    /// Where a text lies: its first byte's offset in the arena and its length in bytes.
    public struct Ref: Sendable, Equatable {
        public var offset: Int
        public var count: UInt32

        public static let empty = Ref(offset: 0, count: 0)
    }

    static let chunkSize = 1 << 20

    private(set) var chunks: [[UInt8]] = []
    /// Bytes stored.
    public private(set) var byteCount = 0

    public init() {}

    /// Appends the bytes `write` adds to the buffer it is given (only appends: the buffer
    /// may already hold earlier values) and returns where they are.
    public mutating func append(_ write: (inout [UInt8]) -> Void) -> Ref {
        let last = lastChunkWithRoom()
        let before = chunks[last].count
        write(&chunks[last])
        return finishAppend(chunk: last, from: before)
    }

    private mutating func lastChunkWithRoom() -> Int {
        if chunks.isEmpty || chunks[chunks.count - 1].count == Self.chunkSize { startChunk() }
        return chunks.count - 1
    }

    /// Moves what went past chunk `last`'s end into new chunks and says where the value is.
    private mutating func finishAppend(chunk last: Int, from before: Int) -> Ref {
        let written = chunks[last].count - before
        if chunks[last].count > Self.chunkSize {
            // Moves what went past the chunk's end into new chunks (at most once per MiB).
            let overflow = Array(chunks[last][Self.chunkSize...])
            chunks[last].removeSubrange(Self.chunkSize...)
            var rest = overflow[...]
            while !rest.isEmpty {
                startChunk()
                let part = rest.prefix(Self.chunkSize)
                chunks[chunks.count - 1].append(contentsOf: part)
                rest = rest.dropFirst(part.count)
            }
        }
        let ref = Ref(offset: byteCount, count: UInt32(written))
        byteCount += written
        return ref
    }

    public mutating func append(_ text: String) -> Ref {
        append { $0.append(contentsOf: text.utf8) }
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) -> Ref {
        append { $0.append(contentsOf: bytes) }
    }
}

extension ByteArena {

    private mutating func startChunk() {
        var chunk: [UInt8] = []
        chunk.reserveCapacity(Self.chunkSize)
        chunks.append(chunk)
    }

    /// Calls `body` with the bytes at `ref` (which this arena returned): where they lie, or
    /// gathered into one array when they cross a chunk's end.
    public func withBytes<R>(_ ref: Ref, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard ref.count > 0 else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let start = ref.offset, end = ref.offset + Int(ref.count)
        let first = start / Self.chunkSize, last = (end - 1) / Self.chunkSize
        if first == last {
            return chunks[first].withUnsafeBytes {
                body(UnsafeRawBufferPointer(rebasing: $0[(start - first * Self.chunkSize)..<(end - first * Self.chunkSize)]))
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(ref.count))
        for c in first...last {
            let from = max(start - c * Self.chunkSize, 0), to = min(end - c * Self.chunkSize, Self.chunkSize)
            bytes.append(contentsOf: chunks[c][from..<to])
        }
        return bytes.withUnsafeBytes(body)
    }

    /// The bytes at `ref` as text (they are UTF-8: replacement characters otherwise).
    public func string(_ ref: Ref) -> String {
        withBytes(ref) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether `ref` lies within the arena (a snapshot's refs are checked on load).
    public func contains(_ ref: Ref) -> Bool {
        ref.offset >= 0 && ref.offset <= byteCount && Int(ref.count) <= byteCount - ref.offset
    }
}

/// Snapshots: the chunks as byte arrays (each but the last full).
extension ByteArena: Codable {
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        var chunks: [[UInt8]] = []
        while !c.isAtEnd {
            if let previous = chunks.last, previous.count != Self.chunkSize {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "text arena chunk \(chunks.count - 1) holds \(previous.count) bytes, not \(Self.chunkSize), yet another follows")
            }
            let chunk = try c.decode([UInt8].self)
            guard chunk.count <= Self.chunkSize else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "text arena chunk of \(chunk.count) bytes")
            }
            chunks.append(chunk)
        }
        self.chunks = chunks
        byteCount = chunks.reduce(0) { $0 + $1.count }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        for chunk in chunks { try c.encode(chunk) }
    }
}
