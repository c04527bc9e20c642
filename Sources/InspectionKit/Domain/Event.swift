/// One journal entry as the domain sees it: the fields `apply` needs.
///
/// The journal line also carries `prev` (the hash chain); that is the Journal
/// module's business, not the domain's.
public struct Event: Sendable {
    /// 1-based, gap-free position in the journal.
    public var seq: Int
    /// The daemon's clock when the event was appended.
    public var at: Timestamp
    /// Dotted lower-case name, see `EventType`.
    public var type: String
    /// `uid:N/name` of the caller, or `system`.
    public var actor: String
    public var data: JSONObject

    public init(seq: Int, at: Timestamp, type: String, actor: String, data: JSONObject) {
        self.seq = seq
        self.at = at
        self.type = type
        self.actor = actor
        self.data = data
    }
}

/// The event types written to the journal (SPEC §11). A type's meaning never changes
/// once written: a new shape gets a new type or a version field.
public enum EventType {
    /// An administrator's note (also the write path that exercises durability).
    public static let journalAnnotated = "journal.annotated"
    /// Start-up recovery moved a torn last line aside (SPEC §4).
    public static let journalTailRepaired = "journal.tail-repaired"
    /// A CSV import finished: `{"kind","file","sha256","encoding","rows","changed"}`; the
    /// row events precede it. Lets an auditor tie a batch of changes to the file.
    public static let csvImported = "csv.imported"
}

/// An event a command wants appended; the journal assigns seq, time, actor and `prev`.
public struct NewEvent: Sendable, Equatable {
    public var type: String
    public var data: JSONObject

    public init(_ type: String, _ data: JSONObject) {
        self.type = type
        self.data = data
    }
}
