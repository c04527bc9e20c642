/// The units' next reminder days in a binary min-heap with lazy deletion, so the ticker finds
/// what is due without scanning the registry (SPEC §8: "scales to a million units").
///
/// Each entry is `(day, unit)` packed into one `UInt64` (day in the high half, biased so the
/// order is numeric). The authoritative next day lives in the unit (`reminderDay`); an entry
/// whose day no longer matches its unit's is stale and is dropped when it surfaces.
///
/// Costs: `schedule` O(log n); `due(upTo:)` O(k) for k entries at or before the day (a
/// pruned walk of the heap, no mutation); `dropStaleTop` amortised O(log n) per entry.
struct ReminderQueue: Sendable {
    private(set) var heap: [UInt64] = []
    /// Entries known to be stale (their unit moved on); triggers compaction when large.
    private(set) var staleCount = 0

    static let none = Int32.max

    @inline(__always) static func pack(day: Int32, unit: Int32) -> UInt64 {
        (UInt64(UInt32(bitPattern: day) ^ 0x8000_0000) << 32) | UInt64(UInt32(bitPattern: unit))
    }

    @inline(__always) static func day(_ key: UInt64) -> Int32 {
        Int32(bitPattern: UInt32(truncatingIfNeeded: key >> 32) ^ 0x8000_0000)
    }

    @inline(__always) static func unit(_ key: UInt64) -> Int32 {
        Int32(bitPattern: UInt32(truncatingIfNeeded: key))
    }

    var count: Int { heap.count }

    /// Records that `unit`'s next reminder moved from `old` to `new` (either may be `none`).
    mutating func move(unit: Int32, from old: Int32, to new: Int32) {
        guard old != new else { return }
        if old != Self.none { staleCount += 1 }
        if new != Self.none { push(Self.pack(day: new, unit: unit)) }
    }

    /// The earliest entry's day (possibly stale), or `none`.
    var topDay: Int32 { heap.isEmpty ? Self.none : Self.day(heap[0]) }

    /// Every unit whose current reminder day is ≤ `day`, by (day, unit), at most once each.
    func due(upTo day: Int32, units: ChunkedArray<EquipmentUnit>) -> [(day: Int32, unit: Int32)] {
        guard !heap.isEmpty, Self.day(heap[0]) <= day else { return [] }
        var found: [UInt64] = []
        var stack: [Int] = [0]
        while let i = stack.popLast() {
            let key = heap[i]
            let d = Self.day(key)
            guard d <= day else { continue }
            let unit = Self.unit(key)
            if units[Int(unit)].reminderDay == d { found.append(key) }
            let left = 2 * i + 1
            if left < heap.count { stack.append(left) }
            if left + 1 < heap.count { stack.append(left + 1) }
        }
        found.sort()
        var result: [(day: Int32, unit: Int32)] = []
        result.reserveCapacity(found.count)
        var previous: UInt64?
        for key in found where key != previous {   // duplicates: a day that came back
            result.append((Self.day(key), Self.unit(key)))
            previous = key
        }
        return result
    }

    /// Pops stale entries off the top; compacts when stale entries outnumber live ones.
    mutating func dropStaleTop(units: ChunkedArray<EquipmentUnit>) {
        while let top = heap.first, units[Int(Self.unit(top))].reminderDay != Self.day(top) {
            popTop()
            staleCount = max(0, staleCount - 1)
        }
        if staleCount > 4096 && staleCount > heap.count / 2 {
            rebuild(units: units)
        }
    }

    /// One entry per unit with a reminder day, re-heapified: O(n log n).
    mutating func rebuild(units: ChunkedArray<EquipmentUnit>) {
        var live: [UInt64] = []
        live.reserveCapacity(units.count)
        for i in units.indices {
            let day = units[i].reminderDay   // the field alone: copying the unit would retain its strings
            if day != Self.none { live.append(Self.pack(day: day, unit: Int32(i))) }
        }
        live.sort()
        var unique: [UInt64] = []
        unique.reserveCapacity(live.count)
        for key in live where key != unique.last { unique.append(key) }
        heap = unique          // a sorted array is a valid min-heap
        staleCount = 0
    }

    // MARK: - Heap

    private mutating func push(_ key: UInt64) {
        heap.append(key)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[parent] > key else { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = key
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        var i = 0
        let n = heap.count
        while true {
            let left = 2 * i + 1
            guard left < n else { break }
            var child = left
            if left + 1 < n && heap[left + 1] < heap[left] { child = left + 1 }
            guard heap[child] < last else { break }
            heap[i] = heap[child]
            i = child
        }
        heap[i] = last
    }
}
