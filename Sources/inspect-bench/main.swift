// inspect-bench: measures the figures of SPEC §10 in a release build:
//   swift run -c release inspect-bench all      (every scenario, then one summary table)
//   swift run -c release inspect-bench draw
// Each scenario generates its own seeded data, so runs are comparable.
import Foundation

let scenarios: [(name: String, summary: String, run: () -> Void)] = [
    ("replay", "replay and cold starts of inspectd on a mixed journal (INSPECT_BENCH_EVENTS, default 10,000,000; INSPECT_BENCH_STARTS starts without a snapshot, default 3, median reported) vs JSONDecoder", ReplayBenchmark.run),
    ("append", "durable appends and status round trips over the socket, 16 clients (INSPECT_BENCH_APPENDS per client) vs sqlite3", AppendBenchmark.run),
    ("draw", "freeze a 1,000,000-entity pool and draw 5 % with teams (target: draw ≤ 100 ms)", DrawBenchmark.run),
] + BenchmarkRegistry.more

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.isEmpty || arguments.contains("-h") || arguments.contains("--help") {
    print("usage: inspect-bench SCENARIO|all\n       inspect-bench generate DIR [EVENTS]   (write the seeded replay journal, for profiling)\n\nscenarios:")
    for s in scenarios { print("  \(s.name.padding(toLength: 12, withPad: " ", startingAt: 0))\(s.summary)") }
    exit(arguments.isEmpty ? 2 : 0)
}
if arguments.first == "generate" {
    // inspect-bench generate DIR [EVENTS]: keep a seeded journal for profiling, e.g.
    //   perf record -g inspectctl audit replay --journal DIR
    guard arguments.count >= 2 else {
        FileHandle.standardError.write("usage: inspect-bench generate DIR [EVENTS]\n".data(using: .utf8)!)
        exit(2)
    }
    try? FileManager.default.createDirectory(atPath: arguments[1], withIntermediateDirectories: true)
    var count = ReplayBenchmark.eventCount
    if arguments.count > 2 {
        guard let n = Int(arguments[2]), n >= 1 else {
            FileHandle.standardError.write("inspect-bench generate: EVENTS must be a positive whole number, not \"\(arguments[2])\"\n".data(using: .utf8)!)
            exit(2)
        }
        count = n
    }
    let (path, bytes) = ReplayBenchmark.generate(count: count, directory: arguments[1])
    print("\(path): \(count) events, \(bytes) bytes")
    exit(0)
}
for name in arguments {
    if name == "all" {
        for s in scenarios { print("== \(s.name)"); s.run() }
        print("== all scenarios ran; each figure from this run on this machine, one measurement unless it says median (repeat runs to see the spread)")
    } else if let s = scenarios.first(where: { $0.name == name }) {
        print("== \(s.name)")
        s.run()
    } else {
        FileHandle.standardError.write("inspect-bench: unknown scenario \(name)\n".data(using: .utf8)!)
        exit(2)
    }
}
Summary.print(machine: Summary.machine)
