/// Snapshot layouts for the big equipment arrays: one array per field instead of one
/// keyed container per record, so a million units or history entries encode as a few
/// bulk copies (`BinaryEncoder`'s fast paths) rather than millions of dynamic casts, and
/// decode (`Decoded`) straight from the payload's columns into the records
/// (`FixedColumn`, `StringColumn`). Optional days are stored as `Int32.min`; enums by
/// their index in `allCases`.

private let noDay = Int32.min

@inline(__always) private func raw(_ day: Day?) -> Int32 { day?.raw ?? noDay }
@inline(__always) private func day(_ raw: Int32) -> Day? { raw == noDay ? nil : Day(raw: raw) }

/// An enum stored as its index in `allCases`.
private func caseIndex<E: CaseIterable & Equatable>(_ value: E) -> UInt8 {
    UInt8(E.allCases.firstIndex(of: value).map { E.allCases.distance(from: E.allCases.startIndex, to: $0) } ?? 0)
}

private func decodeCase<E: CaseIterable>(_ code: UInt8, _ what: String) throws -> E {
    let all = Array(E.allCases)
    guard Int(code) < all.count else { throw columnError("bad \(what) \(code)") }
    return all[Int(code)]
}

private func columnError(_ why: String) -> DecodingError {
    .dataCorrupted(.init(codingPath: [], debugDescription: "equipment snapshot: \(why)"))
}

struct UnitColumns: Encodable {
    enum CodingKeys: String, CodingKey { case code, registration, address, shared, sharedRefs, days, small, registeredSeq }

    var code: [String] = [], registration: [String] = [], address: [String] = []
    /// The strings units share (using unit, its name, region, variant): the state's
    /// interned strings in order, then any other value of those fields, once each. A load
    /// makes each of them once and rebuilds the intern table from them in one pass,
    /// instead of making a string per unit and field and interning it (0.84 of the
    /// 10M-event snapshot's 2.3 CPU-seconds of equipment decoding).
    var shared: [String] = []
    /// Per unit `sharedPerUnit` positions in `shared`: user, userName, region, variant
    /// (−1: none).
    var sharedRefs: [Int32] = []
    /// Per unit `daysPerUnit` values: commissioned, nextDue, dueBase, lastInspected,
    /// suspendedOn, scrappedOn, remindedDue, remindedStage, lastInspectionIndex, lastHistory,
    /// reminderDay, highestRemindedDue.
    var days: [Int32] = []
    /// Per unit: category, grade, status, nextDueSource, flags (bit 0 variant present,
    /// 1 dueBaseIsFirst, 2 failed, 3 notUsableByGrade).
    var small: [UInt8] = []
    var registeredSeq: [Int] = []

    static let daysPerUnit = 12
    static let smallPerUnit = 5
    static let sharedPerUnit = 4

    init(_ units: ChunkedArray<EquipmentUnit>, interned: InternTable) {
        for column in [\UnitColumns.code, \.registration, \.address] { self[keyPath: column].reserveCapacity(units.count) }
        shared = Array(interned.all)
        var others: [String: Int32] = [:]   // short strings, which are not interned
        func position(_ text: String) -> Int32 {
            if let n = interned.number(of: text) ?? others[text] { return n }
            let n = Int32(shared.count)
            shared.append(text)
            others[text] = n
            return n
        }
        sharedRefs.reserveCapacity(units.count * Self.sharedPerUnit)
        days.reserveCapacity(units.count * Self.daysPerUnit)
        small.reserveCapacity(units.count * Self.smallPerUnit)
        registeredSeq.reserveCapacity(units.count)
        for u in units {
            code.append(u.code); registration.append(u.registration); address.append(u.address)
            sharedRefs.append(position(u.user)); sharedRefs.append(position(u.userName)); sharedRefs.append(position(u.region))
            sharedRefs.append(u.variant.map(position) ?? -1)
            days.append(u.commissioned.raw); days.append(raw(u.nextDue)); days.append(u.dueBase.raw); days.append(raw(u.lastInspected))
            days.append(raw(u.suspendedOn)); days.append(raw(u.scrappedOn)); days.append(raw(u.remindedDue)); days.append(u.remindedStage)
            days.append(u.lastInspectionIndex); days.append(u.lastHistory); days.append(u.reminderDay); days.append(u.highestRemindedDue)
            let flags: UInt8 = (u.variant != nil ? 1 : 0) | (u.dueBaseIsFirst ? 2 : 0) | (u.failed ? 4 : 0) | (u.notUsableByGrade ? 8 : 0)
            small.append(caseIndex(u.category)); small.append(u.gradeValue); small.append(caseIndex(u.status))
            small.append(caseIndex(u.nextDueSource)); small.append(flags)
            registeredSeq.append(u.registeredSeq)
        }
    }

    /// The units, decoded from the columns where they lie, and the shared strings they use.
    struct Decoded: Decodable {
        var units = ChunkedArray<EquipmentUnit>()
        /// `UnitColumns.shared`: the intern table to rebuild (`InternTable(distinct:)`).
        var shared = ChunkedArray<String>()

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var code = try c.stringColumn(.code), registration = try c.stringColumn(.registration), address = try c.stringColumn(.address)
            var sharedColumn = try c.stringColumn(.shared)
            let sharedRefs = try c.fixedColumn(.sharedRefs, of: Int32.self)
            let days = try c.fixedColumn(.days, of: Int32.self), small = try c.fixedColumn(.small, of: UInt8.self)
            let registeredSeq = try c.fixedColumn(.registeredSeq, of: Int.self)
            let n = code.count
            guard [registration.count, address.count, registeredSeq.count].allSatisfy({ $0 == n }), sharedRefs.count == n * UnitColumns.sharedPerUnit,
                  days.count == n * UnitColumns.daysPerUnit, small.count == n * UnitColumns.smallPerUnit else { throw columnError("unit columns differ in length") }
            shared.reserveCapacity(sharedColumn.count)
            for _ in 0..<sharedColumn.count { shared.append(try sharedColumn.next()) }
            try sharedColumn.finish()
            let shared = self.shared
            func sharedString(_ position: Int32) throws -> String {
                guard position >= 0, Int(position) < shared.count else { throw columnError("a unit refers to shared string \(position) of \(shared.count)") }
                return shared[Int(position)]
            }
            units.reserveCapacity(n)
            for i in 0..<n {
                let d = i * UnitColumns.daysPerUnit, s = i * UnitColumns.smallPerUnit, r = i * UnitColumns.sharedPerUnit
                let texts = UnitTexts(code: try code.nextBytes(), registration: try registration.nextBytes(), address: try address.nextBytes())
                guard let commissioned = day(days[d]), let dueBase = day(days[d + 2]) else { throw columnError("unit \(texts.code) lacks a date") }
                let flags = small[s + 4]
                let category: EquipmentCategory = try decodeCase(small[s], "category")
                let status: EquipmentStatus = try decodeCase(small[s + 2], "status")
                let source: DueSource = try decodeCase(small[s + 3], "due source")
                var unit = EquipmentUnit(
                    texts: texts, category: category,
                    variant: flags & 1 != 0 ? try sharedString(sharedRefs[r + 3]) : nil,
                    user: try sharedString(sharedRefs[r]), userName: try sharedString(sharedRefs[r + 1]),
                    region: try sharedString(sharedRefs[r + 2]),
                    commissioned: commissioned, gradeValue: small[s + 1], status: status,
                    nextDue: day(days[d + 1]), nextDueSource: source, dueBase: dueBase,
                    dueBaseIsFirst: flags & 2 != 0, lastInspected: day(days[d + 3]), lastInspectionIndex: days[d + 8],
                    failed: flags & 4 != 0, notUsableByGrade: flags & 8 != 0, suspendedOn: day(days[d + 4]), scrappedOn: day(days[d + 5]),
                    remindedDue: day(days[d + 6]), remindedStage: days[d + 7], reminderDay: days[d + 10],
                    lastHistory: days[d + 9], registeredSeq: registeredSeq[i])
                unit.highestRemindedDue = days[d + 11]
                units.append(unit)
            }
            for column in [code, registration, address] { try column.finish() }
        }
    }
}

struct HistoryColumns: Encodable {
    enum CodingKeys: String, CodingKey { case seq, atMillis, ints, kind }

    var seq: [Int] = [], atMillis: [Int] = []
    /// Per entry: unit, previous, actor, a, b.
    var ints: [Int32] = []
    var kind: [UInt8] = []

    init(_ history: ChunkedArray<HistoryEntry>) {
        seq.reserveCapacity(history.count); atMillis.reserveCapacity(history.count)
        ints.reserveCapacity(history.count * 5); kind.reserveCapacity(history.count)
        for h in history {
            seq.append(h.seq); atMillis.append(Int(h.atMillis))
            ints.append(h.unit); ints.append(h.previous); ints.append(h.actor); ints.append(h.a); ints.append(h.b)
            kind.append(h.kind.rawValue)
        }
    }

    /// The entries, decoded from the columns where they lie.
    struct Decoded: Decodable {
        var entries = ChunkedArray<HistoryEntry>()

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let seq = try c.fixedColumn(.seq, of: Int.self), atMillis = try c.fixedColumn(.atMillis, of: Int.self)
            let ints = try c.fixedColumn(.ints, of: Int32.self), kind = try c.fixedColumn(.kind, of: UInt8.self)
            let n = seq.count
            guard atMillis.count == n, kind.count == n, ints.count == n * 5 else { throw columnError("history columns differ in length") }
            entries.reserveCapacity(n)
            for i in 0..<n {
                guard let k = HistoryEntry.Kind(rawValue: kind[i]) else { throw columnError("bad history kind \(kind[i])") }
                entries.append(HistoryEntry(seq: seq[i], atMillis: Int64(atMillis[i]), unit: ints[i * 5], previous: ints[i * 5 + 1], kind: k,
                                            actor: ints[i * 5 + 2], a: ints[i * 5 + 3], b: ints[i * 5 + 4]))
            }
        }
    }
}

struct InspectionColumns: Encodable {
    enum CodingKeys: String, CodingKey { case seq, days, small, detailsLength, detailsText, inspectors }

    var seq: [Int] = []
    /// Per record: date, certificateDue, nextDue.
    var days: [Int32] = []
    /// Per record: kind, conclusion, grade.
    var small: [UInt8] = []
    /// Per record, the length of its packed details (`PackedInspectionDetails`); the
    /// details themselves lie end to end in `detailsText`, in record order (so each
    /// record's offset is the sum of the lengths before it).
    var detailsLength: [Int32] = []
    var detailsText = ByteArena()
    /// The inspecting organisations the details name by number (`EquipmentState.inspectors`).
    var inspectors: [String] = []

    init(_ records: ChunkedArray<InspectionRecord>, details: ByteArena, inspectors: InternTable) {
        self.inspectors = Array(inspectors.all)
        seq.reserveCapacity(records.count); days.reserveCapacity(records.count * 3)
        small.reserveCapacity(records.count * 3); detailsLength.reserveCapacity(records.count)
        var inOrder = true, offset = 0
        for r in records {
            seq.append(r.seq)
            days.append(r.date.raw); days.append(raw(r.certificateDue)); days.append(raw(r.nextDue))
            small.append(caseIndex(r.kind)); small.append(caseIndex(r.conclusion)); small.append(r.grade)
            detailsLength.append(Int32(r.details.count))
            if r.details.offset != offset { inOrder = false }
            offset += Int(r.details.count)
        }
        if inOrder && offset == details.byteCount {
            detailsText = details   // as replay and the daemon build it: one text per record, in order
        } else {
            for r in records { _ = details.withBytes(r.details) { detailsText.append($0) } }
        }
    }

    /// The records, their details and the inspectors named, decoded from the columns
    /// where they lie.
    struct Decoded: Decodable {
        var records = ChunkedArray<InspectionRecord>()
        var details = ByteArena()
        var inspectors = InternTable()

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let seq = try c.fixedColumn(.seq, of: Int.self), days = try c.fixedColumn(.days, of: Int32.self)
            let small = try c.fixedColumn(.small, of: UInt8.self), detailsLength = try c.fixedColumn(.detailsLength, of: Int32.self)
            details = try c.decode(ByteArena.self, forKey: .detailsText)
            inspectors = InternTable(distinct: ChunkedArray(try c.decode([String].self, forKey: .inspectors)))
            let n = seq.count
            guard days.count == n * 3, small.count == n * 3, detailsLength.count == n else { throw columnError("inspection columns differ in length") }
            records.reserveCapacity(n)
            var offset = 0
            for i in 0..<n {
                guard let date = day(days[i * 3]) else { throw columnError("inspection seq \(seq[i]) lacks its date") }
                let length = detailsLength[i]
                let ref = ByteArena.Ref(offset: offset, count: UInt32(clamping: length))
                guard length >= 0, details.contains(ref) else { throw columnError("inspection seq \(seq[i]): details past the end of their text") }
                guard details.withBytes(ref, { PackedInspectionDetails.fields($0, inspectorCount: inspectors.count) != nil }) else {
                    throw columnError("inspection seq \(seq[i]): details not in their packed form")
                }
                offset += Int(ref.count)
                records.append(InspectionRecord(seq: seq[i], date: date, kind: try decodeCase(small[i * 3], "inspection kind"),
                                                conclusion: try decodeCase(small[i * 3 + 1], "conclusion"), grade: small[i * 3 + 2],
                                                certificateDue: day(days[i * 3 + 1]), nextDue: day(days[i * 3 + 2]), details: ref))
            }
            guard offset == details.byteCount else { throw columnError("inspection details text is \(details.byteCount) bytes, the records use \(offset)") }
        }
    }
}
