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
    public var type: String {
        didSet { knownTypeNumber = -1 }
    }
    /// `uid:N/name` of the caller, or `system`.
    public var actor: String
    /// The payload as read: usually the JSON object, for the hottest replay types the
    /// typed value the journal reader decoded it to. Set through `data` outside this
    /// module, which drops `lookupHint` with the payload it was made from.
    public internal(set) var payload: EventPayload
    /// The lookup `apply` starts with, worked out ahead: by replay's reader thread
    /// (`prepareLookup`), where the key's bytes are in cache, or by the stage of
    /// `InspectionState.prefetch` that first meets the event. `apply` and the later prefetch stages use it instead of
    /// reading the key again (on the applier's core, each read of a key the reader had
    /// just written was a cache miss). Not part of the event: never encoded or compared.
    var lookupHint = LookupHint.unknown
    /// `type`'s place in `InspectionState.knownEventTypes`, or −1 if not known here. Set
    /// with the type by replay's decoder (`setType(_:knownNumber:)`), which finds the
    /// type's shared String in that list anyway, so that `apply` need not hash and compare
    /// the type again (`InspectionState.part(of:)`, 1.5 % of replay). Not part of the event.
    var knownTypeNumber: Int16 = -1

    /// The payload object (for a typed payload, the equal object rebuilt from it).
    public var data: JSONObject {
        get { payload.json }
        set {
            payload = .json(newValue)
            lookupHint = .unknown
        }
    }

    /// Sets the payload (and drops `lookupHint`, made from the one before): the journal
    /// reader decodes each line's payload into a reused event this way.
    public mutating func replacePayload(_ newPayload: consuming EventPayload) {
        payload = newPayload
        lookupHint = .unknown
    }

    /// `replacePayload` for a typed payload whose key (an entity's id, a unit's code) has
    /// the bytes `key`, with `lookupHint` worked out from them: the journal decoder has
    /// them in hand. Worked out from the payload afterwards (`prepareLookup`), matching
    /// the case bound a copy of it — a memcpy and a retain per string, 2 % of replay.
    /// Package access: only the journal decoder, which takes `key` from the payload's own
    /// bytes, may set a hint that `apply` then trusts (a debug build checks it).
    package mutating func replacePayload(_ newPayload: consuming EventPayload, key: UnsafeRawBufferPointer) {
        let table: LookupHint.Table
        switch newPayload {   // the case only: nothing bound, nothing copied
        case .compactEntity: table = .entities
        case .equipmentInspection, .equipmentInspectionLine, .equipmentRegistration, .equipmentReminder: table = .units
        case .json: table = .none
        }
        payload = newPayload
        lookupHint = table == .none ? LookupHint(table: .none, hash: 0) : LookupHint(table: table, hash: StringIndex.hash(key))
        assert({ let fromPayload = LookupHint(for: payload)
                 return fromPayload.table == lookupHint.table && fromPayload.hash == lookupHint.hash }(),
               "the key given is not the payload's")
    }

    /// Whether `lookupHint` is worked out (see `prepareLookup`).
    package var isLookupPrepared: Bool { lookupHint.table != .unknown }

    /// Sets `type` to `InspectionState.knownEventTypes[number]`, which is `type`.
    /// Package access: `apply` trusts the number, so only the journal decoder, which takes
    /// it from its own table of the known types, sets it (a debug build checks it).
    package mutating func setType(_ type: String, knownNumber number: Int) {
        assert(InspectionState.knownEventTypes.indices.contains(number) && InspectionState.knownEventTypes[number] == type,
               "\(type) is not known type \(number)")
        self.type = type
        knownTypeNumber = Int16(number)
    }

    /// Works out `lookupHint` now (see there): replay calls it on the thread that decoded
    /// the event.
    public mutating func prepareLookup() {
        let hint = LookupHint(for: payload)   // read first, then written: passing `self` copied the event
        lookupHint = hint
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

    /// Moves the payload out, leaving an empty object in its place, for `apply` to take
    /// its typed value without a copy and put back what it did not keep, for replay's
    /// reader thread to free (see `PipelinedReplay`). The form that compiles to a move:
    ///
    ///     var payload = event.takePayload()
    ///     if case .compactEntity(var entity) = payload {
    ///         payload = .json(JSONObject())   // the binding's retains and these releases cancel
    ///
    /// Bound in a `switch` on the taken payload instead, the value was copied (checked in
    /// the generated code: a retain per string, and a release when the payload died).
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
    /// `entity.registered` / `entity.updated` in exactly the shape `Entity.json` writes,
    /// its texts packed (`CompactEntity`).
    case compactEntity(CompactEntity)
    /// `equipment.inspected` in exactly the shape `EquipmentInspection.json` writes.
    case equipmentInspection(EquipmentInspection)
    /// The same with its texts inline (see `InspectionLine`): what replay's reader makes
    /// when they are plain and short.
    case equipmentInspectionLine(InspectionLine)
    /// `equipment.registered` in exactly the shape `EquipmentRegistration.json` writes.
    case equipmentRegistration(EquipmentRegistration)
    /// `reminder.issued` in exactly the shape `EquipmentReminder.json` writes.
    case equipmentReminder(EquipmentReminder)

    public var json: JSONObject {
        switch self {
        case .json(let object): return object
        case .compactEntity(let entity): return entity.json
        case .equipmentInspection(let inspection): return inspection.json
        case .equipmentInspectionLine(let line): return line.inspection.json
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

/// Which table an event's `apply` looks up first, and its key hashed as `StringIndex`
/// hashes it: see `Event.lookupHint`.
struct LookupHint {
    enum Table: UInt8 {
        /// Not worked out yet.
        case unknown
        /// No lookup (a payload replay does not read typed).
        case none
        case entities, units
    }
    var hash: UInt64
    var table: Table   // after the hash: `Event.knownTypeNumber` fits in the padding that follows

    static let unknown = LookupHint(table: .unknown, hash: 0)

    init(table: Table, hash: UInt64) {
        self.table = table
        self.hash = hash
    }

    init(table: Table, _ key: String) {
        self.init(table: table, hash: StringIndex.hash(key))
    }

    /// `borrowing`, so that matching the payload can't copy it (a retain per string).
    init(for payload: borrowing EventPayload) {
        switch payload {
        case .compactEntity(let entity):
            self.init(table: .entities, hash: entity.withID(StringIndex.hash))
        case .equipmentInspection(let inspection): self.init(table: .units, inspection.code)
        case .equipmentInspectionLine(let line):
            self.init(table: .units, hash: line.withCode(StringIndex.hash))
        case .equipmentReminder(let reminder): self.init(table: .units, reminder.equipment)
        case .equipmentRegistration(let registration):
            self.init(table: .units, hash: registration.texts.withCode(StringIndex.hash))
        case .json: self = .unknown; table = .none
        }
    }
}
