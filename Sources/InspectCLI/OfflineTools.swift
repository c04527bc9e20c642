import InspectionKit
import Journal
import Platform

/// Commands that read journal files directly, with no daemon (auditors' tools).
enum OfflineTools {
    /// `journal verify --journal DIR`: JSON, seq and hash chain of every line.
    static func verify(_ invocation: ParsedInvocation) -> Int32 {
        let dir = invocation.local["journal"]?.last ?? "journal"
        let paths = JournalPaths(directory: dir)
        guard Sys.fileExists(paths.events) else {
            Sys.writeStandardError("inspectctl: no journal at \(paths.events) (pass --journal DIR, the directory holding events.jsonl)")
            return CLI.Exit.usage
        }
        let scan: JournalScan
        do {
            scan = try JournalReader.scan(path: paths.events)
        } catch {
            Sys.writeStandardError("inspectctl: cannot read \(paths.events): \(error)")
            return CLI.Exit.errorResponse
        }
        var result: JSONObject
        if let damage = scan.damage {
            result = ["ok": false, "events": .int(scan.count), "damage": .string(damage.description),
                      "line": .int(damage.line), "kind": .string(damage.kind.rawValue)]
            if let claimed = damage.claimedSeq { result["seq"] = .int(claimed) }
            if damage.isRepairableTornTail { result["hint"] = "only the last line is damaged: inspectd repairs a torn tail on start (it is moved to events.jsonl.torn-*)" }
        } else {
            result = ["ok": true, "events": .int(scan.count), "head": .string(scan.head), "bytes": .int(scan.validBytes)]
        }
        if invocation.global.json {
            print(JSONValue.object(result).prettyPrinted())
        } else {
            print(Render.verify(.object(result), RenderContext(command: "journal.verify")), terminator: "")
            if let hint = result["hint"]?.stringValue { print("note: \(hint)") }
        }
        return scan.damage == nil ? CLI.Exit.ok : CLI.Exit.errorResponse
    }
}
