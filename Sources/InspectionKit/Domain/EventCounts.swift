/// How many events of each type were applied. Counted by the type's number, which
/// `apply` has already found (a `[String: Int]` hashed every type name a second time:
/// ~5 % of replay's apply); encoded like the `[String: Int]` of the non-zero counts it
/// replaced (a keyed container), so snapshots of either version decode in the other.
public struct EventCounts: Sendable, Equatable, Codable {
    /// By type number (`InspectionState.knownEventTypes`); `apply` counts here.
    var counts = [Int](repeating: 0, count: InspectionState.knownEventTypes.count)

    public init() {}

    /// The non-zero counts by type name.
    public var byType: [String: Int] {
        var byType: [String: Int] = [:]
        for (number, count) in counts.enumerated() where count > 0 {
            byType[InspectionState.knownEventTypes[number]] = count
        }
        return byType
    }

    public subscript(type: String) -> Int {
        InspectionState.part(of: type).map { counts[$0.number] } ?? 0
    }

    /// In type-number order, so the same counts always encode to the same bytes (a
    /// `[String: Int]` built here would be in a different order each time).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TypeName.self)
        for (number, count) in counts.enumerated() where count > 0 {
            try container.encode(count, forKey: TypeName(stringValue: InspectionState.knownEventTypes[number]))
        }
    }

    private struct TypeName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        for (type, count) in try container.decode([String: Int].self) {
            guard let (_, number) = InspectionState.part(of: type) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown event type \(type)")
            }
            counts[number] = count
        }
    }
}
