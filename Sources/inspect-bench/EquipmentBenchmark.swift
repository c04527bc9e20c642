import Foundation
import InspectionKit

/// SPEC §8/§10: 1,000,000 special-equipment units with spread due dates, built through the
/// real `apply`; then one ticker decision with 0, 1,000 and 100,000 reminders due. The
/// decision must cost O(reminders due), not O(units).
enum EquipmentBenchmark {
    /// CPU seconds of this thread (the machine is shared: wall time includes other jobs).
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// `measure`, plus the CPU seconds spent.
    static func timed<T>(_ body: () throws -> T) rethrows -> (T, wall: Double, cpu: Double) {
        let cpu = cpuSeconds()
        let (value, wall) = try measure(body)
        return (value, wall, cpuSeconds() - cpu)
    }

    static var scenario: (name: String, summary: String, run: () -> Void) {
        ("equipment", "register 1,000,000 units; one reminder tick with 0, 1,000 and 100,000 due", run)
    }

    static let units = 1_000_000

    static func run() {
        var generator = SeededGenerator(seed: 8_000)
        var state = InspectionState()
        let zone = BureauZone.shanghai
        let at = zone.parse("2026-06-01T09:00:00+08:00")!
        var seq = 0
        func apply(_ event: NewEvent, actor: String = "system") {
            seq += 1
            try! state.apply(Event(seq: seq, at: at, type: event.type, actor: actor, data: event.data))
        }
        let rulesEvent = try! state.equipment.rulesChangedEvent(json: EquipmentRules.specDefaultsJSON, sha256: "bench", source: "bench")!
        apply(rulesEvent)
        let memoryBefore = memoryMiB().resident

        // Ticks on T0, T0+1, T0+2: stage 30 falls due for 0, 1,000 and 100,000 units.
        let t0 = CivilDate(iso: "2026-06-01")!
        let users = (0..<50_000).map { i -> String in
            var first17 = "91350102"
            var n = i
            let alphabet = Array(USCC.alphabet)
            for _ in 0..<9 { first17.append(alphabet[n % 31]); n /= 31 }
            return USCC.make(first17: first17)!
        }
        let regions = ["鼓楼区", "台江区", "仓山区", "晋安区", "马尾区", "长乐区", "闽侯县", "连江县", "罗源县", "闽清县", "永泰县", "平潭县", "福清市"]
        let categories: [(String, String?)] = [("elevator", "traction"), ("elevator", nil), ("elevator", "escalator"), ("boiler", nil),
                                               ("pressure_vessel", "fixed"), ("gas_cylinder", "lpg"), ("crane", "bridge"),
                                               ("crane", "tower"), ("field_vehicle", "forklift"), ("pressure_piping", "industrial")]
        func registration(_ i: Int) -> NewEvent {
            let due: CivilDate
            if i < 1_000 { due = t0.adding(days: 31) }
            else if i < 101_000 { due = t0.adding(days: 32) }
            else { due = t0.adding(days: 40 + Int(generator.next() % 760)) }
            let (category, variant) = categories[i % categories.count]
            let lastInspected = Day(due.adding(months: -12))
            let registration = EquipmentRegistration(
                code: "35010220\(String(format: "%012d", i))", registration: "梯11闽A\(String(format: "%05d", i % 100_000))(20)",
                category: EquipmentCategory(rawValue: category)!, variant: variant, user: users[Int(generator.next() % UInt64(users.count))],
                userName: nil, address: "福州市\(regions[i % regions.count])五一路\(i % 997)号\(i % 31)栋", region: regions[i % regions.count],
                commissioned: Day(CivilDate(year: 2015, month: 3, day: 1)!),
                grade: category == "pressure_vessel" || category == "pressure_piping" ? 2 : nil, lastInspected: lastInspected,
                status: .inUse, suspendedOn: nil, nextDue: Day(due), nextDueSource: .certificate, dueBase: lastInspected,
                dueBaseFirst: false, gradeNotUsable: false)
            return NewEvent(EventType.equipmentRegistered, registration.json)
        }
        // Generated in chunks so the events themselves don't inflate the memory figure.
        var generateSeconds = 0.0, applySeconds = 0.0, applyCPU = 0.0
        var chunk: [NewEvent] = []
        chunk.reserveCapacity(10_000)
        for start in stride(from: 0, to: units, by: 10_000) {
            chunk.removeAll(keepingCapacity: true)
            generateSeconds += measure { for i in start..<min(units, start + 10_000) { chunk.append(registration(i)) } }.1
            let timing = timed { for event in chunk { apply(event, actor: "uid:1000/bench") } }
            applySeconds += timing.wall
            applyCPU += timing.cpu
        }
        chunk = []
        row("generate 1,000,000 registration events", String(format: "%.2f s", generateSeconds))
        row("apply 1,000,000 equipment.registered", String(format: "%.2f s", applySeconds),
            String(format: "%.0f events/s; CPU %.2f s", Double(units) / applySeconds, applyCPU))
        let memory = memoryMiB()
        row("resident memory after (RSS)", String(format: "%.0f MiB", memory.resident),
            String(format: "+%.0f MiB for the units; peak %.0f MiB", memory.resident - memoryBefore, memory.peak))

        // The command path for comparison: decide (validate against state) + apply.
        let context = CommandContext(now: at, zone: zone, actor: Actor(uid: 1000, name: "bench", roles: [.equipment]))
        let register = CommandCatalog.all["equipment.register"]!
        let sample = 20_000
        let (_, commandSeconds, commandCPU) = timed {
            for i in 0..<sample {
                let args: JSONObject = ["code": .string("BENCH\(i)"), "category": "elevator", "user": .string(users[i % users.count]),
                                        "commissioned": "2020-01-01", "lastInspected": "2025-09-01", "address": "福州市鼓楼区五一路1号",
                                        "region": "鼓楼区"]
                let outcome = try! register.run(Arguments(args, command: register.name), context, state)
                for event in outcome.events { apply(event, actor: "uid:1000/bench") }
            }
        }
        row("equipment.register command (decide + apply)", String(format: "%.1f µs each", commandSeconds / Double(sample) * 1e6),
            String(format: "%.0f/s; CPU %.1f µs each", Double(sample) / commandSeconds, commandCPU / Double(sample) * 1e6))

        let (_, fullScanSeconds) = measure { _ = state.equipment.overdue(today: t0) }
        let fullScanMillis = fullScanSeconds * 1000
        for (offset, expected) in [(0, 0), (1, 1_000), (2, 100_000)] {
            let today = t0.adding(days: offset)
            let (due, decideSeconds, decideCPU) = timed { state.equipment.dueReminders(today: today) }
            precondition(due.count == expected, "expected \(expected) reminders on \(today), got \(due.count)")
            let (_, applyRemindersSeconds, applyRemindersCPU) = timed { for event in due { apply(event) } }
            row("tick with \(expected) due: decide", String(format: "%.3f ms", decideSeconds * 1000),
                String(format: "CPU %.3f ms; apply %.1f ms (CPU %.1f ms)", decideCPU * 1000, applyRemindersSeconds * 1000, applyRemindersCPU * 1000))
            if expected > 0 {
                Summary.add("ticker: decide \(thousands(Double(expected))) reminders of 1,000,000 units", String(format: "%.3f ms", decideSeconds * 1000),
                            target: "O(due), not O(units)", reference: String(format: "full scan (equipment.overdue): %.0f ms", fullScanMillis))
            }
        }
        let (overdue, overdueSeconds, overdueCPU) = timed { state.equipment.overdue(today: CivilDate(iso: "2026-12-01")!) }
        row("equipment.overdue query (full scan)", String(format: "%.0f ms", overdueSeconds * 1000),
            String(format: "CPU %.0f ms; %d overdue", overdueCPU * 1000, overdue.count))
        let (dueSoon, dueSeconds, dueCPU) = timed { state.equipment.dueWithin(days: 30, today: CivilDate(iso: "2026-09-01")!) }
        row("equipment.due --within 30 (full scan)", String(format: "%.0f ms", dueSeconds * 1000),
            String(format: "CPU %.0f ms; %d due", dueCPU * 1000, dueSoon.count))
    }
}
