/// MD5 message digest (RFC 1321), in pure Swift.
///
/// Used only where a published algorithm requires it — the RFC 3797 publicly verifiable
/// draw (随机抽取) hashes its key with MD5 — never for integrity or security.
/// Same shape as ``SHA256``: blocks are compressed in place, nothing is allocated per
/// block, O(n) in the input length.
public struct MD5: Sendable {
    /// The digest length in bytes.
    public static let byteCount = 16
    /// The block length in bytes.
    public static let blockByteCount = 64

    private struct State: Sendable {
        var a: UInt32 = 0x67452301, b: UInt32 = 0xefcdab89, c: UInt32 = 0x98badcfe, d: UInt32 = 0x10325476
    }

    private var state = State()
    /// The pending partial block (fewer than 64 bytes are ever kept here).
    private var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var bufferCount = 0
    private var totalByteCount: UInt64 = 0

    /// Creates a hasher for a new message.
    public init() {}

    /// Adds bytes to the message. O(n); full blocks are read in place, without copying.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress, !bytes.isEmpty else { return }
        var remaining = bytes.count
        totalByteCount &+= UInt64(truncatingIfNeeded: remaining)

        if bufferCount > 0 {
            let offset = bufferCount
            let take = Swift.min(Self.blockByteCount - offset, remaining)
            withUnsafeMutableBytes(of: &buffer) { pending in
                (pending.baseAddress! + offset).copyMemory(from: base, byteCount: take)
            }
            bufferCount += take
            base += take
            remaining -= take
            guard bufferCount == Self.blockByteCount else { return }
            withUnsafeBytes(of: buffer) { Self.compress(&state, $0.baseAddress!, blockCount: 1) }
            bufferCount = 0
        }

        let blockCount = remaining / Self.blockByteCount
        if blockCount > 0 {
            Self.compress(&state, base, blockCount: blockCount)
            base += blockCount * Self.blockByteCount
            remaining -= blockCount * Self.blockByteCount
        }

        if remaining > 0 {
            withUnsafeMutableBytes(of: &buffer) { pending in
                pending.baseAddress!.copyMemory(from: base, byteCount: remaining)
            }
            bufferCount = remaining
        }
    }

    /// Adds bytes to the message. O(n); contiguous collections are hashed in place.
    @inlinable
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// Pads the message and returns its 16-byte digest.
    ///
    /// The hasher is reset afterwards, ready for a new message.
    public mutating func finalize() -> [UInt8] {
        let (a, b, c, d) = finalizeWords()
        return [UInt8](unsafeUninitializedCapacity: Self.byteCount) { out, count in
            let raw = UnsafeMutableRawBufferPointer(out)
            raw.storeBytes(of: a.littleEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: b.littleEndian, toByteOffset: 4, as: UInt32.self)
            raw.storeBytes(of: c.littleEndian, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: d.littleEndian, toByteOffset: 12, as: UInt32.self)
            count = Self.byteCount
        }
    }

    /// The digest of `bytes`. O(n).
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = MD5()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of `bytes`. O(n).
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The digest of any byte collection, e.g. `MD5.hash(key.utf8)`. O(n).
    @inlinable
    public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var hasher = MD5()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of `bytes` as 32 lowercase hex digits. O(n).
    public static func hexDigest(_ bytes: [UInt8]) -> String {
        Hex.encode(hash(bytes))
    }

    /// The digest of `bytes` read as a 128-bit big-endian unsigned integer, without
    /// allocating — what RFC 3797 reduces modulo the remaining pool size. O(n).
    static func hashAsUInt128(_ bytes: UnsafeRawBufferPointer) -> (high: UInt64, low: UInt64) {
        var hasher = MD5()
        hasher.update(bytes)
        let (a, b, c, d) = hasher.finalizeWords()
        // Digest bytes are a, b, c, d little-endian; byte-swapping makes each word's
        // first byte its most significant.
        return (UInt64(a.byteSwapped) &<< 32 | UInt64(b.byteSwapped),
                UInt64(c.byteSwapped) &<< 32 | UInt64(d.byteSwapped))
    }

    private mutating func finalizeWords() -> (UInt32, UInt32, UInt32, UInt32) {
        let bitLength = totalByteCount &* 8
        // 0x80, then zeros up to 56 mod 64, then the bit length little-endian.
        var padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        let padCount = bufferCount < 56 ? 56 - bufferCount : 120 - bufferCount
        withUnsafeMutableBytes(of: &padding) { pad in
            pad[0] = 0x80
            pad.storeBytes(of: bitLength.littleEndian, toByteOffset: padCount, as: UInt64.self)
        }
        withUnsafeBytes(of: padding) { update(UnsafeRawBufferPointer(rebasing: $0[..<(padCount + 8)])) }
        assert(bufferCount == 0)
        let s = state
        self = MD5()
        return (s.a, s.b, s.c, s.d)
    }

    // MARK: - Compression

    @inline(__always)
    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x &<< n) | (x &>> (32 &- n))
    }

    @inline(__always)
    private static func f(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ t: UInt32, _ s: UInt32) -> UInt32 {
        b &+ rotl(a &+ ((b & c) | (~b & d)) &+ x &+ t, s)
    }

    @inline(__always)
    private static func g(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ t: UInt32, _ s: UInt32) -> UInt32 {
        b &+ rotl(a &+ ((b & d) | (c & ~d)) &+ x &+ t, s)
    }

    @inline(__always)
    private static func h(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ t: UInt32, _ s: UInt32) -> UInt32 {
        b &+ rotl(a &+ (b ^ c ^ d) &+ x &+ t, s)
    }

    @inline(__always)
    private static func i(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ t: UInt32, _ s: UInt32) -> UInt32 {
        b &+ rotl(a &+ (c ^ (b | ~d)) &+ x &+ t, s)
    }

    /// Compresses `blockCount` consecutive 64-byte blocks at `blocks` into `state`.
    ///
    /// Fully unrolled: the four rounds of RFC 1321 §3.4, sixteen steps each.
    private static func compress(_ state: inout State, _ blocks: UnsafeRawPointer, blockCount: Int) {
        var a = state.a, b = state.b, c = state.c, d = state.d
        var p = blocks
        for _ in 0..<blockCount {
            @inline(__always) func word(_ i: Int) -> UInt32 {
                UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 &* i, as: UInt32.self))
            }
            let x0 = word(0), x1 = word(1), x2 = word(2), x3 = word(3)
            let x4 = word(4), x5 = word(5), x6 = word(6), x7 = word(7)
            let x8 = word(8), x9 = word(9), x10 = word(10), x11 = word(11)
            let x12 = word(12), x13 = word(13), x14 = word(14), x15 = word(15)
            let a0 = a, b0 = b, c0 = c, d0 = d

            a = f(a, b, c, d, x0, 0xd76aa478, 7)
            d = f(d, a, b, c, x1, 0xe8c7b756, 12)
            c = f(c, d, a, b, x2, 0x242070db, 17)
            b = f(b, c, d, a, x3, 0xc1bdceee, 22)
            a = f(a, b, c, d, x4, 0xf57c0faf, 7)
            d = f(d, a, b, c, x5, 0x4787c62a, 12)
            c = f(c, d, a, b, x6, 0xa8304613, 17)
            b = f(b, c, d, a, x7, 0xfd469501, 22)
            a = f(a, b, c, d, x8, 0x698098d8, 7)
            d = f(d, a, b, c, x9, 0x8b44f7af, 12)
            c = f(c, d, a, b, x10, 0xffff5bb1, 17)
            b = f(b, c, d, a, x11, 0x895cd7be, 22)
            a = f(a, b, c, d, x12, 0x6b901122, 7)
            d = f(d, a, b, c, x13, 0xfd987193, 12)
            c = f(c, d, a, b, x14, 0xa679438e, 17)
            b = f(b, c, d, a, x15, 0x49b40821, 22)

            a = g(a, b, c, d, x1, 0xf61e2562, 5)
            d = g(d, a, b, c, x6, 0xc040b340, 9)
            c = g(c, d, a, b, x11, 0x265e5a51, 14)
            b = g(b, c, d, a, x0, 0xe9b6c7aa, 20)
            a = g(a, b, c, d, x5, 0xd62f105d, 5)
            d = g(d, a, b, c, x10, 0x02441453, 9)
            c = g(c, d, a, b, x15, 0xd8a1e681, 14)
            b = g(b, c, d, a, x4, 0xe7d3fbc8, 20)
            a = g(a, b, c, d, x9, 0x21e1cde6, 5)
            d = g(d, a, b, c, x14, 0xc33707d6, 9)
            c = g(c, d, a, b, x3, 0xf4d50d87, 14)
            b = g(b, c, d, a, x8, 0x455a14ed, 20)
            a = g(a, b, c, d, x13, 0xa9e3e905, 5)
            d = g(d, a, b, c, x2, 0xfcefa3f8, 9)
            c = g(c, d, a, b, x7, 0x676f02d9, 14)
            b = g(b, c, d, a, x12, 0x8d2a4c8a, 20)

            a = h(a, b, c, d, x5, 0xfffa3942, 4)
            d = h(d, a, b, c, x8, 0x8771f681, 11)
            c = h(c, d, a, b, x11, 0x6d9d6122, 16)
            b = h(b, c, d, a, x14, 0xfde5380c, 23)
            a = h(a, b, c, d, x1, 0xa4beea44, 4)
            d = h(d, a, b, c, x4, 0x4bdecfa9, 11)
            c = h(c, d, a, b, x7, 0xf6bb4b60, 16)
            b = h(b, c, d, a, x10, 0xbebfbc70, 23)
            a = h(a, b, c, d, x13, 0x289b7ec6, 4)
            d = h(d, a, b, c, x0, 0xeaa127fa, 11)
            c = h(c, d, a, b, x3, 0xd4ef3085, 16)
            b = h(b, c, d, a, x6, 0x04881d05, 23)
            a = h(a, b, c, d, x9, 0xd9d4d039, 4)
            d = h(d, a, b, c, x12, 0xe6db99e5, 11)
            c = h(c, d, a, b, x15, 0x1fa27cf8, 16)
            b = h(b, c, d, a, x2, 0xc4ac5665, 23)

            a = i(a, b, c, d, x0, 0xf4292244, 6)
            d = i(d, a, b, c, x7, 0x432aff97, 10)
            c = i(c, d, a, b, x14, 0xab9423a7, 15)
            b = i(b, c, d, a, x5, 0xfc93a039, 21)
            a = i(a, b, c, d, x12, 0x655b59c3, 6)
            d = i(d, a, b, c, x3, 0x8f0ccc92, 10)
            c = i(c, d, a, b, x10, 0xffeff47d, 15)
            b = i(b, c, d, a, x1, 0x85845dd1, 21)
            a = i(a, b, c, d, x8, 0x6fa87e4f, 6)
            d = i(d, a, b, c, x15, 0xfe2ce6e0, 10)
            c = i(c, d, a, b, x6, 0xa3014314, 15)
            b = i(b, c, d, a, x13, 0x4e0811a1, 21)
            a = i(a, b, c, d, x4, 0xf7537e82, 6)
            d = i(d, a, b, c, x11, 0xbd3af235, 10)
            c = i(c, d, a, b, x2, 0x2ad7d2bb, 15)
            b = i(b, c, d, a, x9, 0xeb86d391, 21)

            a = a &+ a0; b = b &+ b0; c = c &+ c0; d = d &+ d0
            p += 64
        }
        state = State(a: a, b: b, c: c, d: d)
    }
}
