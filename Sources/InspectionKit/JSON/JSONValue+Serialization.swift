extension JSONValue {
    /// Appends the compact JSON text of `self` (no whitespace, object members in
    /// stored order, `.number` text verbatim, non-ASCII as raw UTF-8).
    public func serialize(into output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(contentsOf: _JSONLiteral.null)
        case .bool(let b):
            output.append(contentsOf: b ? _JSONLiteral.true : _JSONLiteral.false)
        case .number(let text):
            _JSONLiteral.appendUTF8(text, into: &output)
        case .string(let s):
            Self.writeQuoted(s, into: &output)
        case .array(let elements):
            output.append(0x5B)  // [
            var first = true
            for element in elements {
                if !first { output.append(0x2C) }  // ,
                first = false
                element.serialize(into: &output)
            }
            output.append(0x5D)  // ]
        case .object(let object):
            output.append(0x7B)  // {
            var first = true
            for member in object.members {
                if !first { output.append(0x2C) }
                first = false
                Self.writeQuoted(member.key, into: &output)
                output.append(0x3A)  // :
                member.value.serialize(into: &output)
            }
            output.append(0x7D)  // }
        }
    }

    /// The compact JSON text of `self` (see ``serialize(into:)``).
    public func serialized() -> String {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        serialize(into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Multi-line JSON for humans: `indent` spaces per level, `"key": value`,
    /// `[]`/`{}` for empty containers, members in stored order, no trailing newline.
    public func prettyPrinted(indent: Int = 2) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        writePretty(into: &output, indent: max(0, indent), level: 0)
        return String(decoding: output, as: UTF8.self)
    }

    private func writePretty(into output: inout [UInt8], indent: Int, level: Int) {
        @inline(__always) func newline(_ level: Int, _ output: inout [UInt8]) {
            output.append(0x0A)
            output.append(contentsOf: repeatElement(0x20 as UInt8, count: indent * level))
        }
        switch self {
        case .array(let elements) where !elements.isEmpty:
            output.append(0x5B)
            for (i, element) in elements.enumerated() {
                if i > 0 { output.append(0x2C) }
                newline(level + 1, &output)
                element.writePretty(into: &output, indent: indent, level: level + 1)
            }
            newline(level, &output)
            output.append(0x5D)
        case .object(let object) where !object.members.isEmpty:
            output.append(0x7B)
            for (i, member) in object.members.enumerated() {
                if i > 0 { output.append(0x2C) }
                newline(level + 1, &output)
                Self.writeQuoted(member.key, into: &output)
                output.append(0x3A)
                output.append(0x20)
                member.value.writePretty(into: &output, indent: indent, level: level + 1)
            }
            newline(level, &output)
            output.append(0x7D)
        default:
            serialize(into: &output)
        }
    }

    /// Appends `string` as a JSON string literal: `"` and `\` escaped, U+0000–U+001F
    /// as `\b \f \n \r \t` or `\u00xx` (lowercase hex); everything else, including
    /// `/` and non-ASCII, written as raw UTF-8.
    public static func writeQuoted(_ string: String, into output: inout [UInt8]) {
        if string.utf8.withContiguousStorageIfAvailable({ _JSONLiteral.writeQuoted($0, into: &output) }) != nil {
            return
        }
        var copy = string
        copy.withUTF8 { _JSONLiteral.writeQuoted($0, into: &output) }
    }
}

private enum _JSONLiteral {
    static let null: [UInt8] = Array("null".utf8)
    static let `true`: [UInt8] = Array("true".utf8)
    static let `false`: [UInt8] = Array("false".utf8)
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    @inline(__always)
    static func appendUTF8(_ text: String, into output: inout [UInt8]) {
        if text.utf8.withContiguousStorageIfAvailable({ output.append(contentsOf: $0) }) == nil {
            output.append(contentsOf: text.utf8)
        }
    }

    @inline(__always)
    static func needsEscape(_ b: UInt8) -> Bool {
        b < 0x20 || b == 0x22 || b == 0x5C
    }

    /// The first index at or after `index` whose byte needs escaping, or `utf8.count`.
    @inline(__always)
    static func nextToEscape(_ utf8: UnsafeBufferPointer<UInt8>, from index: Int) -> Int {
        let n = utf8.count
        var i = index
        if let base = utf8.baseAddress {
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            // Eight bytes at a time. Each "has a byte < k / == k" test is exact as a
            // yes/no answer even with non-ASCII bytes present (those are never flagged
            // themselves, and a borrow only starts at a genuinely matching byte).
            while i + 8 <= n {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let control = (w &- ones &* 0x20) & ~w
                let q = w ^ (ones &* 0x22)
                let s = w ^ (ones &* 0x5C)
                if (control | ((q &- ones) & ~q) | ((s &- ones) & ~s)) & highs != 0 { break }
                i += 8
            }
        }
        while i < n, !needsEscape(utf8[i]) { i += 1 }
        return i
    }

    static func writeQuoted(_ utf8: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        let n = utf8.count
        output.append(0x22)
        var chunkStart = 0
        while true {
            let i = nextToEscape(utf8, from: chunkStart)
            if i > chunkStart { output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[chunkStart..<i])) }
            if i == n { break }
            let b = utf8[i]
            output.append(0x5C)  // backslash
            switch b {
            case 0x22: output.append(0x22)
            case 0x5C: output.append(0x5C)
            case 0x08: output.append(0x62)  // b
            case 0x0C: output.append(0x66)  // f
            case 0x0A: output.append(0x6E)  // n
            case 0x0D: output.append(0x72)  // r
            case 0x09: output.append(0x74)  // t
            default:
                output.append(0x75)  // u
                output.append(0x30)
                output.append(0x30)
                output.append(hexDigits[Int(b >> 4)])
                output.append(hexDigits[Int(b & 0xF)])
            }
            chunkStart = i + 1
        }
        output.append(0x22)
    }
}
