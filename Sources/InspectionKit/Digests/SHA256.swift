import CSHA256

/// SHA-256 message digest (FIPS 180-2), in pure Swift.
///
/// The journal's hash chain (哈希链) hashes every line it writes and reads, so this is a
/// hot path: full 64-byte blocks are compressed straight from the caller's buffer, the
/// pending partial block lives inline in the struct, and nothing is heap-allocated
/// except the returned digest. Throughput is O(n) in the input length.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(Array("ab".utf8))
/// hasher.update("c".utf8)
/// let digest = hasher.finalize()          // 32 bytes
/// SHA256.hexDigest(Array("abc".utf8))     // "ba7816bf…f20015ad"
/// ```
public struct SHA256: Sendable {
    /// The digest length in bytes.
    public static let byteCount = 32
    /// The block length in bytes.
    public static let blockByteCount = 64

    private struct State: Sendable {
        var a: UInt32 = 0x6a09e667, b: UInt32 = 0xbb67ae85, c: UInt32 = 0x3c6ef372, d: UInt32 = 0xa54ff53a
        var e: UInt32 = 0x510e527f, f: UInt32 = 0x9b05688c, g: UInt32 = 0x1f83d9ab, h: UInt32 = 0x5be0cd19
    }

    private var state = State()
    /// The pending partial block (fewer than 64 bytes are ever kept here).
    private var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var bufferCount = 0
    /// Total message length in bytes (the padding needs it mod 2^64 bits).
    private var totalByteCount: UInt64 = 0
    /// Use the CPU's SHA extensions when present (false: the portable Swift code).
    private let accelerated: Bool

    /// Whether this CPU has the SHA extensions the accelerated path uses.
    public static let hardwareAccelerated: Bool = csha256_has_shani() != 0

    /// Creates a hasher for a new message.
    /// `accelerated: false` forces the portable implementation (tests compare both).
    public init(accelerated: Bool = true) {
        self.accelerated = accelerated && Self.hardwareAccelerated
    }

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
            withUnsafeBytes(of: buffer) { Self.compress(&state, $0.baseAddress!, blockCount: 1, accelerated: accelerated) }
            bufferCount = 0
        }

        let blockCount = remaining / Self.blockByteCount
        if blockCount > 0 {
            Self.compress(&state, base, blockCount: blockCount, accelerated: accelerated)
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

    /// Adds bytes to the message. O(n); contiguous collections (`[UInt8]`, `Data`,
    /// native `String.UTF8View`) are hashed in place, others are copied in 256-byte chunks.
    @inlinable
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { updateByCopying(bytes) }
    }

    @usableFromInline
    mutating func updateByCopying<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        var chunk = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                     UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                     UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                     UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let capacity = MemoryLayout.size(ofValue: chunk)
        var filled = 0
        for byte in bytes {
            withUnsafeMutableBytes(of: &chunk) { $0[filled] = byte }
            filled += 1
            if filled == capacity {
                withUnsafeBytes(of: chunk) { update($0) }
                filled = 0
            }
        }
        if filled > 0 {
            withUnsafeBytes(of: chunk) { update(UnsafeRawBufferPointer(rebasing: $0[..<filled])) }
        }
    }

    /// Pads the message and returns its digest. The hasher is reset afterwards, ready
    /// for a new message.
    public mutating func finalizeDigest() -> Digest {
        let bitLength = totalByteCount &* 8
        // 0x80, then zeros up to 56 mod 64, then the bit length big-endian.
        var padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        let padCount = bufferCount < 56 ? 56 - bufferCount : 120 - bufferCount
        withUnsafeMutableBytes(of: &padding) { pad in
            pad[0] = 0x80
            pad.storeBytes(of: bitLength.bigEndian, toByteOffset: padCount, as: UInt64.self)
        }
        withUnsafeBytes(of: padding) { update(UnsafeRawBufferPointer(rebasing: $0[..<(padCount + 8)])) }
        assert(bufferCount == 0)

        let s = state
        self = SHA256()
        return Digest(words: (UInt64(s.a) << 32 | UInt64(s.b), UInt64(s.c) << 32 | UInt64(s.d),
                              UInt64(s.e) << 32 | UInt64(s.f), UInt64(s.g) << 32 | UInt64(s.h)))
    }

    /// Pads the message and returns its 32-byte digest as bytes (`finalizeDigest()`
    /// avoids the array). The hasher is reset afterwards.
    public mutating func finalize() -> [UInt8] {
        finalizeDigest().bytes
    }

    /// The digest of `bytes` as a value (no allocation): the journal's chain check. O(n).
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeDigest()
    }

    /// The digests of two messages, the same as two `digest` calls, compressed in lockstep
    /// (`digests(of:into:)`). O(n).
    public static func digests(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> (Digest, Digest) {
        withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer.self, capacity: 2) { messages in
            messages.initializeElement(at: 0, to: first)
            messages.initializeElement(at: 1, to: second)
            return withUnsafeTemporaryAllocation(of: Digest.self, capacity: 2) { out in
                out.initialize(repeating: .zero)
                digests(of: UnsafeBufferPointer(messages), into: out)
                return (out[0], out[1])
            }
        }
    }

    /// The digests of `messages` into `out` (as many), the same as `digest` of each. With
    /// the SHA extensions two lanes are compressed in lockstep — one message alone leaves
    /// the unit waiting on each round's latency, so this nearly doubles throughput — and
    /// neither waits for the other: when one message ends, the next starts in its lane.
    /// (Hashed two by two, each pair's longer line finished alone: 8.5 % of the snapshot's
    /// prefix check.) O(total bytes).
    public static func digests(of messages: UnsafeBufferPointer<UnsafeRawBufferPointer>, into out: UnsafeMutableBufferPointer<Digest>) {
        precondition(out.count == messages.count, "one digest per message")
        guard hardwareAccelerated, messages.count >= 2 else {
            for i in messages.indices { out[i] = digest(messages[i]) }
            return
        }
        // Scratch: each lane's padded tail (up to two blocks), then the two lanes' states.
        withUnsafeTemporaryAllocation(byteCount: 4 * blockByteCount + 64, alignment: 16) { scratch in
            let base = scratch.baseAddress!
            let states = (base + 4 * blockByteCount).bindMemory(to: UInt32.self, capacity: 16)
            /// A message being compressed in one of the two lanes.
            struct Lane {
                let state: UnsafeMutablePointer<UInt32>
                let tail: UnsafeMutableRawPointer
                var stream: Stream
                var index: Int
                var live = true
            }
            /// `messages[index]` in a lane: its state reset to the initial hash value.
            func begin(_ state: UnsafeMutablePointer<UInt32>, _ tail: UnsafeMutableRawPointer, _ index: Int) -> Lane {
                let iv = State()
                state[0] = iv.a; state[1] = iv.b; state[2] = iv.c; state[3] = iv.d
                state[4] = iv.e; state[5] = iv.f; state[6] = iv.g; state[7] = iv.h
                return Lane(state: state, tail: tail, stream: Stream(messages[index], tail: tail), index: index)
            }
            var a = begin(states, base, 0), b = begin(states + 8, base + 2 * blockByteCount, 1)
            var next = 2
            /// Records `lane`'s digest and starts the next message in it, or retires it.
            func finish(_ lane: inout Lane) {
                let s = lane.state
                out[lane.index] = Digest(words: (UInt64(s[0]) << 32 | UInt64(s[1]), UInt64(s[2]) << 32 | UInt64(s[3]),
                                                 UInt64(s[4]) << 32 | UInt64(s[5]), UInt64(s[6]) << 32 | UInt64(s[7])))
                guard next < messages.count else { lane.live = false; return }
                lane = begin(lane.state, lane.tail, next)
                next += 1
            }
            while a.live && b.live {
                let n = Swift.min(a.stream.run, b.stream.run)
                csha256_compress_shani_x2(a.state, a.stream.position.assumingMemoryBound(to: UInt8.self),
                                          b.state, b.stream.position.assumingMemoryBound(to: UInt8.self), n)
                a.stream.advance(n)
                b.stream.advance(n)
                if a.stream.remaining == 0 { finish(&a) }
                if b.stream.remaining == 0 { finish(&b) }
            }
            // The last message, alone (no next one: `finish` retires its lane).
            func drain(_ lane: inout Lane) {
                guard lane.live else { return }
                while lane.stream.remaining > 0 {
                    let n = lane.stream.run
                    csha256_compress_shani(lane.state, lane.stream.position.assumingMemoryBound(to: UInt8.self), n)
                    lane.stream.advance(n)
                }
                finish(&lane)
            }
            drain(&a)
            drain(&b)
        }
    }

    /// One message's blocks for `digests`: its full blocks in place, then its padded tail
    /// (one or two blocks) written to `tail`.
    private struct Stream {
        /// The tail, after the full blocks.
        private let tail: UnsafeRawPointer
        private let tailBlocks: Int
        private var inTail: Bool
        /// The next block to compress.
        private(set) var position: UnsafeRawPointer
        /// Blocks left in the current part (contiguous from `position`).
        private(set) var run: Int
        /// Blocks left in all.
        private(set) var remaining: Int

        init(_ message: UnsafeRawBufferPointer, tail: UnsafeMutableRawPointer) {
            let fullBlocks = message.count / SHA256.blockByteCount
            let tailBytes = message.count - fullBlocks * SHA256.blockByteCount
            let tailBlocks = tailBytes < 56 ? 1 : 2
            tail.initializeMemory(as: UInt8.self, repeating: 0, count: tailBlocks * SHA256.blockByteCount)
            if tailBytes > 0 {
                tail.copyMemory(from: message.baseAddress! + fullBlocks * SHA256.blockByteCount, byteCount: tailBytes)
            }
            tail.storeBytes(of: 0x80, toByteOffset: tailBytes, as: UInt8.self)
            let bitLength = UInt64(message.count) &* 8
            tail.storeBytes(of: bitLength.bigEndian, toByteOffset: tailBlocks * SHA256.blockByteCount - 8, as: UInt64.self)
            self.tail = UnsafeRawPointer(tail)
            self.tailBlocks = tailBlocks
            inTail = fullBlocks == 0
            position = inTail ? UnsafeRawPointer(tail) : UnsafeRawPointer(message.baseAddress!)
            run = inTail ? tailBlocks : fullBlocks
            remaining = fullBlocks + tailBlocks
        }

        mutating func advance(_ blocks: Int) {
            position += blocks * SHA256.blockByteCount
            run -= blocks
            remaining -= blocks
            if run == 0 && !inTail {
                inTail = true
                position = tail
                run = tailBlocks
            }
        }
    }

    /// The digest of `bytes`. O(n).
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of `bytes`. O(n).
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The digest of any byte collection, e.g. `SHA256.hash(line.utf8)`. O(n).
    @inlinable
    public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of `bytes` as 64 lowercase hex digits, the form the journal stores. O(n).
    public static func hexDigest(_ bytes: [UInt8]) -> String {
        Hex.encode(hash(bytes))
    }

    /// The digest of `bytes` as 64 lowercase hex digits. O(n).
    public static func hexDigest(_ bytes: UnsafeRawBufferPointer) -> String {
        Hex.encode(hash(bytes))
    }

    // MARK: - Compression

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x &>> n) | (x &<< (32 &- n))
    }

    @inline(__always)
    private static func smallSigma0(_ x: UInt32) -> UInt32 { rotr(x, 7) ^ rotr(x, 18) ^ (x &>> 3) }

    @inline(__always)
    private static func smallSigma1(_ x: UInt32) -> UInt32 { rotr(x, 17) ^ rotr(x, 19) ^ (x &>> 10) }

    /// One round; the caller rotates the roles of the eight working variables instead of
    /// moving values, so only `d` and `h` are written.
    @inline(__always)
    private static func round(
        _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
        _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32,
        _ k: UInt32, _ w: UInt32
    ) {
        let bigSigma1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
        let choose = g ^ (e & (f ^ g))          // (e ∧ f) ⊕ (¬e ∧ g)
        let t1 = h &+ bigSigma1 &+ choose &+ k &+ w
        let bigSigma0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
        let majority = (a & b) | (c & (a | b))  // (a ∧ b) ⊕ (a ∧ c) ⊕ (b ∧ c)
        d = d &+ t1
        h = t1 &+ bigSigma0 &+ majority
    }

    /// Compresses `blockCount` consecutive 64-byte blocks at `blocks` into `state`.
    ///
    /// Fully unrolled; the 64-word schedule is kept as a rolling window of 16 locals.
    private static func compress(_ state: inout State, _ blocks: UnsafeRawPointer, blockCount: Int, accelerated: Bool) {
        if accelerated {
            var words: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
                (state.a, state.b, state.c, state.d, state.e, state.f, state.g, state.h)
            withUnsafeMutableBytes(of: &words) { raw in
                csha256_compress_shani(raw.baseAddress!.assumingMemoryBound(to: UInt32.self),
                                       blocks.assumingMemoryBound(to: UInt8.self), blockCount)
            }
            state = State(a: words.0, b: words.1, c: words.2, d: words.3, e: words.4, f: words.5, g: words.6, h: words.7)
            return
        }
        compressPortable(&state, blocks, blockCount: blockCount)
    }

    private static func compressPortable(_ state: inout State, _ blocks: UnsafeRawPointer, blockCount: Int) {
        var a = state.a, b = state.b, c = state.c, d = state.d
        var e = state.e, f = state.f, g = state.g, h = state.h
        var p = blocks
        for _ in 0..<blockCount {
            @inline(__always) func word(_ i: Int) -> UInt32 {
                UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4 &* i, as: UInt32.self))
            }
            var w0 = word(0), w1 = word(1), w2 = word(2), w3 = word(3)
            var w4 = word(4), w5 = word(5), w6 = word(6), w7 = word(7)
            var w8 = word(8), w9 = word(9), w10 = word(10), w11 = word(11)
            var w12 = word(12), w13 = word(13), w14 = word(14), w15 = word(15)
            let a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h

            round(a, b, c, &d, e, f, g, &h, 0x428a2f98, w0)
            round(h, a, b, &c, d, e, f, &g, 0x71374491, w1)
            round(g, h, a, &b, c, d, e, &f, 0xb5c0fbcf, w2)
            round(f, g, h, &a, b, c, d, &e, 0xe9b5dba5, w3)
            round(e, f, g, &h, a, b, c, &d, 0x3956c25b, w4)
            round(d, e, f, &g, h, a, b, &c, 0x59f111f1, w5)
            round(c, d, e, &f, g, h, a, &b, 0x923f82a4, w6)
            round(b, c, d, &e, f, g, h, &a, 0xab1c5ed5, w7)
            round(a, b, c, &d, e, f, g, &h, 0xd807aa98, w8)
            round(h, a, b, &c, d, e, f, &g, 0x12835b01, w9)
            round(g, h, a, &b, c, d, e, &f, 0x243185be, w10)
            round(f, g, h, &a, b, c, d, &e, 0x550c7dc3, w11)
            round(e, f, g, &h, a, b, c, &d, 0x72be5d74, w12)
            round(d, e, f, &g, h, a, b, &c, 0x80deb1fe, w13)
            round(c, d, e, &f, g, h, a, &b, 0x9bdc06a7, w14)
            round(b, c, d, &e, f, g, h, &a, 0xc19bf174, w15)
            w0 = w0 &+ smallSigma1(w14) &+ w9 &+ smallSigma0(w1)
            round(a, b, c, &d, e, f, g, &h, 0xe49b69c1, w0)
            w1 = w1 &+ smallSigma1(w15) &+ w10 &+ smallSigma0(w2)
            round(h, a, b, &c, d, e, f, &g, 0xefbe4786, w1)
            w2 = w2 &+ smallSigma1(w0) &+ w11 &+ smallSigma0(w3)
            round(g, h, a, &b, c, d, e, &f, 0x0fc19dc6, w2)
            w3 = w3 &+ smallSigma1(w1) &+ w12 &+ smallSigma0(w4)
            round(f, g, h, &a, b, c, d, &e, 0x240ca1cc, w3)
            w4 = w4 &+ smallSigma1(w2) &+ w13 &+ smallSigma0(w5)
            round(e, f, g, &h, a, b, c, &d, 0x2de92c6f, w4)
            w5 = w5 &+ smallSigma1(w3) &+ w14 &+ smallSigma0(w6)
            round(d, e, f, &g, h, a, b, &c, 0x4a7484aa, w5)
            w6 = w6 &+ smallSigma1(w4) &+ w15 &+ smallSigma0(w7)
            round(c, d, e, &f, g, h, a, &b, 0x5cb0a9dc, w6)
            w7 = w7 &+ smallSigma1(w5) &+ w0 &+ smallSigma0(w8)
            round(b, c, d, &e, f, g, h, &a, 0x76f988da, w7)
            w8 = w8 &+ smallSigma1(w6) &+ w1 &+ smallSigma0(w9)
            round(a, b, c, &d, e, f, g, &h, 0x983e5152, w8)
            w9 = w9 &+ smallSigma1(w7) &+ w2 &+ smallSigma0(w10)
            round(h, a, b, &c, d, e, f, &g, 0xa831c66d, w9)
            w10 = w10 &+ smallSigma1(w8) &+ w3 &+ smallSigma0(w11)
            round(g, h, a, &b, c, d, e, &f, 0xb00327c8, w10)
            w11 = w11 &+ smallSigma1(w9) &+ w4 &+ smallSigma0(w12)
            round(f, g, h, &a, b, c, d, &e, 0xbf597fc7, w11)
            w12 = w12 &+ smallSigma1(w10) &+ w5 &+ smallSigma0(w13)
            round(e, f, g, &h, a, b, c, &d, 0xc6e00bf3, w12)
            w13 = w13 &+ smallSigma1(w11) &+ w6 &+ smallSigma0(w14)
            round(d, e, f, &g, h, a, b, &c, 0xd5a79147, w13)
            w14 = w14 &+ smallSigma1(w12) &+ w7 &+ smallSigma0(w15)
            round(c, d, e, &f, g, h, a, &b, 0x06ca6351, w14)
            w15 = w15 &+ smallSigma1(w13) &+ w8 &+ smallSigma0(w0)
            round(b, c, d, &e, f, g, h, &a, 0x14292967, w15)
            w0 = w0 &+ smallSigma1(w14) &+ w9 &+ smallSigma0(w1)
            round(a, b, c, &d, e, f, g, &h, 0x27b70a85, w0)
            w1 = w1 &+ smallSigma1(w15) &+ w10 &+ smallSigma0(w2)
            round(h, a, b, &c, d, e, f, &g, 0x2e1b2138, w1)
            w2 = w2 &+ smallSigma1(w0) &+ w11 &+ smallSigma0(w3)
            round(g, h, a, &b, c, d, e, &f, 0x4d2c6dfc, w2)
            w3 = w3 &+ smallSigma1(w1) &+ w12 &+ smallSigma0(w4)
            round(f, g, h, &a, b, c, d, &e, 0x53380d13, w3)
            w4 = w4 &+ smallSigma1(w2) &+ w13 &+ smallSigma0(w5)
            round(e, f, g, &h, a, b, c, &d, 0x650a7354, w4)
            w5 = w5 &+ smallSigma1(w3) &+ w14 &+ smallSigma0(w6)
            round(d, e, f, &g, h, a, b, &c, 0x766a0abb, w5)
            w6 = w6 &+ smallSigma1(w4) &+ w15 &+ smallSigma0(w7)
            round(c, d, e, &f, g, h, a, &b, 0x81c2c92e, w6)
            w7 = w7 &+ smallSigma1(w5) &+ w0 &+ smallSigma0(w8)
            round(b, c, d, &e, f, g, h, &a, 0x92722c85, w7)
            w8 = w8 &+ smallSigma1(w6) &+ w1 &+ smallSigma0(w9)
            round(a, b, c, &d, e, f, g, &h, 0xa2bfe8a1, w8)
            w9 = w9 &+ smallSigma1(w7) &+ w2 &+ smallSigma0(w10)
            round(h, a, b, &c, d, e, f, &g, 0xa81a664b, w9)
            w10 = w10 &+ smallSigma1(w8) &+ w3 &+ smallSigma0(w11)
            round(g, h, a, &b, c, d, e, &f, 0xc24b8b70, w10)
            w11 = w11 &+ smallSigma1(w9) &+ w4 &+ smallSigma0(w12)
            round(f, g, h, &a, b, c, d, &e, 0xc76c51a3, w11)
            w12 = w12 &+ smallSigma1(w10) &+ w5 &+ smallSigma0(w13)
            round(e, f, g, &h, a, b, c, &d, 0xd192e819, w12)
            w13 = w13 &+ smallSigma1(w11) &+ w6 &+ smallSigma0(w14)
            round(d, e, f, &g, h, a, b, &c, 0xd6990624, w13)
            w14 = w14 &+ smallSigma1(w12) &+ w7 &+ smallSigma0(w15)
            round(c, d, e, &f, g, h, a, &b, 0xf40e3585, w14)
            w15 = w15 &+ smallSigma1(w13) &+ w8 &+ smallSigma0(w0)
            round(b, c, d, &e, f, g, h, &a, 0x106aa070, w15)
            w0 = w0 &+ smallSigma1(w14) &+ w9 &+ smallSigma0(w1)
            round(a, b, c, &d, e, f, g, &h, 0x19a4c116, w0)
            w1 = w1 &+ smallSigma1(w15) &+ w10 &+ smallSigma0(w2)
            round(h, a, b, &c, d, e, f, &g, 0x1e376c08, w1)
            w2 = w2 &+ smallSigma1(w0) &+ w11 &+ smallSigma0(w3)
            round(g, h, a, &b, c, d, e, &f, 0x2748774c, w2)
            w3 = w3 &+ smallSigma1(w1) &+ w12 &+ smallSigma0(w4)
            round(f, g, h, &a, b, c, d, &e, 0x34b0bcb5, w3)
            w4 = w4 &+ smallSigma1(w2) &+ w13 &+ smallSigma0(w5)
            round(e, f, g, &h, a, b, c, &d, 0x391c0cb3, w4)
            w5 = w5 &+ smallSigma1(w3) &+ w14 &+ smallSigma0(w6)
            round(d, e, f, &g, h, a, b, &c, 0x4ed8aa4a, w5)
            w6 = w6 &+ smallSigma1(w4) &+ w15 &+ smallSigma0(w7)
            round(c, d, e, &f, g, h, a, &b, 0x5b9cca4f, w6)
            w7 = w7 &+ smallSigma1(w5) &+ w0 &+ smallSigma0(w8)
            round(b, c, d, &e, f, g, h, &a, 0x682e6ff3, w7)
            w8 = w8 &+ smallSigma1(w6) &+ w1 &+ smallSigma0(w9)
            round(a, b, c, &d, e, f, g, &h, 0x748f82ee, w8)
            w9 = w9 &+ smallSigma1(w7) &+ w2 &+ smallSigma0(w10)
            round(h, a, b, &c, d, e, f, &g, 0x78a5636f, w9)
            w10 = w10 &+ smallSigma1(w8) &+ w3 &+ smallSigma0(w11)
            round(g, h, a, &b, c, d, e, &f, 0x84c87814, w10)
            w11 = w11 &+ smallSigma1(w9) &+ w4 &+ smallSigma0(w12)
            round(f, g, h, &a, b, c, d, &e, 0x8cc70208, w11)
            w12 = w12 &+ smallSigma1(w10) &+ w5 &+ smallSigma0(w13)
            round(e, f, g, &h, a, b, c, &d, 0x90befffa, w12)
            w13 = w13 &+ smallSigma1(w11) &+ w6 &+ smallSigma0(w14)
            round(d, e, f, &g, h, a, b, &c, 0xa4506ceb, w13)
            w14 = w14 &+ smallSigma1(w12) &+ w7 &+ smallSigma0(w15)
            round(c, d, e, &f, g, h, a, &b, 0xbef9a3f7, w14)
            w15 = w15 &+ smallSigma1(w13) &+ w8 &+ smallSigma0(w0)
            round(b, c, d, &e, f, g, h, &a, 0xc67178f2, w15)

            a = a &+ a0; b = b &+ b0; c = c &+ c0; d = d &+ d0
            e = e &+ e0; f = f &+ f0; g = g &+ g0; h = h &+ h0
            p += 64
        }
        state = State(a: a, b: b, c: c, d: d, e: e, f: f, g: g, h: h)
    }
}

extension SHA256 {
    /// A 32-byte SHA-256 digest held in four big-endian words: compared, copied and
    /// hashed without a heap allocation (the journal checks one per line).
    public struct Digest: Sendable, Hashable {
        /// Bytes 0–7, 8–15, 16–23, 24–31, each read as a big-endian integer.
        public var words: (UInt64, UInt64, UInt64, UInt64)

        public init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

        public static let zero = Digest(words: (0, 0, 0, 0))

        public static func == (l: Digest, r: Digest) -> Bool {
            l.words.0 == r.words.0 && l.words.1 == r.words.1 && l.words.2 == r.words.2 && l.words.3 == r.words.3
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(words.0); hasher.combine(words.1); hasher.combine(words.2); hasher.combine(words.3)
        }

        /// The 32 bytes.
        public var bytes: [UInt8] {
            [UInt8](unsafeUninitializedCapacity: 32) { out, count in
                let raw = UnsafeMutableRawBufferPointer(out)
                raw.storeBytes(of: words.0.bigEndian, toByteOffset: 0, as: UInt64.self)
                raw.storeBytes(of: words.1.bigEndian, toByteOffset: 8, as: UInt64.self)
                raw.storeBytes(of: words.2.bigEndian, toByteOffset: 16, as: UInt64.self)
                raw.storeBytes(of: words.3.bigEndian, toByteOffset: 24, as: UInt64.self)
                count = 32
            }
        }

        /// 64 lowercase hex digits, the form the journal stores.
        public var hex: String { Hex.encode(bytes) }

        /// Whether `text` is exactly this digest's 64 lowercase hex digits. Compares by
        /// encoding eight digits at a time in a register (no table, no parse), so the
        /// snapshot's prefix check pays next to nothing per line beyond the SHA-256 itself.
        public func matches(lowercaseHex text: UnsafeRawBufferPointer) -> Bool {
            guard text.count == 64 else { return false }
            /// The 8 ASCII digits of `v`, first digit in the lowest byte (memory order).
            @inline(__always) func digits(_ v: UInt64) -> UInt64 {
                var t = v & 0xFFFF_FFFF
                t = (t | t << 16) & 0x0000_FFFF_0000_FFFF
                t = (t | t << 8) & 0x00FF_00FF_00FF_00FF
                t = (t | t << 4) & 0x0F0F_0F0F_0F0F_0F0F          // one nibble per byte, last digit first
                let letters = ((t &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101   // 1 where the nibble is ≥ 10
                return (t &+ 0x3030_3030_3030_3030 &+ letters &* 0x27).byteSwapped            // '0'+n, or 'a'+n-10
            }
            @inline(__always) func differs(_ word: UInt64, _ offset: Int) -> UInt64 {
                (digits(word >> 32) ^ UInt64(littleEndian: text.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                    | (digits(word) ^ UInt64(littleEndian: text.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
            }
            return differs(words.0, 0) | differs(words.1, 16) | differs(words.2, 32) | differs(words.3, 48) == 0
        }

        /// Reads exactly 64 lowercase hex digits (the journal's `prev`); nil for anything else.
        public init?(lowercaseHex text: UnsafeRawBufferPointer) {
            guard text.count == 64, let base = text.baseAddress else { return nil }
            @inline(__always) func word(_ offset: Int) -> UInt64? {
                var value: UInt64 = 0
                var bad: UInt8 = 0
                for i in 0..<16 {
                    let nibble = Digest.nibbles[Int(base.load(fromByteOffset: offset + i, as: UInt8.self))]
                    bad |= nibble
                    value = value << 4 | UInt64(nibble & 0x0F)
                }
                return bad & 0xF0 == 0 ? value : nil
            }
            guard let a = word(0), let b = word(16), let c = word(32), let d = word(48) else { return nil }
            words = (a, b, c, d)
        }

        /// Byte → its value as a lowercase hex digit, or 0xFF.
        static let nibbles: [UInt8] = (0..<256).map { c in
            switch c {
            case 0x30...0x39: return UInt8(c - 0x30)
            case 0x61...0x66: return UInt8(c - 0x61 + 10)
            default: return 0xFF
            }
        }

        public init?(lowercaseHex text: String) {
            var text = text
            guard let digest = text.withUTF8({ Digest(lowercaseHex: UnsafeRawBufferPointer($0)) }) else { return nil }
            self = digest
        }
    }
}
