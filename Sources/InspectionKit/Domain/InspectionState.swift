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
    public private(set) var eventCounts: [String: Int] = [:]
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

    static func part(of type: String) -> Part? {
        let table = parts
        return table.index.find(type) { knownEventTypes[$0] == type }.map { table.parts[Int($0)] }
    }

    /// Applies one event. Throws only for an event that can't belong to this journal
    /// (out of order, unknown type, malformed payload), never for a business rule:
    /// commands check those before anything is appended.
    public mutating func apply(_ event: Event) throws(CommandError) {
        guard event.seq == lastSeq + 1 else {
            throw .init(.internal, "event seq \(event.seq) does not follow \(lastSeq)")
        }
        switch Self.part(of: event.type) {
        case .annotation?:
            guard let text = event.data["text"]?.stringValue else {
                throw .init(.internal, "seq \(event.seq): journal.annotated without text")
            }
            recentAnnotations.append(Annotation(seq: event.seq, at: event.at, actor: event.actor, text: text))
            if recentAnnotations.count > Self.recentAnnotationLimit * 2 {
                recentAnnotations.removeFirst(recentAnnotations.count - Self.recentAnnotationLimit)
            }
        case .tailRepair?:
            tailRepairs.append(event.data)
        case .csvImport?:
            break
        case .directory?:
            try directory.apply(event)
        case .tasks?:
            try tasks.apply(event, directory: directory)
        case .equipment?:
            try equipment.apply(event)
        case nil:
            throw .init(.internal, "seq \(event.seq): unknown event type \"\(event.type)\" (written by a newer inspectd?)")
        }
        lastSeq = event.seq
        lastEventAt = event.at
        eventCounts[event.type, default: 0] += 1
    }
}

/// An administrator's note in the journal.
public struct Annotation: Sendable, Equatable, Codable {
    public var seq: Int
    public var at: Timestamp
    public var actor: String
    public var text: String
}
