/// 特种设备 — the special-equipment registry and everything derived from it: rules in force,
/// due dates, inspections, reminders, directives (SPEC §8).
///
/// Changed only by `apply`. Every change to a unit goes through `modify`, which keeps the
/// tallies and the reminder queue in step, so the ticker never scans the registry.
public struct EquipmentState: Sendable {
    public static let eventTypes: Set<String> = [
        EventType.rulesChanged,
        EventType.equipmentRegistered, EventType.equipmentUpdated, EventType.equipmentInspected,
        EventType.equipmentSuspended, EventType.equipmentResumed, EventType.equipmentScrapped,
        EventType.reminderIssued,
        EventType.directiveIssued, EventType.directiveReported, EventType.directiveClosed,
    ]

    // MARK: Rules

    /// The rules of the last `rules.changed` (nil before the first).
    public internal(set) var rules: EquipmentRules?
    /// SHA-256 of the rules file they came from.
    public internal(set) var rulesSHA256: String?
    public internal(set) var rulesSeq = 0
    public internal(set) var rulesSource: String?

    // MARK: Registry

    public internal(set) var units: ChunkedArray<EquipmentUnit> = []
    var codeIndex = StringIndex()
    public internal(set) var inspections: ChunkedArray<InspectionRecord> = []
    /// The inspections' details (`InspectionRecord.details`, `PackedInspectionDetails`),
    /// in record order.
    var inspectionDetails = ByteArena()
    /// The inspecting organisations the details name, each once.
    var inspectors = InternTable()
    /// Per-unit history, all units interleaved in journal order; each entry links to its
    /// unit's previous one.
    var history: ChunkedArray<HistoryEntry> = []
    /// Extra fields of some history entries (update changes, reasons, skipped stages).
    var historyDetails: [Int32: JSONObject] = [:]
    var actors: [String] = []
    var actorIndex: [String: Int32] = [:]
    /// One shared copy of each using unit, region and variant string.
    var interned = InternTable()
    public internal(set) var tally = Tally()

    // MARK: Reminders

    var reminders = ReminderQueue()
    /// The stages the reminder queue is keyed with, days before `nextDue`, descending.
    public internal(set) var reminderStages: [Int] = DomainSettings().reminderStages
    public internal(set) var remindersIssued = 0

    // MARK: Directives

    public internal(set) var directives: [Directive] = []
    var directiveIndex: [String: Int] = [:]
    /// Directives issued per year, for the next id.
    public internal(set) var directivesPerYear: [Int: Int] = [:]

    public init() {}

    /// Counts kept up to date by `apply`, for `status` without a scan.
    public struct Tally: Sendable, Equatable {
        public var units = 0
        public var inUse = 0
        public var suspended = 0
        public var scrapped = 0
        /// Failed their last inspection, not yet passed (not scrapped).
        public var failed = 0
        /// Grade forbids use (not scrapped).
        public var notUsable = 0
        /// Due dates being reminded about.
        public var tracked = 0

        mutating func count(_ unit: EquipmentUnit, _ sign: Int) {
            count(UnitFlags(status: unit.status, failed: unit.failed, notUsable: unit.notUsableByGrade, tracked: unit.tracked), sign)
        }

        mutating func count(_ unit: UnitFlags, _ sign: Int) {
            units += sign
            switch unit.status {
            case .inUse: inUse += sign
            case .suspended: suspended += sign
            case .scrapped: scrapped += sign
            }
            if unit.status != .scrapped {
                if unit.failed { failed += sign }
                if unit.notUsable { notUsable += sign }
            }
            if unit.tracked { tracked += sign }
        }
    }

    /// What the tallies count of a unit (read field by field: no copy of its strings).
    struct UnitFlags {
        var status: EquipmentStatus
        var failed: Bool
        var notUsable: Bool
        var tracked: Bool
    }

    func flags(_ index: Int) -> UnitFlags {
        // Field by field: `units[index].tracked` would copy the whole unit (and retain its strings).
        let status = units[index].status, notUsable = units[index].notUsableByGrade
        return UnitFlags(status: status, failed: units[index].failed, notUsable: notUsable,
                         tracked: status == .inUse && !notUsable && units[index].nextDue != nil)
    }

    // MARK: - Lookup

    public func unitIndex(_ code: String) -> Int32? { codeIndex.find(code) { units[$0].texts.hasCode(code) } }

    /// `unitIndex(code)` by the lookup replay's reader worked out for `code`'s event, if it did.
    func unitIndex(_ code: String, hint: LookupHint) -> Int32? {
        guard hint.table == .units else { return unitIndex(code) }
        return codeIndex.find(hash: hint.hash) { units[$0].texts.hasCode(code) }
    }

    /// The same for a code given as bytes.
    func unitIndex(codeBytes code: UnsafeRawBufferPointer, hint: LookupHint) -> Int32? {
        unitIndex(codeBytes: code, hash: hint.table == .units ? hint.hash : StringIndex.hash(code))
    }

    /// The same with `code` hashed already (`StringIndex.hash`).
    private func unitIndex(codeBytes code: UnsafeRawBufferPointer, hash: UInt64) -> Int32? {
        codeIndex.find(hash: hash) { units[$0].texts.hasCode(code) }
    }
    /// Where a unit's dates and flags lie, from `commissioned` to `registeredSeq`
    /// (`modify` reads and writes those, not the texts and strings around them): replay
    /// prefetches the cache lines that hold them.
    static let unitStateBytes = (MemoryLayout<EquipmentUnit>.offset(of: \.commissioned) ?? 0)
        ..< (MemoryLayout<EquipmentUnit>.offset(of: \.variant) ?? MemoryLayout<EquipmentUnit>.size)

    /// See `InspectionState.prefetch(_:stage:)`.
    @inline(__always)
    func prefetch(hash: UInt64, stage: InspectionState.PrefetchStage) {
        guard let n = codeIndex.prefetch(hash: hash, stage: stage) else { return }
        units.prefetch(n, bytes: Self.unitStateBytes)
    }

    public func unit(_ code: String) -> EquipmentUnit? { unitIndex(code).map { units[Int($0)] } }
    public func directive(_ id: String) -> Directive? { directiveIndex[id].map { directives[$0] } }

    /// The day the earliest pending reminder falls due (nil: none). O(1): `apply` never
    /// leaves a stale entry on top of the queue.
    public var nextReminderDay: CivilDate? {
        let day = reminders.topDay
        return day == ReminderQueue.none ? nil : Day(raw: day).date
    }

    // MARK: - Apply

    /// Applies one special-equipment event. Throws only for a payload that can't have come
    /// from the commands (missing fields, unknown unit): a damaged or foreign journal.
    ///
    /// A typed payload (replay's hot types) is taken out of `event` while it is applied and
    /// put back after, with whatever the state did not keep (see `Event.takePayload`);
    /// after a throw the event may be left with an empty object (replay then reads only
    /// its seq).
    mutating func apply(_ event: inout Event) throws(CommandError) {
        switch event.type {
        case EventType.equipmentRegistered:
            var payload = event.takePayload()
            if case .equipmentRegistration(var registration) = payload {
                payload = .json(JSONObject())   // see `Event.takePayload`
                try applyRegistered(&registration, event)
                event.payload = .equipmentRegistration(registration)
            } else {
                event.payload = payload
                var registration = try EquipmentRegistration(Payload(event))
                try applyRegistered(&registration, event)
            }
        case EventType.equipmentInspected:
            var payload = event.takePayload()
            if case .equipmentInspectionLine(let line) = payload {   // plain bytes: nothing to move
                event.payload = payload
                try applyInspected(line, event)
            } else if case .equipmentInspection(let inspection) = payload {
                payload = .json(JSONObject())
                try applyInspected(inspection, event)
                event.payload = .equipmentInspection(inspection)
            } else {
                event.payload = payload
                try applyInspected(try EquipmentInspection(Payload(event)), event)
            }
        case EventType.reminderIssued:
            var payload = event.takePayload()
            if case .equipmentReminder(let reminder) = payload {
                payload = .json(JSONObject())
                try applyReminder(reminder, event)
                event.payload = .equipmentReminder(reminder)
            } else {
                event.payload = payload
                try applyReminder(try EquipmentReminder(Payload(event)), event)
            }
        default:
            try applyOther(event)
        }
    }

    /// The equipment events replay meets rarely, read from the payload object.
    private mutating func applyOther(_ event: Event) throws(CommandError) {
        let data = Payload(event)
        switch event.type {
        case EventType.rulesChanged: try applyRulesChanged(data)
        case EventType.equipmentUpdated: try applyUpdated(data)
        case EventType.equipmentSuspended:
            let i = try data.unit(in: self)
            let date = try data.day("date")
            modify(i) { $0.status = .suspended; $0.suspendedOn = date }
            record(i, .suspended, event, details: data.details(["date", "reason"]))
        case EventType.equipmentResumed:
            let i = try data.unit(in: self)
            let due = try DueFields(data)
            modify(i) { unit in
                unit.status = .inUse
                unit.suspendedOn = nil
                due.store(in: &unit)
            }
            record(i, .resumed, event, details: data.details(["date", "lapsed", "nextDue"]))
        case EventType.equipmentScrapped:
            let i = try data.unit(in: self)
            let date = try data.day("date")
            modify(i) { $0.status = .scrapped; $0.scrappedOn = date; $0.suspendedOn = nil }
            record(i, .scrapped, event, details: data.details(["date", "reason"]))
        case EventType.directiveIssued: try applyDirectiveIssued(data)
        case EventType.directiveReported:
            let d = try data.directive(in: self)
            directives[d].status = .reported
            directives[d].reportedOn = try data.day("date")
            directives[d].recheckDue = try data.day("recheckDue")
            if let note = event.data["note"]?.stringValue { directives[d].notes.append(note) }
            recordDirective(d, .directiveReported, event)
        case EventType.directiveClosed:
            let d = try data.directive(in: self)
            directives[d].status = .closed
            directives[d].closedOn = try data.day("date")
            if let note = event.data["note"]?.stringValue { directives[d].notes.append(note) }
            recordDirective(d, .directiveClosed, event)
        default:
            throw .init(.internal, "seq \(event.seq): unhandled equipment event \(event.type)")
        }
    }

    private mutating func applyRulesChanged(_ data: Payload) throws(CommandError) {
        guard let json = data.event.data["rules"] else { throw data.malformed("no rules") }
        let parsed: EquipmentRules
        do {
            parsed = try EquipmentRules(json: json)
        } catch {
            throw data.malformed(error.message)
        }
        rules = parsed
        rulesSHA256 = try data.string("sha256")
        rulesSource = data.event.data["source"]?.stringValue
        rulesSeq = data.event.seq
        // Every computed due date follows the new rules; certificate dates stand.
        for i in units.indices {
            let unit = units[i]
            let notUsable = parsed.isNotUsable(category: unit.category, grade: unit.grade)
            var nextDue = unit.nextDue
            if unit.nextDueSource == .computed {
                switch parsed.due(category: unit.category, variant: unit.variant, grade: unit.grade,
                                  base: unit.dueBase.date, first: unit.dueBaseIsFirst) {
                case .date(let d)?: nextDue = Day(d)
                case .notUsable?: nextDue = nil
                case nil: break      // no rule for it any more: keep what it had
                }
            }
            if nextDue != unit.nextDue || notUsable != unit.notUsableByGrade {
                modify(Int32(i)) { $0.nextDue = nextDue; $0.notUsableByGrade = notUsable }
            }
        }
    }

    /// The hot path of a registry import or replay: one hash insert for the code.
    /// The unit's own strings (code, registration number, address) are moved out of
    /// `registration`; the shared ones are interned, leaving the event's copies in it.
    private mutating func applyRegistered(_ registration: inout EquipmentRegistration, _ event: Event) throws(CommandError) {
        let hint = event.lookupHint
        let hash = hint.table == .units ? hint.hash : registration.texts.withCode(StringIndex.hash)
        guard registration.texts.withCode({ unitIndex(codeBytes: $0, hash: hash) }) == nil else {
            throw Payload(event).malformed("equipment \(registration.code) is already registered")
        }
        let i = Int32(units.count)
        let status = registration.status
        var unit = EquipmentUnit(
            texts: take(&registration.texts, leaving: .empty), category: registration.category,
            variant: registration.variant.map { intern($0) },
            user: intern(registration.user), userName: intern(registration.userName ?? ""),
            region: intern(registration.region), commissioned: registration.commissioned,
            gradeValue: UInt8(clamping: registration.grade ?? 0),
            status: status, nextDue: nil, nextDueSource: .computed, dueBase: registration.commissioned, dueBaseIsFirst: true,
            lastInspected: registration.lastInspected, lastInspectionIndex: -1,
            failed: false, notUsableByGrade: false,
            suspendedOn: status == .suspended ? (registration.suspendedOn ?? registration.commissioned) : nil,
            scrappedOn: nil, remindedDue: nil, remindedStage: 0, reminderDay: ReminderQueue.none,
            lastHistory: -1, registeredSeq: event.seq)
        registration.due.store(in: &unit)
        units.append(unit)
        codeIndex.append(hash: hash)
        tally.count(unit, 1)
        settleReminder(i, previousDay: ReminderQueue.none)
        record(i, .registered, event)
    }

    private mutating func applyUpdated(_ data: Payload) throws(CommandError) {
        let i = try data.unit(in: self)
        guard let changes = data.event.data["changes"]?.objectValue else { throw data.malformed("no changes") }
        let due = try DueFields(data)
        var shared: [String: String?] = [:]
        for key in ["user", "userName", "region", "variant"] {
            if let v = changes[key] { shared[key] = v.stringValue.map { intern($0) } }
        }
        var problem: String?
        modify(i) { unit in
            for (key, value) in changes.members {
                switch key {
                case "registration": unit.registration = value.stringValue ?? ""
                case "category":
                    if let c = value.stringValue.flatMap(EquipmentCategory.init(rawValue:)) { unit.category = c } else { problem = "bad category" }
                case "variant": unit.variant = shared["variant"] ?? nil
                case "user": unit.user = (shared["user"] ?? nil) ?? unit.user
                case "userName": unit.userName = (shared["userName"] ?? nil) ?? ""
                case "address": unit.address = value.stringValue ?? ""
                case "region": unit.region = (shared["region"] ?? nil) ?? ""
                case "commissioned":
                    if let d = value.stringValue.flatMap(CivilDate.init(iso:)) { unit.commissioned = Day(d) } else { problem = "bad commissioned" }
                case "grade": unit.gradeValue = UInt8(clamping: value.intValue ?? 0)
                case "lastInspected": unit.lastInspected = value.stringValue.flatMap(CivilDate.init(iso:)).map(Day.init)
                default: problem = "unknown field \(key)"
                }
            }
            due.store(in: &unit)
        }
        if let problem { throw data.malformed(problem) }
        record(i, .updated, data.event, details: ["changes": .object(changes)])
    }

    /// An inspection, typed (`EquipmentInspection`) or with its texts inline (`InspectionLine`).
    private mutating func applyInspected<Inspection: InspectionFacts>(_ inspection: Inspection, _ event: Event) throws(CommandError) {
        guard let i = inspection.unitIndex(in: self, hint: event.lookupHint) else {
            throw Payload(event).malformed("equipment \(inspection.inspection.code) is not registered")
        }
        let record = InspectionRecord(
            seq: event.seq, date: inspection.date, kind: inspection.kind, conclusion: inspection.conclusion,
            grade: UInt8(clamping: inspection.grade ?? 0), certificateDue: inspection.certificateDue,
            nextDue: inspection.due.nextDue, details: appendDetails(of: inspection))
        let index = Int32(inspections.count)
        inspections.append(record)
        // Read out before the closure: capturing `inspection` copied it.
        let due = inspection.due, date = inspection.date, passed = inspection.conclusion.passed
        modify(i) { unit in
            unit.lastInspected = date
            unit.lastInspectionIndex = index
            if record.grade != 0 { unit.gradeValue = record.grade }
            unit.failed = !passed
            due.store(in: &unit)
        }
        self.record(i, .inspected, event, a: index)
    }

    private mutating func appendDetails<Inspection: InspectionFacts>(of inspection: Inspection) -> ByteArena.Ref {
        inspection.withDetailTexts { report, inspector, note in
            let number = inspector.map { inspectors.number(interning: $0) }
            return inspectionDetails.append { PackedInspectionDetails.write(report: report, inspector: number, note: note, into: &$0) }
        }
    }

    private mutating func applyReminder(_ reminder: EquipmentReminder, _ event: Event) throws(CommandError) {
        guard let i = unitIndex(reminder.equipment, hint: event.lookupHint) else {
            throw Payload(event).malformed("equipment \(reminder.equipment) is not registered")
        }
        let due = reminder.due
        guard let stage = Int32(exactly: reminder.stage) else { throw Payload(event).malformed("stage \(reminder.stage) out of range") }
        modify(i) { unit in
            unit.remindedDue = due
            unit.remindedStage = stage
            unit.highestRemindedDue = max(unit.highestRemindedDue, due.raw)
        }
        remindersIssued += 1
        record(i, .reminder, event, a: due.raw, b: stage,
               details: reminder.skipped.isEmpty ? nil : ["skipped": .array(reminder.skipped.map { .int($0) })])
    }

    private mutating func applyDirectiveIssued(_ data: Payload) throws(CommandError) {
        let id = try data.string("id")
        guard directiveIndex[id] == nil else { throw data.malformed("directive \(id) already issued") }
        let issued = try data.day("date")
        let directive = Directive(
            id: id, equipment: data.event.data["equipment"]?.stringValue, user: intern(try data.string("user")),
            reason: try data.string("reason"), issued: issued, deadline: try data.day("deadline"),
            status: .open, reportedOn: nil, recheckDue: nil, closedOn: nil, seq: data.event.seq, notes: [])
        directiveIndex[id] = directives.count
        directives.append(directive)
        directivesPerYear[issued.date.year, default: 0] += 1
        recordDirective(directives.count - 1, .directiveIssued, data.event)
    }

    // MARK: - Keeping derived data in step

    /// Changes unit `i` and re-derives what depends on it: tallies, the reminder progress
    /// for a due date seen before, and the unit's place in the reminder queue.
    private mutating func modify(_ i: Int32, _ body: (inout EquipmentUnit) -> Void) {
        let index = Int(i)
        let dueBefore = units[index].nextDue
        let reminderDayBefore = units[index].reminderDay
        tally.count(flags(index), -1)
        body(&units[index])
        if let due = units[index].nextDue, due != dueBefore, units[index].remindedDue != due,
           due.raw <= units[index].highestRemindedDue {   // else no reminder was ever issued for it: O(1)
            // Back to a due date that was reminded about before (a corrected certificate):
            // continue after the stages already issued for it, never repeat them.
            if let stage = earliestStageIssued(unit: i, due: due) {
                units[index].remindedDue = due
                units[index].remindedStage = stage
            }
        }
        tally.count(flags(index), 1)
        settleReminder(i, previousDay: reminderDayBefore)
    }

    private mutating func settleReminder(_ i: Int32, previousDay: Int32) {
        let day = reminderDay(unit: Int(i))
        units[Int(i)].reminderDay = day
        reminders.move(unit: i, from: previousDay, to: day)
        reminders.dropStaleTop(units: units)
    }

    /// The day the unit's next reminder falls due: the first stage (descending) not yet
    /// issued for its current due date, at `nextDue − stage` days.
    /// Reads the unit's fields in place (passing `units[i]` would copy it and retain its strings).
    func reminderDay(unit i: Int) -> Int32 {
        guard units[i].status == .inUse, !units[i].notUsableByGrade, let due = units[i].nextDue else { return ReminderQueue.none }
        let reminded = units[i].remindedDue == due
        let issued = Int(units[i].remindedStage)
        for stage in reminderStages where !reminded || stage < issued {
            return due.raw &- Int32(stage)
        }
        return ReminderQueue.none
    }

    /// The smallest stage issued for `due` according to the unit's history.
    private func earliestStageIssued(unit i: Int32, due: Day) -> Int32? {
        var cursor = units[Int(i)].lastHistory
        var best: Int32?
        while cursor >= 0 {
            let entry = history[Int(cursor)]
            if entry.kind == .reminder, entry.a == due.raw {
                let stage = Int32(clamping: entry.b)
                best = best.map { min($0, stage) } ?? stage
            }
            cursor = entry.previous
        }
        return best
    }

    /// Re-keys the reminder queue for other stages (the daemon's configured ones): O(n log n),
    /// only when they differ. Stages already issued stay issued.
    public mutating func useReminderStages(_ stages: [Int]) {
        let sorted = Array(Set(stages)).sorted(by: >)
        guard sorted != reminderStages, !sorted.isEmpty else { return }
        reminderStages = sorted
        for i in units.indices {
            units[i].reminderDay = reminderDay(unit: i)
        }
        reminders.rebuild(units: units)
    }

    /// One shared copy per distinct value; strings of ≤ 15 UTF-8 bytes are stored inline
    /// by Swift anyway, so they are not looked up.
    mutating func intern(_ text: String) -> String {
        if text.utf8.count <= 15 { return text }
        return interned.intern(text)
    }

    private mutating func actorNumber(_ actor: String) -> Int32 {
        if let last = actors.last, last == actor { return Int32(actors.count - 1) }
        if let n = actorIndex[actor] { return n }
        let n = Int32(actors.count)
        actors.append(actor)
        actorIndex[actor] = n
        return n
    }

    private mutating func record(_ i: Int32, _ kind: HistoryEntry.Kind, _ event: Event, a: Int32 = 0, b: Int32 = 0,
                                 details: JSONObject? = nil) {
        let entry = HistoryEntry(seq: event.seq, atMillis: event.at.millis, unit: i, previous: units[Int(i)].lastHistory,
                                 kind: kind, actor: actorNumber(event.actor), a: a, b: b)
        let n = Int32(history.count)
        history.append(entry)
        units[Int(i)].lastHistory = n
        if let details, !details.isEmpty { historyDetails[n] = details }
    }

    private mutating func recordDirective(_ d: Int, _ kind: HistoryEntry.Kind, _ event: Event) {
        guard let code = directives[d].equipment, let i = unitIndex(code) else { return }
        record(i, kind, event, details: ["directive": .string(directives[d].id)])
    }
}

/// One event in a unit's history (compact: the event's own fields live in the journal).
struct HistoryEntry: Sendable, Codable {
    enum Kind: UInt8, Sendable, Codable {
        case registered, updated, inspected, suspended, resumed, scrapped, reminder
        case directiveIssued, directiveReported, directiveClosed

        var eventType: String {
            switch self {
            case .registered: return EventType.equipmentRegistered
            case .updated: return EventType.equipmentUpdated
            case .inspected: return EventType.equipmentInspected
            case .suspended: return EventType.equipmentSuspended
            case .resumed: return EventType.equipmentResumed
            case .scrapped: return EventType.equipmentScrapped
            case .reminder: return EventType.reminderIssued
            case .directiveIssued: return EventType.directiveIssued
            case .directiveReported: return EventType.directiveReported
            case .directiveClosed: return EventType.directiveClosed
            }
        }
    }

    var seq: Int
    var atMillis: Int64
    var unit: Int32
    /// The unit's previous entry (−1: none).
    var previous: Int32
    var kind: Kind
    var actor: Int32
    /// Kind-specific: reminder due day / inspection index.
    var a: Int32
    /// Kind-specific: reminder stage.
    var b: Int32
}

/// The due-date fields every event that sets them carries: `nextDue` (absent when the
/// grade forbids use), `nextDueSource`, `dueBase`, `dueBaseFirst`, `gradeNotUsable`.
/// Apply takes them as decided, so replay never recomputes a past decision.
struct DueFields: Sendable, Equatable {
    var nextDue: Day?
    var source: DueSource
    var base: Day
    var baseFirst: Bool
    var gradeNotUsable: Bool

    init(nextDue: Day?, source: DueSource, base: Day, baseFirst: Bool, gradeNotUsable: Bool) {
        self.nextDue = nextDue
        self.source = source
        self.base = base
        self.baseFirst = baseFirst
        self.gradeNotUsable = gradeNotUsable
    }

    init(_ unit: EquipmentUnit) {
        self.init(nextDue: unit.nextDue, source: unit.nextDueSource, base: unit.dueBase,
                  baseFirst: unit.dueBaseIsFirst, gradeNotUsable: unit.notUsableByGrade)
    }

    /// Collects the due fields during a single pass over an event's members.
    struct Reader {
        var nextDue: Day?
        var source: DueSource?
        var base: Day?
        var baseFirst = false
        var gradeNotUsable = false

        mutating func take(_ key: String, _ value: JSONValue, _ data: Payload) throws(CommandError) {
            switch key {
            case "nextDue": nextDue = try data.day(value, key)
            case "nextDueSource": source = value.stringValue.flatMap(DueSource.init(rawValue:))
            case "dueBase": base = try data.day(value, key)
            case "dueBaseFirst": baseFirst = value.boolValue ?? false
            case "gradeNotUsable": gradeNotUsable = value.boolValue ?? false
            default: break
            }
        }

        func finish(_ data: Payload) throws(CommandError) -> DueFields {
            guard let source, let base else { throw data.malformed("needs nextDueSource and dueBase") }
            return DueFields(nextDue: nextDue, source: source, base: base, baseFirst: baseFirst, gradeNotUsable: gradeNotUsable)
        }
    }

    init(_ data: Payload) throws(CommandError) {
        guard let source = DueSource(rawValue: try data.string("nextDueSource")) else { throw data.malformed("bad nextDueSource") }
        self.init(nextDue: try data.optionalDay("nextDue"), source: source, base: try data.day("dueBase"),
                  baseFirst: data.event.data["dueBaseFirst"]?.boolValue ?? false,
                  gradeNotUsable: data.event.data["gradeNotUsable"]?.boolValue ?? false)
    }

    func store(in unit: inout EquipmentUnit) {
        unit.nextDue = nextDue
        unit.nextDueSource = source
        unit.dueBase = base
        unit.dueBaseIsFirst = baseFirst
        unit.notUsableByGrade = gradeNotUsable
    }

    func encode(into data: inout JSONObject) {
        if let nextDue { data["nextDue"] = .string(nextDue.description) }
        data["nextDueSource"] = .string(source.rawValue)
        data["dueBase"] = .string(base.description)
        data["dueBaseFirst"] = .bool(baseFirst)
        if gradeNotUsable { data["gradeNotUsable"] = true }
    }
}

/// Typed reads of an event's data for `apply`; a failure is an `internal` error naming
/// the seq, since the commands never write such an event.
struct Payload {
    let event: Event
    init(_ event: Event) { self.event = event }

    func malformed(_ what: String) -> CommandError {
        .init(.internal, "seq \(event.seq): \(event.type): \(what)")
    }

    func string(_ key: String) throws(CommandError) -> String {
        guard let s = event.data[key]?.stringValue else { throw malformed("missing string \"\(key)\"") }
        return s
    }

    func int(_ key: String) throws(CommandError) -> Int {
        guard let n = event.data[key]?.intValue else { throw malformed("missing integer \"\(key)\"") }
        return n
    }

    func day(_ key: String) throws(CommandError) -> Day {
        guard let d = try optionalDay(key) else { throw malformed("missing date \"\(key)\"") }
        return d
    }

    /// A date member's value.
    func day(_ value: JSONValue, _ key: String) throws(CommandError) -> Day {
        guard let text = value.stringValue, let date = CivilDate(iso: text) else { throw malformed("\"\(key)\" is not a date") }
        return Day(date)
    }

    func optionalDay(_ key: String) throws(CommandError) -> Day? {
        guard let value = event.data[key], !value.isNull else { return nil }
        guard let text = value.stringValue, let date = CivilDate(iso: text) else { throw malformed("\"\(key)\" is not a date") }
        return Day(date)
    }

    func unit(in state: EquipmentState, key: String = "code") throws(CommandError) -> Int32 {
        let code = try string(key)
        guard let i = state.unitIndex(code) else { throw malformed("equipment \(code) is not registered") }
        return i
    }

    func directive(in state: EquipmentState) throws(CommandError) -> Int {
        let id = try string("id")
        guard let d = state.directiveIndex[id] else { throw malformed("directive \(id) does not exist") }
        return d
    }

    /// The listed members of the data that are present.
    func details(_ keys: [String]) -> JSONObject {
        var out = JSONObject()
        for key in keys { if let v = event.data[key] { out[key] = v } }
        return out
    }
}

/// What `apply` reads of an inspection, typed or inline.
protocol InspectionFacts {
    var date: Day { get }
    var kind: InspectionKind { get }
    var conclusion: InspectionConclusion { get }
    var grade: Int? { get }
    var certificateDue: Day? { get }
    var due: DueFields { get }
    /// The typed value (for messages).
    var inspection: EquipmentInspection { get }
    /// Calls `body` with the UTF-8 bytes of the report, inspector and note, those given.
    func withDetailTexts<R>(_ body: (_ report: UnsafeRawBufferPointer?, _ inspector: UnsafeRawBufferPointer?,
                                     _ note: UnsafeRawBufferPointer?) -> R) -> R
    func unitIndex(in state: EquipmentState, hint: LookupHint) -> Int32?
}

extension EquipmentInspection: InspectionFacts {
    var inspection: EquipmentInspection { self }
    func unitIndex(in state: EquipmentState, hint: LookupHint) -> Int32? { state.unitIndex(code, hint: hint) }
}

extension InspectionLine: InspectionFacts {
    func unitIndex(in state: EquipmentState, hint: LookupHint) -> Int32? {
        withCode { state.unitIndex(codeBytes: $0, hint: hint) }
    }
}
