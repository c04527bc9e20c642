/// 双随机 tasks: creation with a frozen pool, draws, results, publication.
public struct TaskState: Sendable {
    public static let eventTypes: Set<String> = []

    /// Entity id → date of its most recent recorded result (for `excludeInspectedWithinDays`).
    public internal(set) var lastInspected: [String: CivilDate] = [:]

    public init() {}

    mutating func apply(_ event: Event, directory: DirectoryState) throws(CommandError) {
        throw .init(.internal, "seq \(event.seq): unhandled task event \(event.type)")
    }
}

public enum TaskCommands {
    public static let all: [DomainCommand] = []
}
