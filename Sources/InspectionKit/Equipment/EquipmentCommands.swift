/// The special-equipment commands (SPEC §8): registry, inspections, lifecycle, queues.
/// Directives are in `DirectiveCommands`, the CSV import in `EquipmentImports`.
public enum EquipmentCommands {
    public static let all: [DomainCommand] = [
        register, update, get, list, inspect, suspend, resume, scrap,
        due, overdue, suspended, failed, rules, reminderList,
    ] + DirectiveCommands.all

    /// Commands that compute due dates: the daemon journals the rules file (`rules.changed`)
    /// before the first of them on a journal that has no rules yet.
    public static let needingRules: Set<String> = ["equipment.register", "equipment.update", "equipment.inspect", "equipment.import"]

    static let writers: Set<Role> = [.equipment]
    static let readers: Set<Role> = [.equipment, .viewer, .auditor]

    /// Most rows a queue or list returns unless `limit` says otherwise.
    public static let defaultLimit = 1000
    public static let maxLimit = 1_000_000

    // MARK: - Shared checks

    static func rulesInForce(_ state: InspectionState, _ command: String) throws(CommandError) -> EquipmentRules {
        guard let rules = state.equipment.rules else {
            throw .conflict("\(command): no equipment rules are in force yet — put config/equipment-rules.json in place and reload inspectd (SIGHUP) so it journals rules.changed")
        }
        return rules
    }

    static func findUnit(_ args: Arguments, _ state: InspectionState) throws(CommandError) -> EquipmentUnit {
        let code = try args.nonEmptyString("code", "the 设备代码 of a registered unit")
        guard let unit = state.equipment.unit(code) else {
            throw .notFound("\(args.command): equipment \(code) is not registered (inspectctl equipment list shows what is)")
        }
        return unit
    }

    /// A date argument (`YYYY-MM-DD`, or the other forms bureau files use); defaults to today;
    /// never in the future.
    static func pastDate(_ args: Arguments, _ key: String, today: CivilDate) throws(CommandError) -> CivilDate {
        let date: CivilDate?
        do throws(FieldError) { date = try EquipmentInput.date(args, key) } catch { throw error.commandError(args.command) }
        guard let date else { return today }
        guard date <= today else {
            throw .badRequest("\(args.command): \"\(key)\" \(date) is in the future (today is \(today))")
        }
        return date
    }

    static func limitArg(_ args: Arguments) throws(CommandError) -> Int {
        let limit = try args.optionalInt("limit", "a positive whole number") ?? defaultLimit
        guard (1...maxLimit).contains(limit) else {
            throw .badRequest("\(args.command): argument \"limit\" must be 1…\(maxLimit); got \(limit)")
        }
        return limit
    }

    /// The first `limit` of `units` (unit numbers) as rows, with the total.
    static func page(_ units: [Int32], key: String, limit: Int, state: InspectionState, today: CivilDate,
                     extra: (EquipmentUnit, inout JSONObject) -> Void = { _, _ in }) -> JSONValue {
        var rows: [JSONValue] = []
        rows.reserveCapacity(min(limit, units.count))
        for number in units.prefix(limit) {
            let unit = state.equipment.units[Int(number)]
            var row = state.equipment.summary(unit, today: today)
            extra(unit, &row)
            rows.append(.object(row))
        }
        var out: JSONObject = ["today": .string(today.description), "total": .int(units.count)]
        if units.count > limit { out["truncated"] = true }
        out[key] = .array(rows)
        return .object(out)
    }

    // MARK: - Registry

    public static let register = DomainCommand(
        "equipment.register", roles: writers, writes: true,
        summary: "register a special-equipment unit (event equipment.registered)"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(Set(EquipmentInput.fields))
        let rules = try rulesInForce(state, args.command)
        let code = try args.nonEmptyString("code", "the 设备代码")
        if state.equipment.unit(code) != nil {
            throw .conflict("equipment.register: equipment \(code) is already registered; change it with equipment.update")
        }
        let event: NewEvent
        do throws(FieldError) {
            event = try EquipmentInput.registration(args, rules: rules, today: context.today)
        } catch { throw error.commandError(args.command) }
        return CommandOutcome(events: [event], result: .object(resultOf(event)))
    }

    public static let update = DomainCommand(
        "equipment.update", roles: writers, writes: true,
        summary: "correct a unit's registry fields; nextDue takes a certificate date or \"computed\" (event equipment.updated)"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(Set(EquipmentInput.fields))
        let rules = try rulesInForce(state, args.command)
        let unit = try findUnit(args, state)
        let event: NewEvent?
        do throws(FieldError) {
            event = try EquipmentInput.update(args, unit: unit, rules: rules, today: context.today)
        } catch { throw error.commandError(args.command) }
        guard let event else { return .query(["code": .string(unit.code), "changed": false]) }
        var result = resultOf(event)
        result["changed"] = true
        return CommandOutcome(events: [event], result: .object(result))
    }

    /// The result of a write: the unit's code and its due date afterwards.
    static func resultOf(_ event: NewEvent) -> JSONObject {
        var out: JSONObject = ["code": event.data["code"] ?? .null]
        for key in ["nextDue", "nextDueSource", "gradeNotUsable"] { if let v = event.data[key] { out[key] = v } }
        return out
    }

    public static let get = DomainCommand(
        "equipment.get", roles: readers, writes: false,
        summary: "one unit with its due date, last inspection and history (newest first)"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["code", "historyLimit"])
        let unit = try findUnit(args, state)
        let historyLimit = try args.optionalInt("historyLimit", "a whole number ≥ 0") ?? 50
        guard historyLimit >= 0 else { throw .badRequest("equipment.get: argument \"historyLimit\" must be ≥ 0") }
        return .query(.object(state.equipment.detail(unit, today: context.today, zone: context.zone, historyLimit: historyLimit)))
    }

    public static let list = DomainCommand(
        "equipment.list", roles: readers, writes: false,
        summary: "units filtered by category, variant, region, user, status, dueBefore, dueAfter"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["category", "variant", "region", "user", "status", "dueBefore", "dueAfter", "limit", "offset"])
        var category: EquipmentCategory?
        if let text = try args.optionalString("category") {
            guard let c = EquipmentCategory(lenient: text) else {
                throw .badRequest("equipment.list: unknown category \"\(text)\"; known: \(EquipmentCategory.listing)")
            }
            category = c
        }
        var status: EquipmentStatus?
        if let text = try args.optionalString("status") {
            guard let s = EquipmentStatus(rawValue: text) else {
                throw .badRequest("equipment.list: unknown status \"\(text)\"; known: in_use, suspended, scrapped")
            }
            status = s
        }
        func date(_ key: String) throws(CommandError) -> Day? {
            guard let text = try args.optionalString(key) else { return nil }
            guard let d = EquipmentInput.parseDate(text) else { throw .badRequest("equipment.list: \"\(key)\" is \"\(text)\", not a date like 2026-11-23") }
            return Day(d)
        }
        let dueBefore = try date("dueBefore"), dueAfter = try date("dueAfter")
        let variant = try args.optionalString("variant"), region = try args.optionalString("region"), user = try args.optionalString("user")
        let limit = try limitArg(args)
        let offset = try args.optionalInt("offset", "a whole number ≥ 0") ?? 0
        guard offset >= 0 else { throw .badRequest("equipment.list: argument \"offset\" must be ≥ 0") }
        let matches = state.equipment.units.indices.filter { i in
            let unit = state.equipment.units[i]
            if let category, unit.category != category { return false }
            if let status, unit.status != status { return false }
            if let variant, unit.variant != variant { return false }
            if let region, unit.region != region { return false }
            if let user, unit.user != user { return false }
            if let dueBefore { guard let d = unit.nextDue, d < dueBefore else { return false } }
            if let dueAfter { guard let d = unit.nextDue, d > dueAfter else { return false } }
            return true
        }.sorted { state.equipment.units[$0].texts.codePrecedes(state.equipment.units[$1].texts) }.map { Int32($0) }
        var result = page(Array(matches.dropFirst(offset)), key: "units", limit: limit, state: state, today: context.today)
        if case .object(var o) = result {
            o["total"] = .int(matches.count)
            o["offset"] = .int(offset)
            result = .object(o)
        }
        return .query(result)
    }

    // MARK: - Inspections and lifecycle

    public static let inspect = DomainCommand(
        "equipment.inspect", roles: writers, writes: true,
        summary: "record an inspection: kind periodic/self_test/supervision, conclusion pass/pass_after_rectification/fail (event equipment.inspected)"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["code", "date", "kind", "conclusion", "nextDue", "grade", "report", "inspector", "note"])
        let rules = try rulesInForce(state, args.command)
        let unit = try findUnit(args, state)
        guard unit.status != .scrapped else {
            throw .conflict("equipment.inspect: equipment \(unit.code) was scrapped on \(unit.scrappedOn?.description ?? "?"); a scrapped unit is not inspected")
        }
        guard args.has("date") else { throw .badRequest("equipment.inspect: missing argument \"date\" — expected the inspection date (YYYY-MM-DD)") }
        let date = try pastDate(args, "date", today: context.today)
        guard date >= unit.commissioned.date else {
            throw .badRequest("equipment.inspect: \"date\" \(date) is before \(unit.code)'s commissioning date \(unit.commissioned)")
        }
        if let last = unit.lastInspected, date < last.date {
            throw .conflict("equipment.inspect: \(unit.code) already has an inspection on \(last); record inspections in date order")
        }
        let kindText = try args.optionalString("kind") ?? InspectionKind.periodic.rawValue
        guard let kind = InspectionKind(rawValue: kindText) else {
            throw .badRequest("equipment.inspect: \"kind\" is \"\(kindText)\"; expected periodic (定期检验), self_test (自行检测) or supervision (监督检验)")
        }
        let conclusionText = try args.nonEmptyString("conclusion", "pass, pass_after_rectification or fail")
        guard let conclusion = InspectionConclusion(rawValue: conclusionText) else {
            throw .badRequest("equipment.inspect: \"conclusion\" is \"\(conclusionText)\"; expected pass (合格), pass_after_rectification (复检合格) or fail (不合格)")
        }
        let grade: Int?
        let certificate: CivilDate?
        do throws(FieldError) {
            grade = try EquipmentInput.parseGrade(args)
            certificate = try EquipmentInput.date(args, "nextDue")
            try EquipmentInput.checkRules(rules, category: unit.category, variant: unit.variant, grade: grade)
        } catch { throw error.commandError(args.command) }
        if let certificate {
            guard conclusion.passed else {
                throw .badRequest("equipment.inspect: \"nextDue\" given with conclusion fail; a failed inspection issues no certificate — omit nextDue")
            }
            guard certificate > date else {
                throw .badRequest("equipment.inspect: \"nextDue\" \(certificate) is not after the inspection date \(date)")
            }
        }
        let effectiveGrade = grade ?? unit.grade
        var due: DueFields
        if conclusion.passed {
            due = EquipmentInput.resolveDue(rules: rules, category: unit.category, variant: unit.variant, grade: effectiveGrade,
                                            base: date, baseFirst: kind == .supervision, certificate: certificate)
        } else {
            // The schedule stands; the unit is unusable until a passing inspection.
            due = DueFields(unit)
            due.gradeNotUsable = rules.isNotUsable(category: unit.category, grade: effectiveGrade)
        }
        func text(_ key: String) throws(CommandError) -> String? {
            guard let text = try args.optionalString(key), !text.isEmpty else { return nil }
            return text
        }
        let inspection = EquipmentInspection(
            code: unit.code, date: Day(date), kind: kind, conclusion: conclusion, grade: grade,
            certificateDue: certificate.map(Day.init), report: try text("report"), inspector: try text("inspector"),
            note: try text("note"), due: due)
        let event = NewEvent(EventType.equipmentInspected, inspection.json)
        var result = resultOf(event)
        result["usable"] = .bool(unit.status == .inUse && conclusion.passed && !due.gradeNotUsable)
        return CommandOutcome(events: [event], result: .object(result))
    }

    public static let suspend = DomainCommand(
        "equipment.suspend", roles: writers, writes: true,
        summary: "停用: take a unit out of service; no reminders while suspended (event equipment.suspended)"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["code", "date", "reason"])
        let unit = try findUnit(args, state)
        guard unit.status == .inUse else {
            throw .conflict("equipment.suspend: equipment \(unit.code) is \(unit.status.rawValue), not in_use")
        }
        let date = try pastDate(args, "date", today: context.today)
        guard date >= unit.commissioned.date else {
            throw .badRequest("equipment.suspend: \"date\" \(date) is before the commissioning date \(unit.commissioned)")
        }
        var data: JSONObject = ["code": .string(unit.code), "date": .string(date.description)]
        if let reason = try args.optionalString("reason"), !reason.isEmpty { data["reason"] = .string(reason) }
        return CommandOutcome(events: [NewEvent(EventType.equipmentSuspended, data)], result: ["code": .string(unit.code), "status": "suspended"])
    }

    public static let resume = DomainCommand(
        "equipment.resume", roles: writers, writes: true,
        summary: "重新启用: back in service; due at once if its validity lapsed meanwhile (event equipment.resumed)"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["code", "date"])
        let unit = try findUnit(args, state)
        guard unit.status == .suspended else {
            throw .conflict("equipment.resume: equipment \(unit.code) is not suspended (it is \(unit.status.rawValue)); only a suspended unit can be resumed")
        }
        let date = try pastDate(args, "date", today: context.today)
        if let since = unit.suspendedOn, date < since.date {
            throw .badRequest("equipment.resume: \"date\" \(date) is before the suspension on \(since)")
        }
        var due = DueFields(unit)
        var lapsed = false
        if let next = unit.nextDue, next.date < date {
            lapsed = true
            due.nextDue = Day(date)
            due.source = .resumed
        }
        var data: JSONObject = ["code": .string(unit.code), "date": .string(date.description), "lapsed": .bool(lapsed)]
        due.encode(into: &data)
        let event = NewEvent(EventType.equipmentResumed, data)
        var result = resultOf(event)
        result["lapsed"] = .bool(lapsed)
        return CommandOutcome(events: [event], result: .object(result))
    }

    public static let scrap = DomainCommand(
        "equipment.scrap", roles: writers, writes: true,
        summary: "报废: the unit leaves every queue for good (event equipment.scrapped)"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["code", "date", "reason"])
        let unit = try findUnit(args, state)
        guard unit.status != .scrapped else {
            throw .conflict("equipment.scrap: equipment \(unit.code) was already scrapped on \(unit.scrappedOn?.description ?? "?")")
        }
        let date = try pastDate(args, "date", today: context.today)
        var data: JSONObject = ["code": .string(unit.code), "date": .string(date.description)]
        if let reason = try args.optionalString("reason"), !reason.isEmpty { data["reason"] = .string(reason) }
        return CommandOutcome(events: [NewEvent(EventType.equipmentScrapped, data)], result: ["code": .string(unit.code), "status": "scrapped"])
    }

    // MARK: - Queues

    public static let due = DomainCommand(
        "equipment.due", roles: readers, writes: false,
        summary: "units due for inspection within N days (default 30), soonest first"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["within", "limit"])
        let within = try args.optionalInt("within", "a whole number of days") ?? 30
        guard (0...3660).contains(within) else { throw .badRequest("equipment.due: argument \"within\" must be 0…3660 days; got \(within)") }
        let units = state.equipment.dueWithin(days: within, today: context.today)
        var result = page(units, key: "units", limit: try limitArg(args), state: state, today: context.today)
        if case .object(var o) = result { o["within"] = .int(within); result = .object(o) }
        return .query(result)
    }

    public static let overdue = DomainCommand(
        "equipment.overdue", roles: readers, writes: false,
        summary: "units past their inspection date, most overdue first (days overdue, using unit, address, category)"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["limit", "category", "region"])
        let category = try args.optionalString("category").map { (text) throws(CommandError) -> EquipmentCategory in
            guard let c = EquipmentCategory(lenient: text) else { throw .badRequest("equipment.overdue: unknown category \"\(text)\"; known: \(EquipmentCategory.listing)") }
            return c
        }
        let region = try args.optionalString("region")
        let units = state.equipment.overdue(today: context.today).filter {
            let unit = state.equipment.units[Int($0)]
            return (category == nil || unit.category == category) && (region == nil || unit.region == region)
        }
        return .query(page(units, key: "units", limit: try limitArg(args), state: state, today: context.today) { unit, row in
            row["daysOverdue"] = .int(unit.nextDue!.date.days(until: context.today))
        })
    }

    public static let suspended = DomainCommand(
        "equipment.suspended", roles: readers, writes: false,
        summary: "suspended (停用) units"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["limit"])
        return .query(page(state.equipment.suspendedUnits, key: "units", limit: try limitArg(args), state: state, today: context.today) { unit, row in
            if let d = unit.suspendedOn { row["suspendedOn"] = .string(d.description) }
        })
    }

    public static let failed = DomainCommand(
        "equipment.failed", roles: readers, writes: false,
        summary: "units that may not be used: failed inspection awaiting re-inspection, or a grade that forbids use"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["limit"])
        return .query(page(state.equipment.unusableUnits, key: "units", limit: try limitArg(args), state: state, today: context.today) { unit, row in
            if unit.failed, let last = state.equipment.lastInspection(of: unit) {
                row["reason"] = .string("inspection \(last.date) \(last.conclusion.rawValue) (\(last.conclusion.label))")
                row["failedOn"] = .string(last.date.description)
            } else if unit.notUsableByGrade {
                row["reason"] = .string("grade \(unit.grade ?? 0): not usable")
            }
        })
    }

    public static let rules = DomainCommand(
        "equipment.rules", roles: readers, writes: false,
        summary: "the periodic-inspection rules in force (from the last rules.changed) and their SHA-256"
    ) { (args, _, state) throws(CommandError) in
        try args.allowOnly([])
        guard let rules = state.equipment.rules else { return .query(["inForce": false]) }
        var out: JSONObject = ["inForce": true, "sha256": .string(state.equipment.rulesSHA256 ?? ""), "seq": .int(state.equipment.rulesSeq)]
        if let source = state.equipment.rulesSource { out["source"] = .string(source) }
        out["rules"] = rules.json
        return .query(.object(out))
    }

    public static let reminderList = DomainCommand(
        "reminder.list", roles: readers, writes: false,
        summary: "reminders issued since a time (default: the last 30 days), oldest first"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["since", "equipment", "limit"])
        var since = context.zone.startOfDay(context.today.adding(days: -30))
        if let text = try args.optionalString("since") {
            guard let t = context.zone.parse(text) else {
                throw .badRequest("reminder.list: \"since\" is \"\(text)\", not a time like 2026-11-01 or 2026-11-01T09:00:00+08:00")
            }
            since = t
        }
        let (rows, total) = state.equipment.reminders(since: since, equipment: try args.optionalString("equipment"),
                                                       limit: try limitArg(args), zone: context.zone)
        var out: JSONObject = ["since": .string(context.zone.format(since)), "total": .int(total)]
        if total > rows.count { out["truncated"] = true }
        out["reminders"] = .array(rows)
        return .query(.object(out))
    }
}
