/// Where a journal directory keeps its files (SPEC §3).
public struct JournalPaths: Sendable, Equatable {
    public let directory: String

    public init(directory: String) {
        var dir = directory
        while dir.count > 1, dir.hasSuffix("/") { dir.removeLast() }
        self.directory = dir
    }

    public var events: String { directory + "/events.jsonl" }
    public var lock: String { directory + "/LOCK" }
    public var defaultSocket: String { directory + "/inspectd.sock" }
    public var snapshots: String { directory + "/snapshots" }

    /// Where a torn tail found at `stamp` (UTC, `YYYYMMDDTHHMMSSZ`) is quarantined.
    public func tornTail(stamp: String) -> String { events + ".torn-" + stamp }
}
