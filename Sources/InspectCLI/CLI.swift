import ControlProtocol
import Foundation
import InspectionKit
import Platform

/// `inspectctl NOUN VERB [ARGS] [--json]` → protocol command `NOUN.VERB` (SPEC §5).
public enum CLI {
    /// Exit codes (SPEC §5).
    public enum Exit {
        public static let ok: Int32 = 0
        public static let errorResponse: Int32 = 1
        public static let usage: Int32 = 2
        public static let unreachable: Int32 = 3
    }

    public static func main(arguments: [String] = CommandLine.arguments) -> Never {
        Sys.ignoreSignal(SIGPIPE)
        Sys.exit(run(Array(arguments.dropFirst())))
    }

    /// Runs one invocation and returns its exit code (tests call this directly).
    public static func run(_ arguments: [String]) -> Int32 {
        var global = GlobalOptions()
        var words: [String] = []
        var index = 0
        while index < arguments.count {
            let arg = arguments[index]
            switch arg {
            case "--json": global.json = true
            case "-h", "--help": global.help = true
            case "help" where words.isEmpty: global.help = true
            case "--socket":
                guard index + 1 < arguments.count else { return usageError("--socket needs a path") }
                index += 1
                global.socket = arguments[index]
            default:
                if arg.hasPrefix("--socket=") { global.socket = String(arg.dropFirst(9)) } else { words.append(arg) }
            }
            index += 1
        }
        if words.first == "audit" {
            // The audit tools take their own options and pass the rest to a query.
            guard words.count >= 2, !global.help else {
                print(Audit.usage)
                return global.help ? Exit.ok : Exit.usage
            }
            let verbIndex = arguments.firstIndex(of: words[1])!
            let rest = arguments[(verbIndex + 1)...].filter { $0 != "--json" }
            return Audit.run(words[1], Array(rest), json: global.json)
        }
        if words.isEmpty {
            print(CommandTable.overview, terminator: "")
            return global.help ? Exit.ok : Exit.usage
        }
        guard let (spec, consumed) = CommandTable.find(words) else {
            let nouns = Set(CommandTable.all.map { $0.words[0] })
            if nouns.contains(words[0]) && words.count == 1 {
                print(CommandTable.nounHelp(words[0]), terminator: "")
                return global.help ? Exit.ok : Exit.usage
            }
            if nouns.contains(words[0]) {
                let verbs = CommandTable.all.filter { $0.words[0] == words[0] && $0.words.count > 1 }.map { $0.words[1] }
                return usageError("unknown command \"\(words.prefix(2).joined(separator: " "))\"; \(words[0]) takes: \(verbs.joined(separator: ", "))")
            }
            return usageError("unknown command \"\(words[0])\"; run `inspectctl --help` for the list")
        }
        if global.help {
            print(spec.help, terminator: "")
            return Exit.ok
        }
        let invocation: ParsedInvocation
        do {
            invocation = try parse(Array(words.dropFirst(consumed)), spec: spec, global: global)
        } catch {
            return usageError("\(error.message)\nusage: \(spec.usage)")
        }
        if let offline = spec.offline, invocation.local["journal"] != nil {
            return offline(invocation)
        }
        if spec.command == "journal.follow" { return follow(invocation) }
        return send(invocation)
    }

    struct UsageError: Error { var message: String }

    static func parse(_ words: [String], spec: CommandSpec, global: GlobalOptions) throws(UsageError) -> ParsedInvocation {
        var args = JSONObject()
        var local: [String: [String]] = [:]
        var positionals: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if word.hasPrefix("--"), word.count > 2 {
                var name = String(word.dropFirst(2))
                var inline: String?
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                guard let option = spec.options.first(where: { $0.name == name }) else {
                    let known = spec.options.map { "--" + $0.name }.joined(separator: ", ")
                    throw UsageError(message: "unknown option --\(name)" + (known.isEmpty ? "" : " (known: \(known))"))
                }
                if option.kind == .flag {
                    args[option.key] = true
                } else {
                    let value: String
                    if let inline { value = inline } else {
                        guard index + 1 < words.count else { throw UsageError(message: "--\(name) needs a value") }
                        index += 1
                        value = words[index]
                    }
                    if ["journal", "out"].contains(option.name) {
                        local[option.name, default: []].append(value)
                    } else if option.key.hasPrefix("$") {
                        local[option.key, default: []].append(value)
                    } else {
                        args[option.key] = try convert(value, kind: option.kind, name: "--\(name)")
                    }
                }
            } else {
                positionals.append(word)
            }
            index += 1
        }
        var cursor = 0
        for p in spec.positionals {
            if p.rest {
                guard cursor < positionals.count else {
                    if p.optional { continue }
                    throw UsageError(message: "missing \(p.name)")
                }
                if p.key.hasPrefix("$") {
                    local[p.key] = Array(positionals[cursor...])
                } else {
                    args[p.key] = .string(positionals[cursor...].joined(separator: " "))
                }
                cursor = positionals.count
                continue
            }
            guard cursor < positionals.count else {
                if p.optional { continue }
                throw UsageError(message: "missing \(p.name)")
            }
            let value = positionals[cursor]
            cursor += 1
            if p.key.hasPrefix("$") { local[p.key] = [value] } else { args[p.key] = try convert(value, kind: p.kind, name: p.name) }
        }
        if cursor < positionals.count {
            throw UsageError(message: "unexpected argument \"\(positionals[cursor])\"")
        }
        return ParsedInvocation(spec: spec, args: args, global: global, local: local)
    }

    static func convert(_ text: String, kind: CommandSpec.ValueKind, name: String) throws(UsageError) -> JSONValue {
        switch kind {
        case .string: return .string(text)
        case .flag: return true
        case .int:
            guard let n = Int(text) else { throw UsageError(message: "\(name) must be a whole number; got \"\(text)\"") }
            return .int(n)
        case .duration:
            guard let seconds = parseDuration(text) else {
                throw UsageError(message: "\(name) must be seconds or a duration like 90s, 15m, 12h, 30d; got \"\(text)\"")
            }
            return .int(seconds)
        case .list:
            return .array(text.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
        case .json:
            do { return try JSONValue.parse(text) } catch {
                throw UsageError(message: "\(name) is not valid JSON: \(error)")
            }
        }
    }

    /// `90`, `90s`, `15m`, `12h`, `30d`, `2w` → seconds.
    static func parseDuration(_ text: String) -> Int? {
        if let n = Int(text), n >= 0 { return n }
        guard let unit = text.last, let n = Int(text.dropLast()), n >= 0 else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86_400
        case "w": return n * 7 * 86_400
        default: return nil
        }
    }

    static func usageError(_ message: String) -> Int32 {
        Sys.writeStandardError("inspectctl: \(message)")
        return Exit.usage
    }

    static func socketPath(_ global: GlobalOptions) -> String {
        global.socket ?? ProcessInfo.processInfo.environment["INSPECTD_SOCKET"] ?? "journal/inspectd.sock"
    }

    static func connect(_ global: GlobalOptions) -> ControlClient? {
        let path = socketPath(global)
        do {
            return try ControlClient(socketPath: path)
        } catch {
            var hint = "Is inspectd running? Start it with `.build/release/inspectd` from the repository, or pass --socket PATH / set INSPECTD_SOCKET."
            if error.errno == EACCES { hint = "Permission denied: the socket is mode 0660; ask for membership in the daemon's group." }
            Sys.writeStandardError("inspectctl: cannot reach inspectd at \(path): \(error.description). \(hint)")
            return nil
        }
    }

    static func send(_ invocation: ParsedInvocation) -> Int32 {
        var command = invocation.spec.command
        var args = invocation.args
        do {
            try LocalArguments.apply(command: command, args: &args, local: invocation.local)
        } catch {
            return usageError(error.message)
        }
        if command.isEmpty {   // `call`
            command = invocation.local["$cmd"]?.first ?? ""
            if let raw = invocation.local["$args"]?.first {
                guard let parsed = try? JSONValue.parse(raw), let object = parsed.objectValue else {
                    return usageError("ARGS-JSON must be a JSON object, e.g. '{\"from\":1}'")
                }
                args = object
            }
        }
        guard let client = connect(invocation.global) else { return Exit.unreachable }
        let response: Response
        do {
            response = try client.call(command, args)
        } catch {
            Sys.writeStandardError("inspectctl: lost the connection to inspectd: \(error)")
            return Exit.unreachable
        }
        switch response.outcome {
        case .success(let result):
            if invocation.global.json || invocation.spec.command.isEmpty {
                print(result.prettyPrinted())
            } else if invocation.local["out"] != nil && command == "task.pool" {
                // The file is the output.
            } else {
                let text = invocation.spec.render(result, RenderContext(command: command))
                if !text.isEmpty { print(text, terminator: text.hasSuffix("\n") ? "" : "\n") }
            }
            if let out = invocation.local["out"]?.last {
                do {
                    if command == "task.pool" {
                        try Render.poolFile(result, RenderContext(command: command)).write(toFile: out, atomically: true, encoding: .utf8)
                    } else {
                        try PublicationCSV.write(result, to: out)
                    }
                    Sys.writeStandardError("inspectctl: wrote \(out)")
                } catch {
                    Sys.writeStandardError("inspectctl: the daemon answered, but \(out) could not be written: \(error)")
                    return Exit.errorResponse
                }
            }
            if invocation.spec.command == "journal.verify", result["ok"]?.boolValue == false { return Exit.errorResponse }
            return Exit.ok
        case .failure(let error):
            if invocation.global.json {
                print(JSONValue.object(["error": ["code": .string(error.code.rawValue), "message": .string(error.message)]]).prettyPrinted())
            }
            Sys.writeStandardError("inspectctl: \(error.code.rawValue): \(error.message)")
            return Exit.errorResponse
        }
    }

    /// `journal follow`: prints raw lines until the daemon or the user ends it.
    static func follow(_ invocation: ParsedInvocation) -> Int32 {
        guard let client = connect(invocation.global) else { return Exit.unreachable }
        do {
            try client.sendLine(Request(id: "follow", cmd: "journal.follow", args: invocation.args).encoded())
            guard let first = try client.readLine() else {
                Sys.writeStandardError("inspectctl: inspectd closed the connection")
                return Exit.unreachable
            }
            let ack = try Response.parse(first)
            if case .failure(let error) = ack.outcome {
                Sys.writeStandardError("inspectctl: \(error.code.rawValue): \(error.message)")
                return Exit.errorResponse
            }
            while let line = try client.readLine() {
                try Sys.writeAll(1, line + [10])   // unbuffered: a pipe sees each line at once
            }
            return Exit.ok
        } catch {
            Sys.writeStandardError("inspectctl: \(error)")
            return Exit.unreachable
        }
    }
}
