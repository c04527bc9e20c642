/// A place named values come from — a request's `args` or a CSV row — so one
/// validation serves both `entity.register` and `entity.import`.
protocol FieldSource {
    /// The trimmed text of `name`, or nil when absent (an absent field keeps the old value on update).
    func text(_ name: String) -> String?
    /// A list: a JSON array, or in CSV text separated by `;`, `；`, `、` or `|`.
    func list(_ name: String) -> [String]?
}

/// A field that failed validation; callers turn it into a protocol or CSV error.
struct FieldError: Error {
    var field: String
    var reason: String

    func commandError(_ command: String) -> CommandError {
        .badRequest("\(command): \"\(field)\" \(reason)")
    }

    func rowError(_ row: CSVRow) -> CSVRowError {
        row.error(field, reason)
    }
}

extension Arguments: FieldSource {
    func text(_ name: String) -> String? {
        guard let value = object[name], !value.isNull else { return nil }
        switch value {
        case .string(let s): return s.trimmingCharacters(in: .whitespacesAndNewlines)
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    func list(_ name: String) -> [String]? {
        guard let value = object[name], !value.isNull else { return nil }
        if let items = value.arrayValue { return items.compactMap(\.stringValue).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty } }
        if let text = value.stringValue { return splitList(text) }
        return nil
    }
}

extension CSVRow: FieldSource {
    func text(_ name: String) -> String? { has(name) ? value(name) : nil }
    func list(_ name: String) -> [String]? { has(name) ? splitList(value(name)) : nil }
}

func splitList(_ text: String) -> [String] {
    text.split(whereSeparator: { ";；、|,，".contains($0) }).map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
}

/// Validation of directory records from any field source.
enum DirectoryInput {
    static func uscc(_ text: String, field: String) throws(FieldError) -> String {
        if let error = USCC.validate(text) { throw FieldError(field: field, reason: error.message) }
        return text
    }

    static func required(_ source: some FieldSource, _ name: String, existing: String?) throws(FieldError) -> String {
        if let value = source.text(name) {
            guard !value.isEmpty else { throw FieldError(field: name, reason: "is empty; a value is required") }
            return value
        }
        if let existing { return existing }
        throw FieldError(field: name, reason: "is missing; a value is required")
    }

    /// An entity from `source`, starting from `existing` for updates.
    static func entity(_ source: some FieldSource, existing: Entity?) throws(FieldError) -> Entity {
        let id = try uscc(try required(source, "id", existing: existing?.id), field: "id")
        var entity = existing ?? Entity(id: id, name: "")
        entity.name = try required(source, "name", existing: existing?.name)
        if let text = source.text("kind"), !text.isEmpty {
            guard let kind = EntityKind(text: text) else {
                throw FieldError(field: "kind", reason: "is \"\(text)\"; expected enterprise/企业, individual/个体工商户 or cooperative/农民专业合作社")
            }
            entity.kind = kind
        }
        if let v = source.text("industry") { entity.industry = v }
        if let v = source.text("region") { entity.region = v }
        if let v = source.text("address") { entity.address = v }
        if let text = source.text("risk") {
            guard let risk = RiskClass.parse(text) else {
                throw FieldError(field: "risk", reason: "is \"\(text)\"; expected A (低), B (一般), C (较高), D (高) or empty")
            }
            entity.risk = risk
        }
        if let tags = source.list("tags") {
            // Tags are labels: a control character in one (only a JSON request can send it)
            // would be invisible in every table, and U+001F is the snapshot's tag separator.
            if let bad = tags.first(where: { $0.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) } }) {
                throw FieldError(field: "tags", reason: "has the tag \(JSONValue.string(bad).serialized()) with a control character; tags are plain text")
            }
            entity.tags = tags
        }
        if let text = source.text("status") {
            guard let status = EntityStatus(text: text) else {
                throw FieldError(field: "status", reason: "is \"\(text)\"; expected active (存续), deregistered (注销) or revoked (吊销)")
            }
            entity.status = status
        }
        return entity
    }

    static func inspector(_ source: some FieldSource, existing: Inspector?) throws(FieldError) -> Inspector {
        let id = try required(source, "id", existing: existing?.id)
        guard id.count <= 64, !id.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw FieldError(field: "id", reason: "\"\(id)\" must be the 执法证号 without spaces or slashes")
        }
        var inspector = existing ?? Inspector(id: id, name: "", department: "")
        inspector.name = try required(source, "name", existing: existing?.name)
        inspector.department = try required(source, "department", existing: existing?.department)
        if let v = source.text("unit") { inspector.unit = v }
        if let q = source.list("qualifications") { inspector.qualifications = Array(Set(q)).sorted() }
        if let text = source.text("active") {
            switch text.lowercased() {
            case "true", "yes", "1", "是", "在岗", "": inspector.active = true
            case "false", "no", "0", "否", "离岗", "停用": inspector.active = false
            default: throw FieldError(field: "active", reason: "is \"\(text)\"; expected true/false (是/否)")
            }
        }
        return inspector
    }

    static func item(_ source: some FieldSource, existing: InspectionItem?) throws(FieldError) -> InspectionItem {
        let code = try required(source, "code", existing: existing?.code)
        var item = existing ?? InspectionItem(code: code, name: "", department: "")
        item.name = try required(source, "name", existing: existing?.name)
        item.department = try required(source, "department", existing: existing?.department)
        if let v = source.text("basis") { item.basis = v }
        if let text = source.text("method"), !text.isEmpty {
            guard let method = InspectionMethod(text: text) else {
                throw FieldError(field: "method", reason: "is \"\(text)\"; expected on-site (现场检查), documentary (书面检查) or online (网络检查)")
            }
            item.method = method
        }
        if let v = source.text("qualification") { item.qualification = v }
        return item
    }
}
