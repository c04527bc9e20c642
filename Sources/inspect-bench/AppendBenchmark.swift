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
        FileManager.default.createFile(atPath: dir + "/inspectd.json", contents: Data(config.utf8))
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

        // Durable appends, pipelined.
        let latencies = Locked<[Double]>([])
        let started = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: clients) { client in
            let fd = try! UnixSocket.connect(path: socket)
            defer { Sys.close(fd) }
            let reader = LineReader(fd: fd, maxLineBytes: 1 << 20)
            var sentAt = [UInt64](repeating: 0, count: perClient)
            var sent = 0, received = 0
            var local: [Double] = []
            local.reserveCapacity(perClient)
            while received < perClient {
                var batch: [UInt8] = []
                while sent < perClient && sent - received < window {
                    batch += Request(id: .int(sent), cmd: "journal.annotate", args: ["text": .string("客户端\(client) 第\(sent)条 bench")]).encoded() + [10]
                    sentAt[sent] = DispatchTime.now().uptimeNanoseconds
                    sent += 1
                }
                if !batch.isEmpty { try! Sys.sendAll(fd, batch) }
                guard case .line(let line) = try! reader.next(), let response = try? Response.parse(line), case .success = response.outcome,
                      let id = response.id.intValue else { fatalError("append failed") }
                local.append(Double(DispatchTime.now().uptimeNanoseconds - sentAt[id]) / 1e6)
                received += 1
            }
            latencies.withValue { $0 += local }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let total = clients * perClient
        var sorted = latencies.current.sorted()
        let rate = Double(total) / seconds
        row("durable appends, \(clients) clients pipelined", String(format: "%.0f events/s", rate), "target ≥ 50,000/s")
        row("  ack latency p50 / p99", String(format: "%.2f / %.2f ms", sorted[sorted.count / 2], sorted[sorted.count * 99 / 100]))

        // Status round trips, one at a time per client.
        sorted = []
        let statusLatencies = Locked<[Double]>([])
        let rounds = 500
        let statusStarted = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: clients) { _ in
            let client = try! ControlClient(socketPath: socket)
            var local: [Double] = []
            for _ in 0..<rounds {
                let t = DispatchTime.now().uptimeNanoseconds
                _ = try! client.call("status")
                local.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
            }
            statusLatencies.withValue { $0 += local }
        }
        let statusSeconds = Double(DispatchTime.now().uptimeNanoseconds - statusStarted) / 1e9
        sorted = statusLatencies.current.sorted()
        row("status round trip, \(clients) clients: p50 / p99", String(format: "%.2f / %.2f ms", sorted[sorted.count / 2], sorted[sorted.count * 99 / 100]), "target p99 ≤ 1 ms")
        row("  requests/s", String(format: "%.0f", Double(clients * rounds) / statusSeconds))

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
        } else {
            row("reference: sqlite3", "skipped (not installed)")
        }
    }
}
