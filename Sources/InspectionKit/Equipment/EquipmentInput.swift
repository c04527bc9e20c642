/// Validation of equipment fields from any `FieldSource` (request args or a CSV row), so
/// `equipment.register`, `equipment.update` and `equipment.import` apply the same rules.
///
/// Field names: `code, registration, category, variant, user, userName, address, region,
/// commissioned, grade, nextDue, lastInspected, status`.
enum EquipmentInput {
    static let fields = ["code", "registration", "category", "variant", "user", "userName", "address", "region",
                         "commissioned", "grade", "nextDue", "lastInspected", "status"]

    // MARK: - Single values

    /// A date as bureau systems write it: `2026-11-23`, `2026/11/23`, `2026.11.23`,
    /// `20261123`, `2026年11月23日` (month and day may have one digit).
    static func parseDate(_ text: String) -> CivilDate? {
        if let d = CivilDate(iso: text) { return d }
        let digits = text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
        if digits, text.utf8.count == 8, let n = Int(text) {
            return CivilDate(year: n / 10000, month: n / 100 % 100, day: n % 100)
        }
        var parts: [Int] = []
        var current = ""
        for ch in text {
            if ch.isASCII, ch.isNumber { current.append(ch); continue }
            guard "-/.年月日".contains(ch), !current.isEmpty, current.count <= 4 else { return nil }
            parts.append(Int(current)!)
            current = ""
        }
        if !current.isEmpty { parts.append(Int(current) ?? -1) }
        guard parts.count == 3, parts[0] >= 1900 else { return nil }
        return CivilDate(year: parts[0], month: parts[1], day: parts[2])
    }

    static func date(_ source: some FieldSource, _ name: String) throws(FieldError) -> CivilDate? {
        guard let text = source.text(name), !text.isEmpty else { return nil }
        guard let date = parseDate(text) else {
            throw FieldError(field: name, reason: "is \"\(text)\", not a date like 2026-11-23")
        }
        return date
    }

    static func parseGrade(_ source: some FieldSource) throws(FieldError) -> Int? {
        guard var text = source.text("grade"), !text.isEmpty else { return nil }
        if text.hasSuffix("级") { text.removeLast() }
        guard let grade = Int(text) else {
            throw FieldError(field: "grade", reason: "is \"\(text)\"; 安全状况等级 is a whole number 1–5")
        }
        guard (1...5).contains(grade) else {
            throw FieldError(field: "grade", reason: "is \(grade), outside 1–5 (安全状况等级)")
        }
        return grade
    }

    static func parseCategory(_ source: some FieldSource) throws(FieldError) -> EquipmentCategory? {
        guard let text = source.text("category"), !text.isEmpty else { return nil }
        guard let category = EquipmentCategory(lenient: text) else {
            throw FieldError(field: "category", reason: "is \"\(text)\", not a catalogue category; known: \(EquipmentCategory.listing)")
        }
        return category
    }

    static func parseUser(_ source: some FieldSource) throws(FieldError) -> String? {
        guard let text = source.text("user"), !text.isEmpty else { return nil }
        if let error = USCC.validate(text) { throw FieldError(field: "user", reason: error.message) }
        return text
    }

    static func parseCode(_ text: String) throws(FieldError) -> String {
        guard !text.isEmpty else { throw FieldError(field: "code", reason: "is empty; give the 设备代码") }
        // 设备代码 are 20 digits since TSG 08-2017; older registrations use letters and
        // hyphens too. Spaces, punctuation or Chinese characters mean a typo.
        guard (1...32).contains(text.count), text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw FieldError(field: "code", reason: "\"\(text)\" is not a 设备代码: up to 32 ASCII letters, digits or hyphens (usually 20 digits)")
        }
        return text
    }

    static func parseVariant(_ source: some FieldSource, category: EquipmentCategory, rules: EquipmentRules) throws(FieldError) -> String?? {
        guard let text = source.text("variant") else { return .none }
        if text.isEmpty { return .some(nil) }
        guard let key = rules.variantKey(text, category: category) else {
            let known = rules.rule(for: category)?.variants.keys.sorted().joined(separator: ", ") ?? ""
            throw FieldError(field: "variant", reason: "is \"\(text)\", not a variant of \(category.rawValue) (\(category.label))"
                             + (known.isEmpty ? "; this category has no variants in the rules — leave it empty" : "; known: \(known)"))
        }
        return .some(key)
    }

    static func parseStatus(_ source: some FieldSource) throws(FieldError) -> EquipmentStatus? {
        guard let text = source.text("status"), !text.isEmpty else { return nil }
        switch text {
        case "in_use", "在用", "使用", "正常": return .inUse
        case "suspended", "停用": return .suspended
        case "scrapped", "报废", "注销":
            throw FieldError(field: "status", reason: "is \"\(text)\"; a scrapped unit is not registered (record scrapping with equipment scrap)")
        default:
            throw FieldError(field: "status", reason: "is \"\(text)\"; expected in_use (在用) or suspended (停用)")
        }
    }

    /// Category/variant/grade against the rules, as a field error.
    static func checkRules(_ rules: EquipmentRules, category: EquipmentCategory, variant: String?, grade: Int?) throws(FieldError) {
        do {
            try rules.validate(category: category, variant: variant, grade: grade, command: "")
        } catch {
            var message = error.message
            if message.hasPrefix(": ") { message.removeFirst(2) }
            let field = message.contains("variant") ? "variant" : message.contains("grade") ? "grade" : "category"
            throw FieldError(field: field, reason: message)
        }
    }

    /// The due fields for a unit: the certificate date when given, else base + interval.
    static func resolveDue(rules: EquipmentRules, category: EquipmentCategory, variant: String?, grade: Int?,
                           base: CivilDate, baseFirst: Bool, certificate: CivilDate?) -> DueFields {
        let notUsable = rules.isNotUsable(category: category, grade: grade)
        if let certificate {
            return DueFields(nextDue: Day(certificate), source: .certificate, base: Day(base), baseFirst: baseFirst, gradeNotUsable: notUsable)
        }
        var nextDue: Day?
        if case .date(let d)? = rules.due(category: category, variant: variant, grade: grade, base: base, first: baseFirst) {
            nextDue = Day(d)
        }
        return DueFields(nextDue: nextDue, source: .computed, base: Day(base), baseFirst: baseFirst, gradeNotUsable: notUsable)
    }

    // MARK: - Registration

    /// `equipment.registered` for a new unit.
    static func registration(_ source: some FieldSource, rules: EquipmentRules, today: CivilDate) throws(FieldError) -> NewEvent {
        let code = try parseCode(source.text("code") ?? "")
        guard let category = try parseCategory(source) else {
            throw FieldError(field: "category", reason: "is missing; known: \(EquipmentCategory.listing)")
        }
        guard let user = try parseUser(source) else {
            throw FieldError(field: "user", reason: "is missing; give the using unit's 统一社会信用代码")
        }
        guard let commissioned = try date(source, "commissioned") else {
            throw FieldError(field: "commissioned", reason: "is missing; give the 投用日期 (YYYY-MM-DD)")
        }
        guard commissioned <= today else {
            throw FieldError(field: "commissioned", reason: "\(commissioned) is in the future (today is \(today))")
        }
        guard commissioned.year >= 1900 else {
            throw FieldError(field: "commissioned", reason: "\(commissioned) is before 1900; check the 投用日期")
        }
        let variant = try parseVariant(source, category: category, rules: rules) ?? nil
        let grade = try parseGrade(source)
        try checkRules(rules, category: category, variant: variant, grade: grade)
        let last = try date(source, "lastInspected")
        if let last {
            guard last >= commissioned else {
                throw FieldError(field: "lastInspected", reason: "\(last) is before the commissioning date \(commissioned)")
            }
            guard last <= today else { throw FieldError(field: "lastInspected", reason: "\(last) is in the future (today is \(today))") }
        }
        let certificate = try date(source, "nextDue")
        if let certificate {
            let after = last ?? commissioned
            guard certificate > after else {
                throw FieldError(field: "nextDue", reason: "\(certificate) is not after the \(last == nil ? "commissioning" : "last inspection") date \(after)")
            }
        }
        let status = try parseStatus(source) ?? .inUse
        let due = resolveDue(rules: rules, category: category, variant: variant, grade: grade,
                             base: last ?? commissioned, baseFirst: last == nil, certificate: certificate)
        let userName = source.text("userName") ?? ""
        let registration = EquipmentRegistration(
            code: code, registration: source.text("registration") ?? "", category: category, variant: variant, user: user,
            userName: userName.isEmpty ? nil : userName, address: source.text("address") ?? "", region: source.text("region") ?? "",
            commissioned: Day(commissioned), grade: grade, lastInspected: last.map(Day.init), status: status,
            suspendedOn: status == .suspended ? Day(today) : nil, due: due)
        return NewEvent(EventType.equipmentRegistered, registration.json)
    }

    // MARK: - Update

    /// `equipment.updated` with the fields that change, or nil when nothing does.
    /// `nextDue` may be a date (certificate) or `computed` (drop the certificate date).
    static func update(_ source: some FieldSource, unit: EquipmentUnit, rules: EquipmentRules,
                       today: CivilDate) throws(FieldError) -> NewEvent? {
        var changes = JSONObject()
        let category = try parseCategory(source) ?? unit.category
        if category != unit.category { changes["category"] = .string(category.rawValue) }
        var variant = unit.variant
        if let given = try parseVariant(source, category: category, rules: rules) { variant = given }
        else if category != unit.category { variant = nil }
        if variant != unit.variant { changes["variant"] = variant.map { .string($0) } ?? .null }
        var grade = unit.grade
        if let g = try parseGrade(source) { grade = g }
        if category != unit.category, rules.rule(for: category)?.hasGrades != true { grade = nil }
        if grade != unit.grade { changes["grade"] = grade.map { .int($0) } ?? .null }
        try checkRules(rules, category: category, variant: variant, grade: grade)
        for key in ["registration", "userName", "address", "region"] {
            if let text = source.text(key) {
                let old = key == "registration" ? unit.registration : key == "userName" ? unit.userName
                    : key == "address" ? unit.address : unit.region
                if text != old { changes[key] = .string(text) }
            }
        }
        if let user = try parseUser(source), user != unit.user { changes["user"] = .string(user) }
        var commissioned = unit.commissioned.date
        if let c = try date(source, "commissioned"), c != commissioned {
            guard c <= today else { throw FieldError(field: "commissioned", reason: "\(c) is in the future (today is \(today))") }
            if let last = unit.lastInspected, c > last.date {
                throw FieldError(field: "commissioned", reason: "\(c) is after the last inspection \(last)")
            }
            commissioned = c
            changes["commissioned"] = .string(c.description)
        }
        var base = unit.dueBase.date
        var baseFirst = unit.dueBaseIsFirst
        if baseFirst && unit.lastInspectionIndex < 0 { base = commissioned }
        if let last = try date(source, "lastInspected"), last != unit.lastInspected?.date {
            guard unit.lastInspectionIndex < 0 else {
                throw FieldError(field: "lastInspected", reason: "cannot be changed: inspections are recorded for \(unit.code) (use equipment inspect)")
            }
            guard last >= commissioned, last <= today else {
                throw FieldError(field: "lastInspected", reason: "\(last) must lie between the commissioning date \(commissioned) and today \(today)")
            }
            changes["lastInspected"] = .string(last.description)
            base = last
            baseFirst = false
        }
        if let status = try parseStatus(source), status != unit.status {
            throw FieldError(field: "status", reason: "is \(status.rawValue) but \(unit.code) is \(unit.status.rawValue); change it with equipment suspend/resume/scrap")
        }
        var certificate: CivilDate? = unit.nextDueSource == .certificate ? unit.nextDue?.date : nil
        var keep: DueFields?
        if let text = source.text("nextDue"), !text.isEmpty {
            if text == "computed" {
                certificate = nil
            } else {
                guard let d = parseDate(text) else { throw FieldError(field: "nextDue", reason: "is \"\(text)\", not a date like 2026-11-23 (or \"computed\")") }
                guard d > base else { throw FieldError(field: "nextDue", reason: "\(d) is not after \(base)") }
                // Re-importing the date already in force changes nothing.
                if d != unit.nextDue?.date || unit.nextDueSource == .certificate { certificate = d }
            }
        } else if unit.nextDueSource == .resumed {
            keep = DueFields(unit)
            keep!.gradeNotUsable = rules.isNotUsable(category: category, grade: grade)
        }
        let due = keep ?? resolveDue(rules: rules, category: category, variant: variant, grade: grade,
                                     base: base, baseFirst: baseFirst, certificate: certificate)
        guard !changes.isEmpty || due != DueFields(unit) else { return nil }
        var data: JSONObject = ["code": .string(unit.code), "changes": .object(changes)]
        due.encode(into: &data)
        return NewEvent(EventType.equipmentUpdated, data)
    }
}
