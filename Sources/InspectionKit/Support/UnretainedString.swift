import CSHA256

/// Where the heap object of the `String` stored at `address` starts, read from the
/// string's bits without retaining it — for a prefetch hint only. Nil for a string with
/// nothing of its own on the heap (small, literal, bridged), and always nil if the probe
/// below did not find the layout it expects.
@inline(__always)
func unretainedStringObject(at address: UnsafeRawPointer) -> UnsafeRawPointer? {
    let bits = address.load(fromByteOffset: NativeStringLayout.measured.objectWordOffset, as: UInt64.self)
    guard bits & NativeStringLayout.flagMask == NativeStringLayout.measured.flags else { return nil }
    return UnsafeRawPointer(bitPattern: UInt(truncatingIfNeeded: bits & ~NativeStringLayout.flagMask))
}

/// How a native (heap-stored) `String` holds its object, measured once on a probe string
/// rather than assumed: which of its two words carries the object's address, and the
/// flags in that word's top byte that mark a native string. The standard library keeps
/// the address in the low 56 bits on 64-bit platforms; if the probe finds otherwise,
/// `flags` is a value no word can match and every prefetch is skipped.
struct NativeStringLayout {
    static let flagMask: UInt64 = 0xFF00_0000_0000_0000
    let objectWordOffset: Int
    let flags: UInt64

    static let measured: NativeStringLayout = {
        let unmatchable = NativeStringLayout(objectWordOffset: 0, flags: 1)
        guard MemoryLayout<String>.size == 16 else { return unmatchable }
        var probe = String(repeating: "x", count: 40)
        let start = probe.withUTF8 { UInt64(UInt(bitPattern: $0.baseAddress)) }
        let words = unsafeBitCast(probe, to: (UInt64, UInt64).self)
        for (offset, word) in [(0, words.0), (8, words.1)] {
            let address = word & ~flagMask
            // The characters follow the object's header, a few words after its start.
            if address != 0 && start > address && start - address <= 64 {
                return NativeStringLayout(objectWordOffset: offset, flags: word & flagMask)
            }
        }
        return unmatchable
    }()
}
