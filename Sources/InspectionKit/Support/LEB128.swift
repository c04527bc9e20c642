/// Unsigned LEB128: a number in 7-bit groups, low group first, the high bit of each byte
/// set while more follow (one byte below 128). The length prefix of the packed texts
/// (`EntityTexts`' tags, an inspection's packed details).
enum LEB128 {
    /// Appends `value`'s bytes to `out`.
    @inline(__always)
    static func append(_ value: UInt, to out: inout [UInt8]) {
        var value = value
        repeat {
            out.append(UInt8(value & 0x7F) | (value >= 0x80 ? 0x80 : 0))
            value >>= 7
        } while value > 0
    }

    /// Calls `body` with `value`'s bytes (at most 10), made on the stack.
    @inline(__always)
    static func withBytes<R>(of value: UInt, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var value = value
        var bytes: (UInt64, UInt64) = (0, 0)
        let count = withUnsafeMutableBytes(of: &bytes) { out in
            var n = 0
            repeat {
                out[n] = UInt8(value & 0x7F) | (value >= 0x80 ? 0x80 : 0)
                value >>= 7
                n += 1
            } while value > 0
            return n
        }
        return withUnsafeBytes(of: bytes) { body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    /// The number at `bytes[at...]`, moving `at` past it; nil when the bytes end first or
    /// it does not fit an `Int` (bounds-checked: for bytes read from a file).
    @inline(__always)
    static func read(_ bytes: UnsafeRawBufferPointer, at: inout Int) -> Int? {
        var value = 0, shift = 0
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            guard shift <= 56 else { return nil }   // bits 56…62 are an Int's last
            value |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
