/// 统一社会信用代码 — the 18-character unified social credit code of GB 32100-2015,
/// the id of every entity in the inspection directory.
///
/// Characters come from the 31-character alphabet `0123456789ABCDEFGHJKLMNPQRTUWXY`
/// (I, O, S, V and Z are never used). The 18th character is a check character: with
/// weights wᵢ = 3ⁱ mod 31 for positions i = 0…16, it is
/// `alphabet[(31 − Σ value(cᵢ)·wᵢ mod 31) mod 31]`. Only the alphabet and the check
/// character are validated, not the embedded registration-authority, category or
/// region codes.
///
/// Lowercase input is rejected with a hint rather than silently uppercased, so the id
/// stored is exactly the id typed.
public struct USCC: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The code, 18 characters over ``alphabet``.
    public let text: String

    /// The 31 characters a code may use, in value order (a character's value is its index).
    public static let alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

    /// Weights of positions 0…16: 3ⁱ mod 31.
    public static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// The length of every code.
    public static let length = 18

    /// Accepts `text` if it is a well-formed code with a correct check character.
    ///
    /// - Throws: ``USCCError`` naming the first problem: the length, a character that is
    ///   not allowed (or lowercase) at a 1-based position, or the check character.
    /// - Complexity: O(n) in the length of `text`.
    public init(validating text: String) throws(USCCError) {
        if let error = Self.validate(text) { throw error }
        self.text = text
    }

    /// The first problem with `text` as a code, or `nil` if it is valid. O(n).
    public static func validate(_ text: String) -> USCCError? {
        let characters = Array(text)
        guard characters.count == length else {
            return USCCError(input: text, reason: .wrongLength(characters.count))
        }
        var values: [Int] = []
        values.reserveCapacity(length)
        for (offset, character) in characters.enumerated() {
            if let value = value(of: character) {
                values.append(value)
            } else if character.isLowercase, let upper = uppercaseInAlphabet(character) {
                return USCCError(input: text, reason: .lowercaseLetter(position: offset + 1, found: character, expected: upper))
            } else {
                return USCCError(input: text, reason: .characterNotAllowed(position: offset + 1, found: character))
            }
        }
        let expected = checkCharacter(forValues: values[..<17])
        guard characters[17] == expected else {
            return USCCError(input: text, reason: .checkCharacterMismatch(expected: expected, found: characters[17]))
        }
        return nil
    }

    /// Whether `text` is a valid code. O(n).
    public static func isValid(_ text: String) -> Bool {
        validate(text) == nil
    }

    /// The check character for the first 17 characters of a code, or `nil` unless
    /// `first17` is exactly 17 characters of ``alphabet`` (uppercase).
    public static func checkCharacter(forFirst17 first17: String) -> Character? {
        var values: [Int] = []
        values.reserveCapacity(17)
        for character in first17 {
            guard let value = value(of: character), values.count < 17 else { return nil }
            values.append(value)
        }
        guard values.count == 17 else { return nil }
        return checkCharacter(forValues: values[...])
    }

    /// A complete code: `first17` followed by its check character, or `nil` if
    /// `first17` is not 17 alphabet characters. For generating sample data.
    public static func make(first17: String) -> String? {
        guard let check = checkCharacter(forFirst17: first17) else { return nil }
        return first17 + String(check)
    }

    public var description: String { text }

    /// Byte order of the text — the order strata and pools are sorted in.
    public static func < (lhs: USCC, rhs: USCC) -> Bool {
        lhs.text.utf8.lexicographicallyPrecedes(rhs.text.utf8)
    }

    // MARK: - Alphabet

    private static let alphabetCharacters = Array(alphabet)

    /// Value of each ASCII byte in the alphabet, −1 for everything else.
    private static let valueTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (value, byte) in alphabet.utf8.enumerated() { table[Int(byte)] = Int8(value) }
        return table
    }()

    private static func value(of character: Character) -> Int? {
        guard let ascii = character.asciiValue else { return nil }
        let value = valueTable[Int(ascii)]
        return value < 0 ? nil : Int(value)
    }

    private static func uppercaseInAlphabet(_ character: Character) -> Character? {
        let upper = Character(character.uppercased())
        return value(of: upper) == nil ? nil : upper
    }

    private static func checkCharacter(forValues values: ArraySlice<Int>) -> Character {
        var sum = 0
        for (value, weight) in zip(values, weights) { sum += value * weight }
        return alphabetCharacters[(31 - sum % 31) % 31]
    }
}

/// Why a text is not a valid 统一社会信用代码; the message names the input and says what
/// to fix, in words a clerk can act on.
public struct USCCError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable machine-readable error classes.
    public enum Code: String, Sendable, Hashable {
        case wrongLength = "wrong_length"
        case lowercaseLetter = "lowercase_letter"
        case characterNotAllowed = "character_not_allowed"
        case checkCharacterMismatch = "check_character_mismatch"
    }

    /// What exactly is wrong. Positions are 1-based, as a clerk counts.
    public enum Reason: Sendable, Hashable {
        /// The text has this many characters instead of 18.
        case wrongLength(Int)
        /// A lowercase letter whose capital is allowed.
        case lowercaseLetter(position: Int, found: Character, expected: Character)
        /// A character outside the alphabet.
        case characterNotAllowed(position: Int, found: Character)
        /// The 18th character does not match the first 17.
        case checkCharacterMismatch(expected: Character, found: Character)
    }

    /// The text that was rejected.
    public let input: String
    public let reason: Reason

    public init(input: String, reason: Reason) {
        self.input = input
        self.reason = reason
    }

    public var code: Code {
        switch reason {
        case .wrongLength: .wrongLength
        case .lowercaseLetter: .lowercaseLetter
        case .characterNotAllowed: .characterNotAllowed
        case .checkCharacterMismatch: .checkCharacterMismatch
        }
    }

    /// A sentence for the operator, naming the input and what to fix.
    public var message: String {
        let subject = "统一社会信用代码 \"\(input)\""
        switch reason {
        case .wrongLength(0):
            return "统一社会信用代码 is empty; it must have exactly 18 characters"
        case .wrongLength(let count):
            var text = "\(subject) has \(count) character\(count == 1 ? "" : "s"); it must have exactly 18"
            if input.contains(where: \.isWhitespace) { text += " (remove the spaces)" }
            return text
        case .lowercaseLetter(let position, let found, let expected):
            return "\(subject): character \(position) is lowercase \"\(found)\"; write letters as capitals (\"\(expected)\")"
        case .characterNotAllowed(let position, let found):
            return "\(subject): character \(position) \(Self.describe(found)) is not allowed; "
                + "codes use only digits 0-9 and capital letters except I, O, S, V, Z" + Self.hint(for: found)
        case .checkCharacterMismatch(let expected, let found):
            return "\(subject) fails its check: for the first 17 characters the 18th must be \"\(expected)\", "
                + "but it is \"\(found)\"; a character was probably mistyped or two were swapped"
        }
    }

    public var description: String { message }

    private static func describe(_ character: Character) -> String {
        if character == " " { return "(a space)" }
        if character.isWhitespace { return "(a blank)" }
        return "\"\(character)\""
    }

    private static func hint(for character: Character) -> String {
        switch character {
        case "O", "o": return " (did you mean the digit 0?)"
        case "I", "i": return " (did you mean the digit 1?)"
        case "Z", "z": return " (did you mean the digit 2?)"
        case "S", "s": return " (did you mean the digit 5?)"
        default: break
        }
        if let scalar = character.unicodeScalars.first, (0xFF01...0xFF5E).contains(scalar.value) {
            return " (it is a full-width character; switch the input method to half-width)"
        }
        return ""
    }
}
