import InspectionKit
import Testing

struct USCCTests {
    /// The GB 32100-2015 example, codes printed on public business licences, and
    /// made-up codes whose check characters were computed outside this package.
    static let validCodes = [
        "91350100M000100Y43",  // the standard's own example
        "914403001922038216",  // public business licences
        "91440300708461136T",
        "91330100716105852F",
        "911100001000044477",
        "91110000100000000R",  // made up: enterprise (9 1), Beijing
        "121000004000000300",  // made up: public institution (1 2)
        "52310115MJ47978112",  // made up: social organisation (5 2), Shanghai Pudong
        "92440300MA5DXHUL7X",  // made up: individual business (9 2), Shenzhen
    ]

    @Test(arguments: validCodes)
    func acceptsValidCodes(code: String) throws {
        let uscc = try USCC(validating: code)
        #expect(uscc.text == code)
        #expect(uscc.description == code)
        #expect(USCC.isValid(code))
        #expect(USCC.validate(code) == nil)
        #expect(USCC.checkCharacter(forFirst17: String(code.prefix(17))) == code.last)
        #expect(USCC.make(first17: String(code.prefix(17))) == code)
    }

    @Test func weightsArePowersOfThreeMod31() {
        var power = 1
        for weight in USCC.weights {
            #expect(weight == power)
            power = power * 3 % 31
        }
        #expect(USCC.weights.count == 17)
        #expect(USCC.alphabet.count == 31)
        #expect(!USCC.alphabet.contains(where: { "IOSVZ".contains($0) }))
    }

    @Test func checkCharacterByHand() {
        // 9·1 + 1·3 + 3·9 + 5·27 + 0·19 + 1·26 + 0·16 + 0·17 + M(21)·20 + 0·29 + 0·25
        // + 0·13 + 1·8 + 0·24 + 0·10 + Y(30)·30 + 4·28 = 1640 = 52·31 + 28; 31 − 28 = 3.
        let first17 = "91350100M000100Y4"
        let alphabet = Array(USCC.alphabet)
        let sum = zip(first17, USCC.weights).reduce(0) { $0 + alphabet.firstIndex(of: $1.0)! * $1.1 }
        #expect(sum == 1640)
        #expect(USCC.checkCharacter(forFirst17: first17) == alphabet[(31 - sum % 31) % 31])
        #expect(USCC.checkCharacter(forFirst17: first17) == "3")
    }

    @Test(arguments: ["", "9135010", "91350100M000100Y", "91350100M000100Y43", "91350100m000100Y4", "91350100O000100Y4",
                      "91350100M000100Y4 ", " 91350100M000100Y4"])
    func checkCharacterNeedsSeventeenAlphabetCharacters(first17: String) {
        #expect(USCC.checkCharacter(forFirst17: first17) == nil)
        #expect(USCC.make(first17: first17) == nil)
    }

    @Test(arguments: [
        ("9135010", 7),
        ("91350100M000100Y4", 17),
        ("91350100M000100Y433", 19),
        (" 91350100M000100Y43", 19),
        ("9135 0100 M000 100Y43", 21),
    ])
    func rejectsWrongLength(input: String, count: Int) {
        let error = USCC.validate(input)
        #expect(error?.code == .wrongLength)
        #expect(error?.reason == .wrongLength(count))
        #expect(error?.message.contains("\"\(input)\"") == true)
        #expect(error?.message.contains("has \(count) characters") == true)
        #expect(error?.message.contains("exactly 18") == true)
        if input.contains(" ") { #expect(error?.message.contains("remove the spaces") == true) }
    }

    @Test func rejectsEmpty() {
        let error = USCC.validate("")
        #expect(error?.reason == .wrongLength(0))
        #expect(error?.message == "统一社会信用代码 is empty; it must have exactly 18 characters")
    }

    @Test func rejectsLowercaseWithAHint() {
        let error = USCC.validate("91350100m000100y43")
        #expect(error?.code == .lowercaseLetter)
        #expect(error?.reason == .lowercaseLetter(position: 9, found: "m", expected: "M"))
        #expect(error?.message ==
            "统一社会信用代码 \"91350100m000100y43\": character 9 is lowercase \"m\"; write letters as capitals (\"M\")")
    }

    @Test(arguments: [
        ("91350100O000100Y43", 9, "O" as Character, "did you mean the digit 0?"),
        ("9135010OM000100Y43", 8, "O", "did you mean the digit 0?"),
        ("I1350100M000100Y43", 1, "I", "did you mean the digit 1?"),
        ("91350100M000100Y4S", 18, "S", "did you mean the digit 5?"),
        ("91350100M000100V43", 16, "V", ""),
        ("91350100M0001o0Y43", 14, "o", "did you mean the digit 0?"),  // lowercase of an excluded letter
        ("91350100M000１00Y43", 13, "１", "full-width"),
        ("91350100M-00100Y43", 10, "-", ""),
        ("91350100 M00100Y43", 9, " ", "(a space)"),
        ("9135010０M000100Y43", 8, "０", "full-width"),
    ])
    func rejectsCharactersOutsideTheAlphabet(input: String, position: Int, found: Character, hint: String) throws {
        let error = try #require(USCC.validate(input))
        #expect(error.code == .characterNotAllowed)
        #expect(error.reason == .characterNotAllowed(position: position, found: found))
        #expect(error.message.hasPrefix("统一社会信用代码 \"\(input)\": character \(position) "))
        #expect(error.message.contains("is not allowed"))
        #expect(hint.isEmpty || error.message.contains(hint))
    }

    @Test func rejectsAWrongCheckCharacterSayingExpectedAndFound() throws {
        let error = try #require(USCC.validate("91350100M000100Y44"))
        #expect(error.code == .checkCharacterMismatch)
        #expect(error.reason == .checkCharacterMismatch(expected: "3", found: "4"))
        #expect(error.message ==
            "统一社会信用代码 \"91350100M000100Y44\" fails its check: for the first 17 characters the 18th must be \"3\", "
            + "but it is \"4\"; a character was probably mistyped or two were swapped")
        #expect(error.description == error.message)
    }

    @Test func initThrowsTheTypedError() {
        #expect(throws: USCCError(input: "91350100M000100Y44", reason: .checkCharacterMismatch(expected: "3", found: "4"))) {
            try USCC(validating: "91350100M000100Y44")
        }
        do {
            _ = try USCC(validating: "913501")
            Issue.record("accepted a 6-character code")
        } catch {
            #expect(error.code == .wrongLength)  // `error` is statically a USCCError
        }
    }

    /// Weights are non-zero mod the prime 31 and adjacent weights differ, so any single
    /// substitution and any adjacent swap in the first 17 characters is caught.
    @Test(arguments: validCodes)
    func detectsEverySingleSubstitutionAndAdjacentSwap(code: String) {
        let characters = Array(code)
        for position in 0..<17 {
            for replacement in USCC.alphabet where replacement != characters[position] {
                var changed = characters
                changed[position] = replacement
                #expect(USCC.validate(String(changed))?.code == .checkCharacterMismatch)
            }
            if position < 16, characters[position] != characters[position + 1] {
                var swapped = characters
                swapped.swapAt(position, position + 1)
                #expect(USCC.validate(String(swapped))?.code == .checkCharacterMismatch)
            }
        }
    }

    @Test func makeGeneratesValidSampleCodes() throws {
        let alphabet = Array(USCC.alphabet)
        var seed: UInt64 = 42
        for _ in 0..<200 {
            let first17 = String((0..<17).map { _ -> Character in
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return alphabet[Int(seed >> 33) % alphabet.count]
            })
            let code = try #require(USCC.make(first17: first17))
            #expect(USCC.isValid(code), "\(code)")
        }
    }

    @Test func sortsInByteOrder() throws {
        let codes = try ["92440300MA5DXHUL7X", "121000004000000300", "91350100M000100Y43"].map(USCC.init(validating:))
        #expect(codes.sorted().map(\.text) == ["121000004000000300", "91350100M000100Y43", "92440300MA5DXHUL7X"])
    }
}
