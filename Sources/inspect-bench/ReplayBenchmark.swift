import Foundation
import InspectionKit
import Journal

/// SPEC §10 replay: parse + apply of a journal of realistic mixed events (~300 bytes,
/// Chinese text), against Foundation's JSONDecoder on the same lines.
enum ReplayBenchmark {
    static var eventCount: Int {
        Int(ProcessInfo.processInfo.environment["INSPECT_BENCH_EVENTS"] ?? "") ?? 1_000_000
    }

    /// Writes a seeded journal of `count` events into `directory`; returns its path and size.
    static func generate(count: Int, directory: String) -> (path: String, bytes: Int) {
        var generator = SeededGenerator(seed: 2026)
        let path = directory + "/events.jsonl"
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = FileHandle(forWritingAtPath: path)!
        var head = JournalRecord.genesisPrev
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8 << 20)
        var total = 0
        let alphabet = Array(USCC.alphabet)
        let regions = ["鼓楼区", "台江区", "仓山区", "晋安区", "马尾区", "长乐区"]
        let words = ["福", "闽", "榕", "海", "鑫", "华", "正", "信", "恒", "瑞", "东", "盛", "泰", "安", "兴", "达"]
        var entities: [String] = []
        for seq in 1...count {
            let roll = Int(generator.next() % 100)
            let type: String
            var data: JSONObject
            if roll < 55 || entities.isEmpty {
                var first17 = "91350" + String(format: "%03d", Int(generator.next() % 1000))
                for _ in 0..<9 { first17.append(alphabet[Int(generator.next() % 31)]) }
                let id = USCC.make(first17: first17)!
                entities.append(id)
                let name = regions[Int(generator.next() % 6)].prefix(2) + (0..<3).map { _ in words[Int(generator.next() % 16)] }.joined() + "餐饮管理有限公司"
                type = "entity.registered"
                data = Entity(id: id, name: String(name), kind: .enterprise, industry: "餐饮服务", region: regions[Int(generator.next() % 6)],
                              address: "福州市\(regions[Int(generator.next() % 6)])五一中路\(Int(generator.next() % 400))号",
                              risk: RiskClass.allCases[Int(generator.next() % 4)], tags: roll % 7 == 0 ? ["school"] : [], status: .active).json
            } else if roll < 80 {
                let id = entities[Int(generator.next() % UInt64(entities.count))]
                type = "entity.updated"
                data = Entity(id: id, name: "更新后的名称有限公司\(seq % 1000)", kind: .enterprise, industry: "食品销售", region: "台江区",
                              address: "福州市台江区八一七中路\(seq % 300)号", risk: .B, tags: ["crowded"], status: .active).json
            } else {
                type = "journal.annotated"
                data = ["text": .string("第\(seq)次系统巡检：备份完成，校验通过。\\n操作员：张三（信息中心）\u{1F4CB} \"ok\"")]
            }
            let record = JournalRecord(seq: seq, at: "2026-11-23T09:30:\(String(format: "%02d", seq % 60)).123+08:00", type: type,
                                       actor: "uid:1000/zhang", data: data, prev: head)
            let line = record.encoded()
            head = Hex.encode(SHA256.hash(line))
            buffer.append(contentsOf: line)
            buffer.append(10)
            if buffer.count > 4 << 20 {
                handle.write(Data(buffer))
                total += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer))
        total += buffer.count
        try? handle.close()
        return (path, total)
    }

    static func run() {
        let count = eventCount
        let directory = NSTemporaryDirectory() + "inspect-bench-replay-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ((path, bytes), generateSeconds) = measure { generate(count: count, directory: directory) }
        row("generate \(count) mixed events", String(format: "%.1f s, %.0f B/event", generateSeconds, Double(bytes) / Double(count)))

        let shaSample = [UInt8](repeating: 0x61, count: 64 << 20)
        let (_, shaSeconds) = measure { _ = SHA256.hash(shaSample) }
        let (_, portableSeconds) = measure { var h = SHA256(accelerated: false); h.update(shaSample); _ = h.finalize() }
        row("SHA-256 (SHA-NI: \(SHA256.hardwareAccelerated ? "yes" : "no")) / portable Swift",
            String(format: "%.0f / %.0f MB/s", 64 / shaSeconds, 64 / portableSeconds))
        let (_, readSeconds) = measure { _ = try! JournalReader.scan(path: path) }
        row("  read + verify chain + parse (no apply)", String(format: "%.0f events/s", Double(count) / readSeconds))
        var state = InspectionState()
        let (scan, replaySeconds) = measure {
            try! JournalReader.scan(path: path) { (record, _) throws(JournalDamage) in
                do throws(CommandError) { try state.apply(record.event()) } catch {
                    fatalError("apply failed at seq \(record.seq): \(error.message)")
                }
                return true
            }
        }
        precondition(scan.damage == nil && scan.count == count, "replay did not read every event: \(String(describing: scan.damage))")
        let rate = Double(count) / replaySeconds
        row("replay: read + verify chain + parse + apply", String(format: "%.0f events/s", rate), "target ≥ 1,000,000/s")

        // Reference: Foundation's JSONDecoder on the same lines (parse only, no chain, no apply).
        struct Line: Decodable {
            var seq: Int
            var at: String
            var type: String
            var actor: String
            var data: [String: AnyJSON]
            var prev: String
        }
        let sample = min(count, 200_000)
        let data = FileManager.default.contents(atPath: path)!
        var lines: [Data] = []
        lines.reserveCapacity(sample)
        data.withUnsafeBytes { raw in
            var start = 0
            for i in 0..<raw.count where raw[i] == 10 {
                lines.append(Data(raw[start..<i]))
                start = i + 1
                if lines.count == sample { break }
            }
        }
        let decoder = JSONDecoder()
        let (_, decodeSeconds) = measure { for line in lines { _ = try! decoder.decode(Line.self, from: line) } }
        let reference = Double(sample) / decodeSeconds
        row("reference: Foundation JSONDecoder (parse only)", String(format: "%.0f events/s", reference), String(format: "ours ×%.1f", rate / reference))
        let memory = memoryMiB()
        row("resident memory after replay / peak", String(format: "%.0f / %.0f MiB", memory.resident, memory.peak))
        coldStart(directory: directory, count: count)
    }

    /// Starts the real `inspectd` on the generated journal: without a snapshot (full
    /// replay, pipelined over two threads), then again from the snapshot it wrote at
    /// shutdown (which still hash-checks the whole prefix).
    static func coldStart(directory: String, count: Int) {
        let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let daemonPath = binDir + "/inspectd"
        guard FileManager.default.isExecutableFile(atPath: daemonPath) else {
            row("cold start", "skipped: build inspectd first (swift build -c release)")
            return
        }
        let config = #"{"journalDirectory":".","socketPath":"d.sock","snapshots":{"every":0,"onShutdown":true}}"#
        FileManager.default.createFile(atPath: directory + "/inspectd.json", contents: Data(config.utf8))
        func start(_ extra: [String]) -> Double {
            let daemon = Process()
            daemon.executableURL = URL(fileURLWithPath: daemonPath)
            daemon.arguments = ["--config", directory + "/inspectd.json"] + extra
            daemon.standardError = FileHandle(forWritingAtPath: "/dev/null")
            let t = DispatchTime.now().uptimeNanoseconds
            try! daemon.run()
            while !FileManager.default.fileExists(atPath: directory + "/d.sock") && daemon.isRunning { usleep(2_000) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9
            daemon.terminate()
            daemon.waitUntilExit()
            return seconds
        }
        let full = start(["--no-snapshot"])
        row("cold start, \(count) events, no snapshot", String(format: "%.2f s", full), "10M events ≤ 10 s")
        let fromSnapshot = start([])
        row("cold start from the shutdown snapshot", String(format: "%.2f s", fromSnapshot), "10M events ≤ 2 s")
    }
}

/// Any JSON value, for the JSONDecoder reference.
enum AnyJSON: Decodable {
    case null, bool(Bool), number(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([AnyJSON].self) { self = .array(a) } else {
            self = .object(try c.decode([String: AnyJSON].self))
        }
    }
}
