import InspectionKit

/// Every `inspectctl` command. Feature areas add their rows here.
enum CommandTable {
    static let all: [CommandSpec] = core + directory + tasks + equipment

    static let core: [CommandSpec] = [
        CommandSpec(words: ["status"], command: "status",
                    summary: "Show the daemon's version, journal (events, bytes, chain head), clock, socket and warnings.",
                    render: Render.status),
        CommandSpec(words: ["commands"], command: "commands",
                    summary: "List every protocol command with the roles it needs.",
                    render: Render.commands),
        CommandSpec(words: ["journal", "verify"], command: "journal.verify",
                    summary: "Check every journal line: JSON, seq and the SHA-256 hash chain. Prints the event count and the head hash to publish.",
                    options: [.init(name: "journal", key: "dir", help: "verify the files in DIR directly (no daemon needed)")],
                    details: "Exit status: 0 when the journal is intact, 1 when damage was found (the first bad line is named).",
                    render: Render.verify, offline: OfflineTools.verify),
        CommandSpec(words: ["journal", "head"], command: "journal.head",
                    summary: "Print the number of events and the chain head (SHA-256 of the last line).",
                    render: Render.keyValues),
        CommandSpec(words: ["journal", "follow"], command: "journal.follow",
                    summary: "Stream journal lines from seq N (default 1), then new ones as they are appended, until interrupted.",
                    options: [.init(name: "from", key: "from", kind: .int, help: "first seq to send (default 1)")],
                    details: "Lines are printed exactly as stored (one JSON object per line), so the output can be piped to a file, jq or a log shipper."),
        CommandSpec(words: ["journal", "annotate"], command: "journal.annotate",
                    summary: "Append an administrator's note to the journal (event journal.annotated). Needs role admin.",
                    positionals: [.init(name: "TEXT", key: "text", rest: true)],
                    render: Render.appended),
        CommandSpec(words: ["journal", "annotations"], command: "journal.annotations",
                    summary: "Show the most recent administrator notes.",
                    options: [.init(name: "limit", key: "limit", kind: .int, help: "how many (default 20)")],
                    render: Render.annotations),
        CommandSpec(words: ["clock", "set"], command: "clock.set",
                    summary: "Set the simulated clock (only when inspectd runs with --simulated-clock). Time-driven work runs up to the new time before this returns.",
                    positionals: [.init(name: "TIME", key: "time")],
                    details: "TIME is RFC 3339 (2026-03-01T09:00:00+08:00), a date (2026-03-01, start of day in the bureau's zone) or a local time (2026-03-01T09:00).",
                    render: Render.keyValues),
        CommandSpec(words: ["clock", "advance"], command: "clock.advance",
                    summary: "Advance the simulated clock by a duration: seconds, or 90s / 15m / 12h / 30d.",
                    positionals: [.init(name: "DURATION", key: "seconds", kind: .duration)],
                    render: Render.keyValues),
        CommandSpec(words: ["call"], command: "",
                    summary: "Send any protocol command: inspectctl call CMD ['{\"arg\":…}']. Prints the result as JSON.",
                    positionals: [.init(name: "CMD", key: "$cmd"), .init(name: "ARGS-JSON", key: "$args", kind: .json, optional: true)]),
    ]

    static func find(_ words: [String]) -> (CommandSpec, consumed: Int)? {
        var best: (CommandSpec, Int)?
        for spec in all where words.count >= spec.words.count && Array(words.prefix(spec.words.count)) == spec.words {
            if best == nil || spec.words.count > best!.1 { best = (spec, spec.words.count) }
        }
        return best
    }

    /// `inspectctl NOUN --help`: the verbs of one noun.
    static func nounHelp(_ noun: String) -> String {
        var text = "usage: inspectctl \(noun) VERB [ARGS…] [--json]\n\nverbs:\n"
        let specs = all.filter { $0.words[0] == noun }
        let width = specs.map { $0.words.joined(separator: " ").count }.max() ?? 10
        for spec in specs {
            let firstSentence = spec.summary.components(separatedBy: ". ").first ?? spec.summary
            text += "  " + spec.words.joined(separator: " ").padding(toLength: width + 2, withPad: " ", startingAt: 0) + firstSentence + "\n"
        }
        text += "\nRun `inspectctl \(noun) VERB --help` for one command's arguments.\n"
        return text
    }

    static var overview: String {
        var text = """
            usage: inspectctl [--socket PATH] [--json] NOUN VERB [ARGS…]

            Talks to inspectd over its Unix socket (default journal/inspectd.sock, or $INSPECTD_SOCKET).
            Exit status: 0 ok, 1 the daemon answered with an error, 2 usage error, 3 daemon unreachable.

            commands:

            """
        let width = all.map { $0.words.joined(separator: " ").count }.max() ?? 10
        for spec in all {
            let name = spec.words.joined(separator: " ")
            let firstSentence = spec.summary.components(separatedBy: ". ").first ?? spec.summary
            text += "  " + name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + firstSentence + "\n"
        }
        text += "  " + "audit replay|draws|pool".padding(toLength: max(width, 23) + 2, withPad: " ", startingAt: 0) + "offline audit of a journal file (inspectctl audit --help)\n"
        text += "\nRun `inspectctl NOUN VERB --help` for one command's arguments.\n"
        return text
    }
}
