import CSHA256

/// An array kept in chunks of 4,096 elements, each chunk its own copy-on-write buffer.
///
/// Why: a snapshot captures the state by copying it (the copy shares every buffer) and
/// encodes it on another thread for seconds. With plain arrays, the first write to the
/// registry after the capture copied the whole array — at a million units and eight
/// million history entries that was 0.8 s with the state lock held, stalling every
/// client, and up to a second copy of the state in memory. Here a write copies only the
/// chunk it touches (at most 4,096 elements, well under a millisecond).
///
/// Random access costs one more indirection than `Array`; appends are amortised O(1).
public struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection {
    @usableFromInline static var shift: Int { 12 }
    @usableFromInline static var mask: Int { (1 << shift) - 1 }

    @usableFromInline var chunks: [[Element]] = []
    public private(set) var count = 0

    public init() {}

    public init<S: Sequence>(_ elements: S) where S.Element == Element {
        for element in elements { append(element) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    @inlinable public func index(after i: Int) -> Int { i + 1 }
    @inlinable public func index(before i: Int) -> Int { i - 1 }

    @inlinable
    public subscript(position: Int) -> Element {
        _read { yield chunks[position >> Self.shift][position & Self.mask] }   // borrowed: reading a field copies no record
        _modify { yield &chunks[position >> Self.shift][position & Self.mask] }
    }

    public mutating func append(_ element: consuming Element) {
        if count & Self.mask == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.mask + 1)
            chunk.append(element)
            chunks.append(chunk)
        } else {
            chunks[chunks.count - 1].append(element)
        }
        count += 1
    }

    /// Starts loading the cache lines of element `i` from its byte `offset` on, `lines` of
    /// them (a hint; an index out of range is ignored).
    @inlinable @inline(__always)
    public func prefetch(_ i: Int, offset: Int = 0, lines: Int = 1) {
        guard let start = unretainedAddress(i) else { return }
        for line in 0..<lines { cprefetch(start + offset + 64 * line) }
    }

    /// Starts loading every cache line that holds a byte of element `i`'s `bytes` (a hint;
    /// an index out of range is ignored).
    @inlinable @inline(__always)
    public func prefetch(_ i: Int, bytes: Range<Int>) {
        guard let start = unretainedAddress(i), !bytes.isEmpty else { return }
        var line = UInt(bitPattern: start + bytes.lowerBound) & ~63
        let last = UInt(bitPattern: start + bytes.upperBound - 1)
        while line <= last {
            cprefetch(UnsafeRawPointer(bitPattern: line)!)
            line += 64
        }
    }

    /// Where element `i` is stored now, for a prefetch hint only (nil out of range). Read
    /// from the bits of its chunk's `Array` instead of through `withUnsafeBufferPointer`,
    /// which retained and released the chunk — two atomic operations, more than the
    /// prefetch saved. Where elements start within an array's storage is measured, not
    /// assumed (`arrayElementOffset`).
    @inlinable @inline(__always)
    func unretainedAddress(_ i: Int) -> UnsafeRawPointer? {
        guard i >= 0 && i < count else { return nil }
        return chunks.withUnsafeBufferPointer { chunks in
            let storage = UnsafeRawPointer(chunks.baseAddress! + (i >> Self.shift)).load(as: UnsafeRawPointer.self)
            return storage + arrayElementOffset + MemoryLayout<Element>.stride * (i & Self.mask)
        }
    }

    public mutating func reserveCapacity(_ n: Int) {
        chunks.reserveCapacity((n + Self.mask) >> Self.shift)
    }
}

extension ChunkedArray: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Element...) { self.init(elements) }
}

extension ChunkedArray: Sendable where Element: Sendable {}

extension ChunkedArray: Equatable where Element: Equatable {
    public static func == (l: ChunkedArray, r: ChunkedArray) -> Bool { l.count == r.count && l.elementsEqual(r) }
}

/// How far an `Array`'s first element lies from the start of its storage object (the
/// runtime's header), measured once on a probe array; `ChunkedArray.prefetch` adds it to
/// a chunk's bits. An `Array` is a single reference to that object.
@usableFromInline let arrayElementOffset: Int = {
    precondition(MemoryLayout<[UInt8]>.size == MemoryLayout<UnsafeRawPointer>.size)
    let probe: [UInt8] = [0]
    let storage = unsafeBitCast(probe, to: UnsafeRawPointer.self)
    return probe.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) - storage }
}()
