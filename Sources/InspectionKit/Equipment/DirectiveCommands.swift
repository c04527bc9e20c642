/// 安全监察指令书 commands: issue, report rectification, close, and the open queue (SPEC §8).
public enum DirectiveCommands {
    public static let all: [DomainCommand] = [issue, report, close, list, get]

    /// Working days the bureau has to re-check after a rectification report.
    public static let recheckWorkingDays = 10

    static func find(_ args: Arguments, _ state: InspectionState) throws(CommandError) -> Directive {
        let id = try args.nonEmptyString("id", "a directive id like ZL2026-0001")
        guard let directive = state.equipment.directive(id) else {
            throw .notFound("\(args.command): directive \(id) does not exist (inspectctl directive list --status all)")
        }
        return directive
    }

    public static let issue = DomainCommand(
        "directive.issue", roles: EquipmentCommands.writers, writes: true,
        summary: "issue a 安全监察指令书 to a using unit (user: USCC) or about one unit (equipment: code) (event directive.issued)"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["equipment", "user", "reason", "deadline"])
        let code = try args.optionalString("equipment").flatMap { $0.isEmpty ? nil : $0 }
        let given = try args.optionalString("user").flatMap { $0.isEmpty ? nil : $0 }
        let user: String
        switch (code, given) {
        case (nil, nil), (.some, .some):
            throw .badRequest("directive.issue: give exactly one of \"equipment\" (a 设备代码) or \"user\" (the using unit's 统一社会信用代码)")
        case (let code?, nil):
            guard let unit = state.equipment.unit(code) else {
                throw .notFound("directive.issue: equipment \(code) is not registered")
            }
            guard unit.status != .scrapped else { throw .conflict("directive.issue: equipment \(code) was scrapped") }
            user = unit.user
        case (nil, let text?):
            if let error = USCC.validate(text) { throw .badRequest("directive.issue: \"user\" \(error.message)") }
            user = text
        }
        let reason = try args.nonEmptyString("reason", "what must be corrected")
        let deadlineText = try args.nonEmptyString("deadline", "the 整改期限 (YYYY-MM-DD)")
        guard let deadline = EquipmentInput.parseDate(deadlineText) else {
            throw .badRequest("directive.issue: \"deadline\" is \"\(deadlineText)\", not a date like 2026-12-31")
        }
        guard deadline >= context.today else {
            throw .badRequest("directive.issue: \"deadline\" \(deadline) is in the past (today is \(context.today))")
        }
        let id = state.equipment.nextDirectiveID(year: context.today.year)
        var data: JSONObject = ["id": .string(id)]
        if let code { data["equipment"] = .string(code) }
        data["user"] = .string(user)
        data["reason"] = .string(reason)
        data["deadline"] = .string(deadline.description)
        data["date"] = .string(context.today.description)
        return CommandOutcome(events: [NewEvent(EventType.directiveIssued, data)],
                              result: ["id": .string(id), "deadline": .string(deadline.description)])
    }

    public static let report = DomainCommand(
        "directive.report", roles: EquipmentCommands.writers, writes: true,
        summary: "record the rectification report; the re-check falls due 10 working days later (event directive.reported)"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["id", "date", "note"])
        let directive = try find(args, state)
        guard directive.status == .open else {
            throw .conflict("directive.report: directive \(directive.id) is \(directive.status.rawValue)"
                            + (directive.status == .reported ? " (reported on \(directive.reportedOn?.description ?? "?"), re-check due \(directive.recheckDue?.description ?? "?"))" : ""))
        }
        let date = try EquipmentCommands.pastDate(args, "date", today: context.today)
        guard date >= directive.issued.date else {
            throw .badRequest("directive.report: \"date\" \(date) is before the directive was issued (\(directive.issued))")
        }
        // Computed now on the official calendar and journaled, so replay needs no calendar.
        let recheck = context.settings.calendar.addingWorkingDays(recheckWorkingDays, to: date)
        var data: JSONObject = [
            "id": .string(directive.id), "date": .string(date.description),
            "recheckDue": .string(recheck.description), "workingDays": .int(recheckWorkingDays),
        ]
        if let note = try args.optionalString("note"), !note.isEmpty { data["note"] = .string(note) }
        return CommandOutcome(events: [NewEvent(EventType.directiveReported, data)],
                              result: ["id": .string(directive.id), "recheckDue": .string(recheck.description)])
    }

    public static let close = DomainCommand(
        "directive.close", roles: EquipmentCommands.writers, writes: true,
        summary: "close a directive after the re-check (event directive.closed)"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["id", "date", "note"])
        let directive = try find(args, state)
        guard directive.status != .closed else {
            throw .conflict("directive.close: directive \(directive.id) was already closed on \(directive.closedOn?.description ?? "?")")
        }
        let date = try EquipmentCommands.pastDate(args, "date", today: context.today)
        guard date >= directive.issued.date else {
            throw .badRequest("directive.close: \"date\" \(date) is before the directive was issued (\(directive.issued))")
        }
        var data: JSONObject = ["id": .string(directive.id), "date": .string(date.description)]
        if let note = try args.optionalString("note"), !note.isEmpty { data["note"] = .string(note) }
        return CommandOutcome(events: [NewEvent(EventType.directiveClosed, data)], result: ["id": .string(directive.id), "status": "closed"])
    }

    public static let list = DomainCommand(
        "directive.list", roles: EquipmentCommands.readers, writes: false,
        summary: "directives: open and reported by default (soonest deadline or re-check first); status open/reported/closed/all"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["status", "limit"])
        let filter = try args.optionalString("status") ?? "pending"
        let accepted: Set<Directive.Status>
        switch filter {
        case "pending": accepted = [.open, .reported]
        case "all": accepted = Set(Directive.Status.allCases)
        default:
            guard let status = Directive.Status(rawValue: filter) else {
                throw .badRequest("directive.list: \"status\" is \"\(filter)\"; expected pending (default: open and reported), open, reported, closed or all")
            }
            accepted = [status]
        }
        let limit = try EquipmentCommands.limitArg(args)
        let matches = state.equipment.directives.filter { d in
            guard accepted.contains(d.status) else { return false }
            // A scrapped unit leaves every queue: its directives show only with --status all/closed.
            if filter == "pending" || filter == "open" || filter == "reported",
               let code = d.equipment, state.equipment.unit(code)?.status == .scrapped { return false }
            return true
        }.sorted { a, b in
            let ka = a.status == .closed ? (a.closedOn ?? a.deadline) : (a.recheckDue ?? a.deadline)
            let kb = b.status == .closed ? (b.closedOn ?? b.deadline) : (b.recheckDue ?? b.deadline)
            return (ka, a.id) < (kb, b.id)
        }
        var out: JSONObject = ["today": .string(context.today.description), "status": .string(filter), "total": .int(matches.count)]
        if matches.count > limit { out["truncated"] = true }
        out["directives"] = .array(matches.prefix(limit).map { .object(state.equipment.directiveJSON($0, today: context.today)) })
        return .query(.object(out))
    }

    public static let get = DomainCommand(
        "directive.get", roles: EquipmentCommands.readers, writes: false,
        summary: "one directive"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["id"])
        return .query(.object(state.equipment.directiveJSON(try find(args, state), today: context.today)))
    }
}
