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
    /// The payload as read: usually the JSON object, for the hottest replay types the
    /// typed value the journal reader decoded it to.
    public var payload: EventPayload
    /// Replay's prefetch hint, set at `InspectionState.prefetch`'s first stage so that
    /// the later stages need not match the payload again (each match copied it). Not
    /// part of the event: never encoded or compared.
    var lookupHint = LookupHint.none

    /// The payload object (for a typed payload, the equal object rebuilt from it).
    public var data: JSONObject {
        get { payload.json }
        set { payload = .json(newValue) }
    }

    public init(seq: Int, at: Timestamp, type: String, actor: String, data: JSONObject) {
        self.init(seq: seq, at: at, type: type, actor: actor, payload: .json(data))
    }

    public init(seq: Int, at: Timestamp, type: String, actor: String, payload: EventPayload) {
        self.seq = seq
        self.at = at
        self.type = type
        self.actor = actor
        self.payload = payload
    }

    /// Moves the payload out, leaving an empty object in its place: matched as a
    /// temporary, its values are bound by moving them, where matching `payload` in place
    /// copies them (a retain and a later release per string). `apply` puts back what it
    /// did not keep, for replay's reader thread to free (see `PipelinedReplay`).
    mutating func takePayload() -> EventPayload {
        var taken = EventPayload.json(JSONObject())
        swap(&taken, &payload)
        return taken
    }
}

/// Moves `value` out of `place`, leaving `empty` there (an empty `String` or array owns
/// nothing, so the move costs no retain or release).
@inline(__always)
func take<T>(_ place: inout T, leaving empty: T) -> T {
    var taken = empty
    swap(&taken, &place)
    return taken
}

/// An event's `data`: the JSON object, or — for event types replay meets millions of
/// times — the typed value it stands for, decoded straight from the journal line's bytes
/// so that neither a JSON tree nor a second decoding step is needed.
///
/// A typed case is made only when its `json` is *equal* to the object the line holds
/// (same keys in the same order, same values), so nothing that reads `data` can tell
/// the difference; `JournalLineDecoderTests` holds the reader to that.
public enum EventPayload: Sendable, Equatable {
    case json(JSONObject)
    /// `entity.registered` / `entity.updated` in exactly the shape `Entity.json` writes.
    case entity(Entity)
    /// `equipment.inspected` in exactly the shape `EquipmentInspection.json` writes.
    case equipmentInspection(EquipmentInspection)
    /// `equipment.registered` in exactly the shape `EquipmentRegistration.json` writes.
    case equipmentRegistration(EquipmentRegistration)
    /// `reminder.issued` in exactly the shape `EquipmentReminder.json` writes.
    case equipmentReminder(EquipmentReminder)

    public var json: JSONObject {
        switch self {
        case .json(let object): return object
        case .entity(let entity): return entity.json
        case .equipmentInspection(let inspection): return inspection.json
        case .equipmentRegistration(let registration): return registration.json
        case .equipmentReminder(let reminder): return reminder.json
        }
    }

    public static func == (l: EventPayload, r: EventPayload) -> Bool { l.json == r.json }
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

/// Which table an event looks up and its key's hash (`StringIndex`): see
/// `Event.lookupHint`.
struct LookupHint {
    enum Table: UInt8 { case none, entities, units }
    var table: Table
    var hash: UInt64

    static let none = LookupHint(table: .none, hash: 0)
}
