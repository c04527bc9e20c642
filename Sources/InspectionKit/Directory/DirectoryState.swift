/// 一单两库 — the inspection-object and inspector directories, conflicts and items.
///
/// Entities get a dense number in registration order (`entityNumber`), so a task's
/// frozen pool is an `[Int32]` (4 bytes per entity) instead of a list of strings.
public struct DirectoryState: Sendable, Codable {
    public static let eventTypes: Set<String> = [
        "entity.registered", "entity.updated", "entity.deregistered", "inspector.registered", "inspector.updated",
        "conflict.declared", "item.defined",
    ]

    /// Every entity ever registered, by number (never removed: deregistration is a status).
    public private(set) var entities: ChunkedArray<Entity> = []
    /// USCC → number. O(1) lookup (`entityNumber(_:)`).
    private var entityIndex = StringIndex()
    /// By number: the id packed into integers (byte order preserved) and the fields a
    /// pool filter tests most, so freezing a million-entity pool needs no String work.
    public private(set) var packedIDs: ChunkedArray<PackedID> = []
    public private(set) var entityAttributes: ChunkedArray<EntityAttributes> = []
    public private(set) var inspectors: [String: Inspector] = [:]
    public private(set) var items: [String: InspectionItem] = [:]
    /// entity id → inspector id → reason.
    public private(set) var conflicts: [String: [String: String]] = [:]
    public private(set) var conflictCount = 0

    public init() {}

    private enum CodingKeys: String, CodingKey { case entities, inspectors, items, conflicts }

    /// Snapshots hold the records; the indexes (numbers, packed ids, attributes) are
    /// rebuilt on load, O(n).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(EntityColumns(entities), forKey: .entities)
        try c.encode(inspectors, forKey: .inspectors)
        try c.encode(items, forKey: .items)
        try c.encode(conflicts, forKey: .conflicts)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        entities = try c.decode(EntityColumns.Decoded.self, forKey: .entities).entities
        inspectors = try c.decode([String: Inspector].self, forKey: .inspectors)
        items = try c.decode([String: InspectionItem].self, forKey: .items)
        conflicts = try c.decode([String: [String: String]].self, forKey: .conflicts)
        let entities = self.entities
        entityIndex.append(count: entities.count) { entities[$0].id }
        packedIDs.reserveCapacity(entities.count)
        entityAttributes.reserveCapacity(entities.count)
        // Field by field: a copy of each entity would retain and release all its strings.
        for n in entities.indices {
            packedIDs.append(PackedID(entities[n].id))
            entityAttributes.append(EntityAttributes(status: entities[n].status, kind: entities[n].kind, risk: entities[n].risk))
        }
        conflictCount = conflicts.values.reduce(0) { $0 + $1.count }
    }

    /// The dense number of entity `id`, if registered.
    public func entityNumber(_ id: String) -> Int32? {
        entityIndex.find(id) { entities[$0].id == id }
    }

    /// See `InspectionState.prefetch(_:stage:)`.
    @inline(__always)
    func prefetch(hash: UInt64, stage: InspectionState.PrefetchStage) {
        guard let n = entityIndex.prefetch(hash: hash, stage: stage) else { return }
        switch stage {
        case .slot: break
        case .record:
            entities.prefetch(n, lines: 2)
            entityAttributes.prefetch(n)
        case .text:
            guard let entity = entities.unretainedAddress(n) else { return }
            for offset in Self.replacedTextOffsets { prefetchStringObject(at: entity + offset) }
        }
    }

    /// Where an `Entity` keeps the strings an update usually replaces (name, address).
    private static let replacedTextOffsets = [\Entity.name, \Entity.address].compactMap { MemoryLayout<Entity>.offset(of: $0) }

    public func entity(_ id: String) -> Entity? {
        entityNumber(id).map { entities[Int($0)] }
    }

    /// Departments known from inspectors and items.
    public var departments: Set<String> {
        Set(inspectors.values.map(\.department)).union(items.values.map(\.department))
    }

    public func conflicted(inspector: String, entity: String) -> Bool {
        conflicts[entity]?[inspector] != nil
    }

    /// A registration or an update (`entity.registered`, `entity.updated`).
    private mutating func store(_ entity: Entity) {
        if let number = entityNumber(entity.id) {
            entities[Int(number)].takeDetails(of: entity)
            entityAttributes[Int(number)] = EntityAttributes(entity)
        } else {
            entityIndex.append(entity.id)
            entities.append(entity)
            packedIDs.append(PackedID(entity.id))
            entityAttributes.append(EntityAttributes(entity))
        }
    }

    mutating func apply(_ event: Event) throws(CommandError) {
        switch event.type {
        case "entity.registered", "entity.updated":
            if case .entity(let entity) = event.payload {
                store(entity)
            } else {
                store(try Entity.from(event.data, seq: event.seq))
            }
        case "entity.deregistered":
            let data = event.data
            guard let id = data["id"]?.stringValue, let number = entityNumber(id),
                  let status = data["status"]?.stringValue.flatMap(EntityStatus.init(rawValue:))
            else { throw .init(.internal, "seq \(event.seq): malformed entity.deregistered") }
            entities[Int(number)].status = status
            entityAttributes[Int(number)].status = status
        case "inspector.registered", "inspector.updated":
            let inspector = try Inspector.from(event.data, seq: event.seq)
            inspectors[inspector.id] = inspector
        case "conflict.declared":
            let data = event.data
            guard let inspector = data["inspector"]?.stringValue, let entity = data["entity"]?.stringValue else {
                throw .init(.internal, "seq \(event.seq): malformed conflict.declared")
            }
            if conflicts[entity]?[inspector] == nil { conflictCount += 1 }
            conflicts[entity, default: [:]][inspector] = data["reason"]?.stringValue ?? ""
        case "item.defined":
            let item = try InspectionItem.from(event.data, seq: event.seq)
            items[item.code] = item
        default:
            throw .init(.internal, "seq \(event.seq): unhandled directory event \(event.type)")
        }
    }
}

/// Entities stored column by column in snapshots: a million entities decode as nine
/// string arrays instead of a million keyed containers (several times faster to load).
struct EntityColumns: Encodable {
    enum CodingKeys: String, CodingKey { case id, name, kind, industry, region, address, risk, tags, status }

    var id: [String] = [], name: [String] = [], kind: [String] = [], industry: [String] = [], region: [String] = []
    var address: [String] = [], risk: [String] = [], tags: [String] = [], status: [String] = []

    /// Tags are joined with U+001F (unit separator), which no tag contains.
    static let tagSeparator: Character = "\u{1F}"

    init(_ entities: ChunkedArray<Entity>) {
        for e in entities {
            id.append(e.id); name.append(e.name); kind.append(e.kind.rawValue); industry.append(e.industry)
            region.append(e.region); address.append(e.address); risk.append(e.risk?.rawValue ?? "")
            tags.append(e.tags.joined(separator: String(Self.tagSeparator))); status.append(e.status.rawValue)
        }
    }

    /// The entities, decoded from the columns where they lie (`StringColumn`).
    struct Decoded: Decodable {
        var entities = ChunkedArray<Entity>()

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var id = try c.stringColumn(.id), name = try c.stringColumn(.name), kind = try c.stringColumn(.kind)
            var industry = try c.stringColumn(.industry), region = try c.stringColumn(.region), address = try c.stringColumn(.address)
            var risk = try c.stringColumn(.risk), tags = try c.stringColumn(.tags), status = try c.stringColumn(.status)
            let n = id.count
            guard [name, kind, industry, region, address, risk, tags, status].allSatisfy({ $0.count == n }) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "entity columns differ in length"))
            }
            entities.reserveCapacity(n)
            for _ in 0..<n {
                let entityID = try id.next(), entityName = try name.next()
                guard let k = EntityKind(rawValue: try kind.next()) else { throw Self.bad(entityID, "kind") }
                let entityIndustry = try industry.next(), entityRegion = try region.next(), entityAddress = try address.next()
                guard let r = RiskClass.parse(try risk.next()) else { throw Self.bad(entityID, "risk") }
                let joinedTags = try tags.next()
                guard let st = EntityStatus(rawValue: try status.next()) else { throw Self.bad(entityID, "status") }
                entities.append(Entity(id: entityID, name: entityName, kind: k, industry: entityIndustry, region: entityRegion, address: entityAddress,
                                       risk: r, tags: joinedTags.isEmpty ? [] : joinedTags.split(separator: EntityColumns.tagSeparator).map(String.init),
                                       status: st))
            }
            for column in [id, name, kind, industry, region, address, risk, tags, status] { try column.finish() }
        }

        private static func bad(_ id: String, _ field: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: [], debugDescription: "entity \(id) has a bad \(field)"))
        }
    }
}
