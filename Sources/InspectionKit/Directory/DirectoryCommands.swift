/// Commands over the directories (一单两库). Reads: viewer and up; writes: coordinator.
public enum DirectoryCommands {
    public static let all: [DomainCommand] = [
        entityRegister, entityUpdate, entityDeregister, entityGet, entityList,
        inspectorRegister, inspectorUpdate, inspectorGet, inspectorList,
        conflictDeclare, conflictList, itemDefine, itemList,
    ]

    static let readers: Set<Role> = [.viewer, .coordinator, .inspector, .auditor]
    static let writers: Set<Role> = [.coordinator]

    static let entityFields: Set<String> = ["id", "name", "kind", "industry", "region", "address", "risk", "tags", "status"]
    static let inspectorFields: Set<String> = ["id", "name", "department", "unit", "qualifications", "active"]
    static let itemFields: Set<String> = ["code", "name", "department", "basis", "method", "qualification"]

    // MARK: Entities

    static let entityRegister = DomainCommand(
        "entity.register", roles: writers, writes: true, summary: "register a market entity (检查对象)"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(entityFields)
        let entity: Entity
        do throws(FieldError) { entity = try DirectoryInput.entity(args, existing: nil) } catch { throw error.commandError("entity.register") }
        if state.directory.entity(entity.id) != nil {
            throw .conflict("entity.register: \(entity.id) is already registered; use entity.update to change it")
        }
        return CommandOutcome(events: [NewEvent("entity.registered", entity.json)], result: ["id": .string(entity.id)])
    }

    static let entityUpdate = DomainCommand(
        "entity.update", roles: writers, writes: true, summary: "change fields of a registered entity"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(entityFields)
        let id = try args.string("id", "the entity's 统一社会信用代码")
        guard let existing = state.directory.entity(id) else {
            throw .notFound("entity.update: no entity \(id); register it first (entity.register)")
        }
        let entity: Entity
        do throws(FieldError) { entity = try DirectoryInput.entity(args, existing: existing) } catch { throw error.commandError("entity.update") }
        if entity == existing { return .query(["id": .string(id), "unchanged": true]) }
        return CommandOutcome(events: [NewEvent("entity.updated", entity.json)], result: ["id": .string(id)])
    }

    static let entityDeregister = DomainCommand(
        "entity.deregister", roles: writers, writes: true, summary: "mark an entity deregistered (注销) or revoked (吊销)"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(["id", "status", "reason"])
        let id = try args.string("id", "the entity's 统一社会信用代码")
        guard let existing = state.directory.entity(id) else { throw .notFound("entity.deregister: no entity \(id)") }
        let statusText = try args.optionalString("status") ?? "deregistered"
        guard let status = EntityStatus(text: statusText), status != .active else {
            throw .badRequest("entity.deregister: \"status\" must be deregistered (注销) or revoked (吊销); got \"\(statusText)\"")
        }
        guard existing.status == .active else {
            throw .conflict("entity.deregister: \(id) is already \(existing.status.rawValue)")
        }
        let reason = try args.optionalString("reason") ?? ""
        return CommandOutcome(events: [NewEvent("entity.deregistered", ["id": .string(id), "status": .string(status.rawValue), "reason": .string(reason)])],
                              result: ["id": .string(id), "status": .string(status.rawValue)])
    }

    static let entityGet = DomainCommand(
        "entity.get", roles: readers, writes: false, summary: "one entity with its conflicts and last inspection"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(["id"])
        let id = try args.string("id", "the entity's 统一社会信用代码")
        guard let entity = state.directory.entity(id) else { throw .notFound("entity.get: no entity \(id)") }
        var object = entity.json
        object["conflicts"] = .array((state.directory.conflicts[id] ?? [:]).sorted { $0.key < $1.key }.map {
            ["inspector": .string($0.key), "reason": .string($0.value)]
        })
        object["lastInspected"] = state.directory.entityNumber(id).flatMap { state.tasks.lastInspected[$0] }.map { .string($0.description) } ?? .null
        return .query(.object(object))
    }

    /// Filters shared by `entity.list` and task pools: each given list matches any of its values.
    static let entityListArgs: Set<String> = ["region", "industry", "kind", "tag", "tags", "risk", "status", "limit", "offset"]

    static let entityList = DomainCommand(
        "entity.list", roles: readers, writes: false, summary: "entities matching filters (region, industry, kind, tag, risk, status)"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(entityListArgs)
        let filter = try EntityFilter(args, command: "entity.list")
        let statuses = try (args.optionalStringArray("status") ?? ["active"]).map { (text) throws(CommandError) -> EntityStatus in
            guard let s = EntityStatus(rawValue: text) else {
                throw .badRequest("entity.list: \"status\" value \"\(text)\" is not active, deregistered or revoked")
            }
            return s
        }
        let (limit, offset) = try paging(args, "entity.list")
        var total = 0
        var page: [JSONValue] = []
        // Over the packed records: an `Entity` (its strings) is made only for the page.
        for entity in state.directory.entityRecords where statuses.contains(entity.status) && filter.matches(entity) {
            if total >= offset && page.count < limit { page.append(.object(entity.json)) }
            total += 1
        }
        return .query(["total": .int(total), "offset": .int(offset), "entities": .array(page)])
    }

    static func paging(_ args: Arguments, _ command: String) throws(CommandError) -> (Int, Int) {
        let limit = try args.optionalInt("limit", "a positive integer") ?? 50
        let offset = try args.optionalInt("offset", "a non-negative integer") ?? 0
        guard limit >= 1, limit <= 100_000 else { throw .badRequest("\(command): \"limit\" must be 1…100000") }
        guard offset >= 0 else { throw .badRequest("\(command): \"offset\" must be ≥ 0") }
        return (limit, offset)
    }

    // MARK: Inspectors

    static let inspectorRegister = DomainCommand(
        "inspector.register", roles: writers, writes: true, summary: "register an inspector (执法检查人员)"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(inspectorFields)
        let inspector: Inspector
        do throws(FieldError) { inspector = try DirectoryInput.inspector(args, existing: nil) } catch { throw error.commandError("inspector.register") }
        if state.directory.inspectors[inspector.id] != nil {
            throw .conflict("inspector.register: \(inspector.id) is already registered; use inspector.update")
        }
        return CommandOutcome(events: [NewEvent("inspector.registered", inspector.json)], result: ["id": .string(inspector.id)])
    }

    static let inspectorUpdate = DomainCommand(
        "inspector.update", roles: writers, writes: true, summary: "change an inspector (department, qualifications, active…)"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(inspectorFields)
        let id = try args.string("id", "the inspector's 执法证号")
        guard let existing = state.directory.inspectors[id] else { throw .notFound("inspector.update: no inspector \(id)") }
        let inspector: Inspector
        do throws(FieldError) { inspector = try DirectoryInput.inspector(args, existing: existing) } catch { throw error.commandError("inspector.update") }
        if inspector == existing { return .query(["id": .string(id), "unchanged": true]) }
        return CommandOutcome(events: [NewEvent("inspector.updated", inspector.json)], result: ["id": .string(id)])
    }

    static let inspectorGet = DomainCommand(
        "inspector.get", roles: readers, writes: false, summary: "one inspector"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(["id"])
        let id = try args.string("id", "the inspector's 执法证号")
        guard let inspector = state.directory.inspectors[id] else { throw .notFound("inspector.get: no inspector \(id)") }
        return .query(.object(inspector.json))
    }

    static let inspectorList = DomainCommand(
        "inspector.list", roles: readers, writes: false, summary: "inspectors, optionally by department, qualification, active"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(["department", "qualification", "active"])
        let departments = try args.optionalStringArray("department")
        let qualification = try args.optionalString("qualification")
        let active = try args.optionalBool("active")
        let list = state.directory.inspectors.values.filter { i in
            (departments == nil || departments!.contains(i.department))
                && (qualification == nil || i.qualifications.contains(qualification!))
                && (active == nil || i.active == active!)
        }.sorted { $0.id < $1.id }
        return .query(["total": .int(list.count), "inspectors": .array(list.map { .object($0.json) })])
    }

    // MARK: Conflicts and items

    static let conflictDeclare = DomainCommand(
        "conflict.declare", roles: writers, writes: true, summary: "declare a conflict of interest (回避) between an inspector and an entity"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(["inspector", "entity", "reason"])
        let conflict = try ConflictInput.validate(args, state: state)
        return CommandOutcome(events: [NewEvent("conflict.declared", conflict.json)], result: .object(conflict.json))
    }

    static let conflictList = DomainCommand(
        "conflict.list", roles: readers, writes: false, summary: "declared conflicts, optionally for one inspector or entity"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(["inspector", "entity"])
        let inspector = try args.optionalString("inspector")
        let entity = try args.optionalString("entity")
        var rows: [Conflict] = []
        for (e, map) in state.directory.conflicts where entity == nil || e == entity {
            for (i, reason) in map where inspector == nil || i == inspector { rows.append(Conflict(inspector: i, entity: e, reason: reason)) }
        }
        rows.sort { ($0.entity, $0.inspector) < ($1.entity, $1.inspector) }
        return .query(["total": .int(rows.count), "conflicts": .array(rows.map { .object($0.json) })])
    }

    static let itemDefine = DomainCommand(
        "item.define", roles: writers, writes: true, summary: "define or redefine an inspection item (抽查事项)"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(itemFields)
        let code = try args.string("code", "the item's code")
        let item: InspectionItem
        do throws(FieldError) { item = try DirectoryInput.item(args, existing: state.directory.items[code]) } catch { throw error.commandError("item.define") }
        if item == state.directory.items[code] { return .query(["code": .string(code), "unchanged": true]) }
        return CommandOutcome(events: [NewEvent("item.defined", item.json)], result: ["code": .string(code)])
    }

    static let itemList = DomainCommand(
        "item.list", roles: readers, writes: false, summary: "the inspection-item list (抽查事项清单)"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(["department"])
        let departments = try args.optionalStringArray("department")
        let list = state.directory.items.values.filter { departments == nil || departments!.contains($0.department) }.sorted { $0.code < $1.code }
        return .query(["total": .int(list.count), "items": .array(list.map { .object($0.json) })])
    }
}

enum ConflictInput {
    static func validate(_ source: some FieldSource, state: InspectionState) throws(CommandError) -> Conflict {
        do throws(FieldError) {
            return try validateFields(source, state: state)
        } catch {
            throw error.commandError("conflict.declare")
        }
    }

    static func validateFields(_ source: some FieldSource, state: InspectionState) throws(FieldError) -> Conflict {
        let inspector = try DirectoryInput.required(source, "inspector", existing: nil)
        let entity = try DirectoryInput.uscc(try DirectoryInput.required(source, "entity", existing: nil), field: "entity")
        guard state.directory.inspectors[inspector] != nil else {
            throw FieldError(field: "inspector", reason: "\(inspector) is not a registered inspector")
        }
        guard state.directory.entity(entity) != nil else {
            throw FieldError(field: "entity", reason: "\(entity) is not a registered entity")
        }
        return Conflict(inspector: inspector, entity: entity, reason: source.text("reason") ?? "")
    }
}

/// Entity filters (SPEC §7 `filter`): region, industry, kind, tags, risk; each a list
/// matched as "any of"; all given filters must match.
public struct EntityFilter: Sendable, Equatable, Codable {
    public var regions: [String]?
    public var industries: [String]?
    public var kinds: [EntityKind]?
    public var tags: [String]?
    /// Risk classes; `nil` inside means unclassified ("none").
    public var risks: [RiskClass?]?

    public init() {}

    init(_ args: Arguments, command: String) throws(CommandError) {
        // An empty list means "no filter on this field", as for tags.
        regions = try args.optionalStringArray("region").flatMap { $0.isEmpty ? nil : $0 }
        industries = try args.optionalStringArray("industry").flatMap { $0.isEmpty ? nil : $0 }
        if let kinds = try args.optionalStringArray("kind"), !kinds.isEmpty {
            self.kinds = try kinds.map { (text) throws(CommandError) -> EntityKind in
                guard let k = EntityKind(text: text) else { throw .badRequest("\(command): \"kind\" value \"\(text)\" is not enterprise, individual or cooperative") }
                return k
            }
        }
        let tagList = (try args.optionalStringArray("tag") ?? []) + (try args.optionalStringArray("tags") ?? [])
        tags = tagList.isEmpty ? nil : tagList
        if let risks = try args.optionalStringArray("risk"), !risks.isEmpty {
            self.risks = try risks.map { (text) throws(CommandError) -> RiskClass? in
                guard let r = RiskClass.parse(text) else { throw .badRequest("\(command): \"risk\" value \"\(text)\" is not A, B, C, D or none") }
                return r
            }
        }
    }

    public func matches(_ e: Entity) -> Bool {
        matches(region: e.region, industry: e.industry, kind: e.kind, risk: e.risk, tags: e.tags)
    }

    /// The same for a stored entity: its tags are unpacked only when the filter has tags.
    public func matches(_ e: CompactEntity) -> Bool {
        matches(region: e.region, industry: e.industry, kind: e.kind, risk: e.risk, tags: e.tags)
    }

    private func matches(region: String, industry: String, kind: EntityKind, risk: RiskClass?, tags entityTags: @autoclosure () -> [String]) -> Bool {
        if let regions, !regions.contains(region) { return false }
        if let industries, !industries.contains(industry) { return false }
        if let kinds, !kinds.contains(kind) { return false }
        if let tags {
            let entityTags = entityTags()
            if !tags.contains(where: entityTags.contains) { return false }
        }
        if let risks, !risks.contains(risk) { return false }
        return true
    }

    public var json: JSONObject {
        var o = JSONObject()
        if let regions { o["region"] = .array(regions.map { .string($0) }) }
        if let industries { o["industry"] = .array(industries.map { .string($0) }) }
        if let kinds { o["kind"] = .array(kinds.map { .string($0.rawValue) }) }
        if let tags { o["tags"] = .array(tags.map { .string($0) }) }
        if let risks { o["risk"] = .array(risks.map { .string($0?.rawValue ?? "none") }) }
        return o
    }

    /// Reads the `filter` object recorded in `task.created`.
    init(json: JSONObject, command: String) throws(CommandError) {
        try Arguments(json, command: command).allowOnly(["region", "industry", "kind", "tag", "tags", "risk"])
        self = try EntityFilter(Arguments(json, command: command), command: command)
    }
}
