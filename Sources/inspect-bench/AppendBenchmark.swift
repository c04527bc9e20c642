import ControlProtocol
import Foundation
import InspectionKit
import Platform

/// SPEC §10 durable appends and socket round trips, against the real `inspectd` binary
/// built next to this one: 16 clients, every event fdatasync'ed before its answer.
/// Reference: sqlite3 in WAL mode with synchronous=FULL, one transaction per insert.
enum AppendBenchmark {
    static let clients = 16
    /// Read once: `ProcessInfo.environment` rebuilds a dictionary on every access, and
    /// as a computed property in the send loop it took most of the machine's CPU.
    static let perClient = Int(ProcessInfo.processInfo.environment["INSPECT_BENCH_APPENDS"] ?? "") ?? 5_000
    /// Requests a client keeps in flight (pipelining).
    static let window = 64

    static func run() {
        let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let daemonPath = binDir + "/inspectd"
        guard FileManager.default.isExecutableFile(atPath: daemonPath) else {
            row("append", "skipped: build inspectd first (swift build -c release)")
            return
        }
        let dir = "/tmp/ibench-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir + "/journal", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = #"{"journalDirectory":"journal","socketPath":"journal/d.sock","snapshots":{"every":0,"onShutdown":false},"limits":{"maxConnections":64}}"#
        _ = FileManager.default.createFile(atPath: dir + "/inspectd.json", contents: Data(config.utf8))
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: daemonPath)
        daemon.arguments = ["--config", dir + "/inspectd.json"]
        daemon.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try! daemon.run()
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        let socket = dir + "/journal/d.sock"
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }

        // Durable appends, pipelined. The load generator is kept light, like wrk: each
        // client's request lines are encoded before the clock starts, and responses are
        // only checked for the `{"id":N,"ok":true` envelope the daemon writes, never
        // parsed in full (the clients share these 2 cores with the daemon).
        let requests: [[[UInt8]]] = (0..<clients).map { client in
            (0..<perClient).map { i in
                Request(id: .int(i), cmd: "journal.annotate", args: ["text": .string("客户端\(client) 第\(i)条 bench")]).encoded() + [10]
            }
        }
        let latencies = Locked<[Double]>([])
        let daemonCPUBefore = cpuSeconds(pid: daemon.processIdentifier)
        let clientCPUBefore = cpuSeconds(pid: getpid())
        let started = DispatchTime.now().uptimeNanoseconds
        onThreads(clients) { client in
            let fd = try! UnixSocket.connect(path: socket)
            defer { Sys.close(fd) }
            let reader = LineReader(fd: fd, maxLineBytes: 1 << 20)
            let lines = requests[client]
            var sentAt = [UInt64](repeating: 0, count: perClient)
            var sent = 0, received = 0
            var local: [Double] = []
            local.reserveCapacity(perClient)
            var batch: [UInt8] = []
            while received < perClient {
                batch.removeAll(keepingCapacity: true)
                while sent < perClient && sent - received < window {
                    batch += lines[sent]
                    sentAt[sent] = DispatchTime.now().uptimeNanoseconds
                    sent += 1
                }
                if !batch.isEmpty { try! Sys.sendAll(fd, batch) }
                guard case .line(let line) = try! reader.next(), let id = acknowledgedID(line), id < sent else {
                    fatalError("append failed")
                }
                local.append(Double(DispatchTime.now().uptimeNanoseconds - sentAt[id]) / 1e6)
                received += 1
            }
            latencies.withValue { $0 += local }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let daemonCPU = cpuSeconds(pid: daemon.processIdentifier) - daemonCPUBefore
        let clientCPU = cpuSeconds(pid: getpid()) - clientCPUBefore
        let total = clients * perClient
        var sorted = latencies.current.sorted()
        let rate = Double(total) / seconds
        row("durable appends, \(clients) clients pipelined", String(format: "%.0f events/s", rate), "target ≥ 50,000/s")
        let ackLatency = String(format: "ack p50 %.2f / p99 %.2f ms", sorted[sorted.count / 2], sorted[sorted.count * 99 / 100])
        row("  ack latency p50 / p99", String(format: "%.2f / %.2f ms", sorted[sorted.count / 2], sorted[sorted.count * 99 / 100]))
        row("  CPU per event: daemon / bench clients", String(format: "%.1f / %.1f µs", daemonCPU / Double(total) * 1e6, clientCPU / Double(total) * 1e6))
        if let journal = try? ControlClient(socketPath: socket).call("status").outcome.get()["journal"],
           let commits = journal["commits"]?.intValue, commits > 0, let sync = journal["meanSyncMicros"]?.doubleValue {
            row("  group commits: count, events/commit, sync", String(format: "%d, %.0f, %.0f µs", commits, Double(total) / Double(commits), sync))
        }

        // Status round trips, one at a time per client.
        sorted = []
        let statusLatencies = Locked<[Double]>([])
        let rounds = 500
        let statusDaemonCPU = cpuSeconds(pid: daemon.processIdentifier)
        let statusClientCPU = cpuSeconds(pid: getpid())
        let statusStarted = DispatchTime.now().uptimeNanoseconds
        // One request at a time per client; lines pre-encoded and answers only checked
        // for their envelope, as above.
        let statusLines: [[UInt8]] = (0..<rounds).map { Array(#"{"id":\#($0),"cmd":"status"}"#.utf8) + [10] }
        onThreads(clients) { _ in
            let fd = try! UnixSocket.connect(path: socket)
            defer { Sys.close(fd) }
            let reader = LineReader(fd: fd, maxLineBytes: 1 << 20)
            var local: [Double] = []
            for round in 0..<rounds {
                let t = DispatchTime.now().uptimeNanoseconds
                try! Sys.sendAll(fd, statusLines[round])
                guard case .line(let line) = try! reader.next(), acknowledgedID(line) == round else { fatalError("status failed") }
                local.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
            }
            statusLatencies.withValue { $0 += local }
        }
        let statusSeconds = Double(DispatchTime.now().uptimeNanoseconds - statusStarted) / 1e9
        sorted = statusLatencies.current.sorted()
        row("status round trip, \(clients) clients: p50 / p99", String(format: "%.2f / %.2f ms", sorted[sorted.count / 2], sorted[sorted.count * 99 / 100]), "target p99 ≤ 1 ms")
        row("  requests/s", String(format: "%.0f", Double(clients * rounds) / statusSeconds))
        let statusP99 = sorted[sorted.count * 99 / 100]
        row("  CPU per status: daemon / bench clients", String(format: "%.1f / %.1f µs",
                                                               (cpuSeconds(pid: daemon.processIdentifier) - statusDaemonCPU) / Double(clients * rounds) * 1e6,
                                                               (cpuSeconds(pid: getpid()) - statusClientCPU) / Double(clients * rounds) * 1e6))

        // Reference: sqlite3, WAL, synchronous=FULL, one durable transaction per row.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") {
            let n = 5_000
            var script = "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\nCREATE TABLE e(seq INTEGER PRIMARY KEY, text TEXT);\n"
            for i in 0..<n { script += "INSERT INTO e(text) VALUES('客户端 第\(i)条 bench');\n" }
            let sqlite = Process()
            sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            sqlite.arguments = [dir + "/ref.db"]
            let pipe = Pipe()
            sqlite.standardInput = pipe
            sqlite.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            let t = DispatchTime.now().uptimeNanoseconds
            try! sqlite.run()
            pipe.fileHandleForWriting.write(Data(script.utf8))
            try? pipe.fileHandleForWriting.close()
            sqlite.waitUntilExit()
            let sqliteRate = Double(n) / (Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
            row("reference: sqlite3 WAL synchronous=FULL", String(format: "%.0f rows/s", sqliteRate), String(format: "ours ×%.1f", rate / sqliteRate))
            Summary.add("durable appends, \(clients) clients (\(ackLatency))", "\(thousands(rate)) events/s", target: "≥ 50,000/s", met: rate >= 50_000,
                        reference: "sqlite3 WAL, synchronous=FULL: \(thousands(sqliteRate)) rows/s", ratio: String(format: "×%.1f", rate / sqliteRate))
        } else {
            row("reference: sqlite3", "skipped (not installed: apt-get install sqlite3)")
            Summary.add("durable appends, \(clients) clients (\(ackLatency))", "\(thousands(rate)) events/s", target: "≥ 50,000/s", met: rate >= 50_000,
                        reference: "sqlite3 not installed (skipped)")
        }
        Summary.add("status round trip, \(clients) clients: p99, requests/s", String(format: "%.2f ms, ", statusP99) + thousands(Double(clients * rounds) / statusSeconds) + "/s",
                    target: "p99 ≤ 1 ms", met: statusP99 <= 1)
    }

    /// The id of a successful response line `{"id":N,"ok":true,…}`, else `nil`.
    static func acknowledgedID(_ line: [UInt8]) -> Int? {
        let head = Array(#"{"id":"#.utf8), ok = Array(#","ok":true"#.utf8)
        guard line.starts(with: head) else { return nil }
        var i = head.count, id = 0
        while i < line.count, line[i] >= 48, line[i] <= 57 {
            id = id * 10 + Int(line[i] - 48)
            i += 1
        }
        guard i > head.count, line[i...].starts(with: ok) else { return nil }
        return id
    }

    /// User + system CPU seconds of a process so far (all its threads), from /proc.
    static func cpuSeconds(pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // After "pid (comm)": field 3 is the state; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
