import InspectionKit

/// One journal line, decoded: SPEC §4's six keys in their fixed order.
public struct JournalRecord: Sendable, Equatable {
    public var seq: Int
    /// The `at` text exactly as stored (RFC 3339, milliseconds, the bureau's offset).
    public var at: String
    public var type: String
    public var actor: String
    public var data: JSONObject
    /// Lowercase hex SHA-256 of the previous line's bytes (64 zeros for seq 1).
    public var prev: String

    public init(seq: Int, at: String, type: String, actor: String, data: JSONObject, prev: String) {
        self.seq = seq
        self.at = at
        self.type = type
        self.actor = actor
        self.data = data
        self.prev = prev
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
        let value: JSONValue
        do {
            value = try JSONValue.parse(line)
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
        guard case .string(let at) = members[1].value, Timestamp.parseRFC3339(at) != nil else {
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
        guard case .string(let prev) = members[5].value, isLowercaseHexDigest(prev) else {
            throw JournalLineError(kind: .shape, message: "\"prev\" is not 64 lowercase hex digits")
        }
        return JournalRecord(seq: seq, at: at, type: type, actor: actor, data: data, prev: prev)
    }

    public static func decode(_ line: [UInt8]) throws(JournalLineError) -> JournalRecord {
        try line.withBytes { (buffer) throws(JournalLineError) in try decode(buffer) }
    }

    /// The domain's view of this record.
    public func event() -> Event {
        Event(seq: seq, at: Timestamp.parseRFC3339(at) ?? Timestamp(millis: 0), type: type, actor: actor, data: data)
    }

    static func isValidType(_ type: String) -> Bool {
        guard !type.isEmpty else { return false }
        return type.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 || $0 == 95 }
    }

    static func isLowercaseHexDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
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
