/// Everything the daemon knows, rebuilt from the journal by `apply` alone.
///
/// Pure value type: no I/O, no clock. The live daemon and `audit replay` both build
/// it the same way — one `apply` for both (SPEC §9).
public struct InspectionState: Sendable, Codable {
    /// The seq of the last applied event (0 for an empty journal).
    public private(set) var lastSeq = 0
    /// When the last applied event was appended.
    public private(set) var lastEventAt: Timestamp?
    /// Events applied, by type.
    public private(set) var eventCounts = EventCounts()
    /// The most recent administrator notes, newest last (bounded).
    public private(set) var recentAnnotations: [Annotation] = []
    /// Torn tails quarantined by start-up recovery.
    public private(set) var tailRepairs: [JSONObject] = []
    /// 一单两库: entities, inspectors, conflicts, items.
    public internal(set) var directory = DirectoryState()
    /// 双随机 tasks, draws, results, publication.
    public internal(set) var tasks = TaskState()
    /// 特种设备: registry, rules, inspections, reminders, directives.
    public internal(set) var equipment = EquipmentState()

    public static let recentAnnotationLimit = 100

    /// The keys, and order, of the synthesized `Codable` this replaced: snapshots written
    /// before still decode (`SnapshotCodingTests.snapshotsOfTheSynthesizedCodableStillDecode`).
    private enum CodingKeys: String, CodingKey {
        case lastSeq, lastEventAt, eventCounts, recentAnnotations, tailRepairs, directory, tasks, equipment
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lastSeq, forKey: .lastSeq)
        try c.encodeIfPresent(lastEventAt, forKey: .lastEventAt)
        try c.encode(eventCounts, forKey: .eventCounts)
        try c.encode(recentAnnotations, forKey: .recentAnnotations)
        try c.encode(tailRepairs, forKey: .tailRepairs)
        try c.encode(directory, forKey: .directory)
        try c.encode(tasks, forKey: .tasks)
        try c.encode(equipment, forKey: .equipment)
    }

    /// The special-equipment part (two thirds of a large snapshot's decoding) and the
    /// directory and tasks are decoded at the same time, on two cores: the equipment's
    /// bytes are handed over undecoded (snapshots are decoded by `BinaryDecoder` only).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lastSeq = try c.decode(Int.self, forKey: .lastSeq)
        lastEventAt = try c.decodeIfPresent(Timestamp.self, forKey: .lastEventAt)
        eventCounts = try c.decode(EventCounts.self, forKey: .eventCounts)
        recentAnnotations = try c.decode([Annotation].self, forKey: .recentAnnotations)
        tailRepairs = try c.decode([JSONObject].self, forKey: .tailRepairs)
        let equipmentBytes = try c.decode(EncodedValue.self, forKey: .equipment)
        var equipment = EquipmentState()
        try concurrently({
            equipment = try BinaryDecoder().decode(EquipmentState.self, from: equipmentBytes)
        }, {
            directory = try c.decode(DirectoryState.self, forKey: .directory)
            tasks = try c.decode(TaskState.self, forKey: .tasks)
        })
        self.equipment = equipment
    }

    /// Every event type `apply` knows. The journal reader shares one String per type
    /// instead of allocating one per line.
    public static let knownEventTypes: [String] =
        [EventType.journalAnnotated, EventType.journalTailRepaired, EventType.csvImported]
        + DirectoryState.eventTypes.sorted() + TaskState.eventTypes.sorted() + EquipmentState.eventTypes.sorted()

    public init() {}

    /// The part of the state an event type belongs to.
    enum Part { case annotation, tailRepair, csvImport, directory, tasks, equipment }

    /// Each known type's part, found with one `StringIndex` probe: three `Set` lookups
    /// (a SipHash each) were ~2 % of replay's apply.
    private static let parts: (index: StringIndex, parts: [Part]) = {
        var index = StringIndex()
        var parts: [Part] = []
        for type in knownEventTypes {
            index.append(type)
            switch type {
            case EventType.journalAnnotated: parts.append(.annotation)
            case EventType.journalTailRepaired: parts.append(.tailRepair)
            case EventType.csvImported: parts.append(.csvImport)
            case _ where DirectoryState.eventTypes.contains(type): parts.append(.directory)
            case _ where TaskState.eventTypes.contains(type): parts.append(.tasks)
            default: parts.append(.equipment)
            }
        }
        return (index, parts)
    }()

    /// The part of `knownEventTypes[number]`, and the number.
    static func part(number: Int) -> (part: Part, number: Int) {
        (parts.parts[number], number)
    }

    /// A known type's part and its number (its place in `knownEventTypes`).
    static func part(of type: String) -> (part: Part, number: Int)? {
        let table = parts
        return table.index.find(type) { knownEventTypes[$0] == type }.map { (table.parts[Int($0)], Int($0)) }
    }

    /// `apply(_:)` for an event in memory the caller holds exclusively (a replay batch).
    /// The state moves the payload values it keeps out of the event instead of copying
    /// them, and leaves in the event what it does not keep (an update's key, the values an
    /// update replaced, the strings of an inspection), so that the caller decides which
    /// thread frees them: replay frees them on the thread that made them (`PipelinedReplay`).
    /// Copying, each string kept cost a retain here and a release there, on cache lines
    /// the other core owned.
    public mutating func apply(inPlace event: inout Event) throws(CommandError) {
        guard event.seq == lastSeq + 1 else {
            throw .init(.internal, "event seq \(event.seq) does not follow \(lastSeq)")
        }
        guard let (part, typeNumber) = event.knownTypeNumber >= 0 ? Self.part(number: Int(event.knownTypeNumber)) : Self.part(of: event.type) else {
            throw .init(.internal, "seq \(event.seq): unknown event type \"\(event.type)\" (written by a newer inspectd?)")
        }
        switch part {
        case .annotation:
            guard let text = event.data["text"]?.stringValue else {
                throw .init(.internal, "seq \(event.seq): journal.annotated without text")
            }
            recentAnnotations.append(Annotation(seq: event.seq, at: event.at, actor: event.actor, text: text))
            if recentAnnotations.count > Self.recentAnnotationLimit * 2 {
                recentAnnotations.removeFirst(recentAnnotations.count - Self.recentAnnotationLimit)
            }
        case .tailRepair:
            tailRepairs.append(event.data)
        case .csvImport:
            break
        case .directory:
            try directory.apply(&event)
        case .tasks:
            try tasks.apply(event, directory: directory)
        case .equipment:
            try equipment.apply(&event)
        }
        lastSeq = event.seq
        lastEventAt = event.at
        eventCounts.counts[typeNumber] += 1
    }

    /// How far ahead of `apply` replay warms an event's lines: `prefetch(_:stage: .slot)`
    /// for the event this many places ahead, `.record` for the one half as far.
    public static let prefetchDistance = 16

    public enum PrefetchStage: Sendable { case slot, record }

    /// Starts loading what `apply(event)` will look up first, so that replay's applier
    /// overlaps the cache misses of the next events with the current one (a million
    /// entities and units are far larger than the cache: each lookup missed two or three
    /// times in a row, and the two lookups were a quarter of the applier's time).
    /// `.slot` asks for the key's hash-table slot; `.record` reads it (warm by then) and
    /// asks for the entry and the entity or unit it names (all of a `CompactEntity`'s
    /// lines: an update copies its texts in). A hint only: no state changes, and an event of another
    /// type, or a key not found, costs at most one hash. The stages read the table and the
    /// key's hash from `event.lookupHint`, which the stage that first meets the event works
    /// out if replay's reader thread has not (`Event.prepareLookup`).
    @inline(__always)
    public func prefetch(_ event: inout Event, stage: PrefetchStage) {
        if event.lookupHint.table == .unknown { event.prepareLookup() }
        let hint = event.lookupHint
        switch hint.table {
        case .entities: directory.prefetch(hash: hint.hash, stage: stage)
        case .units: equipment.prefetch(hash: hint.hash, stage: stage)
        case .none, .unknown: break
        }
    }

    /// Applies one event. Throws only for an event that can't belong to this journal
    /// (out of order, unknown type, malformed payload), never for a business rule:
    /// commands check those before anything is appended.
    public mutating func apply(_ event: Event) throws(CommandError) {
        var event = event
        try apply(inPlace: &event)
    }
}

/// An administrator's note in the journal.
public struct Annotation: Sendable, Equatable, Codable {
    public var seq: Int
    public var at: Timestamp
    public var actor: String
    public var text: String
}
