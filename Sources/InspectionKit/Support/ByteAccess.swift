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
    ///
    /// `String(decoding:)` validates as it copies (repairing what is ill-formed with
    /// U+FFFD), so the bytes were well-formed exactly when the copy equals them: a
    /// repair writes EF BF BD where the input had a byte that cannot begin that valid
    /// sequence. Checking first as well cost the journal reader ~4 % of its time.
    @inlinable
    public func validUTF8String() -> String? {
        var string = String(decoding: self, as: UTF8.self)
        return string.withUTF8 { UnsafeRawBufferPointer($0).equalBytes(self) } ? string : nil
    }
}

extension UnsafeRawBufferPointer {
    /// Whether the bytes are well-formed UTF-8 (Unicode table 3-7: no overlong forms, no
    /// surrogates, nothing above U+10FFFF), checked in place — `validUTF8String` without
    /// the String. ASCII runs go eight bytes at a time, CJK runs a character at a time.
    public var isValidUTF8: Bool {
        let n = count
        var i = 0
        @inline(__always) func continuation(_ j: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            j < n && self[j] >= low && self[j] <= high
        }
        while i < n {
            while i + 8 <= n, loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            // Runs of three-byte sequences (CJK) a word at a time: a lead E1–EC or EE–EF and
            // two continuation bytes (E0 and ED, whose second byte has a narrower range, go
            // to the table below).
            while i + 4 <= n {
                let word = UInt32(littleEndian: loadUnaligned(fromByteOffset: i, as: UInt32.self))
                guard word & 0x00C0_C0F0 == 0x0080_80E0 else { break }
                let lead = UInt8(truncatingIfNeeded: word)
                guard lead != 0xE0 && lead != 0xED else { break }
                i += 3
            }
            guard i < n else { break }
            let lead = self[i]
            switch lead {
            case 0x00...0x7F: i += 1
            case 0xC2...0xDF where continuation(i + 1): i += 2
            case 0xE0 where continuation(i + 1, 0xA0, 0xBF) && continuation(i + 2): i += 3
            case 0xE1...0xEC where continuation(i + 1) && continuation(i + 2): i += 3   // (a `where` binds only the last pattern of a list)
            case 0xEE...0xEF where continuation(i + 1) && continuation(i + 2): i += 3
            case 0xED where continuation(i + 1, 0x80, 0x9F) && continuation(i + 2): i += 3
            case 0xF0 where continuation(i + 1, 0x90, 0xBF) && continuation(i + 2) && continuation(i + 3): i += 4
            case 0xF1...0xF3 where continuation(i + 1) && continuation(i + 2) && continuation(i + 3): i += 4
            case 0xF4 where continuation(i + 1, 0x80, 0x8F) && continuation(i + 2) && continuation(i + 3): i += 4
            default: return false
            }
        }
        return true
    }
}

extension String {
    /// Whether the string's UTF-8 is `bytes`.
    @inline(__always)
    func hasUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        utf8.withContiguousStorageIfAvailable { UnsafeRawBufferPointer($0).equalBytes(bytes) } ?? utf8.elementsEqual(bytes)
    }

    /// Whether the two strings have the same UTF-8 bytes (`==` also takes a canonically
    /// equivalent spelling; an interned key must be byte for byte the same).
    @inline(__always)
    func hasUTF8(of other: String) -> Bool {
        other.utf8.withContiguousStorageIfAvailable { hasUTF8(UnsafeRawBufferPointer($0)) } ?? utf8.elementsEqual(other.utf8)
    }
}
