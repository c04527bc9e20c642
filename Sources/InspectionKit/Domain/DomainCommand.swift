/// What a command sees besides its arguments: the time, the zone, the caller and the
/// bureau's settings (calendar, reminder stages).
public struct CommandContext: Sendable {
    public var now: Timestamp
    public var zone: BureauZone
    public var actor: Actor
    public var settings: DomainSettings
    /// Randomness for `system`-sourced draws: injected so tests are deterministic.
    /// The default is the standard library's system generator (the kernel's CSPRNG).
    public var randomBytes: @Sendable (Int) -> [UInt8]

    public init(now: Timestamp, zone: BureauZone, actor: Actor, settings: DomainSettings = DomainSettings(),
                randomBytes: @escaping @Sendable (Int) -> [UInt8] = CommandContext.systemRandomBytes) {
        self.now = now
        self.zone = zone
        self.actor = actor
        self.settings = settings
        self.randomBytes = randomBytes
    }

    public static let systemRandomBytes: @Sendable (Int) -> [UInt8] = { count in
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Today in the bureau's zone.
    public var today: CivilDate { zone.localDate(of: now) }
}

/// Settings from the daemon's config that commands need. Anything that changes what
/// `apply` does must be journaled instead (e.g. equipment rules, as `rules.changed`).
public struct DomainSettings: Sendable {
    /// The official working-day calendar (工作日历) for deadlines.
    public var calendar: WorkingDayCalendar
    /// Reminder stages in days before `nextDue` (negative: after), SPEC §8.
    public var reminderStages: [Int]
    /// The bureau's name as published in the 公示 list (实施机关).
    public var authority: String

    public init(calendar: WorkingDayCalendar = .mondayToFriday, reminderStages: [Int] = [30, 7, 0, -1, -30],
                authority: String = "市场监督管理局") {
        self.calendar = calendar
        self.reminderStages = reminderStages
        self.authority = authority
    }
}

/// A command's decision: the events to append (none for a query) and the result.
///
/// For writes the daemon adds `seq` (the last appended event's) to an object result.
public struct CommandOutcome: Sendable {
    public var events: [NewEvent]
    public var result: JSONValue

    public init(events: [NewEvent] = [], result: JSONValue) {
        self.events = events
        self.result = result
    }

    public static func query(_ result: JSONValue) -> CommandOutcome { .init(result: result) }
}

/// A protocol command implemented purely against state: validate, then decide events.
///
/// `run` never mutates state and never does I/O; the daemon appends the events and
/// applies them with the same `apply` replay uses. Audit replay runs the read
/// commands unchanged on a rebuilt state.
public struct DomainCommand: Sendable {
    public typealias Handler = @Sendable (Arguments, CommandContext, InspectionState) throws(CommandError) -> CommandOutcome

    public let name: String
    public let roles: Set<Role>
    public let summary: String
    /// True when the command can append events (false: a pure query).
    public let writes: Bool
    public let run: Handler

    public init(_ name: String, roles: Set<Role>, writes: Bool, summary: String, run: @escaping Handler) {
        self.name = name
        self.roles = roles
        self.writes = writes
        self.summary = summary
        self.run = run
    }
}

/// Every domain command, by name. Feature files contribute their lists here.
public enum CommandCatalog {
    public static let all: [String: DomainCommand] = {
        var table: [String: DomainCommand] = [:]
        for command in JournalCommands.all + DirectoryCommands.all + TaskCommands.all + EquipmentCommands.all {
            precondition(table[command.name] == nil, "duplicate command \(command.name)")
            table[command.name] = command
        }
        return table
    }()
}
