extension Array where Element == UInt8 {
    /// `withUnsafeBytes` that keeps the closure's typed error (the standard library's
    /// version is `rethrows`, which erases it to `any Error`).
    @inlinable
    public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var result: Result<R, E>?
        withUnsafeBytes { buffer in result = Result { () throws(E) -> R in try body(buffer) } }
        return try result!.get()
    }

    /// `withUnsafeMutableBytes` that keeps the closure's typed error.
    @inlinable
    public mutating func withMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var result: Result<R, E>?
        withUnsafeMutableBytes { buffer in result = Result { () throws(E) -> R in try body(buffer) } }
        return try result!.get()
    }
}

extension UnsafeRawBufferPointer {
    /// Whether both buffers hold the same bytes; eight at a time (no libc in this module).
    @inlinable
    public func equalBytes(_ other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        var i = 0
        while i + 8 <= count {
            if loadUnaligned(fromByteOffset: i, as: UInt64.self) != other.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < count {
            if self[i] != other[i] { return false }
            i += 1
        }
        return true
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes as a String if they are well-formed UTF-8, else nil. Same answer as
    /// `String(validating:as:)`, which is generic and not inlinable: on the replay hot
    /// path it spent more time looking up generic metadata than validating.
    @inlinable
    public func validUTF8String() -> String? {
        isWellFormedUTF8 ? String(decoding: self, as: UTF8.self) : nil
    }

    /// Well-formed UTF-8 (Unicode §3.9, table 3-7: no overlong forms, no surrogates,
    /// nothing above U+10FFFF). ASCII is checked eight bytes at a time.
    @inlinable
    public var isWellFormedUTF8: Bool {
        let n = count
        var i = 0
        while i < n {
            if i + 8 <= n, loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let b0 = self[i]
            if b0 < 0x80 { i += 1; continue }
            @inline(__always) func continuation(_ j: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
                j < n && self[j] >= low && self[j] <= high
            }
            switch b0 {
            case 0xC2...0xDF:
                guard continuation(i + 1) else { return false }
                i += 2
            case 0xE0:
                guard continuation(i + 1, 0xA0, 0xBF), continuation(i + 2) else { return false }
                i += 3
            case 0xE1...0xEC, 0xEE...0xEF:
                guard continuation(i + 1), continuation(i + 2) else { return false }
                i += 3
            case 0xED:
                guard continuation(i + 1, 0x80, 0x9F), continuation(i + 2) else { return false }
                i += 3
            case 0xF0:
                guard continuation(i + 1, 0x90, 0xBF), continuation(i + 2), continuation(i + 3) else { return false }
                i += 4
            case 0xF1...0xF3:
                guard continuation(i + 1), continuation(i + 2), continuation(i + 3) else { return false }
                i += 4
            case 0xF4:
                guard continuation(i + 1, 0x80, 0x8F), continuation(i + 2), continuation(i + 3) else { return false }
                i += 4
            default:
                return false
            }
        }
        return true
    }
}
