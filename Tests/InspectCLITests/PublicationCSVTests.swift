@testable import InspectCLI
import Testing

/// The 公示 CSV is opened in Excel/WPS by the public: no cell may run as a formula.
struct PublicationCSVTests {
    @Test(arguments: [
        ("=HYPERLINK(\"http://x\",\"点此\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"点此\"\")\""),
        ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
        ("福州华记有限公司", "福州华记有限公司"), ("a,b", "\"a,b\""), ("说\"好\"", "\"说\"\"好\"\"\""),
    ])
    func cellsAreQuotedAndNeutralised(raw: String, written: String) {
        #expect(PublicationCSV.quote(raw) == written)
    }
}
