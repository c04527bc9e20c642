import InspectionKit
import Testing

/// Special-equipment helpers on the in-memory journal: rules, the ticker, shortcuts.
extension DomainLedger {
    /// A ledger at `now` with the equipment section's roles and the given rules journaled.
    static func equipment(now: String = "2026-01-05T09:00:00+08:00",
                          rules: JSONValue = EquipmentRules.specDefaultsJSON) throws -> DomainLedger {
        var ledger = DomainLedger(now: now)
        ledger.actor = Actor(uid: 1001, name: "tezhong", roles: [.equipment])
        try ledger.installRules(rules, sha256: "sha-of-" + String(rules.serialized().utf8.count))
        return ledger
    }

    /// Journals `rules.changed` as the daemon does when the file's hash changed.
    mutating func installRules(_ json: JSONValue, sha256: String) throws {
        let event = try #require(try state.equipment.rulesChangedEvent(json: json, sha256: sha256, source: "test"))
        try append([event])
    }

    /// One ticker decision for today (the clock's local date): appends and returns the
    /// reminders' data.
    @discardableResult
    mutating func tick() throws -> [JSONObject] {
        let events = state.equipment.dueReminders(today: zone.localDate(of: now))
        try append(events)
        return events.map(\.data)
    }

    /// Moves the clock to 09:00 on `date` (YYYY-MM-DD).
    mutating func day(_ date: String) {
        now = zone.timestamp(date: CivilDate(iso: date)!, hour: 9)
    }

    mutating func nextDay() {
        now = zone.timestamp(date: zone.localDate(of: now).adding(days: 1), hour: 9)
    }

    var today: CivilDate { zone.localDate(of: now) }

    /// Registers an elevator (defaults) with the given extra fields.
    @discardableResult
    mutating func register(_ code: String, _ fields: JSONObject = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        var args: JSONObject = ["code": .string(code), "category": "elevator", "user": .string(Fixture.uscc(7)),
                                "commissioned": "2020-03-10", "address": "福州市鼓楼区五一路1号", "region": "鼓楼区"]
        for (key, value) in fields.members { args[key] = value }
        return try run("equipment.register", args, sourceLocation: sourceLocation)
    }

    func unit(_ code: String) -> EquipmentUnit? { state.equipment.unit(code) }
    func nextDue(_ code: String) -> String? { unit(code)?.nextDue?.description }
}
