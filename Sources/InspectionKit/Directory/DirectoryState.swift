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
    public private(set) var entityRecords: ChunkedArray<CompactEntity> = []
    /// `entityRecords` as `Entity` values, made when read.
    public var entities: EntityList { EntityList(records: entityRecords) }
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
        try c.encode(try EntityColumns(entityRecords), forKey: .entities)
        try c.encode(inspectors, forKey: .inspectors)
        try c.encode(items, forKey: .items)
        try c.encode(conflicts, forKey: .conflicts)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        entityRecords = try c.decode(EntityColumns.Decoded.self, forKey: .entities).entities
        inspectors = try c.decode([String: Inspector].self, forKey: .inspectors)
        items = try c.decode([String: InspectionItem].self, forKey: .items)
        conflicts = try c.decode([String: [String: String]].self, forKey: .conflicts)
        let entities = entityRecords
        entityIndex.append(count: entities.count, hash: { entities[$0].withID(StringIndex.hash) })
        packedIDs.reserveCapacity(entities.count)
        entityAttributes.reserveCapacity(entities.count)
        // Field by field: a copy of each entity would retain and release all its strings.
        for n in entities.indices {
            packedIDs.append(entities[n].withID { PackedID(utf8: $0) })
            entityAttributes.append(EntityAttributes(status: entities[n].status, kind: entities[n].kind, risk: entities[n].risk))
        }
        conflictCount = conflicts.values.reduce(0) { $0 + $1.count }
    }

    /// The dense number of entity `id`, if registered.
    public func entityNumber(_ id: String) -> Int32? {
        entityIndex.find(id) { entityRecords[$0].hasID(id) }
    }

    /// The number of the entity `entity` names (its id), if registered: by the lookup
    /// replay's reader worked out for its event, if it did.
    func entityNumber(of entity: CompactEntity, hint: LookupHint) -> Int32? {
        entity.withID { id in
            let hash = hint.table == .entities ? hint.hash : StringIndex.hash(id)
            return entityIndex.find(hash: hash) { entityRecords[$0].hasID(id) }
        }
    }

    /// See `InspectionState.prefetch(_:stage:)`.
    @inline(__always)
    func prefetch(hash: UInt64, stage: InspectionState.PrefetchStage) {
        guard let n = entityIndex.prefetch(hash: hash, stage: stage) else { return }
        entityRecords.prefetch(n, lines: MemoryLayout<CompactEntity>.stride / 64 + 1)
        entityAttributes.prefetch(n)
    }

    public func entity(_ id: String) -> Entity? {
        entityNumber(id).map { entityRecords[Int($0)].entity }
    }

    /// Departments known from inspectors and items.
    public var departments: Set<String> {
        Set(inspectors.values.map(\.department)).union(items.values.map(\.department))
    }

    public func conflicted(inspector: String, entity: String) -> Bool {
        conflicts[entity]?[inspector] != nil
    }

    /// A registration or an update (`entity.registered`, `entity.updated`). The entity's
    /// values are moved into the table, not copied; what is left in `entity` (an update's
    /// id and the values it replaced) is the caller's to free.
    private mutating func store(_ entity: inout CompactEntity, hint: LookupHint = .unknown) {
        let attributes = EntityAttributes(status: entity.status, kind: entity.kind, risk: entity.risk)
        if let number = entityNumber(of: entity, hint: hint) {
            entityAttributes[Int(number)] = attributes
            entityRecords[Int(number)].exchangeDetails(with: &entity)
        } else {
            entityIndex.append(hash: hint.table == .entities ? hint.hash : entity.withID(StringIndex.hash))
            packedIDs.append(entity.withID { PackedID(utf8: $0) })
            entityAttributes.append(attributes)
            entityRecords.append(take(&entity, leaving: CompactEntity.empty))
        }
    }

    /// Applies one directory event. A typed entity payload is taken out of `event` and
    /// what `store` leaves of it put back (see `Event.takePayload`); after a throw the
    /// event may be left with an empty object.
    mutating func apply(_ event: inout Event) throws(CommandError) {
        switch event.type {
        case "entity.registered", "entity.updated":
            var payload = event.takePayload()
            if case .compactEntity(var entity) = payload {
                payload = .json(JSONObject())   // see `Event.takePayload`
                store(&entity, hint: event.lookupHint)
                event.payload = .compactEntity(entity)
            } else {
                event.payload = payload
                var entity = try CompactEntity(Entity.from(event.data, seq: event.seq))
                store(&entity)
            }
        case "entity.deregistered":
            let data = event.data
            guard let id = data["id"]?.stringValue, let number = entityNumber(id),
                  let status = data["status"]?.stringValue.flatMap(EntityStatus.init(rawValue:))
            else { throw .init(.internal, "seq \(event.seq): malformed entity.deregistered") }
            entityRecords[Int(number)].status = status
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

/// Entities stored column by column in snapshots: a million entities decode as a few
/// columns instead of a million keyed containers (several times faster to load), read
/// where they lie in the payload (`StringColumn`, `FixedColumn`). Values many entities
/// share — kind, industry, region, risk, status — are stored once each with a position
/// per entity, so a load makes (and parses) each once and the entities share it.
struct EntityColumns: Encodable {
    enum CodingKeys: String, CodingKey { case id, name, address, tags, shared, sharedRefs }

    var id: [String] = [], name: [String] = [], address: [String] = [], tags: [String] = []
    /// Each distinct kind, industry, region, risk and status, once.
    var shared: [String] = []
    /// Per entity `sharedPerEntity` positions in `shared`: kind, industry, region, risk, status.
    var sharedRefs: [Int32] = []

    static let sharedPerEntity = 5
    /// Tags are joined with U+001F (unit separator), which no tag contains: commands refuse
    /// tags with control characters (`FieldInput.entity`). A tag from before that check
    /// that holds one makes the snapshot refuse to be written (it would come back split):
    /// the journal stays the record, and the next start replays it.
    static let tagSeparator: Character = "\u{1F}"

    init(_ entities: ChunkedArray<CompactEntity>) throws {
        var positions: [String: Int32] = [:]
        func position(_ text: String) -> Int32 {
            if let n = positions[text] { return n }
            let n = Int32(shared.count)
            shared.append(text)
            positions[text] = n
            return n
        }
        for column in [\EntityColumns.id, \.name, \.address, \.tags] { self[keyPath: column].reserveCapacity(entities.count) }
        sharedRefs.reserveCapacity(entities.count * Self.sharedPerEntity)
        for e in entities {
            id.append(e.id); name.append(e.name); address.append(e.address)
            let entityTags = e.tags
            if let bad = entityTags.first(where: { $0.isEmpty || $0.utf8.contains(0x1F) }) {
                throw EncodingError.invalidValue(bad, .init(codingPath: [], debugDescription:
                    "entity \(e.id) has the tag \(JSONValue.string(bad).serialized()), which the snapshot's tag column cannot hold (empty, or U+001F inside); the journal keeps it and the next start replays the journal; `inspectctl entity update \(e.id) --tags …` with plain tags lets snapshots resume"))
            }
            tags.append(entityTags.joined(separator: String(Self.tagSeparator)))
            sharedRefs.append(position(e.kind.rawValue)); sharedRefs.append(position(e.industry)); sharedRefs.append(position(e.region))
            sharedRefs.append(position(e.risk?.rawValue ?? "")); sharedRefs.append(position(e.status.rawValue))
        }
    }

    /// The entities, decoded from the columns where they lie.
    struct Decoded: Decodable {
        var entities = ChunkedArray<CompactEntity>()

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var id = try c.stringColumn(.id), name = try c.stringColumn(.name), address = try c.stringColumn(.address)
            var tags = try c.stringColumn(.tags), sharedColumn = try c.stringColumn(.shared)
            let refs = try c.fixedColumn(.sharedRefs, of: Int32.self)
            let n = id.count
            guard [name, address, tags].allSatisfy({ $0.count == n }), refs.count == n * EntityColumns.sharedPerEntity else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "entity columns differ in length"))
            }
            var shared: [String] = []
            shared.reserveCapacity(sharedColumn.count)
            for _ in 0..<sharedColumn.count { shared.append(try sharedColumn.next()) }
            try sharedColumn.finish()
            // Parsed once per distinct value, not once per entity.
            let kinds = shared.map(EntityKind.init(rawValue:)), statuses = shared.map(EntityStatus.init(rawValue:))
            let risks = shared.map(RiskClass.parse)
            entities.reserveCapacity(n)
            for i in 0..<n {
                let entityID = try id.nextBytes(), r = i * EntityColumns.sharedPerEntity
                func at(_ k: Int, _ field: String) throws -> Int {
                    let position = Int(refs[r + k])
                    guard position >= 0, position < shared.count else { throw Self.bad(entityID, field) }
                    return position
                }
                guard let kind = kinds[try at(0, "kind")] else { throw Self.bad(entityID, "kind") }
                guard let risk = risks[try at(3, "risk")] else { throw Self.bad(entityID, "risk") }
                guard let status = statuses[try at(4, "status")] else { throw Self.bad(entityID, "status") }
                // The texts are packed from the column's bytes, with no String made.
                var texts = EntityTexts(id: entityID, name: try name.nextBytes(), address: try address.nextBytes())
                let joinedTags = try tags.nextBytes()
                var start = 0
                for end in joinedTags.indices where joinedTags[end] == 0x1F || end == joinedTags.count - 1 {
                    let stop = joinedTags[end] == 0x1F ? end : end + 1
                    if stop > start { texts.appendTag(UnsafeRawBufferPointer(rebasing: joinedTags[start..<stop])) }   // as `split`: no empty tags
                    start = end + 1
                }
                entities.append(CompactEntity(kind: kind, industry: shared[try at(1, "industry")],
                                              region: shared[try at(2, "region")], risk: risk, status: status, texts: texts))
            }
            for column in [id, name, address, tags] { try column.finish() }
        }

        private static func bad(_ id: UnsafeRawBufferPointer, _ field: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: [], debugDescription: "entity \(String(decoding: id, as: UTF8.self)) has a bad \(field)"))
        }
    }
}
