/// An entity as the directory keeps it, and as replay's reader decodes an entity event:
/// `Entity` with its id, name, address and tags packed into one buffer held inline
/// (`EntityTexts`) instead of three heap strings, an array and its strings.
///
/// Replay meets millions of entity updates. With `Entity`, each one cost the reader
/// thread a malloc per text and, once the applier had swapped them in, a free of the
/// texts they replaced, stored since the entity's registration and cold (the 10M-event
/// replay spent ~1.5 CPU-s of 18 on that, measured by skipping it). Packed, an update is
/// a copy of bytes into the stored record, which the applier has prefetched already; the
/// id (18 bytes, a heap string each) is looked up and compared as bytes.
public struct CompactEntity: Sendable {
    public var kind: EntityKind
    public var industry: String
    public var region: String
    public var risk: RiskClass?
    public var status: EntityStatus
    var texts: EntityTexts

    public init(_ entity: Entity) {
        kind = entity.kind
        industry = entity.industry
        region = entity.region
        risk = entity.risk
        status = entity.status
        texts = EntityTexts(id: entity.id, name: entity.name, address: entity.address, tags: entity.tags)
    }

    /// The fields as decoded, the texts (id included) as their UTF-8 bytes (`texts`).
    public init(kind: EntityKind, industry: String, region: String, risk: RiskClass?, status: EntityStatus, texts: EntityTexts) {
        self.kind = kind
        self.industry = industry
        self.region = region
        self.risk = risk
        self.status = status
        self.texts = texts
    }

    /// Nothing: what a registration leaves in its event once its values are moved out.
    static let empty = CompactEntity(kind: .enterprise, industry: "", region: "", risk: nil, status: .active,
                                     texts: EntityTexts(id: "", name: "", address: "", tags: []))

    /// 统一社会信用代码 (GB 32100-2015), as a new String.
    public var id: String { texts.id }
    public var name: String { texts.name }
    public var address: String { texts.address }
    public var tags: [String] { texts.tags }

    public var entity: Entity {
        Entity(id: id, name: name, kind: kind, industry: industry, region: region, address: address, risk: risk,
               tags: tags, status: status)
    }

    /// `entity.json`.
    public var json: JSONObject { entity.json }

    /// Calls `body` with the id's bytes.
    @inline(__always)
    func withID<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { texts.withID(body) }

    /// Whether the id is `id`'s bytes.
    @inline(__always)
    func hasID(_ id: UnsafeRawBufferPointer) -> Bool { texts.withID { $0.equalBytes(id) } }

    func hasID(_ id: String) -> Bool {
        var id = id
        return id.withUTF8 { hasID(UnsafeRawBufferPointer($0)) }
    }

    /// Everything but the id from `other`, an update of this entity, by exchange: `other`
    /// is left holding the values replaced, for the caller to free (replay frees them on
    /// its reader thread, which made them). The id's bytes, the same in both, move with
    /// the texts.
    mutating func exchangeDetails(with other: inout CompactEntity) {
        kind = other.kind
        swap(&industry, &other.industry)
        swap(&region, &other.region)
        risk = other.risk
        status = other.status
        swap(&texts, &other.texts)
    }
}

/// An entity's id, name, address and tags in one byte buffer: the id's bytes, the name's,
/// the address's, then each tag as its length (LEB128) and its bytes. Held inline up to
/// `capacity` bytes (an 18-byte id, a company's name, address and a tag or two: the
/// benchmark's need about 100); longer ones spill into one heap array, still one
/// allocation instead of five.
public struct EntityTexts: Sendable {
    public static var capacity: Int { SpillableBytes<InlineWords18>.capacity }
    private var bytes = SpillableBytes<InlineWords18>()
    private var idCount: Int32 = 0
    private var nameCount: Int32 = 0
    private var addressCount: Int32 = 0

    /// An id, a name and an address, no tags yet (`appendTag`). Each must be valid UTF-8.
    public init(id: UnsafeRawBufferPointer, name: UnsafeRawBufferPointer, address: UnsafeRawBufferPointer) {
        append(id)
        append(name)
        append(address)
        idCount = Int32(id.count)
        nameCount = Int32(name.count)
        addressCount = Int32(address.count)
    }

    public init(id: String, name: String, address: String, tags: [String]) {
        var id = id, name = name, address = address
        self = id.withUTF8 { id in
            name.withUTF8 { name in
                address.withUTF8 { address in
                    EntityTexts(id: UnsafeRawBufferPointer(id), name: UnsafeRawBufferPointer(name), address: UnsafeRawBufferPointer(address))
                }
            }
        }
        for var tag in tags { tag.withUTF8 { appendTag(UnsafeRawBufferPointer($0)) } }
    }

    /// Adds a tag (valid UTF-8).
    public mutating func appendTag(_ tag: UnsafeRawBufferPointer) {
        LEB128.withBytes(of: UInt(tag.count)) { append($0) }
        append(tag)
    }

    private mutating func append(_ text: UnsafeRawBufferPointer) { bytes.append(text) }

    /// All the bytes (see the type).
    @inline(__always)
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { bytes.withBytes(body) }

    /// Calls `body` with the id's bytes.
    @inline(__always)
    func withID<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withBytes { body(UnsafeRawBufferPointer(rebasing: $0[..<Int(idCount)])) }
    }

    public var id: String {
        withBytes { String(decoding: $0[..<Int(idCount)], as: UTF8.self) }
    }

    public var name: String {
        withBytes { String(decoding: $0[Int(idCount)..<Int(idCount + nameCount)], as: UTF8.self) }
    }

    public var address: String {
        withBytes { String(decoding: $0[Int(idCount + nameCount)..<Int(idCount + nameCount + addressCount)], as: UTF8.self) }
    }

    public var tags: [String] {
        var tags: [String] = []
        forEachTag { tags.append(String(decoding: $0, as: UTF8.self)) }
        return tags
    }

    /// Calls `body` with each tag's bytes, in order.
    func forEachTag(_ body: (UnsafeRawBufferPointer) -> Void) {
        withBytes { bytes in
            var at = Int(idCount + nameCount + addressCount)
            while at < bytes.count, let length = LEB128.read(bytes, at: &at), length <= bytes.count - at {
                body(UnsafeRawBufferPointer(rebasing: bytes[at..<(at + length)]))
                at += length
            }
        }
    }

    /// Whether the texts are held inline (no heap array).
    var isInline: Bool { bytes.isInline }
}

/// The directory's entities as `Entity` values, each made when read from its
/// `CompactEntity` (strings allocated then): for queries and exports. Paths over every
/// entity read `DirectoryState.entityRecords` instead.
public struct EntityList: RandomAccessCollection, Sendable {
    let records: ChunkedArray<CompactEntity>
    public var startIndex: Int { 0 }
    public var endIndex: Int { records.count }
    public subscript(position: Int) -> Entity { records[position].entity }
}
