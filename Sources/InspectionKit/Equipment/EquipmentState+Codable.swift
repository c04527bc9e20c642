/// Snapshots (SPEC §10) hold the records; indexes, interned strings, tallies and the
/// reminder queue are rebuilt on load, O(n log n).
extension EquipmentState: Codable {
    private enum CodingKeys: String, CodingKey {
        case rules, rulesSHA256, rulesSeq, rulesSource, units, inspections, history, historyDetails, actors
        case reminderStages, remindersIssued, directives, directivesPerYear
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(rules?.json.objectValue, forKey: .rules)
        try c.encodeIfPresent(rulesSHA256, forKey: .rulesSHA256)
        try c.encode(rulesSeq, forKey: .rulesSeq)
        try c.encodeIfPresent(rulesSource, forKey: .rulesSource)
        try c.encode(UnitColumns(units, interned: interned), forKey: .units)
        try c.encode(InspectionColumns(inspections, details: inspectionDetails, inspectors: inspectors), forKey: .inspections)
        try c.encode(HistoryColumns(history), forKey: .history)
        try c.encode(historyDetails, forKey: .historyDetails)
        try c.encode(actors, forKey: .actors)
        try c.encode(reminderStages, forKey: .reminderStages)
        try c.encode(remindersIssued, forKey: .remindersIssued)
        try c.encode(directives, forKey: .directives)
        try c.encode(directivesPerYear, forKey: .directivesPerYear)
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let json = try c.decodeIfPresent(JSONObject.self, forKey: .rules) {
            do {
                rules = try EquipmentRules(json: .object(json))
            } catch {
                throw DecodingError.dataCorruptedError(forKey: .rules, in: c, debugDescription: error.message)
            }
        }
        rulesSHA256 = try c.decodeIfPresent(String.self, forKey: .rulesSHA256)
        rulesSeq = try c.decode(Int.self, forKey: .rulesSeq)
        rulesSource = try c.decodeIfPresent(String.self, forKey: .rulesSource)
        // Inspections and history are about half the work of a large snapshot: decoded on
        // a second core while this one rebuilds the registry (their bytes handed over
        // undecoded). With the directory decoded alongside the whole equipment part
        // (`InspectionState.init(from:)`), the 10M-event snapshot decoded in 3.3–3.8 s
        // instead of 4.1–4.4 s. Snapshots are decoded by `BinaryDecoder` only: the columns
        // are read where they lie in its payload.
        let inspectionBytes = try c.decode(EncodedValue.self, forKey: .inspections)
        let historyBytes = try c.decode(EncodedValue.self, forKey: .history)
        var inspections = ChunkedArray<InspectionRecord>(), history = ChunkedArray<HistoryEntry>()
        var details = ByteArena(), inspectors = InternTable()
        try concurrently({
            let decoded = try BinaryDecoder().decode(InspectionColumns.Decoded.self, from: inspectionBytes)
            (inspections, details, inspectors) = (decoded.records, decoded.details, decoded.inspectors)
            history = try BinaryDecoder().decode(HistoryColumns.Decoded.self, from: historyBytes).entries
        }, {
            try decodeRegistry(c)
        })
        self.inspections = inspections
        self.inspectionDetails = details
        self.inspectors = inspectors
        self.history = history
    }

    /// Everything but the inspections and the history, and the indexes rebuilt.
    private mutating func decodeRegistry(_ c: KeyedDecodingContainer<CodingKeys>) throws {
        let unitColumns = try c.decode(UnitColumns.Decoded.self, forKey: .units)
        units = unitColumns.units
        interned = InternTable(distinct: unitColumns.shared)   // the units' strings are these already
        historyDetails = try c.decode([Int32: JSONObject].self, forKey: .historyDetails)
        actors = try c.decode([String].self, forKey: .actors)
        reminderStages = try c.decode([Int].self, forKey: .reminderStages)
        remindersIssued = try c.decode(Int.self, forKey: .remindersIssued)
        directives = try c.decode([Directive].self, forKey: .directives)
        directivesPerYear = try c.decode([Int: Int].self, forKey: .directivesPerYear)

        for (n, actor) in actors.enumerated() { actorIndex[actor] = Int32(n) }
        for (d, directive) in directives.enumerated() {
            directiveIndex[directive.id] = d
            directives[d].user = intern(directive.user)
        }
        do {
            let registry = units
            codeIndex.append(count: registry.count, hash: { registry[$0].texts.withCode(StringIndex.hash) })
        }
        for i in units.indices { tally.count(flags(i), 1) }   // not `units[i]`: a copy retains and releases its strings
        reminders.rebuild(units: units)
    }
}
