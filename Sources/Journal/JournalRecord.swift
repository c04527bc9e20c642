import InspectionKit

#if canImport(Glibc)
import Glibc
#endif

/// One journal line, decoded: SPEC §4's six keys in their fixed order.
///
/// The domain's five (seq, time, type, actor, data) are kept as the `Event` they make,
/// so that replay hands on the record's own event: its reader decodes each line straight
/// into a slot of the batch the applier reads (`JournalReader.scan`'s `nextRecord`),
/// where returning a record, then building an event from it, then appending that to the
/// batch copied the 288-byte event and its payload several times a line.
public struct JournalRecord: Sendable, Equatable {
    /// The domain's view of this record: `seq`, `at` as an instant, `type`, `actor` and
    /// the payload. Mutate it in place (`apply(inPlace:)` moves its values out).
    public var event: Event
    private var storedAt: StoredTime
    /// The SHA-256 of the previous line's bytes (all zeros for seq 1).
    public var prevDigest: SHA256.Digest

    public var seq: Int {
        get { event.seq }
        set { event.seq = newValue }
    }
    /// The `at` text exactly as stored (RFC 3339, milliseconds, the bureau's offset).
    public var at: String { storedAt.text(of: event.at) }
    /// `at` as an instant (parsed once, when the record is made).
    public var timestamp: Timestamp { event.at }
    public var type: String {
        get { event.type }
        set { event.type = newValue }
    }
    public var actor: String {
        get { event.actor }
        set { event.actor = newValue }
    }
    /// `data` as decoded: the object, or the typed value it equals (see `EventPayload`).
    public var payload: EventPayload {
        get { event.payload }
        set { event.replacePayload(newValue) }
    }
    public var data: JSONObject {
        get { event.data }
        set { event.data = newValue }
    }

    /// Lowercase hex SHA-256 of the previous line's bytes (64 zeros for seq 1).
    public var prev: String {
        get { prevDigest.hex }
        set {
            guard let digest = SHA256.Digest(lowercaseHex: newValue) else { preconditionFailure("prev \(newValue) is not 64 lowercase hex digits") }
            prevDigest = digest
        }
    }

    /// `at` must be RFC 3339 and `prev` 64 lowercase hex digits (the writer's own values).
    public init(seq: Int, at: String, type: String, actor: String, data: JSONObject, prev: String) {
        guard let timestamp = Timestamp.parseRFC3339(at) else { preconditionFailure("journal time \(at) is not RFC 3339") }
        guard let digest = SHA256.Digest(lowercaseHex: prev) else { preconditionFailure("prev \(prev) is not 64 lowercase hex digits") }
        self.init(seq: seq, at: at, timestamp: timestamp, type: type, actor: actor, payload: .json(data), prevDigest: digest)
    }

    init(seq: Int, at: String, timestamp: Timestamp, type: String, actor: String, payload: EventPayload, prevDigest: SHA256.Digest) {
        self.event = Event(seq: seq, at: timestamp, type: type, actor: actor, payload: payload)
        self.storedAt = at.utf8.withContiguousStorageIfAvailable { StoredTime(UnsafeRawBufferPointer($0), text: at) } ?? .text(at)
        self.prevDigest = prevDigest
    }

    /// A record with nothing in it, for the decoder to overwrite (`JournalLineDecoder.decode(_:expectedPrev:into:)`).
    public static var blank: JournalRecord {
        JournalRecord(event: Event(seq: 0, at: Timestamp(millis: 0), type: "", actor: "", payload: .json(JSONObject())),
                      storedAt: .canonical(offsetSeconds: 0), prevDigest: .zero)
    }

    private init(event: Event, storedAt: StoredTime, prevDigest: SHA256.Digest) {
        self.event = event
        self.storedAt = storedAt
        self.prevDigest = prevDigest
    }

    /// Overwrites the line's fixed fields (the payload is set apart, `event.replacePayload`).
    mutating func setFields(seq: Int, at: StoredTime, timestamp: Timestamp, type: String, knownTypeNumber: Int?,
                            actor: String, prevDigest: SHA256.Digest) {
        event.seq = seq
        event.at = timestamp
        if let knownTypeNumber {
            event.setType(type, knownNumber: knownTypeNumber)
        } else {
            event.type = type
        }
        event.actor = actor
        storedAt = at
        self.prevDigest = prevDigest
    }

    public static let genesisPrev = String(repeating: "0", count: 64)
    public static let keyOrder = ["seq", "at", "type", "actor", "data", "prev"]

    /// The line's bytes, without the trailing newline, in the fixed key order.
    ///
    /// The writer hashes exactly these bytes for the next line's `prev`; nothing is
    /// ever re-encoded to verify.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + at.utf8.count + actor.utf8.count + data.count * 32)
        out.append(contentsOf: #"{"seq":"#.utf8)
        out.append(contentsOf: String(seq).utf8)
        out.append(contentsOf: #","at":"#.utf8)
        JSONValue.writeQuoted(at, into: &out)
        out.append(contentsOf: #","type":"#.utf8)
        JSONValue.writeQuoted(type, into: &out)
        out.append(contentsOf: #","actor":"#.utf8)
        JSONValue.writeQuoted(actor, into: &out)
        out.append(contentsOf: #","data":"#.utf8)
        JSONValue.object(data).serialize(into: &out)
        out.append(contentsOf: #","prev":""#.utf8)
        out.append(contentsOf: prev.utf8)
        out.append(contentsOf: #""}"#.utf8)
        return out
    }

    /// Decodes one line (without its newline). The error says what is wrong in words.
    public static func decode(_ line: UnsafeRawBufferPointer) throws(JournalLineError) -> JournalRecord {
        var decoder = JournalLineDecoder()
        return try decoder.decode(line)
    }

    public static func decode(_ line: [UInt8]) throws(JournalLineError) -> JournalRecord {
        try line.withBytes { (buffer) throws(JournalLineError) in try decode(buffer) }
    }

    /// The general decoder: any JSON text, checked against the line shape with errors in
    /// words. `JournalLineDecoder` tries its byte-level fast path first and comes here
    /// only for lines that path does not take.
    static func decodeGeneral(_ line: UnsafeRawBufferPointer) throws(JournalLineError) -> JournalRecord {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line, finiteNumbersOnly: true)
        } catch {
            throw JournalLineError(kind: .json, message: "not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw JournalLineError(kind: .shape, message: "not a JSON object")
        }
        guard object.keys == keyOrder else {
            throw JournalLineError(kind: .shape,
                                   message: "keys are [\(object.keys.joined(separator: ","))]; expected [\(keyOrder.joined(separator: ","))] in that order")
        }
        let members = object.members
        guard case .number(let seqText) = members[0].value, let seq = Int(seqText), seq >= 1 else {
            throw JournalLineError(kind: .shape, message: "\"seq\" is not a positive integer")
        }
        guard case .string(let at) = members[1].value, let timestamp = Timestamp.parseRFC3339(at) else {
            throw JournalLineError(kind: .shape, message: "\"at\" is not an RFC 3339 time")
        }
        guard case .string(let type) = members[2].value, isValidType(type) else {
            throw JournalLineError(kind: .shape, message: "\"type\" is not a dotted lower-case event name")
        }
        guard case .string(let actor) = members[3].value, !actor.isEmpty else {
            throw JournalLineError(kind: .shape, message: "\"actor\" is not a non-empty string")
        }
        guard case .object(let data) = members[4].value else {
            throw JournalLineError(kind: .shape, message: "\"data\" is not an object")
        }
        guard case .string(let prev) = members[5].value, let prevDigest = SHA256.Digest(lowercaseHex: prev) else {
            throw JournalLineError(kind: .shape, message: "\"prev\" is not 64 lowercase hex digits")
        }
        return JournalRecord(seq: seq, at: at, timestamp: timestamp, type: type, actor: actor, payload: .json(data), prevDigest: prevDigest)
    }

    static func isValidType(_ type: String) -> Bool {
        guard !type.isEmpty else { return false }
        return type.utf8.allSatisfy(isTypeByte)
    }

    @inline(__always)
    static func isTypeByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 46 || b == 45 || b == 95
    }

    public static func == (l: JournalRecord, r: JournalRecord) -> Bool {
        l.seq == r.seq && l.at == r.at && l.type == r.type && l.actor == r.actor && l.payload == r.payload && l.prevDigest == r.prevDigest
    }
}

/// How a record keeps its `at` text. The writer's own form, `YYYY-MM-DDTHH:MM:SS.mmm±HH:MM`
/// (29 bytes), is kept as its offset alone: `Timestamp.rfc3339(offsetSeconds:)` spells the
/// record's instant back in exactly those bytes, and replay never asks for the text — which
/// was a heap String per line, allocated by the reader and freed by the applier. Any other
/// spelling RFC 3339 allows (`Z`, `-00:00`, a `t` or a space, other fraction lengths) is
/// kept as the text itself.
enum StoredTime: Sendable {
    case canonical(offsetSeconds: Int32)
    case text(String)

    /// For the bytes of an `at` value that parsed as RFC 3339; `text` is the same value as
    /// a String if the caller has one.
    init(_ bytes: UnsafeRawBufferPointer, text: String?) {
        @inline(__always) func digit(_ i: Int) -> Int32 { Int32(bytes[i]) &- 48 }
        if bytes.count == 29, bytes[10] == UInt8(ascii: "T"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "."),
           bytes[23] == UInt8(ascii: "+") || bytes[23] == UInt8(ascii: "-") {
            let magnitude = (digit(24) * 10 + digit(25)) * 3600 + (digit(27) * 10 + digit(28)) * 60
            if bytes[23] == UInt8(ascii: "+") {
                self = .canonical(offsetSeconds: magnitude)
                return
            }
            if magnitude != 0 {   // "-00:00" is UTC but spelled back "+00:00"
                self = .canonical(offsetSeconds: -magnitude)
                return
            }
        }
        self = .text(text ?? String(decoding: bytes, as: UTF8.self))
    }

    func text(of timestamp: Timestamp) -> String {
        switch self {
        case .canonical(let offsetSeconds): timestamp.rfc3339(offsetSeconds: Int(offsetSeconds))
        case .text(let text): text
        }
    }
}

/// Decodes journal lines fast: the byte-level path reads the fixed shape the writer
/// emits — `{"seq":N,"at":"…","type":"…","actor":"…","data":{…},"prev":"<64 hex>"}` with
/// no whitespace between the six members — straight from the buffer: one String per
/// event type and per recent actor, shared; the time and `prev` parsed from their bytes;
/// `data` read straight into a typed value for the hottest event types when it is in
/// exactly the shape that type writes (`EventPayload`; `Cursor.entityPayload` and its
/// siblings), else parsed as general JSON.
///
/// Any line that path does not take (other spacing, escapes in the fixed fields, any
/// error) goes to `JournalRecord.decodeGeneral`, so the fast path changes speed only:
/// a line is accepted, and decoded to the same record, exactly when the general path
/// accepts it. A differential test holds the two (and `JSONSerialization`) together.
///
/// Keep one decoder per scan: the caches live in it.
public struct JournalLineDecoder {
    /// Recently seen actors, most recent first (a journal has few).
    private var actors: [(bytes: [UInt8], string: String)] = []
    /// Payload keys seen before.
    private var keys = JSONKeyCache()

    public init() {}

    /// With `expectedPrev` (the digest the chain says this line's `prev` must be), a
    /// `prev` that matches it is compared in place instead of parsed; any other `prev`
    /// is parsed as usual. The record is the same either way.
    public mutating func decode(_ line: UnsafeRawBufferPointer, expectedPrev: SHA256.Digest? = nil) throws(JournalLineError) -> JournalRecord {
        var record = JournalRecord.blank
        try decode(line, expectedPrev: expectedPrev, into: &record)
        return record
    }

    /// `decode(_:expectedPrev:)` into `record`, overwriting every field it has: replay
    /// decodes each line straight into its slot of the batch the applier reads. If the
    /// line is refused, `record` holds some of the line's values and some of its old ones.
    public mutating func decode(_ line: UnsafeRawBufferPointer, expectedPrev: SHA256.Digest? = nil,
                                into record: inout JournalRecord) throws(JournalLineError) {
        if decodeFixedShape(line, expectedPrev: expectedPrev, into: &record) { return }
        record = try JournalRecord.decodeGeneral(line)
    }

    /// The byte-level path as a value (for tests); nil where the general decoder takes the line.
    mutating func decodeFixedShape(_ line: UnsafeRawBufferPointer, expectedPrev: SHA256.Digest? = nil) -> JournalRecord? {
        var record = JournalRecord.blank
        return decodeFixedShape(line, expectedPrev: expectedPrev, into: &record) ? record : nil
    }

    /// The byte-level path, decoding into `record`; false hands the line to the general
    /// decoder (with `record` partly overwritten).
    mutating func decodeFixedShape(_ line: UnsafeRawBufferPointer, expectedPrev: SHA256.Digest?, into record: inout JournalRecord) -> Bool {
        var cursor = Cursor(line)
        guard cursor.expect(#"{"seq":"#) else { return false }
        // seq: 1–18 digits, no leading zero (the general path's grammar, and Int fits).
        let seqStart = cursor.pos
        var seq = 0
        while cursor.pos < line.count, case 0x30...0x39 = line[cursor.pos], cursor.pos - seqStart < 18 {
            seq = seq * 10 + Int(line[cursor.pos] &- 0x30)
            cursor.pos += 1
        }
        guard cursor.pos > seqStart, line[seqStart] != 0x30 else { return false }
        guard cursor.expect(#","at":""#), let atRange = cursor.plainASCIIString(),
              let timestamp = Timestamp.parseRFC3339(utf8: UnsafeRawBufferPointer(rebasing: line[atRange])) else { return false }
        guard cursor.expect(#","type":""#), let typeRange = cursor.plainASCIIString(), !typeRange.isEmpty else { return false }
        let typeBytes = UnsafeRawBufferPointer(rebasing: line[typeRange])
        guard typeBytes.allSatisfy(JournalRecord.isTypeByte) else { return false }
        guard cursor.expect(#","actor":""#), let actorRange = cursor.plainString(), !actorRange.isEmpty else { return false }
        let actorBytes = UnsafeRawBufferPointer(rebasing: line[actorRange])
        guard cursor.expect(#","data":"#) else { return false }
        let dataStart = cursor.pos
        // The payload goes straight into the record (built here and returned, it was
        // copied on its way, see `JournalRecord`), a typed one with its lookup worked out
        // from its key's bytes (`Event.replacePayload(_:key:)`).
        var typed = false
        switch Self.typedPayload(typeBytes) {
        case .entity?: typed = cursor.entityPayload(into: &record.event)
        case .equipmentInspection?: typed = cursor.equipmentInspectionPayload(into: &record.event)
        case .equipmentRegistration?: typed = cursor.equipmentRegistrationPayload(into: &record.event)
        case .equipmentReminder?: typed = cursor.equipmentReminderPayload(into: &record.event)
        case nil: break
        }
        if !typed {
            cursor.pos = dataStart
            do throws(JSONParseError) {
                let data: JSONObject
                (data, cursor.pos) = try JSONValue.parseObject(line, at: cursor.pos, keys: &keys)
                record.event.replacePayload(.json(data))
            } catch {
                return false
            }
        }
        guard cursor.expect(#","prev":""#), line.count - cursor.pos == 66,
              line[line.count - 2] == 0x22, line[line.count - 1] == 0x7D else { return false }
        let prevText = UnsafeRawBufferPointer(rebasing: line[cursor.pos..<(line.count - 2)])
        let prev: SHA256.Digest
        if let expectedPrev, expectedPrev.matches(lowercaseHex: prevText) {
            prev = expectedPrev   // a quarter of the cost of parsing 64 hex digits
        } else {
            guard let parsed = SHA256.Digest(lowercaseHex: prevText) else { return false }
            prev = parsed
        }
        guard let actor = actor(actorBytes) else { return false }
        let (type, knownNumber) = Self.type(typeBytes)
        record.setFields(seq: seq, at: StoredTime(UnsafeRawBufferPointer(rebasing: line[atRange]), text: nil),
                         timestamp: timestamp, type: type, knownTypeNumber: knownNumber, actor: actor, prevDigest: prev)
        return true
    }

    /// The event types whose payloads the fast path reads typed (see `EventPayload`).
    enum TypedPayload { case entity, equipmentInspection, equipmentRegistration, equipmentReminder }

    static func typedPayload(_ type: UnsafeRawBufferPointer) -> TypedPayload? {
        func equals(_ literal: StaticString) -> Bool {
            type.count == literal.utf8CodeUnitCount && memcmp(type.baseAddress!, literal.utf8Start, type.count) == 0
        }
        if equals("entity.registered") || equals("entity.updated") { return .entity }
        if equals("equipment.inspected") { return .equipmentInspection }
        if equals("equipment.registered") { return .equipmentRegistration }
        if equals("reminder.issued") { return .equipmentReminder }
        return nil
    }

    /// The shared String for a known event type and its place in
    /// `InspectionState.knownEventTypes` (a new String and nil for an unknown type).
    static func type(_ bytes: UnsafeRawBufferPointer) -> (String, knownNumber: Int?) {
        if bytes.count < typesByLength.count {
            for known in typesByLength[bytes.count] where known.bytes.withUnsafeBytes({ $0.equalBytes(bytes) }) {
                return (known.string, known.number)
            }
        }
        return (String(decoding: bytes, as: UTF8.self), nil)
    }

    static let typesByLength: [[(bytes: [UInt8], string: String, number: Int)]] = {
        var table = [[(bytes: [UInt8], string: String, number: Int)]](repeating: [], count: 48)
        for (number, type) in InspectionState.knownEventTypes.enumerated() where type.utf8.count < table.count {
            table[type.utf8.count].append((Array(type.utf8), type, number))
        }
        return table
    }()

    /// The actor as a String, shared with earlier lines by the same actor; nil if the bytes are not UTF-8.
    mutating func actor(_ bytes: UnsafeRawBufferPointer) -> String? {
        for i in actors.indices where actors[i].bytes.elementsEqual(bytes) {
            if i > 0 { actors.swapAt(i, i - 1) }
            return actors[i > 0 ? i - 1 : 0].string
        }
        guard let string = bytes.validUTF8String() else { return nil }
        if actors.count == 8 { actors.removeLast() }
        actors.insert((Array(bytes), string), at: 0)
        return string
    }

    /// A read position in one line.
    struct Cursor {
        let line: UnsafeRawBufferPointer
        var pos = 0

        init(_ line: UnsafeRawBufferPointer) { self.line = line }

        /// Consumes `literal` if the line continues with it.
        @inline(__always)
        mutating func expect(_ literal: StaticString) -> Bool {
            let n = literal.utf8CodeUnitCount
            guard line.count - pos >= n, memcmp(line.baseAddress! + pos, literal.utf8Start, n) == 0 else { return false }
            pos += n
            return true
        }

        /// Just after an opening quote: the contents up to the closing quote if they are
        /// printable ASCII without escapes (then consumes the quote), else nil.
        mutating func plainASCIIString() -> Range<Int>? {
            let start = pos
            while pos < line.count {
                let b = line[pos]
                if b == 0x22 { pos += 1; return start..<(pos - 1) }
                guard b >= 0x20, b < 0x80, b != 0x5C else { return nil }
                pos += 1
            }
            return nil
        }

        /// An entity payload in exactly the shape `Entity.json` writes —
        /// `{"id":"…","name":"…","kind":"…","industry":"…","region":"…","address":"…","risk":"…","tags":["…",…],"status":"…"}`,
        /// no spaces, no escapes in the strings, `kind`/`risk`/`status` spelled as
        /// `Entity.json` spells them — so that its `json` equals what a JSON parser reads
        /// from the same bytes. Anything else is nil (the caller parses the payload as JSON);
        /// the cursor is then somewhere inside the payload.
        /// The id, name, address and tags are packed from the line's bytes (`CompactEntity`):
        /// no String is made for them. Set as `event`'s payload (else false, `event` untouched).
        mutating func entityPayload(into event: inout Event) -> Bool {
            guard let (entity, id) = entityPayload() else { return false }
            event.replacePayload(.compactEntity(entity), key: id)
            return true
        }

        mutating func entityPayload() -> (CompactEntity, id: UnsafeRawBufferPointer)? {
            guard expect(#"{"id":""#), let id = utf8Bytes(),
                  expect(#","name":""#), let name = utf8Bytes(),
                  expect(#","kind":""#), let kind: EntityKind = spelling(),
                  expect(#","industry":""#), let industry = utf8String(),
                  expect(#","region":""#), let region = utf8String(),
                  expect(#","address":""#), let address = utf8Bytes(),
                  expect(#","risk":""#), let riskRange = plainASCIIString() else { return nil }
            let risk: RiskClass?
            if riskRange.isEmpty {
                risk = nil
            } else {
                guard let r = RiskClass.spellings.value(spelled: UnsafeRawBufferPointer(rebasing: line[riskRange])) else { return nil }
                risk = r
            }
            guard expect(#","tags":["#) else { return nil }
            var texts = EntityTexts(id: id, name: name, address: address)
            if !expect("]") {
                repeat {
                    guard expect(#"""#), let tag = utf8Bytes() else { return nil }
                    texts.appendTag(tag)
                } while expect(",")
                guard expect("]") else { return nil }
            }
            guard expect(#","status":""#), let status: EntityStatus = spelling(), expect("}") else { return nil }
            return (CompactEntity(kind: kind, industry: industry, region: region, risk: risk, status: status, texts: texts), id)
        }

        /// `equipment.inspected` in exactly the shape `EquipmentInspection.json` writes
        /// (optional members present or absent, in their place), plain strings, dates as
        /// `YYYY-MM-DD`, `grade` a small non-negative integer without leading zeros, set as
        /// `event`'s payload (else false, `event` untouched). Texts that fit go inline
        /// (`EventPayload.equipmentInspectionLine`), with no String made; longer ones as
        /// Strings (`.equipmentInspection`).
        mutating func equipmentInspectionPayload(into event: inout Event) -> Bool {
            guard expect(#"{"code":""#), let code = utf8Bytes(),
                  expect(#","date":""#), let date = day(),
                  expect(#","kind":""#), let kind: InspectionKind = spelling(),
                  expect(#","conclusion":""#), let conclusion: InspectionConclusion = spelling() else { return false }
            var grade: Int?, certificateDue: Day?, report: UnsafeRawBufferPointer?, inspector: UnsafeRawBufferPointer?, note: UnsafeRawBufferPointer?
            guard optional(#","grade":"#, &grade, { $0.smallInteger() }),
                  optional(#","certificateDue":""#, &certificateDue, { $0.day() }),
                  optional(#","report":""#, &report, { $0.utf8Bytes() }),
                  optional(#","inspector":""#, &inspector, { $0.utf8Bytes() }),
                  optional(#","note":""#, &note, { $0.utf8Bytes() }) else { return false }
            guard let due = dueFieldsAndEnd() else { return false }
            let texts = (code, report, inspector, note)
            if let inline = InspectionLine(code: texts.0, date: date, kind: kind, conclusion: conclusion, grade: grade,
                                           certificateDue: certificateDue, report: texts.1, inspector: texts.2, note: texts.3,
                                           nextDue: due.nextDue, nextDueSource: due.source, dueBase: due.base,
                                           dueBaseFirst: due.baseFirst, gradeNotUsable: due.gradeNotUsable) {
                event.replacePayload(.equipmentInspectionLine(inline), key: code)
                return true
            }
            func string(_ text: UnsafeRawBufferPointer) -> String { String(decoding: text, as: UTF8.self) }
            event.replacePayload(.equipmentInspection(EquipmentInspection(
                code: string(texts.0), date: date, kind: kind, conclusion: conclusion, grade: grade,
                certificateDue: certificateDue, report: texts.1.map(string), inspector: texts.2.map(string), note: texts.3.map(string),
                nextDue: due.nextDue, nextDueSource: due.source, dueBase: due.base,
                dueBaseFirst: due.baseFirst, gradeNotUsable: due.gradeNotUsable)), key: code)
            return true
        }

        /// `equipment.registered` in exactly the shape `EquipmentRegistration.json` writes,
        /// set as `event`'s payload (else false, `event` untouched).
        mutating func equipmentRegistrationPayload(into event: inout Event) -> Bool {
            guard let (registration, code) = equipmentRegistrationPayload() else { return false }
            event.replacePayload(.equipmentRegistration(registration), key: code)
            return true
        }

        mutating func equipmentRegistrationPayload() -> (EquipmentRegistration, code: UnsafeRawBufferPointer)? {
            var variant: String?, userName: String?, grade: Int?, lastInspected: Day?, suspendedOn: Day?
            guard expect(#"{"code":""#), let code = utf8Bytes(),
                  expect(#","registration":""#), let registration = utf8Bytes(),
                  expect(#","category":""#), let category: EquipmentCategory = spelling(),
                  optional(#","variant":""#, &variant, { $0.utf8String() }),
                  expect(#","user":""#), let user = utf8String(),
                  optional(#","userName":""#, &userName, { $0.utf8String() }),
                  expect(#","address":""#), let address = utf8Bytes(),
                  expect(#","region":""#), let region = utf8String(),
                  expect(#","commissioned":""#), let commissioned = day(),
                  optional(#","grade":"#, &grade, { $0.smallInteger() }),
                  optional(#","lastInspected":""#, &lastInspected, { $0.day() }),
                  expect(#","status":""#), let status: EquipmentStatus = spelling(),
                  optional(#","suspendedOn":""#, &suspendedOn, { $0.day() }),
                  let due = dueFieldsAndEnd() else { return nil }
            return (EquipmentRegistration(texts: UnitTexts(code: code, registration: registration, address: address),
                                         category: category, variant: variant, user: user,
                                         userName: userName, region: region, commissioned: commissioned,
                                         grade: grade, lastInspected: lastInspected, status: status, suspendedOn: suspendedOn,
                                         nextDue: due.nextDue, nextDueSource: due.source, dueBase: due.base,
                                         dueBaseFirst: due.baseFirst, gradeNotUsable: due.gradeNotUsable), code)
        }

        /// `reminder.issued` in exactly the shape `EquipmentReminder.json` writes, set as
        /// `event`'s payload (else false, `event` untouched).
        mutating func equipmentReminderPayload(into event: inout Event) -> Bool {
            guard let (reminder, equipment) = equipmentReminderPayload() else { return false }
            event.replacePayload(.equipmentReminder(reminder), key: equipment)
            return true
        }

        mutating func equipmentReminderPayload() -> (EquipmentReminder, equipment: UnsafeRawBufferPointer)? {
            guard expect(#"{"equipment":""#), let equipmentBytes = utf8Bytes(),
                  expect(#","due":""#), let due = day(),
                  expect(#","stage":"#), let stage = signedSmallInteger() else { return nil }
            var skipped: [Int] = []
            if expect(#","skipped":["#) {
                repeat {
                    guard let value = signedSmallInteger() else { return nil }
                    skipped.append(value)
                } while expect(",")
                guard expect("]") else { return nil }
            }
            guard expect(#","category":""#), let category = utf8String(),
                  expect(#","user":""#), let user = utf8String() else { return nil }
            var userName: String?, address: String?, region: String?
            guard optional(#","userName":""#, &userName, { $0.utf8String() }),
                  optional(#","address":""#, &address, { $0.utf8String() }),
                  optional(#","region":""#, &region, { $0.utf8String() }) else { return nil }
            guard expect("}") else { return nil }
            let equipment = String(decoding: equipmentBytes, as: UTF8.self)
            return (EquipmentReminder(equipment: equipment, due: due, stage: stage, skipped: skipped, category: category,
                                      user: user, userName: userName, address: address, region: region), equipmentBytes)
        }

        /// An optional member: absent (true, `value` untouched), or `key` then a value `read`
        /// accepts (true, `value` set); false if `key` is there and its value is not.
        mutating func optional<T>(_ key: StaticString, _ value: inout T?, _ read: (inout Cursor) -> T?) -> Bool {
            guard expect(key) else { return true }
            guard let read = read(&self) else { return false }
            value = read
            return true
        }

        /// `smallInteger`, or `-` and a non-zero one.
        mutating func signedSmallInteger() -> Int? {
            guard expect("-") else { return smallInteger() }
            guard let value = smallInteger(), value != 0 else { return nil }
            return -value
        }

        /// The due fields as `DueFields.encode` writes them, then the payload's closing brace.
        mutating func dueFieldsAndEnd() -> (nextDue: Day?, source: DueSource, base: Day, baseFirst: Bool, gradeNotUsable: Bool)? {
            var nextDue: Day?
            guard optional(#","nextDue":""#, &nextDue, { $0.day() }) else { return nil }
            guard expect(#","nextDueSource":""#), let source: DueSource = spelling(),
                  expect(#","dueBase":""#), let base = day(),
                  expect(#","dueBaseFirst":"#) else { return nil }
            let baseFirst: Bool
            if expect("true") { baseFirst = true } else if expect("false") { baseFirst = false } else { return nil }
            let gradeNotUsable = expect(#","gradeNotUsable":true"#)
            guard expect("}") else { return nil }
            return (nextDue, source, base, baseFirst, gradeNotUsable)
        }

        /// Just after an opening quote: a `YYYY-MM-DD` date and the closing quote.
        mutating func day() -> Day? {
            guard line.count - pos >= 11, line[pos + 10] == 0x22,
                  let date = CivilDate(isoUTF8: UnsafeRawBufferPointer(rebasing: line[pos..<(pos + 10)]))
            else { return nil }
            pos += 11
            return Day(date)
        }

        /// `0` or up to nine digits without a leading zero.
        mutating func smallInteger() -> Int? {
            let start = pos
            var value = 0
            while pos < line.count, case 0x30...0x39 = line[pos], pos - start < 9 {
                value = value * 10 + Int(line[pos] &- 0x30)
                pos += 1
            }
            guard pos > start, line[start] != 0x30 || pos - start == 1 else { return nil }
            if pos < line.count, case 0x30...0x39 = line[pos] { return nil }
            return value
        }

        /// Just after an opening quote: the string up to the closing quote if it has no
        /// escapes or control characters and is valid UTF-8 (then consumes the quote).
        mutating func utf8String() -> String? {
            guard let range = plainString() else { return nil }
            return UnsafeRawBufferPointer(rebasing: line[range]).validUTF8String()
        }

        /// `utf8String`'s bytes, in place in the line: no String made.
        mutating func utf8Bytes() -> UnsafeRawBufferPointer? {
            guard let range = plainString() else { return nil }
            let bytes = UnsafeRawBufferPointer(rebasing: line[range])
            return bytes.isValidUTF8 ? bytes : nil
        }

        /// Just after an opening quote: the case whose raw value is exactly the string.
        mutating func spelling<Value: Spelled>() -> Value? {
            guard let range = plainASCIIString() else { return nil }
            return Value.spellings.value(spelled: UnsafeRawBufferPointer(rebasing: line[range]))
        }

        /// Like `plainASCIIString` but allows bytes >= 0x80 (validated by the caller).
        /// Eight bytes at a time while none of them is a quote, a backslash or a control
        /// character (the names and addresses of the journal's busiest events run to
        /// 30–60 bytes); then byte by byte, as before.
        mutating func plainString() -> Range<Int>? {
            let start = pos
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            while pos + 8 <= line.count {
                let word = line.loadUnaligned(fromByteOffset: pos, as: UInt64.self)
                let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
                // A byte of `x` is zero, or below 0x20, exactly when its high bit ends up set here.
                let special = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word) & highs
                if special != 0 { break }
                pos += 8
            }
            while pos < line.count {
                let b = line[pos]
                if b == 0x22 { pos += 1; return start..<(pos - 1) }
                guard b >= 0x20, b != 0x5C else { return nil }
                pos += 1
            }
            return nil
        }
    }
}

/// Why a line is not a valid journal line.
public struct JournalLineError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Not parseable JSON.
        case json
        /// JSON, but not the journal's line shape.
        case shape
    }
    public var kind: Kind
    public var message: String
    public var description: String { message }
}

/// An enum the fast path reads by its spelling (`Cursor.spelling`), its cases' bytes
/// tabled once. Read as `Value.allCases.first { $0.rawValue == … }`, each field made a
/// new array of the cases; through `init(rawValue:)`, a String and a search of them
/// (`_findStringSwitchCase`): three to five fields a line, 2–3 % of the reader's time.
protocol Spelled: CaseIterable, RawRepresentable, Sendable where RawValue == String {
    static var spellings: Spellings<Self> { get }
}

/// The cases of `Value` with their spellings' bytes, for `Cursor.spelling`.
struct Spellings<Value: CaseIterable & RawRepresentable & Sendable>: Sendable where Value.RawValue == String {
    private let cases: [(bytes: [UInt8], value: Value)]

    init() { cases = Value.allCases.map { (Array($0.rawValue.utf8), $0) } }

    /// The case spelled exactly `bytes`, if any.
    func value(spelled bytes: UnsafeRawBufferPointer) -> Value? {
        for entry in cases where entry.bytes.count == bytes.count {
            if entry.bytes.withUnsafeBytes({ $0.equalBytes(bytes) }) { return entry.value }
        }
        return nil
    }
}

extension EntityKind: Spelled { static let spellings = Spellings<EntityKind>() }
extension EntityStatus: Spelled { static let spellings = Spellings<EntityStatus>() }
extension RiskClass: Spelled { static let spellings = Spellings<RiskClass>() }
extension InspectionKind: Spelled { static let spellings = Spellings<InspectionKind>() }
extension InspectionConclusion: Spelled { static let spellings = Spellings<InspectionConclusion>() }
extension EquipmentCategory: Spelled { static let spellings = Spellings<EquipmentCategory>() }
extension EquipmentStatus: Spelled { static let spellings = Spellings<EquipmentStatus>() }
extension DueSource: Spelled { static let spellings = Spellings<DueSource>() }
