import InspectionKit
import Testing

/// Snapshots must rebuild exactly the state replay builds, and a damaged snapshot must
/// be refused with an error, never crash the daemon.
struct SnapshotCodingTests {
    /// A directory, a drawn task with a published result, a cancelled task.
    static func ledger() throws -> DomainLedger {
        var ledger = DomainLedger()
        try ledger.run("item.define", ["code": "SJ-1", "name": "公示信息检查", "department": "市场监管局", "qualification": "general"])
        for i in 0..<6 {
            try ledger.run("inspector.register", ["id": .string("INS\(i)"), "name": .string("检查员\(i)"), "department": "市场监管局",
                                                  "qualifications": ["general"]])
        }
        for i in 0..<40 {
            try ledger.run("entity.register", ["id": .string(Fixture.uscc(i)), "name": .string("企业\(i)有限公司"),
                                               "risk": .string(["A", "B", "C", "D", ""][i % 5]), "region": "鼓楼区", "tags": i % 3 == 0 ? ["school"] : []])
        }
        try ledger.run("conflict.declare", ["inspector": "INS1", "entity": .string(Fixture.uscc(3)), "reason": "近亲属"])
        try ledger.run("task.create", ["name": "甲", "items": ["SJ-1"], "teamSize": 2, "due": "2026-12-31", "sources": ["a", "b"],
                                       "sampling": ["ratios": ["A": .number("0.5"), "D": .number("1"), "none": .number("0.2")]]])
        try ledger.run("task.draw", ["task": "T2026-0001", "sources": ["12", "3 4"]])
        let first = ledger.targets(of: "T2026-0001")[0]
        try ledger.run("inspection.record", ["task": "T2026-0001", "entity": .string(first.entity), "outcomes": ["no_problem"],
                                             "inspectors": .array(first.team.map { .string($0) })])
        try ledger.run("task.publish", ["task": "T2026-0001"])
        try ledger.run("task.create", ["name": "乙", "items": ["SJ-1"], "teamSize": 2, "due": "2026-12-31", "sources": ["system"],
                                       "sampling": ["count": 3]])
        try ledger.run("task.cancel", ["task": "T2026-0002", "reason": "计划调整"])
        try ledger.run("journal.annotate", ["text": "基线 \"ok\"\n第二行"])
        return ledger
    }

    /// Events are counted by type number, and a snapshot keeps the counts as the
    /// `[String: Int]` they stand for (the same bytes as before they were numbered); a
    /// snapshot naming a type this build does not know is refused (the daemon then replays).
    @Test func eventCountsAreKeptByNumberAndEncodedByName() throws {
        let ledger = try Self.ledger()
        var expected: [String: Int] = [:]
        for event in ledger.events { expected[event.type, default: 0] += 1 }
        let counts = ledger.state.eventCounts
        #expect(counts.byType == expected)
        #expect(counts["entity.registered"] == 40 && counts["inspector.registered"] == 6 && counts["equipment.inspected"] == 0)
        #expect(counts["no.such.type"] == 0)
        let encoded = try BinaryEncoder().encode(counts)
        #expect(try BinaryDecoder().decode([String: Int].self, from: encoded) == expected)
        #expect(try BinaryDecoder().decode(EventCounts.self, from: encoded) == counts)
        // The same counts give the same bytes every time (dictionaries built in between).
        let filler = (0..<50).map { i in Dictionary(uniqueKeysWithValues: (0..<i).map { ("k\($0)", $0) }) }
        #expect(try BinaryEncoder().encode(counts) == encoded, "\(filler.count)")
        var unknown = expected
        unknown["entity.renamed"] = 1
        let foreign = try BinaryEncoder().encode(unknown)
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(EventCounts.self, from: foreign) }
    }

    /// `InspectionState`'s Codable, synthesized until 1eafdf0, is written out by hand: a
    /// snapshot of either must decode as the other (a renamed key would make every old
    /// snapshot fail and the daemon replay the whole journal).
    struct SynthesizedInspectionState: Codable {
        var lastSeq: Int
        var lastEventAt: Timestamp?
        var eventCounts: [String: Int]
        var recentAnnotations: [Annotation]
        var tailRepairs: [JSONObject]
        var directory: DirectoryState
        var tasks: TaskState
        var equipment: EquipmentState
    }

    @Test func snapshotsOfTheSynthesizedCodableStillDecode() throws {
        let ledger = try Self.ledger()
        let state = ledger.state
        let old = SynthesizedInspectionState(lastSeq: state.lastSeq, lastEventAt: state.lastEventAt, eventCounts: state.eventCounts.byType,
                                             recentAnnotations: state.recentAnnotations, tailRepairs: state.tailRepairs,
                                             directory: state.directory, tasks: state.tasks, equipment: state.equipment)
        let restored = try BinaryDecoder().decode(InspectionState.self, from: try BinaryEncoder().encode(old))
        #expect(restored.lastSeq == state.lastSeq && restored.lastEventAt == state.lastEventAt && restored.eventCounts == state.eventCounts)
        #expect(restored.recentAnnotations == state.recentAnnotations && restored.tailRepairs == state.tailRepairs)
        var copy = ledger
        copy.replaceState(restored)
        for (command, args) in [("task.get", ["task": "T2026-0001"]), ("entity.list", ["limit": 100]), ("inspector.list", [:]),
                                ("conflict.list", [:])] as [(String, JSONObject)] {
            #expect(try copy.query(command, args) == ledger.query(command, args), "\(command)")
        }
        let back = try BinaryDecoder().decode(SynthesizedInspectionState.self, from: try BinaryEncoder().encode(state))
        #expect(back.lastSeq == state.lastSeq && back.eventCounts == state.eventCounts.byType && back.tailRepairs == state.tailRepairs)
        #expect(back.directory.entities.count == state.directory.entities.count)
    }

    @Test func aDecodedSnapshotAnswersEveryQueryAsTheOriginal() throws {
        let ledger = try Self.ledger()
        let bytes = try BinaryEncoder().encode(ledger.state)
        let restored = try BinaryDecoder().decode(InspectionState.self, from: bytes)
        #expect(restored.lastSeq == ledger.state.lastSeq)
        #expect(restored.lastEventAt == ledger.state.lastEventAt)
        #expect(restored.eventCounts == ledger.state.eventCounts)
        var copy = ledger
        copy.replaceState(restored)
        for (command, args) in [("task.get", ["task": "T2026-0001"]), ("task.get", ["task": "T2026-0002"]), ("task.pool", ["task": "T2026-0001"]),
                                ("entity.list", ["limit": 100]), ("inspector.list", [:]), ("conflict.list", [:]), ("queue.publication", [:]),
                                ("worklist", [:]), ("journal.annotations", [:]), ("entity.get", ["id": .string(Fixture.uscc(3))])] as [(String, JSONObject)] {
            #expect(try copy.query(command, args) == ledger.query(command, args), "\(command) differs after a snapshot round trip")
        }
        // And it decides the same: a new task and draw give identical events.
        var a = ledger
        var b = copy
        for l in [0, 1] {
            var target = l == 0 ? a : b
            try target.run("task.create", ["name": "丙", "items": ["SJ-1"], "teamSize": 2, "due": "2026-12-31", "sources": ["7"],
                                           "sampling": ["count": 5], "excludeInspectedWithinDays": 30])
            try target.run("task.draw", ["task": "T2026-0003", "sources": ["99"]])
            if l == 0 { a = target } else { b = target }
        }
        #expect(a.events.suffix(2).map(\.data) == b.events.suffix(2).map(\.data))
    }

    /// Tags are joined with U+001F in the snapshot. Commands refuse a tag with a control
    /// character, but a journal from before that check may hold one: the snapshot then
    /// refuses to be written, naming the entity, instead of coming back with the tag split.
    @Test func aTagTheSnapshotCannotHoldRefusesTheSnapshot() throws {
        var state = try Self.ledger().state
        let id = Fixture.uscc(77)
        let entity = Entity(id: id, name: "旧日志里的主体", kind: .enterprise, industry: "餐饮服务", region: "鼓楼区", address: "",
                            risk: nil, tags: ["a\u{1F}b"], status: .active)
        try state.apply(Event(seq: state.lastSeq + 1, at: Timestamp(millis: 0), type: "entity.registered", actor: "system", data: entity.json))
        #expect(state.directory.entityRecords.last?.tags == ["a\u{1F}b"])
        do {
            _ = try BinaryEncoder().encode(state)
            Issue.record("a snapshot of a tag with U+001F was written")
        } catch {
            #expect("\(error)".contains(id) && "\(error)".contains("U+001F") && "\(error)".contains("entity update"), "\(error)")
        }
        // What the error says to do: plain tags, and snapshots resume.
        var fixed = entity
        fixed.tags = ["a", "b"]
        try state.apply(Event(seq: state.lastSeq + 1, at: Timestamp(millis: 0), type: "entity.updated", actor: "system", data: fixed.json))
        let restored = try BinaryDecoder().decode(InspectionState.self, from: try BinaryEncoder().encode(state))
        #expect(restored.directory.entityRecords.last?.tags == ["a", "b"])
    }

    @Test func derivedIndexesAreRebuilt() throws {
        let ledger = try Self.ledger()
        let restored = try BinaryDecoder().decode(InspectionState.self, from: try BinaryEncoder().encode(ledger.state))
        #expect(ledger.state.directory.entities.allSatisfy { restored.directory.entityNumber($0.id) == ledger.state.directory.entityNumber($0.id) })
        #expect(restored.directory.packedIDs == ledger.state.directory.packedIDs)
        #expect(restored.directory.entityAttributes == ledger.state.directory.entityAttributes)
        #expect(restored.directory.conflictCount == ledger.state.directory.conflictCount)
    }

    @Test func damagedPayloadsThrowInsteadOfCrashing() throws {
        let bytes = try BinaryEncoder().encode(try Self.ledger().state)
        // Every truncation point in the first 4 KiB, and a spread of later ones.
        let cuts = Array(stride(from: 0, to: min(bytes.count, 4096), by: 7)) + Array(stride(from: 4096, to: bytes.count, by: bytes.count / 50 + 1))
        for cut in cuts {
            #expect(throws: (any Error).self, "a snapshot cut at byte \(cut) must not decode") {
                _ = try BinaryDecoder().decode(InspectionState.self, from: Array(bytes[0..<cut]))
            }
        }
        // Flipped bytes: decoding may fail or succeed, but must return (no trap).
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var damaged = bytes
            let i = Int.random(in: 0..<damaged.count, using: &rng)
            damaged[i] ^= UInt8.random(in: 1...255, using: &rng)
            _ = try? BinaryDecoder().decode(InspectionState.self, from: damaged)
        }
        #expect(throws: (any Error).self) { _ = try BinaryDecoder().decode(InspectionState.self, from: bytes + [0]) }
    }
}

struct BinaryCodingPrimitiveTests {
    struct AllPrimitives: Codable, Equatable {
        var i8: Int8 = -5, i16: Int16 = -300, i32: Int32 = -70000, i64: Int64 = -1 << 40, i: Int = 42
        var u8: UInt8 = 250, u16: UInt16 = 65000, u32: UInt32 = 4_000_000_000, u64: UInt64 = 1 << 63, u: UInt = 7
        var f: Float = 1.5, d: Double = -2.25, b: Bool = true, s: String = "中文 \u{1F4CB}"
        var optional: Int? = nil, present: String? = "x", nested: [String: [Int32]] = ["a": [1, 2], "b": []]
        var optionals: [Int?] = [1, nil, 3]
    }

    @Test func everyPrimitiveRoundTrips() throws {
        let value = AllPrimitives()
        #expect(try BinaryDecoder().decode(AllPrimitives.self, from: try BinaryEncoder().encode(value)) == value)
    }
}

/// An in-memory `BinaryOutput` for the streaming encoder.
final class MemoryBinaryOutput: BinaryOutput {
    var bytes: [UInt8] = []
    var appends = 0
    var patches = 0

    func append(_ chunk: UnsafeRawBufferPointer) {
        appends += 1
        bytes.append(contentsOf: chunk)
    }

    func patch32(at position: Int, _ value: UInt32) {
        patches += 1
        withUnsafeBytes(of: value.littleEndian) { for i in 0..<4 { bytes[position + i] = $0[i] } }
    }
}

struct StreamingSnapshotTests {
    /// Streamed in pieces of any size — down to one byte, so counts and lengths are
    /// patched after their bytes were handed on — the payload is byte for byte the one
    /// encoded in memory.
    @Test(arguments: [1, 5, 64, 4096, Int.max])
    func streamingGivesTheSameBytes(_ chunkBytes: Int) throws {
        let state = try SnapshotCodingTests.ledger().state
        let expected = try BinaryEncoder().encode(state)
        let output = MemoryBinaryOutput()
        let count = try BinaryEncoder().encode(state, to: output, chunkBytes: chunkBytes)
        #expect(count == expected.count)
        #expect(output.bytes == expected)
        if chunkBytes <= 64 { #expect(output.appends > 10 && output.patches > 0) }
        if chunkBytes == Int.max { #expect(output.appends == 1 && output.patches == 0) }
    }
}
