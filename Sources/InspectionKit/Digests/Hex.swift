/// Hexadecimal text for bytes: digests, chain heads and draw keys in the journal.
public enum Hex {
    /// Lowercase hex digits of `bytes`, two per byte. O(n).
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0)) }) {
            return text
        }
        return Array(bytes).withUnsafeBytes { encode($0) }
    }

    /// Lowercase hex digits of the bytes at `bytes`. O(n).
    public static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count &* 2) { out in
            var o = 0
            for byte in bytes {
                out[o] = digit(byte &>> 4)
                out[o &+ 1] = digit(byte & 0x0f)
                o &+= 2
            }
            return o
        }
    }

    @inline(__always)
    private static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? nibble &+ UInt8(ascii: "0") : nibble &+ (UInt8(ascii: "a") &- 10)
    }

    /// The bytes spelled by `text`, or `nil` if it has an odd length or a character
    /// that is not a hex digit. Upper- and lowercase digits are both accepted. O(n).
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        text.makeContiguousUTF8()  // a no-op for native strings
        return text.utf8.withContiguousStorageIfAvailable { decode(UnsafeRawBufferPointer($0)) } ?? nil
    }

    private static func decode(_ utf8: UnsafeRawBufferPointer) -> [UInt8]? {
        guard utf8.count % 2 == 0 else { return nil }
        var result = [UInt8](repeating: 0, count: utf8.count / 2)
        for i in 0..<result.count {
            guard let high = value(of: utf8[2 &* i]), let low = value(of: utf8[2 &* i &+ 1]) else { return nil }
            result[i] = high &<< 4 | low
        }
        return result
    }

    @inline(__always)
    private static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }
}
