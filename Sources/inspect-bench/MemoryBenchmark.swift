import Foundation
import InspectionKit

/// SPEC §10 memory: the daemon's resident memory with 1,000,000 entities and 1,000,000
/// equipment units loaded (a journal of exactly those registrations, replayed by the
/// real `inspectd`).
enum MemoryBenchmark {
    static var scenario: (name: String, summary: String, run: () -> Void) {
        ("memory", "inspectd's resident memory with 1,000,000 entities + 1,000,000 units (target ≤ 1.5 GB)", run)
    }

    static func run() {
        guard let daemonPath = ReplayBenchmark.daemonBinary() else {
            row("memory", "skipped: build inspectd first (swift build -c release)")
            return
        }
        let entities = ReplayBenchmark.registrationCap
        let directory = NSTemporaryDirectory() + "inspect-bench-memory-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ((_, bytes), seconds) = measure {
            ReplayBenchmark.generate(count: 1 + 2 * entities, directory: directory, mix: .registrations(entities: entities))
        }
        row("journal: 1,000,000 entity + 1,000,000 unit registrations", String(format: "%.0f MB", Double(bytes) / 1e6), String(format: "generated in %.1f s", seconds))
        let config = #"{"journalDirectory":".","socketPath":"d.sock","snapshots":{"every":0,"onShutdown":false}}"#
        _ = FileManager.default.createFile(atPath: directory + "/inspectd.json", contents: Data(config.utf8))
        let daemon = DaemonRun(daemonPath, directory: directory, arguments: ["--no-snapshot"])
        let resident = daemon.residentMiB
        _ = daemon.stop()
        row("inspectd resident memory (VmRSS)", String(format: "%.0f MiB", resident), "target ≤ 1.5 GB")
        Summary.add("resident memory, 1M entities + 1M units", String(format: "%.0f MiB", resident), target: "≤ 1.5 GB (1,536 MiB)", met: resident <= 1536)
    }
}
