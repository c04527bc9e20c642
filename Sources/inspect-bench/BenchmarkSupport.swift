import Foundation

/// Other scenario files append themselves here (keeps main.swift free of merge churn).
enum BenchmarkRegistry {
    static var more: [(name: String, summary: String, run: () -> Void)] {
        [EquipmentBenchmark.scenario, MemoryBenchmark.scenario]
    }
}

/// Wall-clock seconds of `body`.
func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = try body()
    return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// Resident and peak resident memory in MiB, from /proc/self/status.
func memoryMiB() -> (resident: Double, peak: Double) {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    func field(_ name: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let digits = line.split(separator: " ").compactMap { Double($0) }
            return (digits.first ?? 0) / 1024
        }
        return 0
    }
    return (field("VmRSS:"), field("VmHWM:"))
}

/// A seeded SplitMix64 so every run generates the same data.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func row(_ label: String, _ value: String, _ target: String = "") {
    print("  " + label.padding(toLength: 50, withPad: " ", startingAt: 0) + value.padding(toLength: 22, withPad: " ", startingAt: 0) + target)
}

/// Runs `body(0)…body(count - 1)` on `count` threads at once and waits for them all.
/// Not `DispatchQueue.concurrentPerform`: it runs only as many iterations at a time as
/// there are cores, so on this 2-core machine "16 concurrent clients" were 2 at a time.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            body(index)
            group.leave()
        }.start()
    }
    group.wait()
}

/// The one table `inspect-bench` ends with: each SPEC §10 figure, its target, and the same
/// work done by a reference on the same data in the same run.
enum Summary {
    struct Line {
        var measure: String
        var ours: String
        var target: String
        /// nil: no target (informational).
        var met: Bool?
        var reference: String
        /// ours ÷ reference, as text ("×4.2"), or "" when there is none.
        var ratio: String
    }

    nonisolated(unsafe) static var lines: [Line] = []

    static func add(_ measure: String, _ ours: String, target: String = "", met: Bool? = nil, reference: String = "", ratio: String = "") {
        lines.append(Line(measure: measure, ours: ours, target: target, met: met, reference: reference, ratio: ratio))
    }

    /// Prints the table (plain ASCII columns padded by display width, so Chinese text aligns).
    static func print(machine: String) {
        guard !lines.isEmpty else { return }
        let header = ["measure", "ours", "target", "met", "reference (same data, same run)", "ours/ref"]
        let rows = lines.map { [$0.measure, $0.ours, $0.target, $0.met.map { $0 ? "yes" : "NO" } ?? "", $0.reference, $0.ratio] }
        var widths = header.map(displayWidth)
        for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], displayWidth(cell)) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in c + String(repeating: " ", count: widths[i] - displayWidth(c)) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        Swift.print("\n== summary (\(machine))")
        Swift.print(line(header))
        Swift.print(line(widths.map { String(repeating: "-", count: $0) }))
        for r in rows { Swift.print(line(r)) }
    }

    /// Terminal columns: East Asian wide characters take two.
    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { sum, s in
            let v = s.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
            return sum + (wide ? 2 : 1)
        }
    }

    /// "2 cores, Intel(R) Xeon(R) …, 23 GiB" from /proc.
    static var machine: String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        let memory = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("MemTotal") }?
            .split(separator: " ").compactMap { Double($0) }.first.map { String(format: "%.0f GiB", $0 / 1024 / 1024) } ?? "?"
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu), \(memory)"
    }
}

func thousands(_ value: Double) -> String {
    let n = Int(value.rounded())
    var digits = String(n)
    var out = ""
    while digits.count > 3 {
        out = "," + digits.suffix(3) + out
        digits = String(digits.dropLast(3))
    }
    return digits + out
}

/// Resident memory of another process in MiB (VmRSS), or nil.
func processResidentMiB(pid: Int32) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return line.split(separator: " ").compactMap { Double($0) }.first.map { $0 / 1024 }
    }
    return nil
}

/// A process's CPU seconds so far (user, system) and its minor page faults, from
/// `/proc/PID/stat` (fields 10, 14 and 15).
func processCPU(pid: Int32) -> (user: Double, system: Double, minorFaults: Int)? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let nameEnd = text.lastIndex(of: ")") else { return nil }
    // Fields from the third on (the state), after the parenthesised command name.
    let fields = text[text.index(after: nameEnd)...].split(separator: " ")
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    guard fields.count > 12, let faults = Int(fields[7]), let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user / ticks, system / ticks, faults)
}

/// `processCPU`'s figures as a table row's note (empty if there were none).
func describeCPU(_ cpu: (user: Double, system: Double, minorFaults: Int)?) -> String {
    cpu.map { String(format: "CPU user %.1f + system %.1f s, %d minor faults", $0.user, $0.system, $0.minorFaults) } ?? ""
}

/// The middle of `values` (the lower middle of an even count), and their range.
func medianAndRange(_ values: [Double]) -> (median: Double, min: Double, max: Double) {
    let sorted = values.sorted()
    return (sorted[(sorted.count - 1) / 2], sorted.first ?? 0, sorted.last ?? 0)
}
