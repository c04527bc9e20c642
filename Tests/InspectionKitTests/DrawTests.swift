import InspectionKit
import Testing

// MARK: - SPEC §7 re-implemented from its words, independently of the kit
//
// Only the kit's MD5 and SHA-256 primitives are used (both checked against their
// published vectors in DigestTests). Pools are plain sorted string arrays, selection
// removes from an array (O(n·k)), load levelling walks the levels one by one.

/// An entity as the test describes it.
struct RefEntity {
    var id: String
    var name: String
    /// "A"…"D", or nil for unclassified.
    var risk: String?
    var region: String
    var active = true
    var kind = "enterprise"
    var industry = ""
    var tags: [String] = []
}

/// SPEC §7 `filter`: each given list matches any of its values; all given lists must match.
struct RefFilter {
    var regions: [String]?
    var industries: [String]?
    var kinds: [String]?
    var tags: [String]?
    /// "A"…"D" or "none".
    var risks: [String]?

    func matches(_ e: RefEntity) -> Bool {
        (regions == nil || regions!.contains(e.region))
            && (industries == nil || industries!.contains(e.industry))
            && (kinds == nil || kinds!.contains(e.kind))
            && (tags == nil || tags!.contains(where: e.tags.contains))
            && (risks == nil || risks!.contains(e.risk ?? "none"))
    }

    var json: JSONObject {
        var o = JSONObject()
        if let regions { o["region"] = Fixture.strings(regions) }
        if let industries { o["industry"] = Fixture.strings(industries) }
        if let kinds { o["kind"] = Fixture.strings(kinds) }
        if let tags { o["tags"] = Fixture.strings(tags) }
        if let risks { o["risk"] = Fixture.strings(risks) }
        return o
    }
}

struct RefInspector {
    var id: String
    var name: String
    var department: String
    var qualifications: [String]
    var active = true
}

struct RefItem {
    var code: String
    var department: String
    var qualification: String
}

/// The directory the test builds, registers through the commands, and reasons about itself.
struct RefWorld {
    var entities: [RefEntity] = []
    var inspectors: [RefInspector] = []
    var items: [RefItem] = []
    var conflicts: [(inspector: String, entity: String)] = []

    func conflicted(_ inspector: String, _ entity: String) -> Bool {
        conflicts.contains { $0.inspector == inspector && $0.entity == entity }
    }

    func register(into ledger: inout DomainLedger) throws {
        for e in entities {
            var args: JSONObject = ["id": .string(e.id), "name": .string(e.name), "region": .string(e.region), "kind": .string(e.kind),
                                    "industry": .string(e.industry), "tags": Fixture.strings(e.tags)]
            if let risk = e.risk { args["risk"] = .string(risk) }
            try ledger.run("entity.register", args)
        }
        for i in inspectors {
            try ledger.run("inspector.register", ["id": .string(i.id), "name": .string(i.name), "department": .string(i.department),
                                                  "qualifications": Fixture.strings(i.qualifications), "active": .bool(i.active)])
        }
        for item in items {
            try ledger.run("item.define", ["code": .string(item.code), "name": .string("事项 \(item.code)"),
                                           "department": .string(item.department), "qualification": .string(item.qualification)])
        }
        for c in conflicts {
            try ledger.run("conflict.declare", ["inspector": .string(c.inspector), "entity": .string(c.entity), "reason": "近亲属任职"])
        }
        for e in entities where !e.active {
            try ledger.run("entity.deregister", ["id": .string(e.id), "reason": "注销"])
        }
    }
}

enum RefSampling {
    /// Risk class ("A"…"D", "none") → ratio as numerator/denominator.
    case ratios([String: (Int, Int)])
    case count(Int)
}

struct RefStratum: Equatable {
    var ordinal: Int
    var ids: [String]
    var k: Int
    var sha256: String { Reference.sha256Hex(ids) }
}

struct RefDraw {
    var key: String
    var picks: [(ordinal: Int, ids: [String])]
    var pool: [(department: String, inspectors: [String])]
    /// "n entity [team] excluded[…]" per target.
    var teams: [String]
}

enum Reference {
    static func bytesPrecede(_ a: String, _ b: String) -> Bool {
        Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
    }

    static func sha256Hex(_ ids: [String]) -> String {
        Hex.encode(SHA256.hash(Array(ids.joined(separator: "\n").utf8)))
    }

    /// SPEC §7 pool freeze: active, matching the region filter, not inspected recently,
    /// grouped A=1 … D=4, none=5 (ratios) or a single 0 (count), sorted by id bytes.
    static func strata(_ world: RefWorld, _ sampling: RefSampling, regions: [String]? = nil, filter: RefFilter = RefFilter(),
                       excluded: Set<String> = []) -> [RefStratum] {
        let eligible = world.entities.filter {
            $0.active && (regions == nil || regions!.contains($0.region)) && filter.matches($0) && !excluded.contains($0.id)
        }
        switch sampling {
        case .count(let n):
            let ids = eligible.map(\.id).sorted(by: bytesPrecede)
            return [RefStratum(ordinal: 0, ids: ids, k: min(n, ids.count))]
        case .ratios(let ratios):
            let classes = ["A", "B", "C", "D", "none"]
            return classes.enumerated().map { index, name in
                let ids = eligible.filter { ($0.risk ?? "none") == name }.map(\.id).sorted(by: bytesPrecede)
                var k = 0
                if let (num, den) = ratios[name] { k = min(ids.count, (num * ids.count + den - 1) / den) }
                return RefStratum(ordinal: index + 1, ids: ids, k: k)
            }
        }
    }

    /// RFC 3797 §4 key: per source its integers sorted numerically, each + ".", then "/".
    static func key(_ sources: [String]) -> String {
        var key = ""
        for source in sources {
            let tokens = source.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map { token -> String in
                let stripped = token.drop(while: { $0 == "0" })
                return stripped.isEmpty ? "0" : String(stripped)
            }
            let sorted = tokens.sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
            for t in sorted { key += t + "." }
            key += "/"
        }
        return key
    }

    /// RFC 3797 selection, the obvious way.
    static func select(key: String, pool: [String], k: Int) -> [String] {
        var remaining = pool
        var picks: [String] = []
        for i in 0..<min(k, pool.count) {
            let be16: [UInt8] = [UInt8(i >> 8), UInt8(i & 0xff)]
            let digest = MD5.hash(be16 + Array(key.utf8) + be16)
            var j = 0
            for byte in digest { j = (j * 256 + Int(byte)) % remaining.count }
            picks.append(remaining.remove(at: j))
        }
        return picks
    }

    enum Failure: Error, Equatable { case tooFewInspectors(entity: String, n: Int, department: String) }

    /// SPEC §7 steps 3–4.
    static func draw(_ world: RefWorld, strata: [RefStratum], items: [String], departments: [String], teamSize: Int,
                     key: String) -> Result<RefDraw, Failure> {
        var picks: [(Int, [String])] = []
        var targets: [String] = []
        for s in strata.sorted(by: { $0.ordinal < $1.ordinal }) {
            let chosen = s.k > 0 ? select(key: key + "\(s.ordinal)./", pool: s.ids, k: s.k) : []
            picks.append((s.ordinal, chosen))
            targets += chosen
        }
        let taskItems = world.items.filter { items.contains($0.code) }
        let pool: [(String, [String])] = departments.map { department in
            let required = Set(taskItems.filter { $0.department == department && !$0.qualification.isEmpty }.map(\.qualification))
            let ids = world.inspectors.filter { $0.active && $0.department == department && required.isSubset(of: Set($0.qualifications)) }
                .map(\.id).sorted(by: bytesPrecede)
            return (department, ids)
        }
        var load: [String: Int] = [:]
        var teams: [String] = []
        for (index, entity) in targets.enumerated() {
            let n = index + 1
            var team: [String] = []
            var excluded: [String] = []
            for (d, (department, inspectors)) in pool.enumerated() {
                let candidates = inspectors.filter { !world.conflicted($0, entity) }
                excluded += inspectors.filter { world.conflicted($0, entity) }
                guard candidates.count >= teamSize else {
                    return .failure(.tooFewInspectors(entity: entity, n: n, department: department))
                }
                // "keep the lowest in-task load levels until at least the needed count remain"
                var kept: [String] = []
                for level in Set(candidates.map { load[$0, default: 0] }).sorted() {
                    kept = candidates.filter { load[$0, default: 0] <= level }
                    if kept.count >= teamSize { break }
                }
                let suffix = 10_000_000 + 100 * n + (departments.count > 1 ? d + 1 : 0)
                for inspector in select(key: key + "\(suffix)./", pool: kept, k: teamSize) {
                    team.append(inspector)
                    load[inspector, default: 0] += 1
                }
            }
            teams.append("\(n) \(entity) [\(team.joined(separator: ","))] excluded[\(excluded.joined(separator: ","))]")
        }
        return .success(RefDraw(key: key, picks: picks, pool: pool, teams: teams))
    }

    /// A big-endian byte string as a decimal integer (long division, no fixed width).
    static func decimal(_ bytes: [UInt8]) -> String {
        var number = bytes
        var digits: [Character] = []
        while number.contains(where: { $0 != 0 }) {
            var remainder = 0
            for i in number.indices {
                let current = remainder * 256 + Int(number[i])
                number[i] = UInt8(current / 10)
                remainder = current % 10
            }
            digits.append(Character(String(remainder)))
        }
        return digits.isEmpty ? "0" : String(digits.reversed())
    }
}

// MARK: - Reading the kit's events in the same shape

private func strataRecorded(_ data: JSONObject) -> [String] {
    (data["strata"]?.arrayValue ?? []).map { s in
        "\(s["ordinal"]?.intValue ?? -1) size \(s["size"]?.intValue ?? -1) k \(s["k"]?.intValue ?? -1) \(s["sha256"]?.stringValue ?? "")"
    }
}

private func strataExpected(_ strata: [RefStratum]) -> [String] {
    strata.map { "\($0.ordinal) size \($0.ids.count) k \($0.k) \($0.sha256)" }
}

private func expectDraw(_ data: JSONObject, equals ref: RefDraw, values: [[String]], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(data["method"] == "rfc3797-v1", sourceLocation: sourceLocation)
    #expect(data["key"]?.stringValue == ref.key, sourceLocation: sourceLocation)
    #expect(data["sources"] == .array(values.map { Fixture.strings($0) }), sourceLocation: sourceLocation)
    let picks = (data["strata"]?.arrayValue ?? []).map { "\($0["ordinal"]?.intValue ?? -1): \($0["picks"]?.strings ?? [])" }
    #expect(picks == ref.picks.map { "\($0.ordinal): \($0.ids)" }, sourceLocation: sourceLocation)
    let pool = (data["inspectorPool"]?.arrayValue ?? []).map { "\($0["department"]?.stringValue ?? ""): \($0["inspectors"]?.strings ?? [])" }
    #expect(pool == ref.pool.map { "\($0.department): \($0.inspectors)" }, sourceLocation: sourceLocation)
    let teams = (data["teams"]?.arrayValue ?? []).map { t in
        "\(t["n"]?.intValue ?? -1) \(t["entity"]?.stringValue ?? "") [\((t["inspectors"]?.strings ?? []).joined(separator: ","))] excluded[\((t["excludedForConflict"]?.strings ?? []).joined(separator: ","))]"
    }
    #expect(teams == ref.teams, sourceLocation: sourceLocation)
}

// MARK: - Worlds

enum Worlds {
    static let market = "市场监管局"
    static let health = "卫生健康委"

    /// 60 entities with skewed risk classes (40 A, 12 B, 5 C, 2 D, 1 unclassified), ids
    /// whose byte order is unrelated to registration order, three deregistered; two
    /// departments with unqualified and inactive inspectors; many conflicts.
    static func skewed() -> RefWorld {
        var w = RefWorld()
        let leads = ["92350100MA", "91350100MA", "93350100MA", "91350200MB", "12350100MB"]
        let risks: [String?] = Array(repeating: "A", count: 40) + Array(repeating: "B", count: 12) + Array(repeating: "C", count: 5)
            + ["D", "D", nil]
        for i in 0..<60 {
            w.entities.append(RefEntity(id: Fixture.uscc((i * 7919) % 1000 + 1, lead: leads[i % leads.count]), name: "主体\(i)",
                                        risk: risks[i], region: i % 3 == 0 ? "晋安区" : "仓山区", active: i % 20 != 7,
                                        kind: ["enterprise", "individual", "cooperative"][i % 7 % 3],
                                        industry: i % 4 == 1 ? "餐饮" : "零售",
                                        tags: i % 5 == 2 ? ["school"] : (i % 5 == 3 ? ["hospital", "crowded"] : [])))
        }
        for n in 1...5 {
            w.inspectors.append(RefInspector(id: "M0\(n)", name: "市监\(n)", department: market, qualifications: ["general", "food"]))
        }
        w.inspectors.append(RefInspector(id: "M06", name: "市监6", department: market, qualifications: ["general"]))
        w.inspectors.append(RefInspector(id: "M07", name: "市监7", department: market, qualifications: ["food", "general"], active: false))
        // Registered out of id order on purpose.
        w.inspectors.insert(RefInspector(id: "M00", name: "市监0", department: market, qualifications: ["food", "general", "drug"]), at: 3)
        for n in 1...3 {
            w.inspectors.append(RefInspector(id: "W0\(n)", name: "卫健\(n)", department: health, qualifications: ["health"]))
        }
        w.inspectors.append(RefInspector(id: "W04", name: "卫健4", department: health, qualifications: []))
        w.items = [
            RefItem(code: "SJ-01", department: market, qualification: "food"),
            RefItem(code: "SJ-02", department: market, qualification: "general"),
            RefItem(code: "WJ-01", department: health, qualification: "health"),
        ]
        for (i, e) in w.entities.enumerated() {
            if i < 30 { w.conflicts.append(("M01", e.id)) }
            if i % 4 == 0 { w.conflicts.append(("M02", e.id)) }
            if i >= 40 { w.conflicts.append(("M03", e.id)) }
            if i % 5 == 0 { w.conflicts.append(("M06", e.id)) }      // not qualified: never in the pool
            if i == 52 { w.conflicts.append(("M07", e.id)) }         // inactive: never in the pool
            if i % 2 == 0 { w.conflicts.append(("W01", e.id)) }
            if i % 3 == 0 { w.conflicts.append(("W02", e.id)) }
        }
        return w
    }

    /// `count` active entities uscc(1…count) (byte order = number order), two inspectors.
    static func numbered(_ count: Int) -> RefWorld {
        var w = RefWorld()
        for n in 1...count {
            w.entities.append(RefEntity(id: Fixture.uscc(n), name: "对象\(n)", risk: nil, region: "鼓楼区"))
        }
        w.inspectors = [RefInspector(id: "I1", name: "甲", department: market, qualifications: ["general"]),
                        RefInspector(id: "I2", name: "乙", department: market, qualifications: ["general"]),
                        RefInspector(id: "I3", name: "丙", department: market, qualifications: ["general"])]
        w.items = [RefItem(code: "SJ-02", department: market, qualification: "general")]
        return w
    }
}

/// `task.create` args.
func taskArgs(items: [String], departments: [String]? = nil, sampling: JSONValue, teamSize: Int = 2,
              sources: [String] = DrawTests.announced, filter: JSONObject? = nil, exclude: Int? = nil,
              due: String = "2026-06-30", name: String = "2026年第一批双随机抽查") -> JSONObject {
    var args: JSONObject = ["name": .string(name), "items": Fixture.strings(items), "sampling": sampling,
                            "teamSize": .int(teamSize), "due": .string(due), "sources": Fixture.strings(sources)]
    if let departments { args["departments"] = Fixture.strings(departments) }
    if let filter { args["filter"] = .object(filter) }
    if let exclude { args["excludeInspectedWithinDays"] = .int(exclude) }
    return args
}

struct DrawTests {
    static let announced = ["福彩3D 2026第60期开奖号码", "大乐透 2026第25期前区", "双色球 2026第25期红球"]
    static let section6Values = ["9319", "2 5 12 8 10", "9 18 26 34 41 45"]
    static let section6Key = "9319./2.5.8.10.12./9.18.26.34.41.45./"
    /// The values as recorded: in the order given, without leading zeros.
    static let section6Parsed = [["9319"], ["2", "5", "12", "8", "10"], ["9", "18", "26", "34", "41", "45"]]

    static let skewedRatios: JSONValue = ["ratios": ["A": .number("0.05"), "B": .number("0.3"), "C": .number("0.5"),
                                                     "D": .number("1"), "none": .number("1")]]
    static let skewedRefRatios: RefSampling = .ratios(["A": (5, 100), "B": (3, 10), "C": (5, 10), "D": (1, 1), "none": (1, 1)])

    // MARK: Pool freeze

    @Test func poolFreezeRecordsStrataAsTheSpecDefinesThem() throws {
        let world = Worlds.skewed()
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        let result = try ledger.run("task.create", taskArgs(items: ["SJ-01"], sampling: Self.skewedRatios))
        let created = try #require(ledger.events.last)
        #expect(created.type == "task.created")
        let expected = Reference.strata(world, Self.skewedRefRatios)
        #expect(expected.map(\.ids.count) == [38, 11, 5, 2, 1])
        #expect(expected.map(\.k) == [2, 4, 3, 2, 1])
        #expect(strataRecorded(created.data) == strataExpected(expected))
        #expect(result["task"] == "T2026-0001")
        #expect(result["poolSize"] == 57)
        #expect(result["picks"] == 12)
        #expect(created.data["departments"] == [.string(Worlds.market)])
        #expect(created.data["sampling"] == ["ratios": ["A": .number("0.05"), "B": .number("0.3"), "C": .number("0.5"),
                                                        "D": .number("1"), "none": .number("1")]])
        #expect(created.data["poolDate"] == "2026-03-02")
        #expect(created.data["excludeInspectedWithinDays"] == 365)

        // task.pool gives the same ids in the same order.
        let pool = try ledger.query("task.pool", ["task": "T2026-0001"])
        #expect((pool["strata"]?.arrayValue ?? []).map { $0["ids"]?.strings ?? [] } == expected.map(\.ids))
        #expect(pool["key"] == nil || pool["key"] == .null)
    }

    /// ceil with exact decimals: 0.03 × 100 = 3 and 0.07 × 100 = 7 (binary floats give 4 and 8).
    @Test func ratiosAreExactDecimals() throws {
        var world = RefWorld()
        for n in 1...100 { world.entities.append(RefEntity(id: Fixture.uscc(n), name: "B\(n)", risk: "B", region: "r")) }
        for n in 1...100 { world.entities.append(RefEntity(id: Fixture.uscc(n, lead: "92350100MA"), name: "C\(n)", risk: "C", region: "r")) }
        for n in 1...7 { world.entities.append(RefEntity(id: Fixture.uscc(n, lead: "93350100MA"), name: "D\(n)", risk: "D", region: "r")) }
        world.inspectors = Worlds.numbered(1).inspectors
        world.items = Worlds.numbered(1).items
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-02"], sampling: ["ratios": ["B": .number("0.03"), "C": .number("0.07"),
                                                                                      "D": .number("0.1"), "A": .number("1e-2")]]))
        let recorded = try #require(ledger.events.last?.data["strata"]?.arrayValue)
        #expect(recorded.map { $0["size"]?.intValue ?? -1 } == [0, 100, 100, 7, 0])
        #expect(recorded.map { $0["k"]?.intValue ?? -1 } == [0, 3, 7, 1, 0])
        #expect(strataRecorded(ledger.events.last!.data) == strataExpected(Reference.strata(world, .ratios(["B": (3, 100), "C": (7, 100), "D": (1, 10), "A": (1, 100)]))))
    }

    @Test(arguments: [(1, 1), (5, 5), (57, 57), (80, 57)])
    func countSamplingIsOneStratumZero(_ n: Int, k: Int) throws {
        let world = Worlds.skewed()
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-01"], sampling: ["count": .int(n)]))
        let expected = Reference.strata(world, .count(n))
        #expect(expected.first?.k == k)
        #expect(strataRecorded(ledger.events.last!.data) == strataExpected(expected))
    }

    @Test func filterNarrowsThePool() throws {
        let world = Worlds.skewed()
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-01"], sampling: Self.skewedRatios, filter: ["region": ["晋安区"]]))
        let expected = Reference.strata(world, Self.skewedRefRatios, regions: ["晋安区"])
        #expect(expected.map(\.ids.count) == [13, 4, 1, 1, 0])
        #expect(strataRecorded(ledger.events.last!.data) == strataExpected(expected))
        #expect(ledger.events.last?.data["filter"] == ["region": ["晋安区"]])
    }

    /// Every filter field, alone and combined, on the attribute path (kind, risk) and the
    /// string path (region, industry, tags) of the pool scan.
    static let filters: [RefFilter] = [
        RefFilter(kinds: ["individual"]),
        RefFilter(kinds: ["enterprise", "cooperative"]),
        RefFilter(risks: ["A", "none"]),
        RefFilter(risks: ["D"]),
        RefFilter(tags: ["hospital"]),
        RefFilter(tags: ["school", "crowded"]),
        RefFilter(industries: ["餐饮"]),
        RefFilter(regions: ["仓山区"], kinds: ["individual"]),
        RefFilter(regions: ["晋安区"], industries: ["零售"], risks: ["A", "B"]),
        RefFilter(kinds: ["cooperative"], tags: ["school"], risks: ["A"]),
        RefFilter(regions: ["鼓楼区"]),
    ]

    @Test(arguments: filters)
    func poolFreezeAppliesEveryFilter(_ filter: RefFilter) throws {
        let world = Worlds.skewed()
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-01"], sampling: Self.skewedRatios, filter: filter.json))
        let expected = Reference.strata(world, Self.skewedRefRatios, filter: filter)
        #expect(strataRecorded(ledger.events.last!.data) == strataExpected(expected), "\(filter.json)")
        try ledger.run("task.create", taskArgs(items: ["SJ-01"], sampling: ["count": 1000], filter: filter.json))
        #expect(strataRecorded(ledger.events.last!.data) == strataExpected(Reference.strata(world, .count(1000), filter: filter)))
    }

    /// Updates after registration (risk class, kind, status back to active) are what the
    /// pool sees — the scan reads per-entity attributes that `apply` must keep current.
    @Test func poolFreezeSeesUpdatedEntities() throws {
        var world = Worlds.skewed()
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        for i in [0, 1, 2, 40, 52] {
            world.entities[i].risk = "D"
            try ledger.run("entity.update", ["id": .string(world.entities[i].id), "risk": "D"])
        }
        world.entities[3].risk = nil
        try ledger.run("entity.update", ["id": .string(world.entities[3].id), "risk": ""])
        world.entities[4].kind = "cooperative"
        try ledger.run("entity.update", ["id": .string(world.entities[4].id), "kind": "cooperative"])
        world.entities[7].active = true                       // was deregistered
        try ledger.run("entity.update", ["id": .string(world.entities[7].id), "status": "active"])
        world.entities[8].active = false
        try ledger.run("entity.update", ["id": .string(world.entities[8].id), "status": "revoked"])
        try ledger.run("task.create", taskArgs(items: ["SJ-01"], sampling: Self.skewedRatios))
        #expect(strataRecorded(ledger.events.last!.data) == strataExpected(Reference.strata(world, Self.skewedRefRatios)))
        try ledger.run("task.create", taskArgs(items: ["SJ-01"], sampling: ["count": 1000], filter: ["kind": ["cooperative"]]))
        #expect(strataRecorded(ledger.events.last!.data)
            == strataExpected(Reference.strata(world, .count(1000), filter: RefFilter(kinds: ["cooperative"]))))
        // And a replayed state agrees.
        let replica = try DomainLedger(replaying: ledger)
        #expect(try replica.query("task.pool", ["task": "T2026-0001"]) == (try ledger.query("task.pool", ["task": "T2026-0001"])))
    }

    /// Entities with a result within `excludeInspectedWithinDays` of the pool date are left out.
    @Test(arguments: [(30, true), (11, true), (10, false), (0, false)])
    func recentlyInspectedEntitiesAreExcluded(_ days: Int, excluded: Bool) throws {
        let world = Worlds.numbered(12)
        var ledger = DomainLedger(now: "2026-03-02T09:00:00+08:00")
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-02"], sampling: ["count": 3]))
        try ledger.run("task.draw", ["task": "T2026-0001", "sources": Fixture.strings(Self.section6Values)])
        let targets = try ledger.query("task.get", ["task": "T2026-0001"])["targets"]?.arrayValue?.compactMap { $0["entity"]?.stringValue } ?? []
        #expect(targets.count == 3)
        ledger.setClock("2026-03-03T10:00:00+08:00")
        for entity in targets.prefix(2) {
            try ledger.run("inspection.record", ["task": "T2026-0001", "entity": .string(entity), "outcomes": ["no_problem"],
                                                 "inspectors": ["I1", "I2"], "date": "2026-03-03"])
        }
        ledger.setClock("2026-03-13T09:00:00+08:00")    // 10 days after the inspection
        try ledger.run("task.create", taskArgs(items: ["SJ-02"], sampling: ["count": 100], exclude: days))
        let expected = Reference.strata(world, .count(100), excluded: excluded ? Set(targets.prefix(2)) : [])
        #expect(expected[0].ids.count == (excluded ? 10 : 12))
        #expect(strataRecorded(ledger.events.last!.data) == strataExpected(expected))
        // The last inspection shows on the entity.
        #expect(try ledger.query("entity.get", ["id": .string(targets[0])])["lastInspected"] == "2026-03-03")
    }

    /// Directory changes after creation change neither the pool nor the draw.
    @Test func laterDirectoryChangesDoNotChangeThePool() throws {
        let world = Worlds.numbered(25)
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-02"], sampling: ["count": 16]))
        let before = try ledger.query("task.pool", ["task": "T2026-0001"])
        try ledger.run("entity.register", ["id": .string(Fixture.uscc(0)), "name": "新登记"])
        try ledger.run("entity.deregister", ["id": .string(Fixture.uscc(7))])
        try ledger.run("entity.update", ["id": .string(Fixture.uscc(9)), "risk": "D"])
        #expect(try ledger.query("task.pool", ["task": "T2026-0001"]) == before)
        try ledger.run("task.draw", ["task": "T2026-0001", "sources": Fixture.strings(Self.section6Values)])
        let ref = Reference.select(key: Self.section6Key + "0./", pool: world.entities.map(\.id), k: 16)
        #expect(ledger.events.last?.data["strata"]?.arrayValue?.first?["picks"]?.strings == ref)
    }

    // MARK: The draw against the reference

    @Test(arguments: [
        (["SJ-01"], nil as [String]?, 2),
        (["SJ-01", "SJ-02"], [Worlds.market], 3),
        (["SJ-01", "WJ-01"], [Worlds.market, Worlds.health], 1),
        (["SJ-01", "WJ-01"], [Worlds.health, Worlds.market], 1),
    ])
    func drawMatchesTheReference(_ items: [String], departments: [String]?, teamSize: Int) throws {
        let world = Worlds.skewed()
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: items, departments: departments, sampling: Self.skewedRatios, teamSize: teamSize))
        // Leading zeros and commas are canonicalised in the key.
        let given = ["09319", "2,5, 12 8 10", "45 41 34 26 18 009"]
        let result = try ledger.run("task.draw", ["task": "T2026-0001", "sources": Fixture.strings(given)])
        let drawn = try #require(ledger.events.last)
        #expect(drawn.type == "task.drawn")
        #expect(drawn.data["key"] == .string(Self.section6Key))
        #expect(Reference.key(given) == Self.section6Key)
        let departments = departments ?? [Worlds.market]
        let ref = try Reference.draw(world, strata: Reference.strata(world, Self.skewedRefRatios), items: items,
                                     departments: departments, teamSize: teamSize, key: Self.section6Key).get()
        expectDraw(drawn.data, equals: ref, values: [["9319"], ["2", "5", "12", "8", "10"], ["45", "41", "34", "26", "18", "9"]])
        #expect(result["targets"] == 12)
        // Every team has teamSize inspectors per department, none in conflict with its entity.
        for team in drawn.data["teams"]?.arrayValue ?? [] {
            let entity = team["entity"]?.stringValue ?? ""
            let members = team["inspectors"]?.strings ?? []
            #expect(members.count == teamSize * departments.count)
            #expect(Set(members).count == members.count)
            for m in members { #expect(!world.conflicted(m, entity), "\(m) drawn for \(entity) despite a conflict") }
        }
    }

    /// Load levelling alone (no conflicts): 12 teams of 2 from 3 inspectors — every
    /// inspector ends with exactly 8, and after each entity the loads differ by at most 1.
    @Test func loadLevellingSpreadsTeamsEvenly() throws {
        let world = Worlds.numbered(12)
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-02"], sampling: ["count": 12]))
        try ledger.run("task.draw", ["task": "T2026-0001", "sources": Fixture.strings(Self.section6Values)])
        let ref = try Reference.draw(world, strata: Reference.strata(world, .count(12)), items: ["SJ-02"], departments: [Worlds.market],
                                     teamSize: 2, key: Self.section6Key).get()
        expectDraw(ledger.events.last!.data, equals: ref, values: Self.section6Parsed)
        var load: [String: Int] = [:]
        for team in ledger.events.last?.data["teams"]?.arrayValue ?? [] {
            for m in team["inspectors"]?.strings ?? [] { load[m, default: 0] += 1 }
            #expect((load.values.max() ?? 0) - (["I1", "I2", "I3"].map { load[$0, default: 0] }.min() ?? 0) <= 1)
        }
        #expect(load == ["I1": 8, "I2": 8, "I3": 8])
    }

    /// Few picks and many picks take different code paths in the kit; both must be RFC 3797.
    @Test(arguments: [(1, 1), (2, 2), (25, 15), (25, 16), (25, 17), (25, 25), (100, 17), (100, 100), (1000, 50), (5, 9)])
    func selectionMatchesTheReference(_ n: Int, k: Int) {
        let pool = (0..<n).map(String.init)
        for key in [Self.section6Key, Self.section6Key + "3./", "0./", "10000101./"] {
            #expect(RFC3797.select(key: key, poolSize: n, count: k).map(String.init) == Reference.select(key: key, pool: pool, k: k), "\(key) \(n) \(k)")
        }
    }

    /// A draw with more than 16 picks in a stratum (the kit's tree path) against the reference.
    @Test(arguments: [17, 40, 60])
    func largeStratumDrawMatchesTheReference(_ count: Int) throws {
        var world = Worlds.numbered(60)
        for (i, e) in world.entities.enumerated() where i % 9 == 0 { world.conflicts.append(("I2", e.id)) }
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-02"], sampling: ["count": .int(count)]))
        try ledger.run("task.draw", ["task": "T2026-0001", "sources": Fixture.strings(Self.section6Values)])
        let ref = try Reference.draw(world, strata: Reference.strata(world, .count(count)), items: ["SJ-02"], departments: [Worlds.market],
                                     teamSize: 2, key: Self.section6Key).get()
        expectDraw(ledger.events.last!.data, equals: ref, values: Self.section6Parsed)
    }

    /// RFC 3797 §6 through the task machinery: a count task over 25 entities in a known
    /// order; the stratum key is the §6 key + "0./".
    @Test func section6VectorThroughTaskDraw() throws {
        #expect(RFC3797.select(key: Self.section6Key, poolSize: 25, count: 16).map { $0 + 1 }
            == [17, 7, 2, 16, 25, 23, 8, 24, 19, 13, 22, 5, 18, 9, 1, 4])
        // The reference reproduces the published vector too, so it is RFC 3797.
        let numbers = (1...25).map(String.init)
        #expect(Reference.select(key: Self.section6Key, pool: numbers, k: 16) == ["17", "7", "2", "16", "25", "23", "8", "24", "19", "13", "22", "5", "18", "9", "1", "4"])

        let world = Worlds.numbered(25)
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-02"], sampling: ["count": 16]))
        try ledger.run("task.draw", ["task": "T2026-0001", "sources": Fixture.strings(Self.section6Values)])
        let data = ledger.events.last!.data
        #expect(data["key"] == .string(Self.section6Key))
        let ids = world.entities.map(\.id)
        #expect(ids == ids.sorted(by: Reference.bytesPrecede))
        let expected = Reference.select(key: Self.section6Key + "0./", pool: ids, k: 16)
        #expect(data["strata"] == [["ordinal": 0, "picks": Fixture.strings(expected)]])
        let ref = try Reference.draw(world, strata: Reference.strata(world, .count(16)), items: ["SJ-02"], departments: [Worlds.market],
                                     teamSize: 2, key: Self.section6Key).get()
        #expect(ref.picks.first?.ids == expected)
        expectDraw(data, equals: ref, values: Self.section6Parsed)
    }

    // MARK: Failures

    /// A joint task needing 2 health inspectors where W01 and W02 both have conflicts
    /// with an entity (i % 6 == 0): the draw fails naming the first such entity in pick order.
    @Test func tooFewEligibleInspectorsNamesTheEntity() throws {
        let world = Worlds.skewed()
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-01", "WJ-01"], departments: [Worlds.market, Worlds.health],
                                               sampling: ["count": 57], teamSize: 2))
        let failure: Reference.Failure
        switch Reference.draw(world, strata: Reference.strata(world, .count(57)), items: ["SJ-01", "WJ-01"],
                              departments: [Worlds.market, Worlds.health], teamSize: 2, key: Self.section6Key) {
        case .success: Issue.record("the reference drew a team"); return
        case .failure(let f): failure = f
        }
        guard case .tooFewInspectors(let entity, let n, let department) = failure else { return }
        #expect(department == Worlds.health)
        let message = ledger.expectFailure("task.draw", ["task": "T2026-0001", "sources": Fixture.strings(Self.section6Values)],
                                           code: .conflict, mentions: [entity, "n = \(n)", Worlds.health])
        #expect(!message.isEmpty)
        #expect(try ledger.query("task.get", ["task": "T2026-0001"])["status"] == "created")
    }

    // MARK: System randomness

    @Test(arguments: [nil as [String]?, ["system"]])
    func systemRandomnessRecordsOne128BitSource(_ given: [String]?) throws {
        let world = Worlds.numbered(25)
        var ledger = DomainLedger()
        let bytes: [UInt8] = [0x9f, 0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]
        ledger.randomBytes = { count in count == 16 ? bytes : [] }
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-02"], sampling: ["count": 5], sources: ["system"]))
        var args: JSONObject = ["task": "T2026-0001"]
        if let given { args["sources"] = Fixture.strings(given) }
        try ledger.run("task.draw", args)
        let data = ledger.events.last!.data
        let value = Reference.decimal(bytes)
        #expect(value == "211347641122048749463590084040355874568")
        #expect(data["system"] == true)
        #expect(data["sources"] == [[.string(value)]])
        #expect(data["key"] == .string(value + "./"))
        let ref = try Reference.draw(world, strata: Reference.strata(world, .count(5)), items: ["SJ-02"], departments: [Worlds.market],
                                     teamSize: 2, key: value + "./").get()
        expectDraw(data, equals: ref, values: [[value]])
        let draw = try ledger.query("task.get", ["task": "T2026-0001"])["draw"]
        #expect(draw?["system"] == true)
        #expect(draw?["sources"] == [[.string(value)]])
    }

    @Test func systemRandomnessWithLeadingZeroBytes() throws {
        let world = Worlds.numbered(5)
        var ledger = DomainLedger()
        ledger.randomBytes = { count in [UInt8](repeating: 0, count: count - 1) + [42] }
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-02"], sampling: ["count": 2], sources: ["system"]))
        try ledger.run("task.draw", ["task": "T2026-0001"])
        #expect(ledger.events.last?.data["key"] == "42./")
    }

    // MARK: Replay

    /// Applying the journal's events to a fresh state gives the same task, pool, queues.
    @Test func replayReproducesTheTask() throws {
        let world = Worlds.skewed()
        var ledger = DomainLedger()
        try world.register(into: &ledger)
        try ledger.run("task.create", taskArgs(items: ["SJ-01", "WJ-01"], departments: [Worlds.market, Worlds.health],
                                               sampling: Self.skewedRatios, teamSize: 1))
        try ledger.run("task.create", taskArgs(items: ["SJ-01"], sampling: ["count": 3], sources: ["system"], name: "系统随机"))
        try ledger.run("task.draw", ["task": "T2026-0001", "sources": Fixture.strings(Self.section6Values)])
        try ledger.run("task.draw", ["task": "T2026-0002"])
        ledger.setClock("2026-03-05T15:00:00+08:00")
        let targets = try ledger.query("task.get", ["task": "T2026-0001"])["targets"]?.arrayValue ?? []
        let first = try #require(targets.first)
        try ledger.run("inspection.record", ["task": "T2026-0001", "entity": first["entity"]!, "outcomes": ["rectified", "not_publicised"],
                                             "inspectors": first["team"]!, "note": "已责令改正"])
        try ledger.run("task.cancel", ["task": "T2026-0002", "reason": "系统随机源未事先公告"])
        let replica = try DomainLedger(replaying: ledger)
        for (command, args) in [("task.get", ["task": "T2026-0001"]), ("task.get", ["task": "T2026-0002"]), ("task.pool", ["task": "T2026-0001"]),
                                ("task.list", [:]), ("worklist", [:]), ("queue.publication", [:]), ("queue.draws", [:])] as [(String, JSONObject)] {
            #expect(try replica.query(command, args) == (try ledger.query(command, args)), "\(command)")
        }
        #expect(try replica.query("task.get", ["task": "T2026-0002"])["cancelled"]?["afterDraw"] == true)
    }
}
