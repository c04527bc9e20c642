import Foundation

/// Other scenario files append themselves here (keeps main.swift free of merge churn).
enum BenchmarkRegistry {
    static var more: [(name: String, summary: String, run: () -> Void)] {
        [EquipmentBenchmark.scenario]
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
    print("  " + label.padding(toLength: 44, withPad: " ", startingAt: 0) + value.padding(toLength: 16, withPad: " ", startingAt: 0) + target)
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
