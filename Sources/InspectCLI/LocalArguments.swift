import Foundation
import InspectionKit

/// Client-side words that become protocol args: files to read, repeated options,
/// shorthand like `--ratios A=0.01,B=0.03`.
enum LocalArguments {
    static func apply(command: String, args: inout JSONObject, local: [String: [String]]) throws(CLI.UsageError) {
        if let file = local["$file"]?.first {
            // The daemon reads the file itself (streaming, all-or-nothing) and checks
            // that you could read it; it needs an absolute path.
            let path = URL(fileURLWithPath: file).standardizedFileURL.path
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw CLI.UsageError(message: "cannot read \(file)")
            }
            args["path"] = .string(path)
        }
        if command == "task.create" {
            if let spec = local["$spec"]?.last {
                guard let data = FileManager.default.contents(atPath: spec) else { throw CLI.UsageError(message: "cannot read \(spec)") }
                let parsed: JSONValue
                do { parsed = try JSONValue.parse(Array(data)) } catch { throw CLI.UsageError(message: "\(spec) is not valid JSON: \(error)") }
                guard let base = parsed.objectValue else { throw CLI.UsageError(message: "\(spec) must hold a JSON object (task.create's args)") }
                for (key, value) in args.members { _ = value; _ = key }
                var merged = base
                for member in args.members { merged[member.key] = member.value }
                args = merged
            }
            if let ratios = local["$ratios"]?.last {
                var object = JSONObject()
                for part in ratios.split(separator: ",") {
                    let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard pair.count == 2, (try? JSONValue.parse(pair[1]))?.doubleValue != nil else {
                        throw CLI.UsageError(message: "--ratios takes CLASS=RATIO pairs like A=0.01,B=0.03,C=0.10,D=0.30,none=0.05; got \"\(part)\"")
                    }
                    object[pair[0]] = .number(pair[1])
                }
                args["sampling"] = ["ratios": .object(object)]
            }
            if let count = local["$count"]?.last {
                guard let n = Int(count) else { throw CLI.UsageError(message: "--count must be a whole number") }
                args["sampling"] = ["count": .int(n)]
            }
            if let sources = local["$source"] { args["sources"] = .array(sources.map { .string($0) }) }
            var filter = args["filter"]?.objectValue ?? JSONObject()
            for key in ["region", "industry", "kind", "tag", "risk"] {
                if let values = local["$" + key] {
                    filter[key] = .array(values.flatMap { $0.split(separator: ",") }.map { .string($0.trimmingCharacters(in: .whitespaces)) })
                }
            }
            if !filter.isEmpty { args["filter"] = .object(filter) }
        }
        if command == "task.draw", let values = local["$values"], !values.isEmpty {
            args["sources"] = .array(values.map { .string($0) })
        }
    }
}

/// Writes the 公示 list (rows of `task.publish`/`task.publication`) as CSV: UTF-8 with a
/// BOM so that Excel and WPS open the Chinese text correctly.
enum PublicationCSV {
    static let columns: [(key: String, title: String)] = [
        ("entity", "企业名称"), ("uscc", "统一社会信用代码"), ("items", "抽查事项"), ("date", "检查日期"),
        ("outcome", "检查结果"), ("authority", "检查实施机关"), ("task", "任务编号"),
    ]

    static func write(_ result: JSONValue, to path: String) throws {
        var text = "\u{FEFF}" + columns.map(\.title).joined(separator: ",") + "\r\n"
        for row in result["rows"]?.arrayValue ?? [] {
            text += columns.map { quote(row[$0.key]?.stringValue ?? "") }.joined(separator: ",") + "\r\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func quote(_ field: String) -> String {
        var field = field
        // A cell starting with = + - @ (or a tab/CR) would be run as a formula by Excel
        // and WPS: the public list must never carry one. A leading apostrophe shows
        // the text as written.
        if let first = field.first, "=+-@\t\r".contains(first) { field = "'" + field }
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
