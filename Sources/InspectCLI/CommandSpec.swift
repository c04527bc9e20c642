import Foundation
import InspectionKit

/// One `inspectctl NOUN VERB` form: how its words map onto a protocol command's args.
struct CommandSpec: Sendable {
    /// A positional word, e.g. the TEXT of `journal annotate TEXT`.
    struct Positional: Sendable {
        var name: String
        var key: String
        var kind: ValueKind = .string
        var optional = false
        /// Takes every remaining word (joined with spaces).
        var rest = false
    }

    /// An option `--name VALUE` (or a flag `--name` when kind is `.flag`).
    struct Option: Sendable {
        var name: String
        var key: String
        var kind: ValueKind = .string
        var help: String

        /// What the value is called in usage lines: the option's name in capitals.
        var placeholder: String { name.uppercased().replacingOccurrences(of: "-", with: "_") }
    }

    enum ValueKind: Sendable {
        case string, int, flag, duration
        /// A JSON value as written (arrays, objects).
        case json
        /// A comma-separated list of strings.
        case list
    }

    var words: [String]
    var command: String
    var summary: String
    var positionals: [Positional] = []
    var options: [Option] = []
    var details: String = ""
    /// How the result is shown without `--json`.
    var render: @Sendable (JSONValue, RenderContext) -> String = Render.generic
    /// Set for commands that run here without a daemon.
    var offline: (@Sendable (ParsedInvocation) -> Int32)?

    var usage: String {
        var parts = ["inspectctl"] + words
        for p in positionals {
            let name = p.rest ? p.name + "…" : p.name
            parts.append(p.optional ? "[\(name)]" : name)
        }
        for o in options { parts.append(o.kind == .flag ? "[--\(o.name)]" : "[--\(o.name) \(o.placeholder)]") }
        parts.append("[--json]")
        return parts.joined(separator: " ")
    }

    var help: String {
        var text = "usage: \(usage)\n\n\(summary)\n"
        if !options.isEmpty {
            text += "\noptions:\n"
            for o in options {
                let flag = o.kind == .flag ? "--\(o.name)" : "--\(o.name) \(o.placeholder)"
                text += "  " + flag.padding(toLength: max(24, flag.count + 2), withPad: " ", startingAt: 0) + o.help + "\n"
            }
        }
        if !details.isEmpty { text += "\n" + details + "\n" }
        text += "\nProtocol command: \(command) (see `inspectctl commands`). Global options: --json, --socket PATH.\n"
        return text
    }
}

/// What the words of an invocation resolved to.
struct ParsedInvocation: Sendable {
    var spec: CommandSpec
    var args: JSONObject
    var global: GlobalOptions
    /// Options that stay on this side (e.g. `--journal DIR` for offline tools, `--out FILE`).
    var local: [String: [String]]
}

struct GlobalOptions: Sendable {
    var json = false
    var socket: String?
    var help = false
}

struct RenderContext: Sendable {
    var command: String
}
