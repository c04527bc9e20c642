import Testing
import InspectCLI

struct DisplayWidthTests {
    @Test(arguments: [
        ("", 0),
        ("abc", 3),
        ("A-1 x", 5),
        ("中文", 4),                        // CJK Unified Ideographs
        ("杭州某某电梯有限公司", 20),
        ("𠀀𪚥", 4),                        // Extension B (U+20000, U+2A6A5)
        ("㐀", 2),                          // Extension A
        ("，。、「」", 10),                 // fullwidth comma, CJK punctuation 3000–303E
        ("\u{3000}", 2),                    // ideographic space
        ("ＡＢＣ１", 8),                    // fullwidth forms FF01–FF60
        ("￥", 2), ("¥", 1),                // FFE5 fullwidth vs Latin-1 yen
        ("カタカナ", 8), ("ひらがな", 8),
        ("ｶﾀｶﾅ", 4),                        // halfwidth katakana stays narrow
        ("ㄅㄆ", 4),                        // Bopomofo
        ("한국어", 6),                      // Hangul syllables
        ("\u{1100}\u{1161}", 2),            // conjoining jamo 가 = one wide cluster
        ("e\u{301}", 1), ("é", 1),          // combining acute vs precomposed
        ("\u{301}", 0),                     // lone combining mark
        ("a\u{200B}b", 2),                  // zero-width space
        ("\u{FEFF}", 0),                    // BOM / ZWNBSP
        ("a\u{7}b", 2),                     // control characters take no column
        ("…", 1), ("─", 1), ("°", 1),       // East Asian Ambiguous: narrow
        ("😀", 2), ("👍🏽", 2), ("👨‍👩‍👧", 2), ("🇨🇳", 2), ("❤️", 2), ("1️⃣", 2),
        ("ABC 商贸", 8),
        ("第3批（2026）", 13),              // mixed ASCII and fullwidth parentheses
    ])
    func widths(text: String, width: Int) {
        #expect(displayWidth(text) == width)
    }
}

struct TextTableTests {
    @Test func mixedChineseAndASCIIAlign() {
        var table = TextTable(columns: [
            .init("编号"),
            .init("单位名称"),
            .init("到期日"),
            .init("件数", alignment: .right),
        ])
        table.addRow(["SE-0001", "杭州某某电梯有限公司", "2026-03-02", "3"])
        table.addRow(["SE-12", "ABC 商贸", "2026-10-22", "12"])
        let expected = """
            编号     单位名称              到期日      件数
            ───────  ────────────────────  ──────────  ────
            SE-0001  杭州某某电梯有限公司  2026-03-02     3
            SE-12    ABC 商贸              2026-10-22    12
            """
        #expect(table.render() == expected)
        // Every line has the same display width, and each column starts at the same column.
        let lines = table.render().split(separator: "\n").map(String.init)
        #expect(Set(lines.map(displayWidth)) == [47])
        for line in lines {
            #expect(columnStarts(line).prefix(3) == [0, 9, 31], "\(line)")
        }
    }

    @Test func noTrailingSpacesAndRaggedRows() {
        var table = TextTable(columns: [.init("状态"), .init("备注")])
        table.addRow(["待检", "到期前 30 日提醒"])
        table.addRow(["已检"])                      // missing cell → blank
        table.addRow(["逾期", "", "ignored extra"])  // extra cell ignored
        let expected = """
            状态  备注
            ────  ────────────────
            待检  到期前 30 日提醒
            已检
            逾期
            """
        let rendered = table.render()
        #expect(rendered == expected)
        for line in rendered.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(line.last != " ")
        }
        #expect(!rendered.hasSuffix("\n"))
    }

    @Test func rightAlignmentPadsOnTheLeft() {
        var table = TextTable(columns: [.init("地区"), .init("抽查数", alignment: .right),
                                        .init("合格率", alignment: .right)])
        table.addRow(["西湖区", "1204", "98.5%"])
        table.addRow(["上城区", "87", "100.0%"])
        let expected = """
            地区    抽查数  合格率
            ──────  ──────  ──────
            西湖区    1204   98.5%
            上城区      87  100.0%
            """
        #expect(table.render() == expected)
    }

    @Test func newlinesAndControlsAreFlattened() {
        var table = TextTable(columns: [.init("名称"), .init("说明")])
        table.addRow(["第一行\n第二行", "a\r\nb\tc"])
        table.addRow(["x\u{1B}[31my", "\u{202E}abc"])
        let expected = """
            名称           说明
            ─────────────  ─────
            第一行 第二行  a b c
            x\u{FFFD}[31my        abc
            """
        #expect(table.render() == expected)
    }

    @Test func truncatesAtMaxWidthWithEllipsis() {
        var table = TextTable(columns: [.init("编号"), .init("单位名称", maxWidth: 10),
                                        .init("金额", alignment: .right, maxWidth: 6)])
        table.addRow(["1", "杭州某某电梯有限公司", "1234567"])  // 20 → "杭州某某…" (9)
        table.addRow(["2", "ABCDEFGHIJKL", "12"])             // 12 → "ABCDEFGHI…" (10)
        table.addRow(["3", "A杭州某某", "3"])                 // exactly 9 → untouched
        table.addRow(["4", "AB杭州某某", "4"])                // exactly 10 → untouched
        table.addRow(["5", "ABCD杭州某某", "5"])              // 12: 某 would straddle 9 → "ABCD杭州…" (9)
        let expected = """
            编号  单位名称      金额
            ────  ──────────  ──────
            1     杭州某某…   12345…
            2     ABCDEFGHI…      12
            3     A杭州某某        3
            4     AB杭州某某       4
            5     ABCD杭州…        5
            """
        #expect(table.render() == expected)
    }

    @Test func asciiRuleAndEdgeCases() {
        var table = TextTable(columns: [.init("名"), .init("n", alignment: .right)], ruleCharacter: "-")
        table.addRow(["甲", "1"])
        #expect(table.render() == "名  n\n--  -\n甲  1")
        #expect(TextTable(columns: []).render() == "")
        #expect(TextTable(columns: [.init("标题")]).render() == "标题\n────")
        #expect(TextTable.Column("x", maxWidth: 0).maxWidth == 1)
    }

    /// Display columns at which each two-space-separated field begins.
    private func columnStarts(_ line: String) -> [Int] {
        var starts: [Int] = []
        var col = 0
        var previous: [Character] = []
        for ch in line {
            if ch != " " && (previous.isEmpty || (previous.count >= 2 && previous.suffix(2) == [" ", " "])) {
                starts.append(col)
            }
            previous.append(ch)
            col += displayWidth(String(ch))
        }
        return starts
    }
}
