/// 特种设备 — the special-equipment registry and everything derived from it.
/// (Filled in by the special-equipment work; SPEC §8.)
public struct EquipmentState: Sendable {
    public static let eventTypes: Set<String> = []

    public init() {}

    mutating func apply(_ event: Event) throws(CommandError) {
        throw .init(.internal, "seq \(event.seq): unhandled equipment event \(event.type)")
    }
}

public enum EquipmentCommands {
    public static let all: [DomainCommand] = []
}

/// Equipment CSV import kinds (the special-equipment work fills this in).
public enum EquipmentImports {
    public static let all: [CSVImportKind] = []
}
