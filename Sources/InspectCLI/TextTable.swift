/// A plain-text table for terminal output (文本表格), aligned by display width so that
/// Chinese and ASCII cells line up in a monospaced terminal.
///
/// ```
/// 编号      单位名称              到期日
/// ────────  ────────────────────  ──────────
/// SE-0001   杭州某某电梯有限公司  2026-03-02
/// ```
///
/// Columns are separated by two spaces; lines carry no trailing spaces and the result has no
/// final newline. Cells are sanitised: line breaks and tabs become single spaces, other control
/// characters become U+FFFD and bidirectional overrides are removed, so untrusted text (company
/// names, inspector notes) cannot break the layout or inject terminal escape sequences.
public struct TextTable: Sendable {
    /// One column: its title, alignment and optional maximum display width.
    public struct Column: Sendable {
        /// How cells are placed within the column.
        public enum Alignment: Sendable {
            /// Padded on the right (text).
            case left
            /// Padded on the left (numbers, counts).
            case right
        }

        /// The header text.
        public var title: String
        /// Where cells sit within the column.
        public var alignment: Alignment
        /// If set, cells (and the title) wider than this are cut and end with `…`. At least 1.
        public var maxWidth: Int?

        /// A column titled `title`.
        public init(_ title: String, alignment: Alignment = .left, maxWidth: Int? = nil) {
            self.title = title
            self.alignment = alignment
            self.maxWidth = maxWidth.map { Swift.max(1, $0) }
        }
    }

    /// The columns, in order.
    public var columns: [Column]
    /// The rows added so far (as given, before sanitising).
    public private(set) var rows: [[String]] = []
    /// The character repeated under each title (it must be one column wide). `─` (U+2500) by
    /// default; use `-` for terminals that draw box-drawing characters double-width (some
    /// CJK-locale consoles treat East Asian Ambiguous characters as wide).
    public var ruleCharacter: Character

    /// An empty table with the given columns.
    public init(columns: [Column], ruleCharacter: Character = "─") {
        self.columns = columns
        self.ruleCharacter = ruleCharacter
    }

    /// Appends a row. Missing trailing cells are blank; cells beyond the column count are ignored.
    public mutating func addRow(_ cells: [String]) {
        rows.append(cells)
    }

    /// The table as text: header, rule line, then one line per row, joined by `\n`
    /// (no final newline). An empty string if there are no columns.
    public func render() -> String {
        guard !columns.isEmpty else { return "" }
        func prepare(_ text: String, _ column: Column) -> (text: String, width: Int) {
            var cell = TextTable.sanitize(text)
            var width = displayWidth(cell)
            if let limit = column.maxWidth, width > limit {
                (cell, width) = TextTable.truncate(cell, to: limit)
            }
            return (cell, width)
        }
        let header = columns.map { prepare($0.title, $0) }
        let body = rows.map { row in
            columns.indices.map { i in prepare(i < row.count ? row[i] : "", columns[i]) }
        }
        var widths = header.map(\.width)
        for row in body {
            for (i, cell) in row.enumerated() where cell.width > widths[i] { widths[i] = cell.width }
        }

        func line(_ cells: [(text: String, width: Int)]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                if i > 0 { out += "  " }
                let pad = String(repeating: " ", count: widths[i] - cell.width)
                switch columns[i].alignment {
                case .left: out += cell.text + pad
                case .right: out += pad + cell.text
                }
            }
            while out.last == " " { out.removeLast() }
            return out
        }

        var lines: [String] = []
        lines.reserveCapacity(body.count + 2)
        lines.append(line(header))
        lines.append(widths.map { String(repeating: ruleCharacter, count: $0) }
            .joined(separator: "  ").trimmingTrailingSpaces())
        for row in body { lines.append(line(row)) }
        return lines.joined(separator: "\n")
    }

    // MARK: - Cell text

    /// Flattens line breaks and tabs to spaces (`\r\n` counts as one break), replaces other
    /// control characters with U+FFFD and drops bidirectional embedding/override/isolate controls.
    static func sanitize(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            defer { previousWasCR = v == 0x0D }
            switch v {
            case 0x0A where previousWasCR:
                continue
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029:
                out.append(" ")
            case 0x00...0x1F, 0x7F...0x9F:
                out.append("\u{FFFD}")
            case 0x202A...0x202E, 0x2066...0x2069:
                continue
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Cuts `text` so that it plus a trailing `…` fits in `limit` columns (whole characters
    /// only, so a wide character that would straddle the limit is dropped entirely).
    static func truncate(_ text: String, to limit: Int) -> (text: String, width: Int) {
        var out = ""
        var width = 0
        for ch in text {
            let w = characterDisplayWidth(ch)
            if width + w > limit - 1 { break }
            out.append(ch)
            width += w
        }
        out.append("…")
        return (out, width + 1)
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

// MARK: - Display width

/// The number of terminal columns `s` occupies in a monospaced font (显示宽度).
///
/// East Asian Wide and Fullwidth characters count 2: CJK Unified Ideographs (all extensions),
/// CJK radicals, symbols and punctuation (U+3000–303E), Hiragana, Katakana, Bopomofo, Hangul,
/// Yi, CJK compatibility ideographs and forms, fullwidth forms (U+FF01–FF60, U+FFE0–FFE6),
/// Tangut/Khitan/Nüshu, and emoji with default emoji presentation. Combining marks, format
/// characters (zero-width space, joiners), Hangul medial/final jamo and control characters
/// count 0; everything else (including East Asian Ambiguous such as `…` `─` `°`) counts 1.
///
/// Width is summed per grapheme cluster and capped at 2 per cluster, so emoji sequences
/// (skin tones, ZWJ families, flags, `❤️` with VS16) count 2, as modern terminals draw them.
public func displayWidth(_ s: String) -> Int {
    var ascii = true
    var width = 0
    for byte in s.utf8 {
        if byte >= 0x80 { ascii = false; break }
        if byte >= 0x20 && byte < 0x7F { width += 1 }
    }
    if ascii { return width }
    width = 0
    for ch in s { width += characterDisplayWidth(ch) }
    return width
}

/// The display width of one grapheme cluster (0, 1 or 2).
fileprivate func characterDisplayWidth(_ ch: Character) -> Int {
    let scalars = ch.unicodeScalars
    var iterator = scalars.makeIterator()
    guard let first = iterator.next() else { return 0 }
    guard let second = iterator.next() else { return scalarDisplayWidth(first) }
    var total = scalarDisplayWidth(first) + scalarDisplayWidth(second)
    var emojiSequence = second.value == 0xFE0F || second.value == 0x200D
    while let next = iterator.next() {
        total += scalarDisplayWidth(next)
        if next.value == 0xFE0F || next.value == 0x200D { emojiSequence = true }
    }
    if emojiSequence && first.properties.isEmoji { return 2 }
    return Swift.min(total, 2)
}

/// The display width of one scalar in isolation (0, 1 or 2).
fileprivate func scalarDisplayWidth(_ u: Unicode.Scalar) -> Int {
    let v = u.value
    if v < 0x7F { return v >= 0x20 ? 1 : 0 }
    if v < 0xA0 { return 0 }                                  // DEL, C1 controls
    if v >= 0x4E00 && v <= 0x9FFF { return 2 }                // common CJK, checked first
    if v == 0xAD { return 1 }                                 // soft hyphen: drawn by terminals
    if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return 0 } // jamo V/T
    switch u.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format, .control:
        return 0
    default:
        break
    }
    for range in wideRanges {
        if v < range.lowerBound { break }
        if v <= range.upperBound { return 2 }
    }
    return u.properties.isEmojiPresentation ? 2 : 1
}

/// East Asian Wide (W) and Fullwidth (F) blocks from Unicode's EastAsianWidth.txt, merged
/// into whole blocks where the gaps are unassigned; sorted. Emoji are found by property.
fileprivate let wideRanges: [ClosedRange<UInt32>] = [
    0x1100...0x115F,    // Hangul Jamo initial consonants
    0x2329...0x232A,    // angle brackets 〈 〉
    0x2E80...0x303E,    // CJK radicals, Kangxi radicals, ideographic description, CJK symbols & punctuation
    0x3041...0x3247,    // Hiragana, Katakana, Bopomofo, Hangul compatibility jamo, Kanbun, CJK strokes, enclosed CJK
    0x3250...0xA4CF,    // enclosed CJK, CJK compatibility, Ext A, Yijing, URO, Yi
    0xA960...0xA97F,    // Hangul Jamo Extended-A
    0xAC00...0xD7A3,    // Hangul syllables
    0xF900...0xFAFF,    // CJK compatibility ideographs
    0xFE10...0xFE19,    // vertical forms
    0xFE30...0xFE6F,    // CJK compatibility forms, small form variants
    0xFF00...0xFF60,    // fullwidth ASCII variants and brackets
    0xFFE0...0xFFE6,    // fullwidth signs ￠ ￡ ￥ …
    0x16FE0...0x16FFF,  // ideographic symbols and punctuation
    0x17000...0x18DFF,  // Tangut, Khitan small script
    0x1AFF0...0x1B2FF,  // Kana supplement/extensions, Nüshu
    0x1F200...0x1F2FF,  // enclosed ideographic supplement 🈀
    0x20000...0x3FFFD,  // CJK Unified Ideographs Extensions B–I, compatibility supplement
]
