/// Why a byte sequence is not one strict RFC 8259 JSON text.
///
/// `offset` is the 0-based byte offset of the offending byte (or the input length
/// for an unexpected end). `message` is a complete human sentence that already
/// names the offset, e.g. `unexpected character 'x' at byte 17, expected ',' or '}'`.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { message }
}

extension JSONValue {
    /// The deepest nesting of arrays/objects `parse` accepts; one more level is an error.
    /// The parser is iterative, so this bounds memory and the recursion of
    /// `JSONValue`'s own `==`/deinit, not the parser's stack.
    public static let maximumNestingDepth = 512

    /// Parses exactly one JSON value (surrounding JSON whitespace allowed, nothing else).
    ///
    /// Strict RFC 8259: the input must be well-formed UTF-8 (no BOM), no trailing
    /// commas, no leading zeros, no NaN/Infinity, no raw control characters in
    /// strings, `\u` surrogates must come in high/low pairs, at most
    /// ``maximumNestingDepth`` levels. Numbers keep their literal text. Duplicate
    /// object keys are all kept, in order.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var parser = _JSONParser(bytes)
        return try parser.parseDocument()
    }

    /// `parse`, refusing numbers whose magnitude is beyond a Double (`1e400`): grammatical
    /// JSON, but Foundation's `JSONSerialization` and most readers reject it, so the
    /// journal (and the requests whose values may reach it) refuse it too.
    public static func parse(_ bytes: UnsafeRawBufferPointer, finiteNumbersOnly: Bool) throws(JSONParseError) -> JSONValue {
        var parser = _JSONParser(bytes)
        parser.finiteNumbersOnly = finiteNumbersOnly
        return try parser.parseDocument()
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { raw in
            var parser = _JSONParser(raw)
            do throws(JSONParseError) { return .success(try parser.parseDocument()) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses one JSON object that starts exactly at `offset` (a `{`, no whitespace before
    /// it) and returns it with the offset just past its closing `}`; what follows is not
    /// examined. The journal reader parses a line's `data` this way, in place; the object
    /// counts as one level inside the line's own, for the nesting limit.
    ///
    /// `keys` lets a caller that parses many similar objects (the journal's payloads)
    /// share one String per short key instead of making one per member. This form
    /// refuses numbers beyond a Double, like `parse(_:finiteNumbersOnly: true)`.
    public static func parseObject(_ bytes: UnsafeRawBufferPointer, at offset: Int, keys: inout JSONKeyCache) throws(JSONParseError) -> (object: JSONObject, end: Int) {
        try withUnsafeMutablePointer(to: &keys) { (cache) throws(JSONParseError) in
            var parser = _JSONParser(bytes)
            parser.keyCache = cache
            parser.finiteNumbersOnly = true
            return try parser.parseObject(at: offset)
        }
    }

    public static func parseObject(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(JSONParseError) -> (object: JSONObject, end: Int) {
        var parser = _JSONParser(bytes)
        return try parser.parseObject(at: offset)
    }
}

/// Short object keys already made into Strings, found again by their bytes: a small
/// direct-mapped table (keys of at most 16 printable ASCII bytes without escapes).
/// A miss costs what making the String would have; a hit costs two word compares.
public struct JSONKeyCache {
    struct Entry {
        var length = -1
        var head: UInt64 = 0
        var tail: UInt64 = 0
        var string = ""
    }
    var entries = [Entry](repeating: Entry(), count: 256)

    public init() {}

    /// The key spelled by `bytes[start..<end]` (plain ASCII, 1…16 bytes).
    @inline(__always)
    mutating func key(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        let length = end - start
        let head: UInt64, tail: UInt64
        if length >= 8 {
            head = bytes.loadUnaligned(fromByteOffset: start, as: UInt64.self)
            tail = bytes.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self)
        } else {
            var h: UInt64 = 0
            for i in 0..<length { h |= UInt64(bytes[start + i]) << (8 * UInt64(i)) }
            head = h
            tail = 0
        }
        let slot = Int(truncatingIfNeeded: ((head &* 0x9E37_79B9_7F4A_7C15) ^ tail ^ UInt64(length)) >> 56)
        if entries[slot].length == length && entries[slot].head == head && entries[slot].tail == tail {
            return entries[slot].string
        }
        let string = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        entries[slot] = Entry(length: length, head: head, tail: tail, string: string)
        return string
    }
}

extension JSONValue {

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, JSONParseError> = text.withUTF8 { utf8 in
            var parser = _JSONParser(UnsafeRawBufferPointer(utf8))
            do throws(JSONParseError) { return .success(try parser.parseDocument()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

// MARK: - Implementation

private enum Byte {
    static let quote: UInt8 = 0x22  // "
    static let backslash: UInt8 = 0x5C  // \
    static let slash: UInt8 = 0x2F  // /
    static let comma: UInt8 = 0x2C  // ,
    static let colon: UInt8 = 0x3A  // :
    static let openBracket: UInt8 = 0x5B  // [
    static let closeBracket: UInt8 = 0x5D  // ]
    static let openBrace: UInt8 = 0x7B  // {
    static let closeBrace: UInt8 = 0x7D  // }
    static let minus: UInt8 = 0x2D  // -
    static let plus: UInt8 = 0x2B  // +
    static let dot: UInt8 = 0x2E  // .
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let lowerE: UInt8 = 0x65
    static let upperE: UInt8 = 0x45
}

/// An open array or object during iterative parsing. Its contents live on the
/// parser's flat value stack from `start` on (an object's as key, value, key, value…).
private struct _Frame {
    var isObject: Bool
    var start: Int
}

/// Iterative, allocation-lean parser. Move-only so it can own a manually managed
/// value stack: closing a container moves its elements into the new array without
/// retain/release traffic, and nesting costs heap, never native stack.
private struct _JSONParser: ~Copyable {
    let bytes: UnsafeRawBufferPointer
    let count: Int
    var pos: Int = 0

    /// Flat stack of finished values not yet placed in their container (keys are
    /// pushed as `.string`). `stack[0..<stackCount]` is initialized.
    var stack: UnsafeMutablePointer<JSONValue>? = nil
    var stackCount = 0
    var stackCapacity = 0
    /// Open containers, innermost last.
    var frames: UnsafeMutablePointer<_Frame>? = nil
    var frameCount = 0
    var frameCapacity = 0
    /// Reused buffer for decoding strings that contain escapes.
    var scratch: [UInt8] = []
    /// Shared key Strings (`JSONValue.parseObject(_:at:keys:)`), if the caller keeps them.
    var keyCache: UnsafeMutablePointer<JSONKeyCache>? = nil
    /// Refuse numbers whose magnitude overflows a Double.
    var finiteNumbersOnly = false
    /// Containers already open around the parsed text (`parseObject`: the object it is a
    /// member of), so the nesting limit counts from the document's root.
    var enclosingDepth = 0

    deinit {
        if let stack {
            stack.deinitialize(count: stackCount)
            stack.deallocate()
        }
        frames?.deallocate()
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.count = bytes.count
    }

    @inline(__always)
    func byte(at index: Int) -> UInt8 {
        bytes.load(fromByteOffset: index, as: UInt8.self)
    }

    // MARK: Errors

    static func describe(_ b: UInt8) -> String {
        switch b {
        case 0x21...0x7E: return "character '\(Character(Unicode.Scalar(b)))'"
        case Byte.space: return "space"
        case Byte.tab: return "tab"
        case Byte.newline: return "newline"
        case Byte.carriageReturn: return "carriage return"
        default: return "byte 0x\(hex2(b))"
        }
    }

    static func hex2(_ b: UInt8) -> String {
        let digits: [Character] = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
    }

    func unexpected(at index: Int, expected: String) -> JSONParseError {
        if index >= count {
            return JSONParseError(offset: count, message: "unexpected end of input at byte \(count), expected \(expected)")
        }
        return JSONParseError(
            offset: index, message: "unexpected \(Self.describe(byte(at: index))) at byte \(index), expected \(expected)")
    }

    func error(at index: Int, _ text: String) -> JSONParseError {
        JSONParseError(offset: index, message: "\(text) at byte \(index)")
    }

    // MARK: Document

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < count {
            switch byte(at: pos) {
            case Byte.space, Byte.newline, Byte.carriageReturn, Byte.tab: pos += 1
            default: return
            }
        }
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if count >= 3, byte(at: 0) == 0xEF, byte(at: 1) == 0xBB, byte(at: 2) == 0xBF {
            throw error(at: 0, "byte order mark is not allowed")
        }
        let value = try parseValue()
        skipWhitespace()
        if pos != count {
            throw unexpected(at: pos, expected: "end of input after the JSON value")
        }
        return value
    }

    /// Parses one value, iteratively: containers push a frame instead of recursing.
    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        nextValue: while true {
            skipWhitespace()
            guard pos < count else { throw unexpected(at: pos, expected: "a JSON value") }
            var value: JSONValue
            let b = byte(at: pos)
            switch b {
            case Byte.quote:
                value = .string(try parseString())
            case Byte.minus, Byte.zero...Byte.nine:
                value = .number(try parseNumber())
            case Byte.openBrace:
                try checkDepth()
                pos += 1
                skipWhitespace()
                if pos < count, byte(at: pos) == Byte.closeBrace {
                    pos += 1
                    value = .object(JSONObject())
                } else {
                    pushFrame(isObject: true)
                    try parseKeyAndColon(expected: "a string key or '}'")
                    continue nextValue
                }
            case Byte.openBracket:
                try checkDepth()
                pos += 1
                skipWhitespace()
                if pos < count, byte(at: pos) == Byte.closeBracket {
                    pos += 1
                    value = .array([])
                } else {
                    pushFrame(isObject: false)
                    continue nextValue
                }
            case 0x74:  // t
                try expectLiteral("true")
                value = .bool(true)
            case 0x66:  // f
                try expectLiteral("false")
                value = .bool(false)
            case 0x6E:  // n
                try expectLiteral("null")
                value = .null
            case Byte.plus, Byte.dot:
                throw error(at: pos, "numbers must start with a digit or '-' (unexpected '\(Character(Unicode.Scalar(b)))')")
            default:
                throw unexpected(at: pos, expected: "a JSON value")
            }

            // A value is complete: hand it to the enclosing container(s).
            while true {
                guard frameCount > 0 else { return value }
                let frame = frames.unsafelyUnwrapped[frameCount - 1]
                push(value)
                skipWhitespace()
                guard pos < count else {
                    throw unexpected(at: pos, expected: frame.isObject ? "',' or '}'" : "',' or ']'")
                }
                let c = byte(at: pos)
                if c == Byte.comma {
                    pos += 1
                    if frame.isObject {
                        skipWhitespace()
                        try parseKeyAndColon(expected: "a string key after ','")
                    }
                    continue nextValue
                }
                if frame.isObject {
                    guard c == Byte.closeBrace else { throw unexpected(at: pos, expected: "',' or '}'") }
                    pos += 1
                    value = .object(closeObject(frame))
                } else {
                    guard c == Byte.closeBracket else { throw unexpected(at: pos, expected: "',' or ']'") }
                    pos += 1
                    value = .array(closeArray(frame))
                }
                frameCount -= 1
            }
        }
    }

    @inline(__always)
    func checkDepth() throws(JSONParseError) {
        if frameCount + enclosingDepth >= JSONValue.maximumNestingDepth {
            throw error(at: pos, "nesting deeper than \(JSONValue.maximumNestingDepth) levels")
        }
    }

    @inline(__always)
    mutating func push(_ value: consuming JSONValue) {
        if stackCount == stackCapacity { growStack() }
        (stack.unsafelyUnwrapped + stackCount).initialize(to: value)
        stackCount += 1
    }

    mutating func growStack() {
        let newCapacity = max(32, stackCapacity * 2)
        let newStack = UnsafeMutablePointer<JSONValue>.allocate(capacity: newCapacity)
        if let stack {
            newStack.moveInitialize(from: stack, count: stackCount)
            stack.deallocate()
        }
        stack = newStack
        stackCapacity = newCapacity
    }

    @inline(__always)
    mutating func pushFrame(isObject: Bool) {
        if frameCount == frameCapacity {
            let newCapacity = max(16, frameCapacity * 2)
            let newFrames = UnsafeMutablePointer<_Frame>.allocate(capacity: newCapacity)
            if let frames {
                newFrames.moveInitialize(from: frames, count: frameCount)
                frames.deallocate()
            }
            frames = newFrames
            frameCapacity = newCapacity
        }
        (frames.unsafelyUnwrapped + frameCount).initialize(to: _Frame(isObject: isObject, start: stackCount))
        frameCount += 1
    }

    /// Moves the frame's values off the stack into a new array.
    mutating func closeArray(_ frame: _Frame) -> [JSONValue] {
        let start = frame.start
        let n = stackCount - start
        let source = stack.unsafelyUnwrapped + start
        let array = [JSONValue](unsafeUninitializedCapacity: n) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: source, count: n)
            initialized = n
        }
        stackCount = start
        return array
    }

    /// Moves the frame's key/value pairs off the stack into a new object.
    mutating func closeObject(_ frame: _Frame) -> JSONObject {
        let start = frame.start
        let n = (stackCount - start) / 2
        let source = stack.unsafelyUnwrapped + start
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(n)
        for i in 0..<n {
            guard case .string(let key) = (source + 2 * i).move() else { preconditionFailure("object key") }
            members.append((key: key, value: (source + 2 * i + 1).move()))
        }
        stackCount = start
        return JSONObject(members)
    }

    /// At a member's start (whitespace skipped): `"key"` ws `:`; leaves `pos` after the colon.
    /// Parses the object starting at `offset` (a `{`), a member of one enclosing object;
    /// returns it and the offset after it.
    mutating func parseObject(at offset: Int) throws(JSONParseError) -> (object: JSONObject, end: Int) {
        pos = offset
        enclosingDepth = 1
        guard offset < count, byte(at: offset) == Byte.openBrace else { throw unexpected(at: offset, expected: "'{'") }
        guard case .object(let object) = try parseValue() else { preconditionFailure("an object was opened") }
        return (object, pos)
    }

    mutating func parseKeyAndColon(expected: String) throws(JSONParseError) {
        guard pos < count, byte(at: pos) == Byte.quote else {
            throw unexpected(at: pos, expected: expected)
        }
        if let keyCache {
            // A short plain-ASCII key: look it up instead of making a new String.
            var i = pos + 1
            while i < count && i - pos <= 17 {
                let b = byte(at: i)
                if b == Byte.quote || b == Byte.backslash || b < 0x20 || b >= 0x80 { break }
                i += 1
            }
            if i < count, byte(at: i) == Byte.quote, i > pos + 1, i - pos - 1 <= 16 {
                push(.string(keyCache.pointee.key(bytes, pos + 1, i)))
                pos = i + 1
                skipWhitespace()
                guard pos < count, byte(at: pos) == Byte.colon else {
                    throw unexpected(at: pos, expected: "':' after an object key")
                }
                pos += 1
                return
            }
        }
        push(.string(try parseString()))
        skipWhitespace()
        guard pos < count, byte(at: pos) == Byte.colon else {
            throw unexpected(at: pos, expected: "':' after an object key")
        }
        pos += 1
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let n = literal.utf8CodeUnitCount
        let p = literal.utf8Start
        for i in 0..<n {
            guard pos + i < count, byte(at: pos + i) == p[i] else {
                if pos + i >= count {
                    throw unexpected(at: pos + i, expected: "'\(literal)'")
                }
                throw error(at: pos + i, "invalid literal (expected '\(literal)')")
            }
        }
        pos += n
    }

    // MARK: Numbers

    /// Validates `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` and returns its text.
    mutating func parseNumber() throws(JSONParseError) -> String {
        let start = pos
        var i = pos
        if byte(at: i) == Byte.minus {
            i += 1
        }
        guard i < count else { throw unexpected(at: i, expected: "a digit") }
        let first = byte(at: i)
        if first == Byte.zero {
            i += 1
            if i < count, case Byte.zero...Byte.nine = byte(at: i) {
                throw error(at: start, "leading zeros are not allowed in numbers")
            }
        } else if first > Byte.zero && first <= Byte.nine {
            i += 1
            while i < count, case Byte.zero...Byte.nine = byte(at: i) { i += 1 }
        } else {
            throw unexpected(at: i, expected: "a digit after '-'")
        }
        if i < count, byte(at: i) == Byte.dot {
            i += 1
            guard i < count, case Byte.zero...Byte.nine = byte(at: i) else {
                throw unexpected(at: i, expected: "a digit after the decimal point")
            }
            i += 1
            while i < count, case Byte.zero...Byte.nine = byte(at: i) { i += 1 }
        }
        if i < count, byte(at: i) | 0x20 == Byte.lowerE {
            i += 1
            if i < count, byte(at: i) == Byte.plus || byte(at: i) == Byte.minus { i += 1 }
            guard i < count, case Byte.zero...Byte.nine = byte(at: i) else {
                throw unexpected(at: i, expected: "a digit in the exponent")
            }
            i += 1
            while i < count, case Byte.zero...Byte.nine = byte(at: i) { i += 1 }
        }
        pos = i
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        // Only long literals or ones with an exponent can overflow.
        if finiteNumbersOnly, i - start > 300 || text.utf8.contains(where: { $0 | 0x20 == Byte.lowerE }), !(Double(text)?.isFinite ?? false) {
            throw error(at: start, "number \(text.prefix(40)) is beyond the range of a double")
        }
        return text
    }

    // MARK: Strings

    /// At the opening quote. Returns the decoded string and leaves `pos` after the closing quote.
    ///
    /// Fast path (no escapes): one scan for the closing quote that only notes whether any
    /// byte is non-ASCII; such a string is then validated once, by `String(decoding:)`
    /// (checked for repairs), instead of by us and again by the standard library. Errors
    /// are still reported at the first offending byte in order.
    mutating func parseString() throws(JSONParseError) -> String {
        let open = pos
        let start = pos + 1
        var sawNonASCII = false
        let i = skipStringContent(from: start, sawNonASCII: &sawNonASCII)
        guard i < count else {
            if sawNonASCII { try validateUTF8(start, i) }
            throw error(at: open, "unterminated string starting")
        }
        let b = byte(at: i)
        if b == Byte.quote {
            pos = i + 1
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
            let text = String(decoding: raw, as: UTF8.self)
            // `String(decoding:)` replaces invalid UTF-8 with U+FFFD; unchanged bytes mean
            // there was none. Only then do we look for the offending byte ourselves.
            if !sawNonASCII || Self.sameBytes(text, raw) { return text }
            try validateUTF8(start, i)
            preconditionFailure("String(decoding:) changed bytes that validate")
        }
        if sawNonASCII { try validateUTF8(start, i) }
        if b == Byte.backslash {
            return try parseEscapedString(open: open, start: start, firstEscape: i)
        }
        throw error(at: i, "raw control character 0x\(Self.hex2(b)) in string (must be escaped)")
    }

    /// Returns the first index at or after `index` holding `"`, `\` or a byte < 0x20, or
    /// `count`; sets `sawNonASCII` if a byte >= 0x80 was passed.
    @inline(__always)
    func skipStringContent(from index: Int, sawNonASCII: inout Bool) -> Int {
        var i = index
        var highs: UInt64 = 0
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        // Eight bytes at a time ("has a byte less than n" tricks: any flagged word is
        // rechecked byte by byte below, so a false positive costs time, never correctness).
        while i + 8 <= count {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let lessThan20 = (w &- ones &* 0x20) & ~w
            let q = w ^ (ones &* 0x22)
            let hasQuote = (q &- ones) & ~q
            let s = w ^ (ones &* 0x5C)
            let hasBackslash = (s &- ones) & ~s
            if (lessThan20 | hasQuote | hasBackslash) & high != 0 { break }
            highs |= w
            i += 8
        }
        if highs & high != 0 { sawNonASCII = true }
        while i < count {
            let b = byte(at: i)
            if b == Byte.quote || b == Byte.backslash || b < 0x20 { return i }
            if b >= 0x80 { sawNonASCII = true }
            i += 1
        }
        return i
    }

    static func sameBytes(_ text: String, _ raw: UnsafeRawBufferPointer) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.count == raw.count && UnsafeRawBufferPointer(utf8).equalBytes(raw)
        }
    }

    /// Throws at the first invalid UTF-8 sequence in `from..<to`, if any.
    func validateUTF8(_ from: Int, _ to: Int) throws(JSONParseError) {
        var j = from
        while j < to {
            if byte(at: j) >= 0x80 { j = try validateUTF8Sequence(at: j) } else { j += 1 }
        }
    }

    /// Validates one multi-byte UTF-8 sequence starting at `i` (whose lead byte is
    /// >= 0x80) per Unicode Table 3-7 (no overlongs, no surrogates, <= U+10FFFF).
    /// Returns the index after it.
    @inline(__always)
    func validateUTF8Sequence(at i: Int) throws(JSONParseError) -> Int {
        let b0 = byte(at: i)
        @inline(__always) func cont(_ j: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            guard j < count else { return false }
            let b = byte(at: j)
            return b >= lo && b <= hi
        }
        switch b0 {
        case 0xC2...0xDF:
            if cont(i + 1) { return i + 2 }
        case 0xE0:
            if cont(i + 1, 0xA0, 0xBF), cont(i + 2) { return i + 3 }
        case 0xE1...0xEC, 0xEE...0xEF:
            if cont(i + 1), cont(i + 2) { return i + 3 }
        case 0xED:
            if cont(i + 1, 0x80, 0x9F), cont(i + 2) { return i + 3 }
        case 0xF0:
            if cont(i + 1, 0x90, 0xBF), cont(i + 2), cont(i + 3) { return i + 4 }
        case 0xF1...0xF3:
            if cont(i + 1), cont(i + 2), cont(i + 3) { return i + 4 }
        case 0xF4:
            if cont(i + 1, 0x80, 0x8F), cont(i + 2), cont(i + 3) { return i + 4 }
        default:
            break
        }
        throw error(at: i, "invalid UTF-8 sequence starting with byte 0x\(Self.hex2(b0))")
    }

    /// Slow path: the string has an escape at `firstEscape`. Decodes into `scratch`.
    mutating func parseEscapedString(open: Int, start: Int, firstEscape: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        var chunkStart = start
        var i = firstEscape
        while true {
            // Same scan as the fast path; any non-ASCII run is validated before the byte
            // that stopped the scan is looked at, so errors keep their order.
            var sawNonASCII = false
            let next = skipStringContent(from: i, sawNonASCII: &sawNonASCII)
            if sawNonASCII { try validateUTF8(i, next) }
            i = next
            guard i < count else { throw error(at: open, "unterminated string starting") }
            let b = byte(at: i)
            if b == Byte.quote {
                appendChunk(chunkStart, i)
                pos = i + 1
                return String(decoding: scratch, as: UTF8.self)
            } else if b == Byte.backslash {
                appendChunk(chunkStart, i)
                i = try decodeEscape(at: i)
                chunkStart = i
            } else {
                throw error(at: i, "raw control character 0x\(Self.hex2(b)) in string (must be escaped)")
            }
        }
    }

    @inline(__always)
    mutating func appendChunk(_ from: Int, _ to: Int) {
        if to > from {
            scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[from..<to]))
        }
    }

    /// At a backslash. Appends the decoded character to `scratch`; returns the index after the escape.
    mutating func decodeEscape(at index: Int) throws(JSONParseError) -> Int {
        let i = index + 1
        guard i < count else { throw unexpected(at: i, expected: "an escape character after '\\'") }
        let e = byte(at: i)
        switch e {
        case Byte.quote: scratch.append(Byte.quote)
        case Byte.backslash: scratch.append(Byte.backslash)
        case Byte.slash: scratch.append(Byte.slash)
        case 0x62: scratch.append(0x08)  // b
        case 0x66: scratch.append(0x0C)  // f
        case 0x6E: scratch.append(0x0A)  // n
        case 0x72: scratch.append(0x0D)  // r
        case 0x74: scratch.append(0x09)  // t
        case 0x75:  // u
            let unit = try hex4(at: i + 1)
            var scalar: UInt32 = UInt32(unit)
            var next = i + 5
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard next + 1 < count, byte(at: next) == Byte.backslash, byte(at: next + 1) == 0x75 else {
                    throw error(at: index, "unpaired high surrogate \\u\(Self.hex4String(unit)) (must be followed by a \\u low surrogate)")
                }
                let low = try hex4(at: next + 2)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw error(at: next, "high surrogate \\u\(Self.hex4String(unit)) followed by \\u\(Self.hex4String(low)), not a low surrogate")
                }
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                next += 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw error(at: index, "lone low surrogate \\u\(Self.hex4String(unit))")
            }
            appendUTF8(scalar)
            return next
        default:
            if e < 0x20 || e >= 0x80 {
                throw error(at: i, "invalid escape '\\' followed by \(Self.describe(e))")
            }
            throw error(at: index, "invalid escape '\\\(Character(Unicode.Scalar(e)))'")
        }
        return i + 1
    }

    static func hex4String(_ v: UInt16) -> String {
        hex2(UInt8(v >> 8)) + hex2(UInt8(v & 0xFF))
    }

    func hex4(at index: Int) throws(JSONParseError) -> UInt16 {
        var v: UInt16 = 0
        for j in index..<(index + 4) {
            guard j < count else { throw unexpected(at: j, expected: "4 hex digits after '\\u'") }
            let c = byte(at: j)
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: throw unexpected(at: j, expected: "4 hex digits after '\\u'")
            }
            v = v << 4 | UInt16(d)
        }
        return v
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (scalar >> 6)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (scalar >> 12)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (scalar >> 18)))
            scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}
