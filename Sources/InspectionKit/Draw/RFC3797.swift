/// The publicly verifiable random selection of RFC 3797 — draw method `rfc3797-v1`.
///
/// 双随机、一公开 draws (随机抽取检查对象和执法检查人员) must be checkable by anyone:
/// the bureau announces its random sources (e.g. a lottery draw) before they exist,
/// then derives the selection from their values with this deterministic procedure, so
/// any RFC 3797 tool reproduces it from the published key and pool.
///
/// ```swift
/// let sources = try ["9319", "2 5 12 8 10", "9,18,26,34,41,45"].map(RFC3797.parseSource)
/// let key = RFC3797.key(sources: sources)        // "9319./2.5.8.10.12./9.18.26.34.41.45./"
/// let picks = RFC3797.select(key: key, poolSize: 25, count: 16)   // [16, 6, 1, 15, …]
/// ```
public enum RFC3797 {
    /// The method name recorded in `task.drawn` events.
    public static let method = "rfc3797-v1"

    /// The most picks one key can make: the pick number `i` is hashed as two bytes.
    public static let maximumCount = 65_535

    /// Why an announced source value (随机源取值) could not be read.
    public struct SourceError: Error, Sendable, Hashable, CustomStringConvertible {
        public enum Code: String, Sendable, Hashable {
            /// The value holds no integer at all.
            case empty
            /// A token is not a non-negative decimal integer.
            case invalidToken = "invalid_token"
            /// Two commas with nothing between them, or a comma at either end.
            case missingValue = "missing_value"
        }

        public let code: Code
        /// The whole source value as given.
        public let source: String
        /// The offending token, empty for ``Code/empty`` and ``Code/missingValue``.
        public let token: String
        /// A sentence for the operator, naming the offending input.
        public let message: String

        public var description: String { message }
    }

    // MARK: - Sources and key

    /// Reads one announced source value: non-negative integers separated by spaces
    /// and/or commas, e.g. `"2 5 12 8 10"` or `"9, 18, 26"`.
    ///
    /// Returns the integers in the order given, as decimal strings without leading
    /// zeros (`"007"` → `"7"`, `"0"` stays `"0"`). Integers may be arbitrarily large — a
    /// `system` source is a 128-bit number — so they are never converted to `Int`.
    /// Between two integers there may be any whitespace and at most one comma. O(n).
    public static func parseSource(_ text: String) throws(SourceError) -> [String] {
        var integers: [String] = []
        var commaPending = false  // a comma has been seen since the last integer
        var sawInteger = false
        var index = text.startIndex

        func fail(_ code: SourceError.Code, _ token: String, _ message: String) -> SourceError {
            SourceError(code: code, source: text, token: token, message: message)
        }

        while index < text.endIndex {
            let character = text[index]
            if character.isWhitespace {
                index = text.index(after: index)
                continue
            }
            if character == "," {
                if !sawInteger || commaPending {
                    throw fail(.missingValue, "",
                               "random source value \"\(text)\" has an empty entry: put exactly one number between commas")
                }
                commaPending = true
                index = text.index(after: index)
                continue
            }
            // A token runs to the next separator.
            var end = index
            while end < text.endIndex, !text[end].isWhitespace, text[end] != "," {
                end = text.index(after: end)
            }
            let token = String(text[index..<end])
            guard token.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw fail(.invalidToken, token,
                           "random source value \"\(text)\": \"\(token)\" is not a non-negative whole number\(hint(for: token))")
            }
            let significant = token.utf8.drop(while: { $0 == UInt8(ascii: "0") })
            integers.append(significant.isEmpty ? "0" : String(Substring(significant)))
            sawInteger = true
            commaPending = false
            index = end
        }

        if commaPending {
            throw fail(.missingValue, "",
                       "random source value \"\(text)\" ends with a comma: a number is missing after it")
        }
        guard !integers.isEmpty else {
            throw fail(.empty, "", "random source value \"\(text)\" contains no numbers")
        }
        return integers
    }

    private static func hint(for token: String) -> String {
        if token.hasPrefix("-") { return " (negative numbers are not allowed)" }
        if token.contains(".") { return " (write integers only, e.g. an index value ×100)" }
        if token.contains(where: { "，、；;".contains($0) }) {
            return " (separate numbers with spaces or ASCII commas \",\")"
        }
        if token.unicodeScalars.contains(where: { (0xFF10...0xFF19).contains($0.value) }) {
            return " (use ASCII digits 0–9, not full-width digits)"
        }
        return ""
    }

    /// The RFC 3797 §4 key (选取密钥): for each source in order, its integers sorted
    /// ascending numerically, each followed by `.`, then `/` after the source.
    ///
    /// `sources` are values as returned by ``parseSource(_:)``. For
    /// `[["9319"], ["2","5","12","8","10"], ["9","18","26","34","41","45"]]` the key is
    /// `9319./2.5.8.10.12./9.18.26.34.41.45./`. O(m log m) in the number of integers.
    public static func key(sources: [[String]]) -> String {
        var key = ""
        for source in sources {
            let integers = source.map(withoutLeadingZeros).sorted(by: numericallyPrecedes)
            for integer in integers {
                key += integer
                key += "."
            }
            key += "/"
        }
        return key
    }

    private static func withoutLeadingZeros(_ digits: String) -> String {
        let significant = digits.utf8.drop(while: { $0 == UInt8(ascii: "0") })
        if significant.count == digits.utf8.count { return digits }
        return significant.isEmpty ? "0" : String(Substring(significant))
    }

    /// Numeric order of two canonical decimal strings: fewer digits first, then by digits.
    private static func numericallyPrecedes(_ lhs: String, _ rhs: String) -> Bool {
        let (l, r) = (lhs.utf8, rhs.utf8)
        if l.count != r.count { return l.count < r.count }
        return l.lexicographicallyPrecedes(r)
    }

    // MARK: - Selection

    /// Selects `count` of `poolSize` elements as RFC 3797 does; returns their 0-based
    /// pool indices in pick order.
    ///
    /// For i = 0…k−1: h = MD5(be16(i) ‖ key ‖ be16(i)) read as a 128-bit big-endian
    /// integer, j = h mod (n − i), and the j-th (0-based) element not yet picked, in pool
    /// order, is picked. `count` is capped at `poolSize`, so k ≥ n yields a permutation
    /// of the whole pool.
    ///
    /// - Complexity: O(n + k·(|key| + log n)); finding the j-th remaining element is a
    ///   Fenwick-tree descent, not a scan.
    /// - Precondition: `poolSize` ≥ 0, `count` ≥ 0, and min(`count`, `poolSize`) ≤
    ///   ``maximumCount`` (65535) — validate requests against it before calling.
    public static func select(key: String, poolSize n: Int, count k: Int) -> [Int] {
        select(keyBytes: Array(key.utf8), poolSize: n, count: k)
    }

    /// `select` with the key as its UTF-8 bytes (callers that derive many keys from one
    /// prefix build them without going through `String`).
    public static func select(keyBytes: [UInt8], poolSize n: Int, count k: Int) -> [Int] {
        // be16(i) ‖ key ‖ be16(i); only the four i bytes change between picks.
        var message = [UInt8](repeating: 0, count: 2)
        message.reserveCapacity(keyBytes.count + 4)
        message.append(contentsOf: keyBytes)
        message.append(contentsOf: [0, 0])
        return select(message: &message, poolSize: n, count: k)
    }

    /// `select` on a caller-built message buffer: two placeholder bytes, the key, two
    /// placeholder bytes (the be16(i) slots are overwritten). Saves building the buffer
    /// per call when many keys share a prefix (team draws).
    public static func select(message: inout [UInt8], poolSize n: Int, count k: Int) -> [Int] {
        precondition(n >= 0 && k >= 0, "RFC 3797 pool size and count must not be negative (got \(n), \(k))")
        precondition(message.count >= 4, "the message buffer needs the four be16 placeholder bytes")
        let picks = Swift.min(k, n)
        precondition(picks <= maximumCount,
                     "RFC 3797 makes at most \(maximumCount) picks per key (asked for \(picks))")
        guard picks > 0 else { return [] }
        let tail = message.count - 2

        var result: [Int] = []
        result.reserveCapacity(picks)
        if picks <= 16 {
            // Few picks (a team of two from a department): skip building a tree over the
            // whole pool; map rank j to an element past the already-picked ones, O(k²).
            var picked: [Int] = []   // sorted
            message.withUnsafeMutableBytes { bytes in
                for i in 0..<picks {
                    let high = UInt8(truncatingIfNeeded: i &>> 8), low = UInt8(truncatingIfNeeded: i)
                    bytes[0] = high; bytes[1] = low
                    bytes[tail] = high; bytes[tail + 1] = low
                    let digest = MD5.hashAsUInt128(UnsafeRawBufferPointer(bytes))
                    var element = Int(remainder(of: digest, dividingBy: UInt64(n - i)))
                    var insertAt = 0
                    for p in picked where p <= element {
                        element += 1
                        insertAt += 1
                    }
                    picked.insert(element, at: insertAt)
                    result.append(element)
                }
            }
            return result
        }
        var remainingElements = OrderStatisticSet(fullRange: n)
        message.withUnsafeMutableBytes { bytes in
            for i in 0..<picks {
                let high = UInt8(truncatingIfNeeded: i &>> 8), low = UInt8(truncatingIfNeeded: i)
                bytes[0] = high; bytes[1] = low
                bytes[tail] = high; bytes[tail + 1] = low
                let digest = MD5.hashAsUInt128(UnsafeRawBufferPointer(bytes))
                let j = remainder(of: digest, dividingBy: UInt64(n - i))
                result.append(remainingElements.remove(rank: Int(j)))
            }
        }
        return result
    }

    /// The MD5 input for pick `i` (be16(i) ‖ key ‖ be16(i)), so that a clerk or an
    /// auditor can recompute one step with any MD5 tool.
    public static func message(key: String, pick i: Int) -> [UInt8] {
        precondition(i >= 0 && i <= maximumCount, "RFC 3797 pick number out of range: \(i)")
        let be16: [UInt8] = [UInt8(truncatingIfNeeded: i >> 8), UInt8(truncatingIfNeeded: i)]
        return be16 + Array(key.utf8) + be16
    }

    /// (high·2^64 + low) mod divisor, with two hardware divisions and no big integers.
    @inline(__always)
    static func remainder(of value: (high: UInt64, low: UInt64), dividingBy divisor: UInt64) -> UInt64 {
        let highRemainder = value.high % divisor
        // highRemainder < divisor, so the 128-by-64 division cannot overflow.
        return divisor.dividingFullWidth((high: highRemainder, low: value.low)).remainder
    }
}

/// The set {0, …, n−1} with removal by rank, backed by a Fenwick (binary-indexed) tree.
///
/// Both operations are O(log n); building is O(n). Counts are `Int32` to halve the
/// memory traffic (a pool of 10⁶ takes 4 MB).
struct OrderStatisticSet: Sendable {
    /// 1-based Fenwick array: `tree[i]` counts present elements in (i − lowbit(i), i].
    private var tree: [Int32]
    /// The largest power of two ≤ n, where the descent starts.
    private let topStep: Int
    private(set) var count: Int

    /// The full set {0, …, n−1}.
    init(fullRange n: Int) {
        precondition(n >= 0 && n <= Int(Int32.max), "pool too large: \(n)")
        // With every element present, node i covers exactly lowbit(i) elements.
        tree = [Int32](unsafeUninitializedCapacity: n + 1) { buffer, initialized in
            buffer[0] = 0
            for i in stride(from: 1, through: n, by: 1) {
                buffer[i] = Int32(truncatingIfNeeded: i & -i)
            }
            initialized = n + 1
        }
        var step = 1
        while step <= n / 2 { step <<= 1 }
        topStep = n == 0 ? 0 : step
        count = n
    }

    /// Removes and returns the `rank`-th smallest present element (0-based). O(log n).
    mutating func remove(rank: Int) -> Int {
        precondition(rank >= 0 && rank < count, "rank \(rank) out of range 0..<\(count)")
        count -= 1
        let topStep = topStep
        return tree.withUnsafeMutableBufferPointer { tree in
            // Binary-lifting descent: find the largest position whose prefix count ≤ rank;
            // the element sits right after it.
            var position = 0
            var left = Int32(truncatingIfNeeded: rank)
            var step = topStep
            while step > 0 {
                let next = position &+ step
                if next < tree.count, tree[next] <= left {
                    position = next
                    left &-= tree[next]
                }
                step &>>= 1
            }
            let element = position  // 1-based position + 1, minus 1 for 0-based
            var i = position &+ 1
            while i < tree.count {
                tree[i] &-= 1
                i &+= i & -i
            }
            return element
        }
    }
}
