/// 一单两库 — the inspection-object and inspector directories, conflicts and items.
public struct DirectoryState: Sendable {
    public static let eventTypes: Set<String> = []

    public init() {}

    mutating func apply(_ event: Event) throws(CommandError) {
        throw .init(.internal, "seq \(event.seq): unhandled directory event \(event.type)")
    }
}

public enum DirectoryCommands {
    public static let all: [DomainCommand] = []
}
