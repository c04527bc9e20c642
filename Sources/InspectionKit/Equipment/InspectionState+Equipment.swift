extension InspectionState {
    /// Keys the reminder queue with the daemon's configured stages (config, not journal:
    /// the queue is a derived index; which reminders were issued is journaled). O(n log n)
    /// when the stages differ from the ones in use, else O(1).
    public mutating func useReminderStages(_ stages: [Int]) {
        equipment.useReminderStages(stages)
    }
}

extension EquipmentState {
    /// Why `rules` cannot replace the rules in force: categories or variants that registered
    /// (not scrapped) units use and the new rules lack. Empty when they can. O(n).
    public func rulesGaps(_ rules: EquipmentRules) -> [String] {
        var missing = Set<String>()
        for unit in units where unit.status != .scrapped {
            guard let rule = rules.rule(for: unit.category) else {
                missing.insert("category \(unit.category.rawValue)")
                continue
            }
            if let variant = unit.variant, rule.variants[variant] == nil {
                missing.insert("variant \(unit.category.rawValue).\(variant)")
            } else if unit.variant == nil, rule.variantRequired {
                missing.insert("an interval for \(unit.category.rawValue) units without a variant")
            }
        }
        return missing.sorted()
    }

    /// The `rules.changed` event for a rules file, or nil when its SHA-256 is the one in force.
    /// Refused (conflict) when registered units would lose their rule.
    public func rulesChangedEvent(json: JSONValue, sha256: String, source: String) throws(CommandError) -> NewEvent? {
        guard sha256 != rulesSHA256 else { return nil }
        let parsed = try EquipmentRules(json: json)
        let gaps = rulesGaps(parsed)
        guard gaps.isEmpty else {
            throw .conflict("equipment rules \(source): registered units need \(gaps.joined(separator: ", ")), which the file no longer has; the rules in force are kept")
        }
        var data: JSONObject = ["sha256": .string(sha256), "source": .string(source)]
        if let previous = rulesSHA256 { data["previous"] = .string(previous) }
        data["rules"] = json
        return NewEvent(EventType.rulesChanged, data)
    }
}
