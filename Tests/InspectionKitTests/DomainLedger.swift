import InspectionKit
import Testing

/// A journal in memory for kit tests of the 双随机 commands: runs a `DomainCommand` the
/// way the daemon does (validate → events → apply with the one `apply`), with an
/// injected clock and random source, and keeps every applied event for replay tests.
struct DomainLedger {
    private(set) var state = InspectionState()
    private(set) var events: [Event] = []
    /// The clock commands see; tests move it explicitly.
    var now: Timestamp
    var zone = BureauZone.shanghai
    var settings = DomainSettings()
    var actor = Actor(uid: 1000, name: "coordinator", roles: [.coordinator, .inspector])
    var randomBytes: @Sendable (Int) -> [UInt8] = { count in (0..<count).map { UInt8($0) } }

    init(now: String = "2026-03-02T09:00:00+08:00") {
        self.now = BureauZone.shanghai.parse(now)!
    }

    var context: CommandContext {
        CommandContext(now: now, zone: zone, actor: actor, settings: settings, randomBytes: randomBytes)
    }

    /// Sets the clock to a local time in Shanghai (`2026-02-13T10:00:00+08:00` or a bare date).
    /// Swaps in a state from elsewhere (a decoded snapshot); later events continue from it.
    mutating func replaceState(_ newState: InspectionState) {
        state = newState
    }

    mutating func setClock(_ text: String) {
        now = zone.parse(text)!
    }

    /// Runs `command` against the current state without applying anything.
    func attempt(_ command: String, _ args: JSONObject) -> Result<CommandOutcome, CommandError> {
        guard let domain = CommandCatalog.all[command] else {
            return .failure(CommandError(.badRequest, "test: no command \(command)"))
        }
        do throws(CommandError) {
            return .success(try domain.run(Arguments(args, command: command), context, state))
        } catch {
            return .failure(error)
        }
    }

    /// Runs `command`, applies its events, returns its result; records an issue on failure.
    @discardableResult
    mutating func run(_ command: String, _ args: JSONObject, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        switch attempt(command, args) {
        case .failure(let error):
            Issue.record("\(command) failed: \(error)", sourceLocation: sourceLocation)
            throw error
        case .success(let outcome):
            try append(outcome.events)
            return outcome.result
        }
    }

    /// Runs a query (no events allowed).
    func query(_ command: String, _ args: JSONObject = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        switch attempt(command, args) {
        case .failure(let error):
            Issue.record("\(command) failed: \(error)", sourceLocation: sourceLocation)
            throw error
        case .success(let outcome):
            #expect(outcome.events.isEmpty, "query \(command) produced events", sourceLocation: sourceLocation)
            return outcome.result
        }
    }

    /// Expects `command` to fail with `code`, a message containing every `mentions`, and
    /// no events. Returns the error message.
    @discardableResult
    func expectFailure(_ command: String, _ args: JSONObject, code: ErrorCode, mentions: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) -> String {
        switch attempt(command, args) {
        case .success(let outcome):
            Issue.record("\(command) \(JSONValue.object(args).serialized()) succeeded with \(outcome.events.count) event(s); expected \(code.rawValue)",
                         sourceLocation: sourceLocation)
            return ""
        case .failure(let error):
            #expect(error.code == code, "\(command): \(error)", sourceLocation: sourceLocation)
            for word in mentions {
                #expect(error.message.contains(word), "\(command): message does not name \"\(word)\": \(error.message)",
                        sourceLocation: sourceLocation)
            }
            return error.message
        }
    }

    /// `task.get`'s targets in pick order: entity and team (empty if the task isn't drawn).
    func targets(of task: String) -> [(entity: String, team: [String])] {
        guard case .success(let outcome) = attempt("task.get", ["task": .string(task)]) else { return [] }
        return (outcome.result["targets"]?.arrayValue ?? []).map { ($0["entity"]?.stringValue ?? "", $0["team"]?.strings ?? []) }
    }

    /// `task.get`'s status of `task`.
    func status(of task: String) -> String? {
        guard case .success(let outcome) = attempt("task.get", ["task": .string(task)]) else { return nil }
        return outcome.result["status"]?.stringValue
    }

    /// Appends events as the journal would: next seq, the current clock, this actor.
    mutating func append(_ newEvents: [NewEvent]) throws {
        for new in newEvents {
            let event = Event(seq: events.count + 1, at: now, type: new.type, actor: actor.journalName, data: new.data)
            try state.apply(event)
            events.append(event)
        }
    }

    /// A ledger whose state is rebuilt from `other`'s events alone (replay), same clock.
    init(replaying other: DomainLedger) throws {
        now = other.now
        zone = other.zone
        settings = other.settings
        actor = other.actor
        for event in other.events {
            try state.apply(event)
            events.append(event)
        }
    }

    /// A fresh state rebuilt from this ledger's events (replay).
    func replayed() throws -> InspectionState {
        var fresh = InspectionState()
        for event in events { try fresh.apply(event) }
        return fresh
    }
}

/// Test data builders.
enum Fixture {
    /// A valid 统一社会信用代码 `9135010<kind><10 digits of n><check>`; `lead` changes the
    /// first 17 characters' start so byte order can be arranged.
    static func uscc(_ n: Int, lead: String = "91350100MA") -> String {
        var digits = String(n)
        let width = 17 - lead.count
        precondition(digits.count <= width)
        digits = String(repeating: "0", count: width - digits.count) + digits
        return USCC.make(first17: lead + digits)!
    }

    /// The 18th character replaced by a different valid alphabet character.
    static func wrongCheck(_ id: String) -> String {
        let last = id.last!
        let replacement: Character = last == "0" ? "1" : "0"
        return String(id.dropLast()) + String(replacement)
    }

    static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
}

extension JSONValue {
    /// Strings of an array value (test convenience).
    var strings: [String] { arrayValue?.compactMap(\.stringValue) ?? [] }
}
