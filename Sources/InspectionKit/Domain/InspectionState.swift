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

    /// Applies one event. Throws only for an event that can't belong to this journal
    /// (out of order, unknown type, malformed payload), never for a business rule:
    /// commands check those before anything is appended.
    public mutating func apply(_ event: Event) throws(CommandError) {
        guard event.seq == lastSeq + 1 else {
            throw .init(.internal, "event seq \(event.seq) does not follow \(lastSeq)")
        }
        switch event.type {
        case EventType.journalAnnotated:
            guard let text = event.data["text"]?.stringValue else {
                throw .init(.internal, "seq \(event.seq): journal.annotated without text")
            }
            recentAnnotations.append(Annotation(seq: event.seq, at: event.at, actor: event.actor, text: text))
            if recentAnnotations.count > Self.recentAnnotationLimit * 2 {
                recentAnnotations.removeFirst(recentAnnotations.count - Self.recentAnnotationLimit)
            }
        case EventType.journalTailRepaired:
            tailRepairs.append(event.data)
        case EventType.csvImported:
            break
        case _ where DirectoryState.eventTypes.contains(event.type):
            try directory.apply(event)
        case _ where TaskState.eventTypes.contains(event.type):
            try tasks.apply(event, directory: directory)
        case _ where EquipmentState.eventTypes.contains(event.type):
            try equipment.apply(event)
        default:
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
