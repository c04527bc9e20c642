import ControlProtocol
import InspectionKit
import Testing

/// `Response.encode(into:)` writes the envelope by hand; it must stay byte-for-byte the
/// compact serialization of `{"id":…,"ok":…,"result"|"error":…}` that clients parse.
struct ResponseEncodingTests {
    static let ids: [JSONValue] = [.string("1"), .int(42), .null, .string("引号\"与\\反斜杠\n"), .number("-1.5e3")]

    @Test(arguments: ids)
    func successIsTheSerializedEnvelope(id: JSONValue) throws {
        let result: JSONValue = ["seq": 7, "events": 2, "text": "第1条 \u{1}", "list": [true, nil, 3]]
        var expected: [UInt8] = []
        JSONValue.object(["id": id, "ok": true, "result": result]).serialize(into: &expected)
        let response = Response.ok(id, result)
        #expect(response.encoded() == expected)
        #expect(try Response.parse(response.encoded()) == response)
    }

    @Test(arguments: ids)
    func failureIsTheSerializedEnvelope(id: JSONValue) throws {
        let error = CommandError(.notFound, "task \"T2026-0009\" does not exist\t(检查)")
        var expected: [UInt8] = []
        JSONValue.object([
            "id": id, "ok": false,
            "error": ["code": .string(error.code.rawValue), "message": .string(error.message)],
        ]).serialize(into: &expected)
        let response = Response.error(id, error)
        #expect(response.encoded() == expected)
        #expect(try Response.parse(response.encoded()) == response)
    }

    @Test func encodeAppendsToWhatIsAlreadyThere() {
        var out: [UInt8] = Array("prefix\n".utf8)
        Response.ok(.int(1), [:]).encode(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "prefix\n{\"id\":1,\"ok\":true,\"result\":{}}")
    }
}

/// Duplicate and unknown request fields are refused, naming the first offender.
struct RequestParsingTests {
    @Test(arguments: [3, 16, 17, 40])
    func aRepeatedArgumentIsNamed(count: Int) throws {
        var args = (0..<count).map { "\"a\($0)\":\($0)" }
        args.append("\"a\(count / 2)\":0")
        args.append("\"a1\":0")
        let line = "{\"id\":\"x\",\"cmd\":\"journal.annotate\",\"args\":{\(args.joined(separator: ","))}}"
        do {
            _ = try Request.parse(line)
            Issue.record("a repeated argument was accepted")
        } catch {
            #expect(error.id == .string("x"))
            #expect(error.error.message == "journal.annotate: argument \"a\(count / 2)\" appears twice")
        }
    }

    @Test func aRepeatedOrUnknownTopLevelFieldIsRefused() throws {
        do {
            _ = try Request.parse(#"{"cmd":"status","id":1,"cmd":"x"}"#)
            Issue.record("a repeated field was accepted")
        } catch {
            #expect(error.error.message == "request field \"cmd\" appears twice")
        }
        do {
            _ = try Request.parse(#"{"id":1,"cmd":"status","extra":true,"more":1}"#)
            Issue.record("an unknown field was accepted")
        } catch {
            #expect(error.id == .int(1))
            #expect(error.error.message == "unknown request field \"extra\" (a request has id, cmd, args)")
        }
    }

    @Test func aWellFormedRequestKeepsItsArgumentsInOrder() throws {
        let request = try Request.parse(#"{"id":"7","cmd":"journal.annotate","args":{"text":"注","b":1}}"#)
        #expect(request == Request(id: .string("7"), cmd: "journal.annotate", args: ["text": "注", "b": 1]))
    }

    /// A number beyond a Double could reach the journal, whose readers (ours included, and
    /// JSONSerialization) refuse it: the request is refused instead.
    @Test func aNumberBeyondADoubleIsRefused() throws {
        do {
            _ = try Request.parse(#"{"id":1,"cmd":"journal.annotate","args":{"text":"x","n":1e400}}"#)
            Issue.record("1e400 was accepted")
        } catch {
            #expect(error.error.message.contains("number 1e400 is beyond the range of a double"), "\(error.error.message)")
        }
        #expect(try Request.parse(#"{"id":1,"cmd":"x","args":{"n":340282366920938463463374607431768211455,"m":1e-400}}"#).cmd == "x")
    }
}
