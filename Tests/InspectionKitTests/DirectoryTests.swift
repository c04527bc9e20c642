import InspectionKit
import Testing

/// The directories (一单两库, SPEC §6) through their commands: what is stored, what the
/// reads return, and that every refusal names the field and appends nothing.
struct DirectoryTests {
    static let e1 = Fixture.uscc(1)
    static let e2 = Fixture.uscc(2)
    static let e3 = Fixture.uscc(3)
    static let e4 = Fixture.uscc(4)

    /// Four entities across kinds, regions, industries, tags and risk classes; three
    /// inspectors in two departments; two items.
    static func seeded() throws -> DomainLedger {
        var ledger = DomainLedger()
        try ledger.run("entity.register", ["id": .string(e1), "name": "晋安华记小吃店", "kind": "个体工商户", "industry": "餐饮",
                                           "region": "晋安区", "address": "福新路24号", "risk": "A", "tags": ["crowded"]])
        try ledger.run("entity.register", ["id": .string(e2), "name": "仓山达隆餐馆", "kind": "enterprise", "industry": "餐饮",
                                           "region": "仓山区", "risk": "较高", "tags": "school;hospital"])
        try ledger.run("entity.register", ["id": .string(e3), "name": "闽侯合作社", "kind": "合作社", "industry": "农业",
                                           "region": "闽侯县"])
        try ledger.run("entity.register", ["id": .string(e4), "name": "鼓楼药房", "industry": "药品零售", "region": "鼓楼区",
                                           "risk": "D", "tags": ["hospital"]])
        try ledger.run("inspector.register", ["id": "35010200001", "name": "张伟", "department": "市场监管局", "unit": "鼓楼所",
                                              "qualifications": ["general", "food"]])
        try ledger.run("inspector.register", ["id": "35010200002", "name": "王芳", "department": "市场监管局",
                                              "qualifications": "general,drug", "active": false])
        try ledger.run("inspector.register", ["id": "WJ0001", "name": "李娜", "department": "卫生健康委", "qualifications": ["health"]])
        try ledger.run("item.define", ["code": "SJ-01", "name": "食品经营检查", "department": "市场监管局", "method": "现场检查",
                                       "qualification": "food", "basis": "食品安全法"])
        try ledger.run("item.define", ["code": "WJ-01", "name": "公共场所卫生检查", "department": "卫生健康委", "method": "书面"])
        return ledger
    }

    // MARK: Entities

    @Test func registerStoresEveryFieldAndGetReturnsIt() throws {
        let ledger = try Self.seeded()
        #expect(ledger.events.prefix(4).map(\.type) == Array(repeating: "entity.registered", count: 4))
        let e2 = try ledger.query("entity.get", ["id": .string(Self.e2)])
        #expect(e2 == [
            "id": .string(Self.e2), "name": "仓山达隆餐馆", "kind": "enterprise", "industry": "餐饮", "region": "仓山区",
            "address": "", "risk": "C", "tags": ["school", "hospital"], "status": "active", "conflicts": [], "lastInspected": nil,
        ])
        let e1 = try ledger.query("entity.get", ["id": .string(Self.e1)])
        #expect(e1["kind"] == "individual")
        #expect(e1["risk"] == "A")
        #expect(e1["address"] == "福新路24号")
        #expect(try ledger.query("entity.get", ["id": .string(Self.e3)])["kind"] == "cooperative")
        #expect(try ledger.query("entity.get", ["id": .string(Self.e3)])["risk"] == "")
        // The event payload is the whole entity.
        #expect(ledger.events[1].data["tags"] == ["school", "hospital"])
    }

    @Test func updateChangesOnlyTheGivenFields() throws {
        var ledger = try Self.seeded()
        let before = ledger.events.count
        let result = try ledger.run("entity.update", ["id": .string(Self.e1), "risk": "B", "address": "福新路26号"])
        #expect(result["id"] == .string(Self.e1))
        #expect(ledger.events.count == before + 1)
        #expect(ledger.events.last?.type == "entity.updated")
        let e1 = try ledger.query("entity.get", ["id": .string(Self.e1)])
        #expect(e1["risk"] == "B")
        #expect(e1["address"] == "福新路26号")
        #expect(e1["name"] == "晋安华记小吃店")
        #expect(e1["kind"] == "individual")
        #expect(e1["tags"] == ["crowded"])
        // The same values again: nothing to record.
        let again = try #require(try? ledger.attempt("entity.update", ["id": .string(Self.e1), "risk": "B"]).get())
        #expect(again.events.isEmpty)
        #expect(again.result["unchanged"] == true)
        // An explicit empty risk clears the class (unclassified → stratum "none").
        try ledger.run("entity.update", ["id": .string(Self.e1), "risk": ""])
        #expect(try ledger.query("entity.get", ["id": .string(Self.e1)])["risk"] == "")
    }

    @Test func deregisterTakesAnEntityOutOfTheDefaultList() throws {
        var ledger = try Self.seeded()
        try ledger.run("entity.deregister", ["id": .string(Self.e2), "status": "revoked", "reason": "吊销营业执照"])
        #expect(ledger.events.last?.type == "entity.deregistered")
        #expect(ledger.events.last?.data == ["id": .string(Self.e2), "status": "revoked", "reason": "吊销营业执照"])
        #expect(try ledger.query("entity.get", ["id": .string(Self.e2)])["status"] == "revoked")
        let active = try ledger.query("entity.list")
        #expect(active["entities"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [Self.e1, Self.e3, Self.e4])
        let revoked = try ledger.query("entity.list", ["status": ["revoked"]])
        #expect(revoked["entities"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [Self.e2])
        // Default status is deregistered.
        try ledger.run("entity.deregister", ["id": .string(Self.e3)])
        #expect(try ledger.query("entity.get", ["id": .string(Self.e3)])["status"] == "deregistered")
        ledger.expectFailure("entity.deregister", ["id": .string(Self.e3)], code: .conflict, mentions: [Self.e3, "already deregistered"])
    }

    static let listFilters: [(args: JSONObject, expected: [Int])] = [
        ([:], [1, 2, 3, 4]),
        (["region": "晋安区"], [1]),
        (["region": ["晋安区", "鼓楼区"]], [1, 4]),
        (["industry": ["餐饮"]], [1, 2]),
        (["kind": ["individual", "合作社"]], [1, 3]),
        (["tag": ["hospital"]], [2, 4]),
        (["tags": ["crowded", "school"]], [1, 2]),
        (["risk": ["A", "D"]], [1, 4]),
        (["risk": ["none"]], [3]),
        (["risk": ["C", "none"], "industry": ["餐饮", "农业"]], [2, 3]),
        (["region": ["仓山区"], "risk": ["A"]], []),
        (["limit": 2], [1, 2]),
        (["limit": 2, "offset": 1], [2, 3]),
        (["offset": 4], []),
    ]

    @Test(arguments: listFilters)
    func listAppliesFilters(_ testCase: (args: JSONObject, expected: [Int])) throws {
        let ledger = try Self.seeded()
        let result = try ledger.query("entity.list", testCase.args)
        let ids = [Self.e1, Self.e2, Self.e3, Self.e4]
        #expect(result["entities"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == testCase.expected.map { ids[$0 - 1] },
                "\(JSONValue.object(testCase.args).serialized())")
        if testCase.args["limit"] == nil && testCase.args["offset"] == nil {
            #expect(result["total"] == .int(testCase.expected.count))
        }
    }

    // MARK: Inspectors, items, conflicts

    @Test func inspectorsRegisterUpdateGetList() throws {
        var ledger = try Self.seeded()
        #expect(try ledger.query("inspector.get", ["id": "35010200001"]) == [
            "id": "35010200001", "name": "张伟", "department": "市场监管局", "unit": "鼓楼所",
            "qualifications": ["food", "general"], "active": true,
        ])
        #expect(try ledger.query("inspector.get", ["id": "35010200002"])["active"] == false)
        func ids(_ args: JSONObject) throws -> [String] {
            try ledger.query("inspector.list", args)["inspectors"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        }
        #expect(try ids([:]) == ["35010200001", "35010200002", "WJ0001"])
        #expect(try ids(["department": "市场监管局"]) == ["35010200001", "35010200002"])
        #expect(try ids(["qualification": "general"]) == ["35010200001", "35010200002"])
        #expect(try ids(["active": true]) == ["35010200001", "WJ0001"])
        #expect(try ids(["department": ["卫生健康委"], "qualification": "health"]) == ["WJ0001"])

        try ledger.run("inspector.update", ["id": "35010200002", "active": "是", "unit": "台江所"])
        #expect(ledger.events.last?.type == "inspector.updated")
        let updated = try ledger.query("inspector.get", ["id": "35010200002"])
        #expect(updated["active"] == true)
        #expect(updated["unit"] == "台江所")
        #expect(updated["qualifications"] == ["drug", "general"])
        ledger.expectFailure("inspector.update", ["id": "X9", "name": "n"], code: .notFound, mentions: ["X9"])
        ledger.expectFailure("inspector.register", ["id": "WJ0001", "name": "李娜", "department": "卫生健康委"],
                             code: .conflict, mentions: ["WJ0001", "already registered"])
    }

    @Test func itemsDefineRedefineAndList() throws {
        var ledger = try Self.seeded()
        let items = try ledger.query("item.list")
        #expect(items["items"]?.arrayValue?.first == [
            "code": "SJ-01", "name": "食品经营检查", "department": "市场监管局", "basis": "食品安全法", "method": "on-site",
            "qualification": "food",
        ])
        #expect(items["items"]?.arrayValue?.last?["method"] == "documentary")
        #expect(try ledger.query("item.list", ["department": "卫生健康委"])["total"] == 1)
        // Same definition again: no event.
        let same = try #require(try? ledger.attempt("item.define", ["code": "WJ-01", "name": "公共场所卫生检查", "department": "卫生健康委"]).get())
        #expect(same.events.isEmpty)
        try ledger.run("item.define", ["code": "WJ-01", "method": "online"])
        #expect(ledger.events.last?.type == "item.defined")
        #expect(try ledger.query("item.list", ["department": "卫生健康委"])["items"]?.arrayValue?.first?["method"] == "online")
        #expect(try ledger.query("item.list", ["department": "卫生健康委"])["items"]?.arrayValue?.first?["name"] == "公共场所卫生检查")
    }

    @Test func conflictsDeclareAndList() throws {
        var ledger = try Self.seeded()
        try ledger.run("conflict.declare", ["inspector": "35010200001", "entity": .string(Self.e2), "reason": "近亲属任职"])
        try ledger.run("conflict.declare", ["inspector": "WJ0001", "entity": .string(Self.e1)])
        #expect(ledger.events.last?.data == ["inspector": "WJ0001", "entity": .string(Self.e1), "reason": ""])
        #expect(try ledger.query("conflict.list")["total"] == 2)
        #expect(try ledger.query("conflict.list", ["inspector": "35010200001"])["conflicts"] ==
            [["inspector": "35010200001", "entity": .string(Self.e2), "reason": "近亲属任职"]])
        #expect(try ledger.query("entity.get", ["id": .string(Self.e2)])["conflicts"] == [["inspector": "35010200001", "reason": "近亲属任职"]])
        #expect(ledger.state.directory.conflicted(inspector: "35010200001", entity: Self.e2))
        #expect(!ledger.state.directory.conflicted(inspector: "35010200001", entity: Self.e1))
    }

    // MARK: Refusals: the field is named, nothing is appended

    static let badWrites: [(command: String, args: JSONObject, code: ErrorCode, mentions: [String])] = [
        ("entity.register", ["id": .string(Fixture.wrongCheck(e1)), "name": "x"], .badRequest,
         ["\"id\"", Fixture.wrongCheck(e1), "fails its check", "must be \"\(e1.last!)\""]),
        ("entity.register", ["id": "91350100MA0000001", "name": "x"], .badRequest, ["\"id\"", "17 characters"]),
        ("entity.register", ["id": .string(e1.lowercased()), "name": "x"], .badRequest, ["\"id\"", "lowercase"]),
        ("entity.register", ["id": "91350100MA000000IX", "name": "x"], .badRequest, ["\"id\"", "character 17"]),
        ("entity.register", ["name": "x"], .badRequest, ["\"id\"", "missing"]),
        ("entity.register", ["id": .string(Fixture.uscc(9))], .badRequest, ["\"name\"", "missing"]),
        ("entity.register", ["id": .string(Fixture.uscc(9)), "name": "  "], .badRequest, ["\"name\"", "empty"]),
        ("entity.register", ["id": .string(Fixture.uscc(9)), "name": "x", "kind": "公司X"], .badRequest, ["\"kind\"", "公司X"]),
        ("entity.register", ["id": .string(Fixture.uscc(9)), "name": "x", "risk": "E"], .badRequest, ["\"risk\"", "\"E\""]),
        ("entity.register", ["id": .string(Fixture.uscc(9)), "name": "x", "status": "closed"], .badRequest, ["\"status\"", "closed"]),
        ("entity.register", ["id": .string(Fixture.uscc(9)), "name": "x", "nmae": "y"], .badRequest, ["\"nmae\""]),
        ("entity.register", ["id": .string(Fixture.uscc(9)), "name": "x", "tags": ["学校周边", "a\u{1F}b"]], .badRequest,
         ["\"tags\"", "a\\u001fb", "control character"]),
        ("entity.update", ["id": .string(e1), "tags": ["x\ny"]], .badRequest, ["\"tags\"", "control character"]),
        ("entity.update", ["id": .string(e1), "tags": "学校周边,x\u{85}y"], .badRequest, ["\"tags\"", "control character"]),
        ("entity.register", ["id": .string(e1), "name": "again"], .conflict, [e1, "already registered"]),
        ("entity.update", ["id": .string(Fixture.uscc(9)), "risk": "A"], .notFound, [Fixture.uscc(9)]),
        ("entity.update", ["id": .string(e1), "risk": "Z"], .badRequest, ["\"risk\"", "\"Z\""]),
        ("entity.update", ["id": .string(e1), "kind": "company?"], .badRequest, ["\"kind\"", "company?"]),
        ("entity.update", ["id": .string(e1), "name": ""], .badRequest, ["\"name\""]),
        ("entity.deregister", ["id": .string(e1), "status": "active"], .badRequest, ["\"status\"", "active"]),
        ("entity.deregister", ["id": .string(Fixture.uscc(9))], .notFound, [Fixture.uscc(9)]),
        ("entity.get", ["id": .string(Fixture.uscc(9))], .notFound, [Fixture.uscc(9)]),
        ("entity.list", ["risk": ["Q"]], .badRequest, ["\"risk\"", "Q"]),
        ("entity.list", ["kind": ["shop"]], .badRequest, ["\"kind\"", "shop"]),
        ("entity.list", ["status": ["gone"]], .badRequest, ["\"status\"", "gone"]),
        ("entity.list", ["limit": 0], .badRequest, ["\"limit\""]),
        ("inspector.register", ["id": "3501 02", "name": "x", "department": "市场监管局"], .badRequest, ["\"id\"", "3501 02"]),
        ("inspector.register", ["id": "a/b", "name": "x", "department": "市场监管局"], .badRequest, ["\"id\"", "a/b"]),
        ("inspector.register", ["id": "N1", "name": "x"], .badRequest, ["\"department\"", "missing"]),
        ("inspector.register", ["id": "N1", "department": "市场监管局"], .badRequest, ["\"name\"", "missing"]),
        ("inspector.register", ["id": "N1", "name": "x", "department": "市场监管局", "active": "maybe"], .badRequest, ["\"active\"", "maybe"]),
        ("item.define", ["code": "N-1", "name": "x", "department": "市场监管局", "method": "by phone"], .badRequest, ["\"method\"", "by phone"]),
        ("item.define", ["code": "N-1", "name": "x"], .badRequest, ["\"department\"", "missing"]),
        ("item.define", ["name": "x", "department": "市场监管局"], .badRequest, ["\"code\""]),
        ("conflict.declare", ["inspector": "NOBODY", "entity": .string(e1)], .badRequest, ["\"inspector\"", "NOBODY"]),
        ("conflict.declare", ["inspector": "WJ0001", "entity": .string(Fixture.uscc(9))], .badRequest, ["\"entity\"", Fixture.uscc(9)]),
        ("conflict.declare", ["inspector": "WJ0001", "entity": .string(Fixture.wrongCheck(e1))], .badRequest, ["\"entity\"", "fails its check"]),
        ("conflict.declare", ["entity": .string(e1)], .badRequest, ["\"inspector\""]),
    ]

    @Test(arguments: badWrites)
    func refusalsNameTheFieldAndAppendNothing(_ testCase: (command: String, args: JSONObject, code: ErrorCode, mentions: [String])) throws {
        let ledger = try Self.seeded()
        let message = ledger.expectFailure(testCase.command, testCase.args, code: testCase.code, mentions: testCase.mentions)
        #expect(message.hasPrefix(testCase.command), "\(message)")
    }

    // MARK: CSV rows (the import's row handler; the daemon adds streaming and all-or-nothing)

    /// Parses a whole CSV text with `kind`'s header, feeding each row to its handler
    /// against a state that has all earlier rows applied. Returns the events or the first error.
    static func importRows(_ kind: CSVImportKind, _ text: String, into ledger: inout DomainLedger) throws -> Result<[NewEvent], CSVRowError> {
        var parser = CSVParser()
        var records: [CSVParser.Record] = []
        do throws(CSVFeedError<Never>) {
            try Array(text.utf8).withBytes { (b) throws(CSVFeedError<Never>) in try parser.feed(b) { (r) throws(Never) in records.append(r) } }
            try parser.finish { (r) throws(Never) in records.append(r) }
        } catch {
            if case .parse(let f) = error { return .failure(CSVRowError(line: f.line, column: f.column, field: "", reason: f.reason)) }
        }
        var events: [NewEvent] = []
        do throws(CSVRowError) {
            let header = try kind.schema.bind(header: records[0].fields, line: records[0].line)
            for record in records.dropFirst() {
                let row = try header.row(record)
                if let event = try kind.event(row, ledger.state, ledger.context) {
                    events.append(event)
                    try? ledger.append([event])
                }
            }
        } catch {
            return .failure(error)
        }
        return .success(events)
    }

    @Test func entityRowsWithChineseHeaders() throws {
        var ledger = DomainLedger()
        let text = """
            统一社会信用代码,名称,主体类型,行业,区域,住所,风险等级,标签,登记状态
            \(Self.e1),晋安华记小吃店,个体工商户,餐饮,晋安区,"福州市晋安区福新路24号",A,crowded;school,存续
            \(Self.e2),仓山达隆餐馆,企业,餐饮,仓山区,,高风险,,注销

            """
        let events = try Self.importRows(DirectoryImports.entities, text, into: &ledger).get()
        #expect(events.map(\.type) == ["entity.registered", "entity.registered"])
        let e1 = try ledger.query("entity.get", ["id": .string(Self.e1)])
        #expect(e1["kind"] == "individual")
        #expect(e1["tags"] == ["crowded", "school"])
        #expect(e1["address"] == "福州市晋安区福新路24号")
        let e2 = try ledger.query("entity.get", ["id": .string(Self.e2)])
        #expect(e2["risk"] == "D")
        #expect(e2["status"] == "deregistered")
        // Importing the same rows again changes nothing; a changed row is an update.
        let again = try Self.importRows(DirectoryImports.entities, text, into: &ledger).get()
        #expect(again.isEmpty)
        let changed = try Self.importRows(DirectoryImports.entities, "id,name,risk\n\(Self.e1),晋安华记小吃店,B\n", into: &ledger).get()
        #expect(changed.map(\.type) == ["entity.updated"])
        #expect(try ledger.query("entity.get", ["id": .string(Self.e1)])["tags"] == ["crowded", "school"])
    }

    static let badRows: [(text: String, line: Int, column: Int, reason: String)] = [
        ("id,name\n\(e1),a\n\(Fixture.wrongCheck(e2)),b\n", 3, 1, "fails its check"),
        ("name,id\na,\(e1)\n\nb,\(Fixture.wrongCheck(e2))\n", 4, 2, "fails its check"),
        ("id,name,risk\n\(e1),a,E\n", 2, 3, "risk is \"E\""),
        ("id,name,kind\n\(e1),a,公司X\n", 2, 3, "kind is \"公司X\""),
        ("id,name,status\n\(e1),a,停业\n", 2, 3, "status is \"停业\""),
        ("id,name\n\(e1),\n", 2, 2, "name is empty"),
        ("id,name,tags\n\(e1),a,\"学校周边,x\ty\"\n", 2, 3, "tags has the tag \"x\\ty\" with a control character"),
        ("id,name,region\n\(e1),\"a\nb\",x\n\(e2),c\n", 4, 3, "has 2 fields; the header has 3"),
    ]

    @Test(arguments: badRows)
    func badEntityRowsNameLineAndColumn(_ testCase: (text: String, line: Int, column: Int, reason: String)) throws {
        var ledger = DomainLedger()
        switch try Self.importRows(DirectoryImports.entities, testCase.text, into: &ledger) {
        case .success(let events):
            Issue.record("accepted: \(events.map(\.type))")
        case .failure(let error):
            #expect(error.line == testCase.line, "\(error)")
            #expect(error.column == testCase.column, "\(error)")
            #expect(error.reason.contains(testCase.reason), "\(error)")
        }
    }

    @Test func inspectorItemAndConflictRows() throws {
        var ledger = try Self.seeded()
        let inspectors = try Self.importRows(DirectoryImports.inspectors, """
            执法证号,姓名,部门,单位,资质,在岗
            35010200009,陈静,市场监管局,台江所,general;food、drug,是
            35010200001,张伟,市场监管局,鼓楼所,general|food,否
            """, into: &ledger).get()
        #expect(inspectors.map(\.type) == ["inspector.registered", "inspector.updated"])
        #expect(try ledger.query("inspector.get", ["id": "35010200009"])["qualifications"] == ["drug", "food", "general"])
        #expect(try ledger.query("inspector.get", ["id": "35010200001"])["active"] == false)

        let items = try Self.importRows(DirectoryImports.items, """
            事项编码,事项名称,部门,抽查依据,检查方式,资质要求
            SJ-02,企业公示信息检查,市场监管局,《企业信息公示暂行条例》第十四条,书面检查,general
            """, into: &ledger).get()
        #expect(items.map(\.type) == ["item.defined"])

        let conflicts = try Self.importRows(DirectoryImports.conflicts, """
            执法证号,统一社会信用代码,回避原因
            35010200009,\(Self.e1),近亲属在该企业任职
            """, into: &ledger).get()
        #expect(conflicts.map(\.type) == ["conflict.declared"])
        #expect(ledger.state.directory.conflicted(inspector: "35010200009", entity: Self.e1))

        let unknown = try Self.importRows(DirectoryImports.conflicts, "inspector,entity\nNOBODY,\(Self.e1)\n", into: &ledger)
        #expect(throws: CSVRowError.self) { try unknown.get() }
        if case .failure(let e) = unknown {
            #expect(e.line == 2 && e.column == 1, "\(e)")
            #expect(e.reason.contains("NOBODY"), "\(e)")
        }
    }
}

/// An `entity.updated` event replaces every field but the id (`Entity.exchangeDetails(with:)`
/// keeps the stored id string): a field added to `Entity` and forgotten there fails here.
struct EntityUpdateApplyTests {
    @Test func anUpdateReplacesEveryField() throws {
        let id = Fixture.uscc(5)
        let before = Entity(id: id, name: "旧名称", kind: .enterprise, industry: "餐饮", region: "鼓楼区", address: "旧地址1号",
                            risk: .A, tags: ["school"], status: .active)
        let after = Entity(id: id, name: "新名称有限公司", kind: .individual, industry: "药品零售", region: "台江区",
                           address: "新地址2号", risk: nil, tags: ["hospital", "crowded"], status: .revoked)
        var state = InspectionState()
        let at = BureauZone.shanghai.parse("2026-11-23T09:00:00+08:00")!
        try state.apply(Event(seq: 1, at: at, type: "entity.registered", actor: "system", data: before.json))
        try state.apply(Event(seq: 2, at: at, type: "entity.updated", actor: "system", data: after.json))
        #expect(state.directory.entity(id) == after)
        #expect(state.directory.entities.count == 1)
    }
}
