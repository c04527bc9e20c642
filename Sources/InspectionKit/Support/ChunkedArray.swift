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
        get { chunks[position >> Self.shift][position & Self.mask] }
        _modify { yield &chunks[position >> Self.shift][position & Self.mask] }
    }

    public mutating func append(_ element: Element) {
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
