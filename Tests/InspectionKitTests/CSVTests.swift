import InspectionKit
import Testing

/// Parses `text` feeding `chunk` bytes at a time (so every state of the parser meets a
/// chunk boundary somewhere), then finishes.
private func parse(_ text: String, chunk: Int = Int.max) -> Result<[CSVParser.Record], CSVParser.Failure> {
    var parser = CSVParser()
    var records: [CSVParser.Record] = []
    let bytes = Array(text.utf8)
    do throws(CSVFeedError<Never>) {
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + min(chunk, bytes.count))
            try Array(bytes[start..<end]).withBytes { (buffer) throws(CSVFeedError<Never>) in
                try parser.feed(buffer) { (record) throws(Never) in records.append(record) }
            }
            start = end
        }
        try parser.finish { (record) throws(Never) in records.append(record) }
    } catch {
        switch error {
        case .parse(let failure): return .failure(failure)
        }
    }
    return .success(records)
}

/// (line, fields) pairs for compact expectations.
private func shape(_ records: [CSVParser.Record]) -> [String] {
    records.map { "\($0.line):" + $0.fields.map { "[\($0)]" }.joined() }
}

struct CSVParserTests {
    static let chunkSizes = [1, 2, 3, 5, 7, 64, Int.max]

    /// Well-formed inputs and the records they give: "line:[field][field]…".
    static let wellFormed: [(name: String, text: String, expected: [String])] = [
        ("plain", "a,b,c\n1,2,3\n", ["1:[a][b][c]", "2:[1][2][3]"]),
        ("quoted comma and doubled quotes", "\"a, b\",\"say \"\"hi\"\"\",c\n", ["1:[a, b][say \"hi\"][c]"]),
        ("only a doubled quote", "\"\"\"\"\n", ["1:[\"]"]),
        ("embedded newline keeps later line numbers physical",
         "id,note\n1,\"line one\nline two\"\n2,x\n", ["1:[id][note]", "2:[1][line one\nline two]", "4:[2][x]"]),
        ("two embedded newlines", "a\n\"x\n\ny\",\n3\n", ["1:[a]", "2:[x\n\ny][]", "5:[3]"]),
        ("CRLF records", "a,b\r\n1,2\r\n", ["1:[a][b]", "2:[1][2]"]),
        ("CRLF inside quotes is data", "\"x\r\ny\",z\r\nq,r\r\n", ["1:[x\r\ny][z]", "3:[q][r]"]),
        ("last line without newline", "a,b\n1,2", ["1:[a][b]", "2:[1][2]"]),
        ("last quoted field without newline", "a,\"b\"", ["1:[a][b]"]),
        ("last line ends in CR only", "a,b\r", ["1:[a][b]"]),
        ("blank lines skipped, numbering continues", "a\n\n\nb\n", ["1:[a]", "4:[b]"]),
        ("blank CRLF lines skipped", "a\r\n\r\nb\r\n", ["1:[a]", "3:[b]"]),
        // A row of only empty fields is skipped (spreadsheets pad below the data with ",,,").
        ("empty fields", ",\na,,c\n", ["2:[a][][c]"]),
        ("quoted empty field between others", "a,\"\",c\n", ["1:[a][][c]"]),
        ("trailing comma", "a,b,\n", ["1:[a][b][]"]),
        ("spaces are data", " a , b \n", ["1:[ a ][ b ]"]),
        ("CJK and full-width comma", "名称,地址\n晋安,\"福州市，鼓楼\"\n", ["1:[名称][地址]", "2:[晋安][福州市，鼓楼]"]),
        ("4-byte UTF-8", "𠀀,x\n", ["1:[𠀀][x]"]),
        ("no input", "", []),
        ("only newlines", "\n\n", []),
    ]

    @Test(arguments: wellFormed, chunkSizes)
    func parsesWellFormedInput(_ testCase: (name: String, text: String, expected: [String]), chunk: Int) throws {
        let records = try parse(testCase.text, chunk: chunk).get()
        #expect(shape(records) == testCase.expected, "\(testCase.name), chunk \(chunk)")
    }

    /// Malformed inputs: exact line, column and the reason's key words.
    static let malformed: [(name: String, text: String, line: Int, column: Int, reason: String)] = [
        ("unclosed quote at the end", "a,b\n1,\"unterminated\nmore\n", 2, 2, "quoted field is never closed"),
        ("unclosed quote in the first field", "a,b\n1,2\n\"open,x\n", 3, 1, "quoted field is never closed"),
        ("stray quote inside an unquoted field", "a,b\n1,x\"y\n", 2, 2, "quote in the middle of an unquoted field"),
        ("stray quote in the third field", "a,b,c\n1,2,3\"\n", 2, 3, "quote in the middle of an unquoted field"),
        ("stray quote after a multi-line quoted field", "a,b\n\"1\n2\",x\"y\n", 3, 2, "quote in the middle of an unquoted field"),
        ("character after a closing quote", "a,b\n\"x\"y,1\n", 2, 1, "unexpected character after a closing quote"),
        ("space after a closing quote", "a,b\nq,\"x\" \n", 2, 2, "unexpected character after a closing quote"),
        ("bare CR inside an unquoted field", "a\rb\n", 1, 1, "carriage return"),
    ]

    @Test(arguments: malformed, [1, 3, Int.max])
    func reportsMalformedInput(_ testCase: (name: String, text: String, line: Int, column: Int, reason: String), chunk: Int) {
        switch parse(testCase.text, chunk: chunk) {
        case .success(let records):
            Issue.record("\(testCase.name): parsed as \(shape(records))")
        case .failure(let failure):
            #expect(failure.line == testCase.line, "\(testCase.name): \(failure)")
            #expect(failure.column == testCase.column, "\(testCase.name): \(failure)")
            #expect(failure.reason.contains(testCase.reason), "\(testCase.name): \(failure)")
            #expect(failure.description.hasPrefix("line \(testCase.line), column \(testCase.column): "))
        }
    }

    /// Records already emitted before an error stay emitted (the importer aborts the whole
    /// file); the error is about the first bad record.
    @Test func stopsAtTheFirstError() {
        var parser = CSVParser()
        var seen: [Int] = []
        let text = Array("h\n1\n2\"x\n3\"y\n".utf8)
        var failure: CSVParser.Failure?
        do throws(CSVFeedError<Never>) {
            try text.withBytes { (b) throws(CSVFeedError<Never>) in try parser.feed(b) { (r) throws(Never) in seen.append(r.line) } }
        } catch {
            if case .parse(let f) = error { failure = f }
        }
        #expect(seen == [1, 2])
        #expect(failure?.line == 3)
        #expect(failure?.column == 1)
    }

    /// The consumer's own error passes through untouched, with the records before it.
    @Test func consumerErrorsPassThrough() {
        struct Refused: Error, Equatable { var line: Int }
        var parser = CSVParser()
        var seen: [Int] = []
        do throws(CSVFeedError<Refused>) {
            try Array("a\nb\nc\n".utf8).withBytes { (b) throws(CSVFeedError<Refused>) in
                try parser.feed(b) { (r) throws(Refused) in
                    if r.line == 2 { throw Refused(line: 2) }
                    seen.append(r.line)
                }
            }
            Issue.record("no error")
        } catch {
            switch error {
            case .emit(let refused): #expect(refused == Refused(line: 2))
            case .parse(let f): Issue.record("parse error \(f)")
            }
        }
        #expect(seen == [1])
    }
}

/// Header binding: canonical names (any case), Chinese aliases, a BOM on the first cell,
/// and errors naming the header cell.
struct CSVSchemaTests {
    static let entities = DirectoryImports.entities.schema

    static let accepted: [(header: [String], expected: [String: Int])] = [
        (["统一社会信用代码", "名称", "风险等级"], ["id": 0, "name": 1, "risk": 2]),
        (["ID", "Name", "RISK"], ["id": 0, "name": 1, "risk": 2]),
        (["\u{FEFF}统一社会信用代码", "企业名称"], ["id": 0, "name": 1]),
        (["\u{FEFF}id", "name"], ["id": 0, "name": 1]),
        ([" 名称 ", "信用代码", "标签", "登记状态"], ["name": 0, "id": 1, "tags": 2, "status": 3]),
        (["id", "", "name"], ["id": 0, "name": 2]),
        (["社会信用代码", "主体名称", "主体类型", "所属行业", "辖区", "住所（经营场所）", "信用风险分类", "标签", "状态"],
         ["id": 0, "name": 1, "kind": 2, "industry": 3, "region": 4, "address": 5, "risk": 6, "tags": 7, "status": 8]),
    ]

    @Test(arguments: accepted)
    func bindsHeaders(_ testCase: (header: [String], expected: [String: Int])) throws {
        let bound = try Self.entities.bind(header: testCase.header, line: 1)
        #expect(bound.indexByName == testCase.expected)
        #expect(bound.width == testCase.header.count)
    }

    static let rejected: [(header: [String], column: Int, field: String, reason: String)] = [
        (["id", "name", "颜色"], 3, "颜色", "unknown column \"颜色\""),
        (["Id", "Nam"], 2, "Nam", "unknown column \"Nam\""),
        (["id", "名称", "name"], 3, "name", "column \"name\" appears twice (columns 2 and 3)"),
        (["统一社会信用代码", "名称", "信用代码"], 3, "信用代码", "column \"id\" appears twice (columns 1 and 3)"),
        (["id", "风险等级"], 0, "name", "required column \"name\""),
        (["名称"], 0, "id", "required column \"id\""),
    ]

    @Test(arguments: rejected)
    func rejectsHeaders(_ testCase: (header: [String], column: Int, field: String, reason: String)) {
        #expect {
            _ = try Self.entities.bind(header: testCase.header, line: 1)
        } throws: { error in
            guard let e = error as? CSVRowError else { return false }
            #expect(e.line == 1)
            #expect(e.column == testCase.column, "\(e)")
            #expect(e.field == testCase.field, "\(e)")
            #expect(e.reason.contains(testCase.reason), "\(e)")
            return true
        }
    }

    /// A data row with the wrong number of fields names its line and the first missing
    /// or extra column.
    @Test(arguments: [("h1,h2\nonly\n", 2, 2, "has 1 fields; the header has 2"),
                      ("h1,h2\n\n\na,b,c\n", 4, 3, "has 3 fields; the header has 2")])
    func rowWidthMustMatchTheHeader(_ text: String, line: Int, column: Int, reason: String) throws {
        let schema = CSVSchema([.init("h1", required: true), .init("h2")])
        let records = try parse(text).get()
        let header = try schema.bind(header: records[0].fields, line: records[0].line)
        #expect {
            _ = try header.row(records[1])
        } throws: { error in
            guard let e = error as? CSVRowError else { return false }
            #expect(e == CSVRowError(line: line, column: column, field: "", reason: reason))
            return true
        }
    }

    @Test func rowValuesAreTrimmedAndNamed() throws {
        let schema = CSVSchema([.init("id", aliases: ["编号"], required: true), .init("name", aliases: ["名称"])])
        let records = try parse("名称,编号\n  晋安  ,\t\n").get()
        let header = try schema.bind(header: records[0].fields, line: 1)
        let row = try header.row(records[1])
        #expect(row.value("name") == "晋安")
        #expect(row.value("id") == "")
        #expect(row.column("id") == 2)
        #expect(row.has("name") && !row.has("missing"))
        #expect {
            _ = try row.required("id")
        } throws: { error in
            (error as? CSVRowError) == CSVRowError(line: 2, column: 2, field: "id", reason: "id is empty; a value is required")
        }
    }
}

/// Ratios are exact decimals: ceil(ratio × size) without binary floating point.
struct DecimalRatioTests {
    static let sizes: [(text: String, size: Int, k: Int)] = [
        ("0.03", 100, 3),          // 0.03 × 100 in Double is 3.0000000000000004 → ceil 4
        ("0.07", 100, 7),          // Double: 7.000000000000001
        ("0.14", 100, 14),         // Double: 14.000000000000002
        ("0.1", 7, 1),
        ("0.1", 10, 1),
        ("0.1", 11, 2),
        ("1e-2", 100, 1),
        ("1e-2", 101, 2),
        ("3E-2", 100, 3),
        ("0.5e-1", 40, 2),
        ("0.01", 146, 2),
        ("0.30", 10, 3),
        ("0.3", 7, 3),
        ("1", 5, 5),
        ("1.0", 5, 5),
        ("0", 5, 0),
        ("0.000000001", 1, 1),
        ("0.000000001", 1_000_000_000, 1),
        ("0.000000001", 1_000_000_001, 2),
        ("0.5", 0, 0),
        ("0.05", 1_000_000, 50_000),
    ]

    @Test(arguments: sizes)
    func sampleSize(_ testCase: (text: String, size: Int, k: Int)) throws {
        let ratio = try #require(DecimalRatio(testCase.text))
        #expect(ratio.sampleSize(of: testCase.size) == testCase.k, "\(testCase.text) × \(testCase.size)")
        #expect(ratio.text == testCase.text)
    }

    @Test(arguments: [("0.03", 3, 100), ("1e-2", 1, 100), ("0.30", 30, 100), ("1", 1, 1), ("0.5e-1", 5, 100)])
    func exactFraction(_ text: String, numerator: Int, denominator: Int) throws {
        let ratio = try #require(DecimalRatio(text))
        #expect(ratio.numerator == numerator)
        #expect(ratio.denominator == denominator)
    }

    /// Above 1, negative, more than 9 decimals, or not a number: rejected.
    @Test(arguments: ["1.5", "1.000000001", "2", "1e1", "10e-1x", "-0.1", "0.0000000001", "0.1000000000",
                      "1e-10", "abc", "", ".", "0.1.2", "1e", "0x1", "½"])
    func rejects(_ text: String) {
        #expect(DecimalRatio(text) == nil, "\(text) was accepted")
    }
}
