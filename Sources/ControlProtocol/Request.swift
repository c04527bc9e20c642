import InspectionKit

/// One request line: `{"id":"1","cmd":"task.draw","args":{…}}` (SPEC §5).
public struct Request: Sendable, Equatable {
    /// Echoed in the response; a string or number chosen by the client (null if absent).
    public var id: JSONValue
    /// Dotted command name, e.g. `journal.annotate`.
    public var cmd: String
    public var args: JSONObject

    public init(id: JSONValue, cmd: String, args: JSONObject = [:]) {
        self.id = id
        self.cmd = cmd
        self.args = args
    }

    /// A request line that could not be accepted, with the id when it was readable.
    public struct Rejection: Error, Sendable {
        public var id: JSONValue
        public var error: CommandError
    }

    /// Parses one line (without its newline). Errors are `bad_request` and say why.
    public static func parse(_ line: UnsafeRawBufferPointer) throws(Rejection) -> Request {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line, finiteNumbersOnly: true)
        } catch {
            if error.message.contains("beyond the range of a double") {
                // Grammatical JSON, but no event may carry it (JSON readers refuse it).
                throw Rejection(id: .null, error: .badRequest("request refused: \(error); send such a value as a string"))
            }
            throw Rejection(id: .null, error: .badRequest("request is not valid JSON: \(error)"))
        }
        guard case .object(let object) = value else {
            throw Rejection(id: .null, error: .badRequest("request must be a JSON object like {\"id\":\"1\",\"cmd\":\"status\",\"args\":{}}"))
        }
        // Duplicate keys are ambiguous (which "cmd" did the client mean?): refuse them.
        if let duplicate = firstDuplicate(object) {
            throw Rejection(id: .null, error: .badRequest("request field \"\(duplicate)\" appears twice"))
        }
        let id = object["id"] ?? .null
        switch id {
        case .null, .string, .number: break
        default: throw Rejection(id: .null, error: .badRequest("request field \"id\" must be a string or a number"))
        }
        for member in object.members where member.key != "id" && member.key != "cmd" && member.key != "args" {
            throw Rejection(id: id, error: .badRequest("unknown request field \"\(member.key)\" (a request has id, cmd, args)"))
        }
        guard let cmdValue = object["cmd"] else {
            throw Rejection(id: id, error: .badRequest("request field \"cmd\" is missing"))
        }
        guard let cmd = cmdValue.stringValue, !cmd.isEmpty else {
            throw Rejection(id: id, error: .badRequest("request field \"cmd\" must be a non-empty string"))
        }
        var args = JSONObject()
        if let argsValue = object["args"], !argsValue.isNull {
            guard let inner = argsValue.objectValue else {
                throw Rejection(id: id, error: .badRequest("request field \"args\" must be an object"))
            }
            args = inner
            if let duplicate = firstDuplicate(args) {
                throw Rejection(id: id, error: .badRequest("\(cmd): argument \"\(duplicate)\" appears twice"))
            }
        }
        return Request(id: id, cmd: cmd, args: args)
    }

    /// The first key that repeats an earlier one. Requests have a handful of keys, so a
    /// pairwise scan (no hashing, no allocation) is cheaper than a `Set` up to a few
    /// dozen; past that, O(n) with a set keeps a hostile request from costing O(n²).
    private static func firstDuplicate(_ object: JSONObject) -> String? {
        let members = object.members
        if members.count <= 16 {
            for i in members.indices.dropFirst() {
                for j in 0..<i where members[j].key == members[i].key { return members[i].key }
            }
            return nil
        }
        var seen = Set<String>()
        for member in members where !seen.insert(member.key).inserted { return member.key }
        return nil
    }

    public static func parse(_ line: String) throws(Rejection) -> Request {
        var bytes = Array(line.utf8)
        return try bytes.withMutableBytes { (buffer) throws(Rejection) in try parse(UnsafeRawBufferPointer(buffer)) }
    }

    /// The request as one line (without newline).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        JSONValue.object(["id": id, "cmd": .string(cmd), "args": .object(args)]).serialize(into: &out)
        return out
    }
}

/// One response line: `{"id":…,"ok":true,"result":{…}}` or `{"id":…,"ok":false,"error":{"code":…,"message":…}}`.
public struct Response: Sendable, Equatable {
    public var id: JSONValue
    public var outcome: Result<JSONValue, CommandError>

    public init(id: JSONValue, outcome: Result<JSONValue, CommandError>) {
        self.id = id
        self.outcome = outcome
    }

    public static func ok(_ id: JSONValue, _ result: JSONValue) -> Response { .init(id: id, outcome: .success(result)) }
    public static func error(_ id: JSONValue, _ error: CommandError) -> Response { .init(id: id, outcome: .failure(error)) }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    /// Appends the response line (without newline) to `out`: the same bytes as
    /// serializing `{"id":…,"ok":…,"result"|"error":…}`, without building that object.
    public func encode(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8)
        id.serialize(into: &out)
        switch outcome {
        case .success(let result):
            out.append(contentsOf: #","ok":true,"result":"#.utf8)
            result.serialize(into: &out)
        case .failure(let error):
            out.append(contentsOf: #","ok":false,"error":{"code":"#.utf8)
            JSONValue.writeQuoted(error.code.rawValue, into: &out)
            out.append(contentsOf: #","message":"#.utf8)
            JSONValue.writeQuoted(error.message, into: &out)
            out.append(0x7D)
        }
        out.append(0x7D)
    }

    /// Reads a response line; throws a description of what is wrong with it.
    public static func parse(_ line: [UInt8]) throws -> Response {
        let value = try JSONValue.parse(line)
        guard let object = value.objectValue, let ok = object["ok"]?.boolValue else {
            throw ProtocolViolation(message: "response is not {\"id\",\"ok\",…}: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        let id = object["id"] ?? .null
        if ok { return .ok(id, object["result"] ?? .null) }
        let codeText = object["error"]?["code"]?.stringValue ?? "internal"
        let message = object["error"]?["message"]?.stringValue ?? "(no message)"
        return .error(id, CommandError(ErrorCode(rawValue: codeText) ?? .internal, message))
    }
}

public struct ProtocolViolation: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
