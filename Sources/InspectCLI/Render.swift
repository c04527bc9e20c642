import InspectionKit

/// Human renderings of results (tables are CJK-width aware). `--json` bypasses these.
enum Render {
    /// Objects as aligned `key  value` lines (nested keys dotted); arrays of objects as tables.
    static func generic(_ value: JSONValue, _ context: RenderContext) -> String {
        switch value {
        case .object(let object):
            var scalars: [(String, String)] = []
            var tables: [String] = []
            flatten(object, prefix: "", into: &scalars, tables: &tables)
            var out = keyValueTable(scalars)
            for t in tables { out += (out.isEmpty ? "" : "\n") + t }
            return out
        case .array(let items):
            return table(items) ?? items.map(scalarText).joined(separator: "\n")
        default:
            return scalarText(value)
        }
    }

    static func flatten(_ object: JSONObject, prefix: String, into rows: inout [(String, String)], tables: inout [String]) {
        for (key, value) in object.members {
            let name = prefix.isEmpty ? key : prefix + "." + key
            switch value {
            case .object(let inner) where !inner.isEmpty:
                flatten(inner, prefix: name, into: &rows, tables: &tables)
            case .array(let items) where !items.isEmpty && items.allSatisfy({ $0.objectValue != nil }):
                tables.append("\(name):\n" + (table(items) ?? ""))
            default:
                rows.append((name, scalarText(value)))
            }
        }
    }

    static func keyValueTable(_ rows: [(String, String)]) -> String {
        guard !rows.isEmpty else { return "" }
        let width = rows.map { displayWidth($0.0) }.max() ?? 0
        return rows.map { key, value in
            key + String(repeating: " ", count: width - displayWidth(key) + 2) + value
        }.joined(separator: "\n") + "\n"
    }

    /// A table from an array of objects, columns in first-seen key order.
    static func table(_ items: [JSONValue], columns preferred: [String]? = nil, rightAligned: Set<String> = []) -> String? {
        let objects = items.compactMap(\.objectValue)
        guard objects.count == items.count else { return nil }
        if objects.isEmpty { return "(none)\n" }
        var keys = preferred ?? []
        if preferred == nil {
            for object in objects { for key in object.keys where !keys.contains(key) { keys.append(key) } }
        }
        var table = TextTable(columns: keys.map {
            TextTable.Column($0, alignment: rightAligned.contains($0) ? .right : .left, maxWidth: 60)
        })
        for object in objects { table.addRow(keys.map { object[$0].map(scalarText) ?? "" }) }
        let text = table.render()
        return text.hasSuffix("\n") ? text : text + "\n"
    }

    static func scalarText(_ value: JSONValue) -> String {
        switch value {
        case .null: return "—"
        case .bool(let b): return b ? "yes" : "no"
        case .number(let n): return n
        case .string(let s): return s
        case .array(let items): return items.map(scalarText).joined(separator: ", ")
        case .object: return value.serialized()
        }
    }

    static func keyValues(_ value: JSONValue, _ context: RenderContext) -> String { generic(value, context) }

    static func status(_ value: JSONValue, _ context: RenderContext) -> String {
        guard case .object(var object) = value else { return generic(value, context) }
        let warnings = object["warnings"]?.arrayValue ?? []
        object["warnings"] = nil
        var out = generic(.object(object), context)
        if warnings.isEmpty {
            out += "warnings  none\n"
        } else {
            for w in warnings { out += "WARNING: \(scalarText(w))\n" }
        }
        return out
    }

    static func verify(_ value: JSONValue, _ context: RenderContext) -> String {
        if value["ok"]?.boolValue == true {
            return """
                journal OK: \(scalarText(value["events"] ?? .null)) events, \(scalarText(value["bytes"] ?? .null)) bytes
                head \(scalarText(value["head"] ?? .null))

                """
        }
        return "journal DAMAGED: \(scalarText(value["damage"] ?? .null))\n\(scalarText(value["events"] ?? .null)) events before it verified\n"
    }

    static func appended(_ value: JSONValue, _ context: RenderContext) -> String {
        if let seq = value["seq"]?.intValue { return "recorded as seq \(seq)" }
        return generic(value, context)
    }

    static func commands(_ value: JSONValue, _ context: RenderContext) -> String {
        table(value["commands"]?.arrayValue ?? [], columns: ["name", "roles", "summary"]) ?? ""
    }

    static func annotations(_ value: JSONValue, _ context: RenderContext) -> String {
        table(value["annotations"]?.arrayValue ?? [], columns: ["seq", "at", "actor", "text"], rightAligned: ["seq"]) ?? ""
    }
}

extension Render {
    static func imported(_ value: JSONValue, _ context: RenderContext) -> String {
        let rows = scalarText(value["rows"] ?? 0)
        let changed = scalarText(value["changed"] ?? 0)
        let unchanged = scalarText(value["unchanged"] ?? 0)
        var text = "imported \(scalarText(value["file"] ?? "")) (\(scalarText(value["encoding"] ?? ""))): \(rows) rows, \(changed) changed, \(unchanged) unchanged"
        if let events = value["events"]?.objectValue, !events.isEmpty {
            text += " — " + events.members.map { "\($0.value.serialized()) \($0.key)" }.joined(separator: ", ")
        }
        return text + "\nsha256 \(scalarText(value["sha256"] ?? "")), last seq \(scalarText(value["seq"] ?? ""))\n"
    }

    static func taskCreated(_ value: JSONValue, _ context: RenderContext) -> String {
        var text = "created \(scalarText(value["task"] ?? "")): pool \(scalarText(value["poolSize"] ?? 0)) entities, \(scalarText(value["picks"] ?? 0)) to draw\n"
        text += table(value["strata"]?.arrayValue ?? [], columns: ["ordinal", "size", "k", "sha256"], rightAligned: ["ordinal", "size", "k"]) ?? ""
        return text
    }

    static func drawn(_ value: JSONValue, _ context: RenderContext) -> String {
        var text = "drew \(scalarText(value["targets"] ?? 0)) entities for \(scalarText(value["task"] ?? ""))\nkey \(scalarText(value["key"] ?? ""))\n"
        text += table(value["teams"]?.arrayValue ?? [], columns: ["n", "entity", "inspectors", "excludedForConflict"], rightAligned: ["n"]) ?? ""
        return text
    }

    static func task(_ value: JSONValue, _ context: RenderContext) -> String {
        guard case .object(var o) = value else { return generic(value, context) }
        let targets = o["targets"]?.arrayValue
        let strata = o["strata"]?.arrayValue ?? []
        o["targets"] = nil
        o["strata"] = nil
        var text = generic(.object(o), context)
        text += "\nstrata:\n" + (table(strata, columns: ["ordinal", "size", "k", "sha256"], rightAligned: ["ordinal", "size", "k"]) ?? "")
        if let targets {
            text += "\ntargets:\n" + (table(targets, columns: ["n", "entity", "name", "team", "result", "date", "publishBy", "published"], rightAligned: ["n"]) ?? "")
        }
        return text
    }

    static func published(_ value: JSONValue, _ context: RenderContext) -> String {
        var text = ""
        if let n = value["published"] { text = "published \(scalarText(n)) result(s) of \(scalarText(value["task"] ?? ""))\n" }
        return text + (table(value["rows"]?.arrayValue ?? [], columns: ["entity", "uscc", "date", "outcome", "authority"]) ?? "")
    }
}

extension Render {
    /// The pool file: `# inspectd pool …` header, then per stratum a `# stratum …` line
    /// and its ids one per line, in frozen (byte) order.
    static func poolFile(_ value: JSONValue, _ context: RenderContext) -> String {
        var text = "# inspectd pool \(scalarText(value["task"] ?? "")) method \(scalarText(value["method"] ?? ""))"
        if let key = value["key"]?.stringValue { text += " key \(key)" }
        text += "\n"
        for s in value["strata"]?.arrayValue ?? [] {
            text += "# stratum \(scalarText(s["ordinal"] ?? 0)) size \(scalarText(s["size"] ?? 0)) k \(scalarText(s["k"] ?? 0)) sha256 \(scalarText(s["sha256"] ?? ""))\n"
            for id in s["ids"]?.arrayValue ?? [] { text += (id.stringValue ?? "") + "\n" }
        }
        return text
    }
}
