/// 双随机 tasks: creation with a frozen pool, draws, results, publication.
public struct TaskState: Sendable, Codable {
    public static let eventTypes: Set<String> = [
        "task.created", "task.drawn", "task.cancelled", "inspection.recorded", "task.published",
    ]

    public private(set) var tasks: [String: InspectionTask] = [:]
    /// Task ids in creation order.
    public private(set) var order: [String] = []
    /// Entity number → date of its most recent recorded result (for `excludeInspectedWithinDays`).
    public internal(set) var lastInspected: [Int32: CivilDate] = [:]

    public init() {}

    /// The next task id for a pool date: `T<year>-<NNNN>`, numbered per year.
    public func nextTaskID(year: Int) -> String {
        let prefix = "T\(year)-"
        let count = order.reduce(0) { $0 + ($1.hasPrefix(prefix) ? 1 : 0) }
        let number = String(count + 1)
        return prefix + String(repeating: "0", count: max(0, 4 - number.count)) + number
    }

    mutating func apply(_ event: Event, directory: DirectoryState) throws(CommandError) {
        let data = event.data
        func bad(_ what: String) -> CommandError { .init(.internal, "seq \(event.seq): \(event.type): \(what)") }
        switch event.type {
        case "task.created":
            var task = try TaskCodec.task(from: data, seq: event.seq, at: event.at, actor: event.actor)
            guard tasks[task.id] == nil else { throw bad("task \(task.id) already exists") }
            task.strata = PoolFreeze.strata(directory: directory, lastInspected: lastInspected, filter: task.filter,
                                            sampling: task.sampling, excludeWithinDays: task.excludeInspectedWithinDays,
                                            poolDate: task.poolDate)
            // The recorded strata must be what the journal so far implies: a mismatch
            // means the journal and this program disagree, which an auditor must see.
            let recorded = data["strata"]?.arrayValue ?? []
            guard recorded.count == task.strata.count else { throw bad("recorded \(recorded.count) strata, recomputed \(task.strata.count)") }
            for (r, s) in zip(recorded, task.strata) {
                guard r["ordinal"]?.intValue == s.ordinal, r["size"]?.intValue == s.size, r["sha256"]?.stringValue == s.digest,
                      r["k"]?.intValue == s.k else {
                    throw bad("stratum \(s.ordinal) recomputes to size \(s.size), sha256 \(s.digest.prefix(12))…, k \(s.k), not what was recorded")
                }
            }
            tasks[task.id] = task
            order.append(task.id)
        case "task.drawn":
            guard let id = data["task"]?.stringValue, var task = tasks[id] else { throw bad("unknown task") }
            task.draw = try TaskCodec.draw(from: data, seq: event.seq, at: event.at)
            task.status = .drawn
            tasks[id] = task
        case "task.cancelled":
            guard let id = data["task"]?.stringValue, var task = tasks[id] else { throw bad("unknown task") }
            task.cancellation = Cancellation(seq: event.seq, at: event.at, reason: data["reason"]?.stringValue ?? "", afterDraw: task.status == .drawn)
            task.status = .cancelled
            tasks[id] = task
        case "inspection.recorded":
            guard let id = data["task"]?.stringValue, var task = tasks[id] else { throw bad("unknown task") }
            let result = try TaskCodec.result(from: data, seq: event.seq, at: event.at)
            task.results[result.entity] = result
            tasks[id] = task
            if let number = directory.entityNumber(result.entity) {
                if let previous = lastInspected[number], previous >= result.date {} else { lastInspected[number] = result.date }
            }
        case "task.published":
            guard let id = data["task"]?.stringValue, var task = tasks[id],
                  let entities = data["entities"]?.arrayValue?.compactMap(\.stringValue) else { throw bad("malformed") }
            for entity in entities { task.results[entity]?.publishedSeq = event.seq }
            task.publications.append(Publication(seq: event.seq, at: event.at, entities: entities))
            tasks[id] = task
        default:
            throw bad("unhandled")
        }
    }
}

/// Reading task payloads back from events (the shapes TaskCommands writes).
enum TaskCodec {
    static func task(from data: JSONObject, seq: Int, at: Timestamp, actor: String) throws(CommandError) -> InspectionTask {
        func bad(_ what: String) -> CommandError { .init(.internal, "seq \(seq): task.created: \(what)") }
        guard let id = data["id"]?.stringValue, let name = data["name"]?.stringValue,
              let items = data["items"]?.arrayValue?.compactMap(\.stringValue),
              let departments = data["departments"]?.arrayValue?.compactMap(\.stringValue),
              let filterObject = data["filter"]?.objectValue,
              let teamSize = data["teamSize"]?.intValue,
              let exclude = data["excludeInspectedWithinDays"]?.intValue,
              let due = data["due"]?.stringValue.flatMap(CivilDate.init(iso:)),
              let sources = data["sources"]?.arrayValue?.compactMap(\.stringValue),
              let poolDate = data["poolDate"]?.stringValue.flatMap(CivilDate.init(iso:)),
              let samplingObject = data["sampling"]?.objectValue
        else { throw bad("malformed payload") }
        let filter: EntityFilter
        do { filter = try EntityFilter(json: filterObject, command: "task.created") } catch { throw bad("bad filter: \(error.message)") }
        let sampling: Sampling
        if let count = samplingObject["count"]?.intValue {
            sampling = .count(count)
        } else if let ratios = samplingObject["ratios"]?.objectValue {
            var map: [String: DecimalRatio] = [:]
            for (key, value) in ratios.members {
                guard case .number(let text) = value, let ratio = DecimalRatio(text) else { throw bad("bad ratio \(key)") }
                map[key] = ratio
            }
            sampling = .ratios(map)
        } else {
            throw bad("bad sampling")
        }
        return InspectionTask(id: id, name: name, items: items, departments: departments, filter: filter, sampling: sampling,
                              teamSize: teamSize, excludeInspectedWithinDays: exclude, due: due, announcedSources: sources,
                              poolDate: poolDate, createdSeq: seq, createdAt: at, createdBy: actor, strata: [])
    }

    static func draw(from data: JSONObject, seq: Int, at: Timestamp) throws(CommandError) -> DrawRecord {
        func bad(_ what: String) -> CommandError { .init(.internal, "seq \(seq): task.drawn: \(what)") }
        guard let key = data["key"]?.stringValue, let method = data["method"]?.stringValue,
              let sources = data["sources"]?.arrayValue, let strata = data["strata"]?.arrayValue,
              let teams = data["teams"]?.arrayValue, let pool = data["inspectorPool"]?.arrayValue
        else { throw bad("malformed payload") }
        var record = DrawRecord(seq: seq, at: at, method: method,
                                sources: sources.map { $0.arrayValue?.compactMap(\.stringValue) ?? [] },
                                system: data["system"]?.boolValue ?? false, key: key, picks: [], targets: [], teams: [:],
                                excluded: [:], inspectorPool: [])
        for s in strata {
            guard let ordinal = s["ordinal"]?.intValue, let ids = s["picks"]?.arrayValue?.compactMap(\.stringValue) else { throw bad("bad stratum") }
            record.picks.append(.init(ordinal: ordinal, ids: ids))
        }
        for t in teams {
            guard let entity = t["entity"]?.stringValue, let members = t["inspectors"]?.arrayValue?.compactMap(\.stringValue) else {
                throw bad("bad team")
            }
            record.targets.append(entity)
            record.teams[entity] = members
            record.excluded[entity] = t["excludedForConflict"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        for p in pool {
            record.inspectorPool.append(.init(department: p["department"]?.stringValue ?? "", inspectors: p["inspectors"]?.arrayValue?.compactMap(\.stringValue) ?? []))
        }
        return record
    }

    static func result(from data: JSONObject, seq: Int, at: Timestamp) throws(CommandError) -> InspectionResult {
        guard let task = data["task"]?.stringValue, let entity = data["entity"]?.stringValue,
              let outcomes = data["outcomes"]?.arrayValue?.compactMap({ $0.stringValue.flatMap(Outcome.init(rawValue:)) }),
              let date = data["date"]?.stringValue.flatMap(CivilDate.init(iso:)),
              let publishBy = data["publishBy"]?.stringValue.flatMap(CivilDate.init(iso:))
        else { throw .init(.internal, "seq \(seq): inspection.recorded: malformed payload") }
        return InspectionResult(task: task, entity: entity, outcomes: outcomes, note: data["note"]?.stringValue ?? "",
                                detail: data["detail"]?.stringValue ?? "",
                                inspectors: data["inspectors"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                date: date, recordedAt: at, seq: seq, publishBy: publishBy, publishedSeq: nil)
    }
}
