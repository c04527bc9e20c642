/// Read-only views of the equipment state: the ticker's decision and the queues.
/// Queues scan the registry (O(n), milliseconds for a million units); the ticker does not.
extension EquipmentState {
    // MARK: - The ticker's decision

    /// The `reminder.issued` events due by `today` (stage `s` falls due at 00:00 on
    /// `nextDue − s`), in (day, registration) order, at most `limit`.
    ///
    /// Per unit and due date each stage is issued once; when several stages passed unseen
    /// (registered late, daemon down, resumed), one reminder for the most recent passed
    /// stage is issued with the others listed in `skipped`. Suspended, scrapped and
    /// not-usable units get none. Cost: O(k log k) for k reminders due, never O(units).
    public func dueReminders(today: CivilDate, limit: Int = .max) -> [NewEvent] {
        let todayRaw = Day(today).raw
        var events: [NewEvent] = []
        let due = reminders.due(upTo: todayRaw, units: units)
        events.reserveCapacity(min(limit, due.count))
        for (_, number) in due {
            if events.count >= limit { break }
            let i = Int(number)
            // Fields are read in place: copying the whole unit would retain all its strings.
            guard units[i].tracked, let dueDay = units[i].nextDue else { continue }
            let reminded = units[i].remindedDue == dueDay
            let issued = Int(units[i].remindedStage)
            var passed: [Int] = []
            for stage in reminderStages where !reminded || stage < issued {
                guard dueDay.raw &- Int32(stage) <= todayRaw else { break }
                passed.append(stage)
            }
            guard let stage = passed.last else { continue }
            let reminder = EquipmentReminder(
                equipment: units[i].code, due: dueDay, stage: stage, skipped: Array(passed.dropLast()),
                category: units[i].category.rawValue, user: units[i].user,
                userName: units[i].userName.isEmpty ? nil : units[i].userName,
                address: units[i].address.isEmpty ? nil : units[i].address,
                region: units[i].region.isEmpty ? nil : units[i].region)
            events.append(NewEvent(EventType.reminderIssued, reminder.json))
        }
        return events
    }

    // MARK: - Rows

    /// The short form used by lists and queues.
    public func summary(_ unit: EquipmentUnit, today: CivilDate) -> JSONObject {
        var row: JSONObject = [
            "code": .string(unit.code),
            "category": .string(unit.category.rawValue),
            "categoryLabel": .string(unit.category.label),
        ]
        if let v = unit.variant {
            row["variant"] = .string(v)
            if let label = rules?.rule(for: unit.category)?.variants[v]?.label { row["variantLabel"] = .string(label) }
        }
        row["user"] = .string(unit.user)
        if !unit.userName.isEmpty { row["userName"] = .string(unit.userName) }
        row["address"] = .string(unit.address)
        row["region"] = .string(unit.region)
        row["status"] = .string(unit.status.rawValue)
        if let due = unit.nextDue {
            row["nextDue"] = .string(due.description)
            row["nextDueSource"] = .string(unit.nextDueSource.rawValue)
            row["daysLeft"] = .int(today.days(until: due.date))
        }
        if unit.failed { row["failed"] = true }
        if unit.notUsableByGrade { row["gradeNotUsable"] = true }
        return row
    }

    /// Everything known about one unit, with its most recent history (newest first).
    public func detail(_ unit: EquipmentUnit, today: CivilDate, zone: BureauZone, historyLimit: Int) -> JSONObject {
        var out: JSONObject = [
            "code": .string(unit.code),
            "registration": .string(unit.registration),
            "category": .string(unit.category.rawValue),
            "categoryLabel": .string(unit.category.label),
            "categoryCode": .int(unit.category.catalogueCode),
        ]
        if let v = unit.variant {
            out["variant"] = .string(v)
            if let label = rules?.rule(for: unit.category)?.variants[v]?.label { out["variantLabel"] = .string(label) }
        }
        out["user"] = .string(unit.user)
        if !unit.userName.isEmpty { out["userName"] = .string(unit.userName) }
        out["address"] = .string(unit.address)
        out["region"] = .string(unit.region)
        out["commissioned"] = .string(unit.commissioned.description)
        if let g = unit.grade { out["grade"] = .int(g) }
        out["status"] = .string(unit.status.rawValue)
        out["statusLabel"] = .string(unit.status.label)
        out["usable"] = .bool(unit.usable)
        if unit.failed { out["failed"] = true }
        if unit.notUsableByGrade { out["gradeNotUsable"] = true }
        if let d = unit.suspendedOn { out["suspendedOn"] = .string(d.description) }
        if let d = unit.scrappedOn { out["scrappedOn"] = .string(d.description) }
        if unit.lastInspectionIndex >= 0 {
            out["lastInspection"] = .object(inspectionJSON(inspections[Int(unit.lastInspectionIndex)]))
        } else if let d = unit.lastInspected {
            out["lastInspection"] = ["date": .string(d.description), "recordedAt": "registration"]
        }
        if let due = unit.nextDue {
            out["nextDue"] = .string(due.description)
            out["nextDueSource"] = .string(unit.nextDueSource.rawValue)
            out["daysLeft"] = .int(today.days(until: due.date))
        }
        out["dueBase"] = .string(unit.dueBase.description)
        if unit.reminderDay != ReminderQueue.none {
            out["nextReminder"] = .string(Day(raw: unit.reminderDay).description)
        }
        if let due = unit.remindedDue {
            out["lastReminder"] = ["due": .string(due.description), "stage": .int(Int(unit.remindedStage))]
        }
        out["registeredSeq"] = .int(unit.registeredSeq)
        var entries: [JSONValue] = []
        var cursor = unit.lastHistory
        var total = 0
        while cursor >= 0 {
            if entries.count < historyLimit { entries.append(.object(historyJSON(cursor, zone: zone))) }
            total += 1
            cursor = history[Int(cursor)].previous
        }
        out["history"] = .array(entries)
        out["historyTotal"] = .int(total)
        return out
    }

    /// An inspection's details object (report number, organisation, note; empty when none).
    public func details(of record: InspectionRecord) -> JSONObject {
        inspectionDetails.withBytes(record.details) { PackedInspectionDetails.object($0, inspectors: inspectors.all) } ?? JSONObject()
    }

    func inspectionJSON(_ record: InspectionRecord) -> JSONObject {
        var out: JSONObject = [
            "date": .string(record.date.description),
            "kind": .string(record.kind.rawValue),
            "conclusion": .string(record.conclusion.rawValue),
            "conclusionLabel": .string(record.conclusion.label),
        ]
        if record.grade != 0 { out["grade"] = .int(Int(record.grade)) }
        if let d = record.certificateDue { out["certificateDue"] = .string(d.description) }
        for (key, value) in details(of: record).members { out[key] = value }
        out["seq"] = .int(record.seq)
        return out
    }

    func historyJSON(_ n: Int32, zone: BureauZone) -> JSONObject {
        let entry = history[Int(n)]
        var out: JSONObject = [
            "seq": .int(entry.seq),
            "at": .string(zone.format(Timestamp(millis: entry.atMillis))),
            "type": .string(entry.kind.eventType),
            "actor": .string(actors[Int(entry.actor)]),
        ]
        switch entry.kind {
        case .reminder:
            out["due"] = .string(Day(raw: entry.a).description)
            out["stage"] = .int(Int(entry.b))
        case .inspected:
            for (key, value) in inspectionJSON(inspections[Int(entry.a)]).members where key != "seq" { out[key] = value }
        default:
            break
        }
        if let details = historyDetails[n] { for (key, value) in details.members { out[key] = value } }
        return out
    }

    // MARK: - Queues

    /// Unit numbers ordered by (day, code): `key` gives a unit's day, or nil to leave it out.
    /// O(n) scan plus O(m log m) for the m units kept; codes are compared only on equal days.
    func sortedUnits(by key: (EquipmentUnit) -> Int32?) -> [Int32] {
        var keyed: [(day: Int32, unit: Int32)] = []
        for i in units.indices {
            if let day = key(units[i]) { keyed.append((day, Int32(i))) }
        }
        keyed.sort { a, b in a.day != b.day ? a.day < b.day : units[Int(a.unit)].texts.codePrecedes(units[Int(b.unit)].texts) }
        return keyed.map(\.unit)
    }

    /// Units whose inspection falls due from today to today + `days`, soonest first.
    public func dueWithin(days: Int, today: CivilDate) -> [Int32] {
        let from = Day(today).raw, to = Day(today.adding(days: days)).raw
        return sortedUnits { unit in
            guard unit.tracked, let d = unit.nextDue?.raw, d >= from, d <= to else { return nil }
            return d
        }
    }

    /// Units past their due date, most overdue first (ties by code).
    public func overdue(today: CivilDate) -> [Int32] {
        let day = Day(today).raw
        return sortedUnits { unit in
            guard unit.tracked, let d = unit.nextDue?.raw, d < day else { return nil }
            return d
        }
    }

    /// Suspended units, longest suspended first.
    public var suspendedUnits: [Int32] {
        sortedUnits { $0.status == .suspended ? ($0.suspendedOn ?? $0.commissioned).raw : nil }
    }

    /// Failed their last inspection (rectification queue) or have a grade that forbids use.
    public var unusableUnits: [Int32] {
        sortedUnits { $0.status != .scrapped && ($0.failed || $0.notUsableByGrade) ? ($0.lastInspected ?? $0.commissioned).raw : nil }
    }

    /// The last inspection of a unit, if one was recorded.
    public func lastInspection(of unit: EquipmentUnit) -> InspectionRecord? {
        unit.lastInspectionIndex >= 0 ? inspections[Int(unit.lastInspectionIndex)] : nil
    }

    /// Reminders issued at or after `since` (journal time), oldest first, with the count of
    /// all that matched. Binary search on the journal-ordered history, then a walk.
    public func reminders(since: Timestamp, equipment: String?, limit: Int, zone: BureauZone) -> (rows: [JSONValue], total: Int) {
        var lo = 0, hi = history.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if history[mid].atMillis < since.millis { lo = mid + 1 } else { hi = mid }
        }
        let only = equipment.flatMap { unitIndex($0) }
        if equipment != nil && only == nil { return ([], 0) }
        var rows: [JSONValue] = []
        var total = 0
        for n in lo..<history.count where history[n].kind == .reminder {
            let entry = history[n]
            if let only, entry.unit != only { continue }
            total += 1
            guard rows.count < limit else { continue }
            let unit = units[Int(entry.unit)]
            var row: JSONObject = [
                "seq": .int(entry.seq),
                "at": .string(zone.format(Timestamp(millis: entry.atMillis))),
                "equipment": .string(unit.code),
                "due": .string(Day(raw: entry.a).description),
                "stage": .int(Int(entry.b)),
            ]
            if let skipped = historyDetails[Int32(n)]?["skipped"] { row["skipped"] = skipped }
            row["category"] = .string(unit.category.rawValue)
            row["categoryLabel"] = .string(unit.category.label)
            row["user"] = .string(unit.user)
            if !unit.userName.isEmpty { row["userName"] = .string(unit.userName) }
            row["address"] = .string(unit.address)
            rows.append(.object(row))
        }
        return (rows, total)
    }

    public func directiveJSON(_ d: Directive, today: CivilDate) -> JSONObject {
        var out: JSONObject = ["id": .string(d.id)]
        if let code = d.equipment { out["equipment"] = .string(code) }
        out["user"] = .string(d.user)
        out["reason"] = .string(d.reason)
        out["issued"] = .string(d.issued.description)
        out["deadline"] = .string(d.deadline.description)
        out["status"] = .string(d.status.rawValue)
        if let r = d.reportedOn { out["reportedOn"] = .string(r.description) }
        if let r = d.recheckDue { out["recheckDue"] = .string(r.description) }
        if let c = d.closedOn { out["closedOn"] = .string(c.description) }
        if d.status != .closed {
            let target = d.recheckDue ?? d.deadline
            out["daysLeft"] = .int(today.days(until: target.date))
            out["overdue"] = .bool(target.date < today)
        }
        if let code = d.equipment, let unit = unit(code), unit.status == .scrapped { out["equipmentScrapped"] = true }
        if !d.notes.isEmpty { out["notes"] = .array(d.notes.map { .string($0) }) }
        out["seq"] = .int(d.seq)
        return out
    }

    /// The next directive id for a year: `ZL<year>-<4-digit serial>`.
    public func nextDirectiveID(year: Int) -> String {
        var n = (directivesPerYear[year] ?? 0) + 1
        while true {
            let serial = String(n)
            let id = "ZL\(year)-" + String(repeating: "0", count: max(0, 4 - serial.count)) + serial
            if directiveIndex[id] == nil { return id }
            n += 1
        }
    }
}
