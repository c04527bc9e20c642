import InspectionKit

/// Human tables for special equipment: Chinese category labels, the using unit's name
/// where known, days overdue right-aligned. `--json` prints the raw result instead.
extension Render {
    /// A column of an equipment table: title, how a row becomes its cell, alignment.
    struct EquipmentColumn: Sendable {
        var title: String
        var right = false
        var cell: @Sendable (JSONObject) -> String
    }

    static func text(_ row: JSONObject, _ key: String) -> String { row[key].map(scalarText) ?? "" }

    static func categoryLabel(_ row: JSONObject, key: String = "category") -> String {
        guard let raw = row[key]?.stringValue else { return "" }
        guard let category = EquipmentCategory(rawValue: raw) else { return raw }
        if let variant = row["variantLabel"]?.stringValue ?? row["variant"]?.stringValue { return "\(category.label)/\(variant)" }
        return category.label
    }

    static func userCell(_ row: JSONObject) -> String {
        let name = text(row, "userName")
        return name.isEmpty ? text(row, "user") : "\(name) \(text(row, "user"))"
    }

    static let codeColumn = EquipmentColumn(title: "code") { text($0, "code") }
    static let categoryColumn = EquipmentColumn(title: "category") { categoryLabel($0) }
    static let userColumn = EquipmentColumn(title: "using unit") { userCell($0) }
    static let addressColumn = EquipmentColumn(title: "address") { text($0, "address") }

    static func equipmentTable(_ items: [JSONValue], _ columns: [EquipmentColumn]) -> String {
        let rows = items.compactMap(\.objectValue)
        if rows.isEmpty { return "(none)\n" }
        var table = TextTable(columns: columns.map { TextTable.Column($0.title, alignment: $0.right ? .right : .left, maxWidth: 48) })
        for row in rows { table.addRow(columns.map { $0.cell(row) }) }
        return table.render() + "\n"
    }

    /// Table plus a footer with the total (and a hint when the list was cut).
    static func unitPage(_ value: JSONValue, _ columns: [EquipmentColumn], what: String) -> String {
        let items = value["units"]?.arrayValue ?? []
        var out = equipmentTable(items, columns)
        let total = value["total"]?.intValue ?? items.count
        out += "\(total) \(what)"
        if let today = value["today"]?.stringValue { out += " (today \(today))" }
        if value["truncated"]?.boolValue == true { out += "; showing \(items.count) — raise --limit or use --json" }
        return out + "\n"
    }

    static func equipmentDue(_ value: JSONValue, _ context: RenderContext) -> String {
        unitPage(value, [codeColumn, categoryColumn, userColumn, addressColumn,
                         EquipmentColumn(title: "next due") { text($0, "nextDue") },
                         EquipmentColumn(title: "days left", right: true) { text($0, "daysLeft") }],
                 what: "due within \(value["within"].map(scalarText) ?? "?") days")
    }

    static func equipmentOverdue(_ value: JSONValue, _ context: RenderContext) -> String {
        unitPage(value, [EquipmentColumn(title: "days overdue", right: true) { text($0, "daysOverdue") },
                         codeColumn, userColumn, addressColumn, categoryColumn,
                         EquipmentColumn(title: "due") { text($0, "nextDue") }],
                 what: "overdue")
    }

    static func equipmentList(_ value: JSONValue, _ context: RenderContext) -> String {
        unitPage(value, [codeColumn, categoryColumn, userColumn,
                         EquipmentColumn(title: "region") { text($0, "region") },
                         EquipmentColumn(title: "status") { statusLabel($0) },
                         EquipmentColumn(title: "next due") { text($0, "nextDue") }],
                 what: "in all")
    }

    static func equipmentSuspended(_ value: JSONValue, _ context: RenderContext) -> String {
        unitPage(value, [codeColumn, categoryColumn, userColumn, addressColumn,
                         EquipmentColumn(title: "suspended on") { text($0, "suspendedOn") },
                         EquipmentColumn(title: "next due") { text($0, "nextDue") }],
                 what: "suspended")
    }

    static func equipmentFailed(_ value: JSONValue, _ context: RenderContext) -> String {
        unitPage(value, [codeColumn, categoryColumn, userColumn, addressColumn,
                         EquipmentColumn(title: "reason") { text($0, "reason") }],
                 what: "may not be used")
    }

    static func statusLabel(_ row: JSONObject) -> String {
        guard let raw = row["status"]?.stringValue, let status = EquipmentStatus(rawValue: raw) else { return text(row, "status") }
        var label = status.label
        if row["failed"]?.boolValue == true { label += " 不合格" }
        if row["gradeNotUsable"]?.boolValue == true { label += " 等级不允许使用" }
        return label
    }

    /// After a write: the code and where its due date now stands.
    static func equipmentWritten(_ value: JSONValue, _ context: RenderContext) -> String {
        guard let object = value.objectValue else { return generic(value, context) }
        var parts: [String] = []
        if let code = object["code"]?.stringValue { parts.append(code) }
        if object["changed"]?.boolValue == false { return "\(parts.first ?? "") unchanged\n" }
        if let status = object["status"]?.stringValue { parts.append(status) }
        if object["gradeNotUsable"]?.boolValue == true {
            parts.append("grade forbids use: no due date")
        } else if let due = object["nextDue"]?.stringValue {
            parts.append("next inspection \(due) (\(object["nextDueSource"].map(scalarText) ?? ""))")
        }
        if object["lapsed"]?.boolValue == true { parts.append("validity lapsed while suspended: due at once") }
        if object["usable"]?.boolValue == false { parts.append("NOT usable until a passing inspection") }
        var line = parts.joined(separator: ": ")
        if let seq = object["seq"]?.intValue { line += " (seq \(seq))" }
        return line + "\n"
    }

    static func equipmentUnit(_ value: JSONValue, _ context: RenderContext) -> String {
        guard case .object(var object) = value else { return generic(value, context) }
        let history = object["history"]?.arrayValue ?? []
        object["history"] = nil
        if let label = object["categoryLabel"]?.stringValue, let raw = object["category"]?.stringValue {
            object["category"] = .string("\(raw) \(label) (\(object["categoryCode"].map(scalarText) ?? ""))")
            object["categoryLabel"] = nil
            object["categoryCode"] = nil
        }
        var out = generic(.object(object), context)
        out += "\nhistory (newest first):\n"
        out += equipmentTable(history, [
            EquipmentColumn(title: "seq", right: true) { text($0, "seq") },
            EquipmentColumn(title: "at") { text($0, "at") },
            EquipmentColumn(title: "event") { text($0, "type") },
            EquipmentColumn(title: "details") { historyDetails($0) },
            EquipmentColumn(title: "actor") { text($0, "actor") },
        ])
        return out
    }

    static func historyDetails(_ row: JSONObject) -> String {
        var parts: [String] = []
        for (key, value) in row.members where !["seq", "at", "type", "actor"].contains(key) {
            parts.append("\(key) \(scalarText(value))")
        }
        return parts.joined(separator: ", ")
    }

    static func reminders(_ value: JSONValue, _ context: RenderContext) -> String {
        let items = value["reminders"]?.arrayValue ?? []
        var out = equipmentTable(items, [
            EquipmentColumn(title: "seq", right: true) { text($0, "seq") },
            EquipmentColumn(title: "issued") { String(text($0, "at").prefix(16)) },
            EquipmentColumn(title: "code") { text($0, "equipment") },
            categoryColumn,
            EquipmentColumn(title: "due") { text($0, "due") },
            EquipmentColumn(title: "stage", right: true) { text($0, "stage") },
            EquipmentColumn(title: "skipped") { text($0, "skipped") },
            userColumn,
        ])
        out += "\(value["total"].map(scalarText) ?? "0") since \(value["since"].map(scalarText) ?? "?")"
        if value["truncated"]?.boolValue == true { out += "; showing \(items.count)" }
        return out + "\n"
    }

    static func directives(_ value: JSONValue, _ context: RenderContext) -> String {
        let items = value["directives"]?.arrayValue ?? []
        var out = equipmentTable(items, [
            EquipmentColumn(title: "id") { text($0, "id") },
            EquipmentColumn(title: "equipment") { text($0, "equipment") },
            EquipmentColumn(title: "using unit") { text($0, "user") },
            EquipmentColumn(title: "reason") { text($0, "reason") },
            EquipmentColumn(title: "deadline") { text($0, "deadline") },
            EquipmentColumn(title: "status") { text($0, "status") },
            EquipmentColumn(title: "re-check by") { text($0, "recheckDue") },
            EquipmentColumn(title: "days left", right: true) { text($0, "daysLeft") },
        ])
        out += "\(value["total"].map(scalarText) ?? "0") \(value["status"].map(scalarText) ?? "")\n"
        return out
    }

    static func equipmentRules(_ value: JSONValue, _ context: RenderContext) -> String {
        guard value["inForce"]?.boolValue == true, let categories = value["rules"]?["categories"]?.objectValue else {
            return "no equipment rules in force: put config/equipment-rules.json in place and send inspectd SIGHUP\n"
        }
        var table = TextTable(columns: [.init("category"), .init("first", alignment: .right), .init("interval", alignment: .right),
                                        .init("variants"), .init("grades")])
        for (key, rule) in categories.members where key != "$comment" {
            let label = EquipmentCategory(rawValue: key).map { "\(key) \($0.label)" } ?? key
            let variants = (rule["variants"]?.objectValue?.members ?? []).filter { $0.key != "$comment" }.map { member -> String in
                member.value["intervalMonths"].map { "\(member.key) \(scalarText($0))" } ?? member.key
            }.joined(separator: ", ")
            let grades = (rule["grades"]?.objectValue?.members ?? []).filter { $0.key != "$comment" }.map { member -> String in
                member.value["intervalMonths"].map { "\(member.key):\(scalarText($0))" } ?? "\(member.key):not usable"
            }.joined(separator: " ")
            table.addRow([label, rule["firstMonths"].map(scalarText) ?? "", rule["intervalMonths"].map(scalarText) ?? "", variants, grades])
        }
        return "rules in force since seq \(value["seq"].map(scalarText) ?? "?"), sha256 \(value["sha256"].map(scalarText) ?? "?")\n"
            + "intervals in months\n" + table.render() + "\n"
    }
}
