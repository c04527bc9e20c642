#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Streaming conversion to UTF-8 with glibc's iconv (used for GB18030 bureau exports;
/// glibc ships the GB18030 converter, so no tables live in this repository).
public final class Transcoder {
    private let handle: iconv_t
    private var carry: [UInt8] = []
    public let sourceEncoding: String

    /// `nil` when iconv doesn't know the encoding.
    public init?(from encoding: String) {
        let h = iconv_open("UTF-8", encoding)
        if h == iconv_t(bitPattern: -1) { return nil }
        handle = h!
        sourceEncoding = encoding
    }

    deinit { iconv_close(handle) }

    public struct InvalidInput: Error, Sendable {
        /// Offset of the bad sequence within everything fed so far.
        public var offset: Int
    }

    private var consumed = 0

    /// Converts `input`; an incomplete multi-byte sequence at the end is kept for the
    /// next call. `final` says there is no more input (a leftover is then invalid).
    public func convert(_ input: UnsafeRawBufferPointer, final: Bool, into output: inout [UInt8]) throws(InvalidInput) {
        var source = carry
        source.append(contentsOf: input)
        let base = consumed - carry.count   // absolute offset of source[0]
        carry.removeAll()
        var failure: InvalidInput?
        source.withUnsafeMutableBytes { raw in
            var inPtr = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
            var inLeft = raw.count
            var chunk = [UInt8](repeating: 0, count: max(4096, raw.count * 2 + 16))
            while inLeft > 0 {
                let produced: Int
                let result: Int
                let code: Int32
                (produced, result, code) = chunk.withUnsafeMutableBytes { out in
                    var outPtr = out.baseAddress?.assumingMemoryBound(to: CChar.self)
                    var outLeft = out.count
                    let r = iconv(handle, &inPtr, &inLeft, &outPtr, &outLeft)
                    return (out.count - outLeft, r, errno)
                }
                output.append(contentsOf: chunk[0..<produced])
                if result != -1 { break }
                if code == E2BIG { continue }
                if code == EINVAL && !final {
                    // Incomplete sequence at the end: keep it for the next chunk.
                    carry = Array(UnsafeRawBufferPointer(start: inPtr, count: inLeft))
                    break
                }
                failure = InvalidInput(offset: base + (raw.count - inLeft))
                return
            }
        }
        consumed += input.count
        if let failure { throw failure }
    }
}
