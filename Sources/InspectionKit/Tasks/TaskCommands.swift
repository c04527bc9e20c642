/// 双随机 task commands (SPEC §7). Coordinators plan, draw and publish; inspectors
/// record results; everyone with a role may read.
public enum TaskCommands {
    public static let all: [DomainCommand] = [
        create, draw, cancel, get, list, pool, record, publish, publication, worklist, queueDraws, queueOverdue, queuePublication,
    ]

    /// `task.pool {task}`: the frozen pool, per stratum in frozen order — what a member of
    /// the public needs, with the key, to re-derive the draw with any RFC 3797 tool.
    static let pool = DomainCommand(
        "task.pool", roles: readers, writes: false, summary: "the frozen pool of a task, per stratum, with digests"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(["task"])
        let task = try existingTask(args, state, "task.pool")
        let entities = state.directory.entityRecords
        return .query([
            "task": .string(task.id), "method": .string(RFC3797.method), "key": task.draw.map { .string($0.key) } ?? .null,
            "strata": .array(task.strata.map { s in
                ["ordinal": .int(s.ordinal), "size": .int(s.size), "k": .int(s.k), "sha256": .string(s.digest),
                 "ids": .array(s.pool.map { .string(entities[Int($0)].id) })]
            }),
        ])
    }

    static let readers: Set<Role> = [.viewer, .coordinator, .inspector, .auditor]

    // MARK: task.create

    static let create = DomainCommand(
        "task.create", roles: [.coordinator], writes: true, summary: "create a 双随机 task and freeze its pool"
    ) { (args, context, state) throws(CommandError) in
        let c = "task.create"
        try args.allowOnly(["name", "items", "departments", "filter", "sampling", "teamSize", "excludeInspectedWithinDays", "due", "sources"])
        let name = try args.nonEmptyString("name", "the task's name")
        guard let items = try args.optionalStringArray("items"), !items.isEmpty else {
            throw .badRequest("\(c): \"items\" must list at least one item code (item.list shows them)")
        }
        for code in items where state.directory.items[code] == nil {
            throw .badRequest("\(c): unknown item \"\(code)\" in \"items\"; define it first (item.define) — known: \(state.directory.items.keys.sorted().prefix(20).joined(separator: ", "))")
        }
        guard Set(items).count == items.count else { throw .badRequest("\(c): \"items\" lists an item twice") }
        let departments = try args.optionalStringArray("departments") ?? Array(Set(items.compactMap { state.directory.items[$0]?.department })).sorted()
        guard !departments.isEmpty, Set(departments).count == departments.count else {
            throw .badRequest("\(c): \"departments\" must list distinct departments")
        }
        let known = state.directory.departments
        for d in departments where !known.contains(d) {
            throw .badRequest("\(c): unknown department \"\(d)\" in \"departments\" (known: \(known.sorted().joined(separator: ", ")))")
        }
        for code in items {
            let dep = state.directory.items[code]!.department
            guard departments.contains(dep) else {
                throw .badRequest("\(c): item \(code) belongs to \(dep), which is not among \"departments\"")
            }
        }
        let teamSize = try args.int("teamSize", "a whole number of inspectors per team (≥ 2 for one department, ≥ 1 per department for joint tasks)")
        if departments.count == 1 {
            guard teamSize >= 2 else { throw .badRequest("\(c): \"teamSize\" must be at least 2 for a single department (two inspectors per inspection); got \(teamSize)") }
        } else {
            guard teamSize >= 1 else { throw .badRequest("\(c): \"teamSize\" must be at least 1 per department for a joint task; got \(teamSize)") }
        }
        guard teamSize <= 20 else { throw .badRequest("\(c): \"teamSize\" \(teamSize) is more than 20") }
        let exclude = try args.optionalInt("excludeInspectedWithinDays", "a whole number of days ≥ 0") ?? 365
        guard exclude >= 0, exclude <= 3650 else { throw .badRequest("\(c): \"excludeInspectedWithinDays\" must be 0…3650") }
        let dueText = try args.string("due", "a date YYYY-MM-DD")
        guard let due = CivilDate(iso: dueText) else { throw .badRequest("\(c): \"due\" is \"\(dueText)\", not a date YYYY-MM-DD") }
        guard due >= context.today else { throw .badRequest("\(c): \"due\" \(due) is in the past (today is \(context.today))") }
        guard let sources = try args.optionalStringArray("sources"), !sources.isEmpty,
              sources.allSatisfy({ !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else {
            throw .badRequest("\(c): \"sources\" must list the public random sources announced in advance, e.g. [\"福彩3D 2026第320期开奖号码\"], or [\"system\"]")
        }
        if sources.contains("system") && sources.count > 1 {
            throw .badRequest("\(c): \"sources\" is either [\"system\"] or a list of announced public sources, not both")
        }
        guard let samplingObject = try args.optionalObject("sampling", "an object: {\"ratios\":{…}} or {\"count\":N}") else {
            throw .badRequest("\(c): missing \"sampling\": {\"ratios\":{\"A\":0.01,\"B\":0.03,\"C\":0.10,\"D\":0.30}} or {\"count\":N}")
        }
        let sampling = try parseSampling(samplingObject)
        let filter = try EntityFilter(Arguments(try args.optionalObject("filter") ?? [:], command: c + " filter"), command: c + " filter")
        try Arguments(try args.optionalObject("filter") ?? [:], command: c + " filter").allowOnly(["region", "industry", "kind", "tag", "tags", "risk"])

        let poolDate = context.today
        let strata = PoolFreeze.strata(directory: state.directory, lastInspected: state.tasks.lastInspected, filter: filter,
                                       sampling: sampling, excludeWithinDays: exclude, poolDate: poolDate)
        for s in strata where s.k > RFC3797.maximumCount {
            throw .badRequest("\(c): stratum \(s.ordinal) would need \(s.k) picks; one draw key makes at most \(RFC3797.maximumCount) — split the task (e.g. by region)")
        }
        let id = state.tasks.nextTaskID(year: poolDate.year)
        var samplingJSON = JSONObject()
        switch sampling {
        case .count(let n): samplingJSON["count"] = .int(n)
        case .ratios(let ratios):
            samplingJSON["ratios"] = .object(JSONObject(["A", "B", "C", "D", "none"].compactMap { key in
                ratios[key].map { (key: key, value: JSONValue.number($0.text)) }
            }))
        }
        let data: JSONObject = [
            "id": .string(id), "name": .string(name),
            "items": .array(items.map { .string($0) }), "departments": .array(departments.map { .string($0) }),
            "filter": .object(filter.json), "sampling": .object(samplingJSON), "teamSize": .int(teamSize),
            "excludeInspectedWithinDays": .int(exclude), "due": .string(due.description),
            "sources": .array(sources.map { .string($0) }), "poolDate": .string(poolDate.description),
            "strata": .array(strata.map { ["ordinal": .int($0.ordinal), "size": .int($0.size), "sha256": .string($0.digest), "k": .int($0.k)] }),
        ]
        return CommandOutcome(events: [NewEvent("task.created", data)], result: [
            "task": .string(id), "poolSize": .int(strata.reduce(0) { $0 + $1.size }), "picks": .int(strata.reduce(0) { $0 + $1.k }),
            "strata": data["strata"]!,
        ])
    }

    static func parseSampling(_ object: JSONObject) throws(CommandError) -> Sampling {
        let c = "task.create"
        if let count = object["count"] {
            guard object.count == 1 else { throw .badRequest("\(c): \"sampling\" has either \"count\" or \"ratios\", not both") }
            guard let n = count.intValue, n >= 1 else { throw .badRequest("\(c): \"sampling.count\" must be a whole number ≥ 1") }
            return .count(n)
        }
        guard let ratios = object["ratios"]?.objectValue, object.count == 1 else {
            throw .badRequest("\(c): \"sampling\" must be {\"ratios\":{\"A\":0.01,…,\"none\":0.05}} or {\"count\":N}")
        }
        var map: [String: DecimalRatio] = [:]
        for (key, value) in ratios.members {
            guard ["A", "B", "C", "D", "none"].contains(key) else {
                throw .badRequest("\(c): \"sampling.ratios\" key \"\(key)\" is not a risk class (A, B, C, D, none)")
            }
            guard case .number(let text) = value, let ratio = DecimalRatio(text) else {
                throw .badRequest("\(c): ratio for \(key) must be a number between 0 and 1 with at most 9 decimals; got \(value.serialized())")
            }
            map[key] = ratio
        }
        guard !map.isEmpty else { throw .badRequest("\(c): \"sampling.ratios\" is empty") }
        return .ratios(map)
    }

    // MARK: task.draw

    static let draw = DomainCommand(
        "task.draw", roles: [.coordinator], writes: true, summary: "draw targets and teams (method rfc3797-v1)"
    ) { (args, context, state) throws(CommandError) in
        let c = "task.draw"
        try args.allowOnly(["task", "sources"])
        let task = try existingTask(args, state, c)
        switch task.status {
        case .drawn: throw .conflict("\(c): \(task.id) was already drawn (seq \(task.draw!.seq)); a draw happens once — a drawn task can only be cancelled")
        case .cancelled: throw .conflict("\(c): \(task.id) is cancelled")
        case .created: break
        }
        let given = try args.optionalStringArray("sources", "a list with one value per announced source")
        var values: [[String]] = []
        var system = false
        if task.isSystemRandom {
            guard given == nil || given! == ["system"] else {
                throw .badRequest("\(c): \(task.id) was announced with [\"system\"] randomness; omit \"sources\" or pass [\"system\"]")
            }
            let bytes = context.randomBytes(16)
            values = [[decimal(bytes)]]
            system = true
        } else {
            guard let given else {
                throw .badRequest("\(c): \"sources\" is missing: give one value per announced source (\(task.announcedSources.count): \(task.announcedSources.joined(separator: "; ")))")
            }
            guard given.count == task.announcedSources.count else {
                throw .badRequest("\(c): \(given.count) source value(s) given, but \(task.id) announced \(task.announcedSources.count): \(task.announcedSources.joined(separator: "; "))")
            }
            for (i, text) in given.enumerated() {
                do throws(RFC3797.SourceError) {
                    values.append(try RFC3797.parseSource(text))
                } catch {
                    throw .badRequest("\(c): source \(i + 1) (\(task.announcedSources[i])): \(error.message)")
                }
            }
        }
        let result = try TaskDraw.run(task: task, sources: values, directory: state.directory)
        let data = TaskDraw.eventData(task: task.id, sources: values, system: system, result: result)
        return CommandOutcome(events: [NewEvent("task.drawn", data)], result: [
            "task": .string(task.id), "key": .string(result.key), "targets": .int(result.targets.count),
            "teams": data["teams"]!,
        ])
    }

    /// 16 random bytes as one big-endian unsigned integer in decimal.
    static func decimal(_ bytes: [UInt8]) -> String {
        var value: UInt128 = 0
        for b in bytes { value = value << 8 | UInt128(b) }
        return String(value)
    }

    static func existingTask(_ args: Arguments, _ state: InspectionState, _ c: String) throws(CommandError) -> InspectionTask {
        let id = try args.string("task", "a task id like T2026-0001")
        guard let task = state.tasks.tasks[id] else {
            throw .notFound("task \(id) does not exist" + (state.tasks.order.isEmpty ? "" : " (latest: \(state.tasks.order.suffix(3).joined(separator: ", ")))"))
        }
        return task
    }

    // MARK: task.cancel

    static let cancel = DomainCommand(
        "task.cancel", roles: [.coordinator], writes: true, summary: "cancel a task (a cancelled drawn task is listed by the audit)"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly(["task", "reason"])
        let task = try existingTask(args, state, "task.cancel")
        guard task.status != .cancelled else { throw .conflict("task.cancel: \(task.id) is already cancelled") }
        let reason = try args.nonEmptyString("reason", "why the task is cancelled (it is published in the audit)")
        return CommandOutcome(events: [NewEvent("task.cancelled", ["task": .string(task.id), "reason": .string(reason),
                                                                   "afterDraw": .bool(task.status == .drawn)])],
                              result: ["task": .string(task.id), "afterDraw": .bool(task.status == .drawn)])
    }

    // MARK: reads

    static func summary(_ task: InspectionTask, today: CivilDate) -> JSONObject {
        let targets = task.draw?.targets.count ?? 0
        return [
            "task": .string(task.id), "name": .string(task.name), "status": .string(task.status.rawValue),
            "due": .string(task.due.description), "poolSize": .int(task.poolSize),
            "picks": .int(task.strata.reduce(0) { $0 + $1.k }), "drawn": .int(targets),
            "results": .int(task.results.count), "published": .int(task.results.values.filter { $0.publishedSeq != nil }.count),
            "overdue": .int(task.status == .drawn && task.due < today ? targets - task.results.count : 0),
            "departments": .array(task.departments.map { .string($0) }),
            "sources": .array(task.announcedSources.map { .string($0) }),
        ]
    }

    static let list = DomainCommand(
        "task.list", roles: readers, writes: false, summary: "tasks, optionally by status (created = awaiting draw, drawn, cancelled)"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["status"])
        let status = try args.optionalString("status").map { (text) throws(CommandError) -> TaskStatus in
            guard let s = TaskStatus(rawValue: text) else { throw .badRequest("task.list: \"status\" must be created, drawn or cancelled") }
            return s
        }
        let rows = state.tasks.order.compactMap { state.tasks.tasks[$0] }.filter { status == nil || $0.status == status }
        return .query(["tasks": .array(rows.map { .object(summary($0, today: context.today)) })])
    }

    static let get = DomainCommand(
        "task.get", roles: readers, writes: false, summary: "one task: pool strata, draw, teams and results"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["task"])
        let task = try existingTask(args, state, "task.get")
        var o = summary(task, today: context.today)
        o["items"] = .array(task.items.map { .string($0) })
        o["teamSize"] = .int(task.teamSize)
        o["filter"] = .object(task.filter.json)
        o["poolDate"] = .string(task.poolDate.description)
        o["createdAt"] = .string(context.zone.format(task.createdAt))
        o["createdBy"] = .string(task.createdBy)
        o["strata"] = .array(task.strata.map { ["ordinal": .int($0.ordinal), "size": .int($0.size), "sha256": .string($0.digest), "k": .int($0.k)] })
        if let draw = task.draw {
            o["draw"] = [
                "seq": .int(draw.seq), "at": .string(context.zone.format(draw.at)), "method": .string(draw.method),
                "key": .string(draw.key), "system": .bool(draw.system),
                "sources": .array(draw.sources.map { .array($0.map { .string($0) }) }),
                "sourceValues": .string(draw.sources.map { $0.joined(separator: " ") }.joined(separator: " / ")),
            ]
            o["targets"] = .array(draw.targets.enumerated().map { (i, id) in
                let result = task.results[id]
                return [
                    "n": .int(i + 1), "entity": .string(id), "name": .string(state.directory.entity(id)?.name ?? ""),
                    "team": .array((draw.teams[id] ?? []).map { .string($0) }),
                    "result": result.map { .string($0.outcomes.map(\.rawValue).joined(separator: ",")) } ?? .null,
                    "date": result.map { .string($0.date.description) } ?? .null,
                    "publishBy": result.map { .string($0.publishBy.description) } ?? .null,
                    "published": .bool(result?.publishedSeq != nil),
                ]
            })
        }
        if let cancel = task.cancellation {
            o["cancelled"] = ["seq": .int(cancel.seq), "at": .string(context.zone.format(cancel.at)), "reason": .string(cancel.reason), "afterDraw": .bool(cancel.afterDraw)]
        }
        return .query(.object(o))
    }

    // MARK: results

    static let record = DomainCommand(
        "inspection.record", roles: [.inspector, .coordinator], writes: true, summary: "record the result of inspecting a drawn entity"
    ) { (args, context, state) throws(CommandError) in
        let c = "inspection.record"
        try args.allowOnly(["task", "entity", "outcomes", "note", "inspectors", "date", "detail"])
        let task = try existingTask(args, state, c)
        guard task.status == .drawn, let draw = task.draw else {
            throw .conflict("\(c): \(task.id) is \(task.status.rawValue); results are recorded for drawn tasks")
        }
        let entity = try args.string("entity", "the inspected entity's 统一社会信用代码")
        guard draw.teams[entity] != nil else {
            throw .badRequest("\(c): entity \(entity) was not drawn in \(task.id) (task.get \(task.id) lists the targets)")
        }
        if let existing = task.results[entity] {
            throw .conflict("\(c): a result for \(entity) in \(task.id) was already recorded (seq \(existing.seq))")
        }
        guard let codes = try args.optionalStringArray("outcomes", "a list of outcome codes"), !codes.isEmpty else {
            throw .badRequest("\(c): \"outcomes\" must list at least one outcome code (\(Outcome.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var outcomes: [Outcome] = []
        for code in codes {
            guard let outcome = Outcome(rawValue: code) else {
                throw .badRequest("\(c): unknown outcome code \"\(code)\" (known: \(Outcome.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard !outcomes.contains(outcome) else { throw .badRequest("\(c): outcome \"\(code)\" is listed twice") }
            outcomes.append(outcome)
        }
        if outcomes.contains(.noProblem) && outcomes.count > 1 {
            throw .badRequest("\(c): \"no_problem\" cannot be combined with other outcomes")
        }
        let detail = try args.optionalString("detail") ?? ""
        if outcomes.contains(.deregistered) && detail.isEmpty {
            throw .badRequest("\(c): outcome \"deregistered\" needs \"detail\" (注销, 被吊销, 被撤销 or 迁出, with particulars)")
        }
        let dateText = try args.optionalString("date") ?? context.today.description
        guard let date = CivilDate(iso: dateText) else { throw .badRequest("\(c): \"date\" is \"\(dateText)\", not a date YYYY-MM-DD") }
        guard date <= context.today else { throw .badRequest("\(c): \"date\" \(date) is in the future (today is \(context.today))") }
        let drawDate = context.zone.localDate(of: draw.at)
        guard date >= drawDate else { throw .badRequest("\(c): \"date\" \(date) is before the draw (\(drawDate))") }
        guard let inspectors = try args.optionalStringArray("inspectors"), !inspectors.isEmpty else {
            throw .badRequest("\(c): \"inspectors\" must list the inspectors present (执法证号); the drawn team was \((draw.teams[entity] ?? []).joined(separator: ", "))")
        }
        for i in inspectors where state.directory.inspectors[i] == nil {
            throw .badRequest("\(c): \"inspectors\" has \(i), which is not a registered inspector")
        }
        // 行政处罚法 Art. 42: an inspection is made by at least two enforcement officers.
        guard Set(inspectors).count >= 2 else {
            throw .badRequest("\(c): \"inspectors\" must list at least two different inspectors present (行政处罚法 Art. 42); the drawn team was \((draw.teams[entity] ?? []).joined(separator: ", "))")
        }
        for i in inspectors where state.directory.conflicted(inspector: i, entity: entity) {
            throw .badRequest("\(c): inspector \(i) has a declared conflict of interest (回避) with \(entity) and may not inspect it; record the inspectors who actually took part")
        }
        let publishBy = context.settings.calendar.addingWorkingDays(20, to: context.today)
        var data: JSONObject = [
            "task": .string(task.id), "entity": .string(entity), "outcomes": .array(outcomes.map { .string($0.rawValue) }),
            "note": .string(try args.optionalString("note") ?? ""), "inspectors": .array(inspectors.map { .string($0) }),
            "date": .string(date.description),
        ]
        if !detail.isEmpty { data["detail"] = .string(detail) }
        // Substitutes are allowed (illness, leave) but visible to the audit.
        let team = Set(draw.teams[entity] ?? [])
        let offTeam = inspectors.filter { !team.contains($0) }
        if !offTeam.isEmpty { data["offTeam"] = .array(offTeam.map { .string($0) }) }
        data["publishBy"] = .string(publishBy.description)
        var result: JSONObject = ["task": .string(task.id), "entity": .string(entity), "publishBy": .string(publishBy.description)]
        if !offTeam.isEmpty { result["offTeam"] = data["offTeam"] }
        return CommandOutcome(events: [NewEvent("inspection.recorded", data)], result: .object(result))
    }

    static let publish = DomainCommand(
        "task.publish", roles: [.coordinator], writes: true, summary: "publish (公示) the task's recorded results"
    ) { (args, context, state) throws(CommandError) in
        let c = "task.publish"
        try args.allowOnly(["task"])
        let task = try existingTask(args, state, c)
        // Results recorded before a cancellation must still be published (企业信息公示暂行条例
        // Art. 6): a cancelled task with results is publishable; one never drawn is not.
        guard task.draw != nil else { throw .conflict("\(c): \(task.id) was never drawn; only drawn tasks have results to publish") }
        let pending = task.unpublished.sorted { $0.seq < $1.seq }
        guard !pending.isEmpty else {
            if let last = task.publications.last {
                throw .conflict("\(c): \(task.id) was already published (seq \(last.seq), \(context.zone.format(last.at))) and no result was recorded since")
            }
            throw .conflict("\(c): \(task.id) has no recorded results to publish yet")
        }
        var published = task
        for r in pending { published.results[r.entity]?.publishedSeq = -1 }
        let rows = publicationRows(published, state: state, settings: context.settings, only: Set(pending.map(\.entity)))
        return CommandOutcome(events: [NewEvent("task.published", [
            "task": .string(task.id), "entities": .array(pending.map { .string($0.entity) }),
            "publishedOn": .string(context.today.description),
        ])], result: ["task": .string(task.id), "published": .int(pending.count), "rows": .array(rows)])
    }

    /// The 公示 rows: entity, USCC, items, inspection date, outcome labels, authority.
    static func publicationRows(_ task: InspectionTask, state: InspectionState, settings: DomainSettings, only: Set<String>? = nil) -> [JSONValue] {
        let itemNames = task.items.compactMap { state.directory.items[$0]?.name }.joined(separator: "；")
        return (task.draw?.targets ?? []).compactMap { id -> JSONValue? in
            guard let r = task.results[id], r.publishedSeq != nil, only == nil || only!.contains(id) else { return nil }
            var labels = r.outcomes.map(\.label)
            if !r.detail.isEmpty, let i = r.outcomes.firstIndex(of: .deregistered) { labels[i] += "（\(r.detail)）" }
            return [
                "entity": .string(state.directory.entity(id)?.name ?? ""), "uscc": .string(id), "items": .string(itemNames),
                "date": .string(r.date.description), "outcome": .string(labels.joined(separator: "；")),
                "authority": .string(settings.authority), "task": .string(task.id),
            ]
        }
    }

    static let publication = DomainCommand(
        "task.publication", roles: readers, writes: false, summary: "the published (公示) rows of a task"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["task"])
        let task = try existingTask(args, state, "task.publication")
        return .query(["task": .string(task.id), "rows": .array(publicationRows(task, state: state, settings: context.settings))])
    }

    // MARK: queues

    static let worklist = DomainCommand(
        "worklist", roles: readers, writes: false, summary: "drawn entities without a result, per inspector"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["inspector"])
        let inspector = try args.optionalString("inspector")
        if let inspector, state.directory.inspectors[inspector] == nil { throw .notFound("worklist: no inspector \(inspector)") }
        var rows: [JSONValue] = []
        for id in state.tasks.order {
            guard let task = state.tasks.tasks[id], task.status == .drawn, let draw = task.draw else { continue }
            for (i, entity) in draw.targets.enumerated() where task.results[entity] == nil {
                let team = draw.teams[entity] ?? []
                guard inspector == nil || team.contains(inspector!) else { continue }
                let e = state.directory.entity(entity)
                rows.append([
                    "task": .string(task.id), "n": .int(i + 1), "entity": .string(entity), "name": .string(e?.name ?? ""),
                    "address": .string(e?.address ?? ""), "team": .string(team.joined(separator: ",")),
                    "due": .string(task.due.description), "overdue": .bool(task.due < context.today),
                ])
            }
        }
        return .query(["inspector": inspector.map { .string($0) } ?? .null, "total": .int(rows.count), "worklist": .array(rows)])
    }

    static let queueDraws = DomainCommand(
        "queue.draws", roles: readers, writes: false, summary: "tasks awaiting their draw"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly([])
        let rows = state.tasks.order.compactMap { state.tasks.tasks[$0] }.filter { $0.status == .created }
        return .query(["tasks": .array(rows.map { .object(summary($0, today: context.today)) })])
    }

    static let queueOverdue = DomainCommand(
        "queue.overdue", roles: readers, writes: false, summary: "drawn entities whose result is missing after the task's due date"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly([])
        var rows: [(CivilDate, JSONValue)] = []
        for id in state.tasks.order {
            guard let task = state.tasks.tasks[id], task.status == .drawn, let draw = task.draw, task.due < context.today else { continue }
            for entity in draw.targets where task.results[entity] == nil {
                rows.append((task.due, [
                    "task": .string(task.id), "entity": .string(entity), "name": .string(state.directory.entity(entity)?.name ?? ""),
                    "due": .string(task.due.description), "daysOverdue": .int(task.due.days(until: context.today)),
                    "team": .string((draw.teams[entity] ?? []).joined(separator: ",")),
                ]))
            }
        }
        rows.sort { $0.0 < $1.0 }
        return .query(["total": .int(rows.count), "overdue": .array(rows.map(\.1))])
    }

    static let queuePublication = DomainCommand(
        "queue.publication", roles: readers, writes: false, summary: "recorded results awaiting publication, soonest deadline first"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly([])
        var rows: [InspectionResult] = []
        for id in state.tasks.order {
            guard let task = state.tasks.tasks[id], task.draw != nil else { continue }
            rows += task.unpublished
        }
        rows.sort { ($0.publishBy, $0.seq) < ($1.publishBy, $1.seq) }
        let calendar = context.settings.calendar
        return .query(["total": .int(rows.count), "results": .array(rows.map { r in
            [
                "task": .string(r.task), "entity": .string(r.entity), "name": .string(state.directory.entity(r.entity)?.name ?? ""),
                "recorded": .string(context.zone.localDate(of: r.recordedAt).description), "publishBy": .string(r.publishBy.description),
                "workingDaysLeft": .int(calendar.workingDays(from: context.today, to: r.publishBy)),
                "late": .bool(r.publishBy < context.today),
            ]
        })])
    }
}
