/// The draw method `rfc3797-v1` (SPEC §7), as a pure function of the frozen pool, the
/// source values and the directory at draw time. The daemon, replay and the audit's
/// re-derivation all call this one implementation.
public enum TaskDraw {
    public struct Result: Sendable {
        public var key: String
        public var picks: [(ordinal: Int, ids: [String])]
        public var targets: [String]
        public var teams: [[String]]
        public var excluded: [[String]]
        public var inspectorPool: [(department: String, inspectors: [String])]
    }

    /// The inspectors of each participating department who may take part: active, and
    /// holding every qualification the task's items of that department require,
    /// sorted by id (byte order).
    public static func inspectorPool(task: InspectionTask, directory: DirectoryState) -> [(department: String, inspectors: [String])] {
        task.departments.map { department in
            let required = Set(task.items.compactMap { directory.items[$0] }
                .filter { $0.department == department && !$0.qualification.isEmpty }.map(\.qualification))
            let ids = directory.inspectors.values
                .filter { $0.department == department && $0.active && required.isSubset(of: $0.qualifications) }
                .map(\.id)
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return (department, ids)
        }
    }

    /// Runs the draw. Throws `conflict` (naming the entity) when a team can't be formed.
    ///
    /// Cost: O(Σk · log n) for the targets (Fenwick-tree selection), plus
    /// O(targets · inspectors per department) for the teams.
    public static func run(
        task: InspectionTask, sources: [[String]], directory: DirectoryState,
        inspectorPool pool: [(department: String, inspectors: [String])]? = nil
    ) throws(CommandError) -> Result {
        let key = RFC3797.key(sources: sources)
        var picks: [(ordinal: Int, ids: [String])] = []
        var targets: [String] = []
        for stratum in task.strata {
            guard stratum.k > 0 else {
                picks.append((stratum.ordinal, []))
                continue
            }
            let indices = RFC3797.select(key: key + "\(stratum.ordinal)./", poolSize: stratum.size, count: stratum.k)
            let ids = indices.map { i in
                let number = Int(stratum.pool[i])
                return directory.packedIDs[number].string ?? directory.entityRecords[number].id
            }
            picks.append((stratum.ordinal, ids))
            targets += ids
        }
        let inspectorPool = pool ?? inspectorPool(task: task, directory: directory)
        // Inspectors are handled by position in their department's sorted list, and
        // loads live in flat arrays: the team loop does no string hashing except one
        // conflict lookup per entity. O(targets × inspectors per department).
        // One flat load array (department d's inspectors start at base[d]) so the inner
        // loops index a single buffer instead of nested arrays.
        var base: [Int] = []
        var total = 0
        for part in inspectorPool {
            base.append(total)
            total += part.inspectors.count
        }
        var loads = [Int](repeating: 0, count: total)
        // countAtLoad[d][L]: inspectors of department d with in-task load L.
        var countAtLoad = inspectorPool.map { [$0.inspectors.count] }
        // The common case, kept cheap: when no conflict applies and the department's
        // loads span at most two levels (minLevel, minLevel + 1) — what levelling
        // produces — the kept candidates are either the positions at minLevel (atMin,
        // sorted) or, if those are too few, the whole department.
        var minLevel = [Int](repeating: 0, count: inspectorPool.count)
        var atMin = inspectorPool.map { Array($0.inspectors.indices) }
        var teams: [[String]] = []
        var excludedAll: [[String]] = []
        teams.reserveCapacity(targets.count)
        excludedAll.reserveCapacity(targets.count)
        let joint = task.departments.count > 1
        let needed = task.teamSize
        let keyBytes = Array(key.utf8)
        var teamKey: [UInt8] = []
        teamKey.reserveCapacity(keyBytes.count + 12)
        var candidates: [Int] = []
        var kept = [Int](repeating: 0, count: inspectorPool.map(\.inspectors.count).max() ?? 0)
        // By index: binding each target's id would retain a string last touched when the
        // targets were picked (a cache miss per target, ~20 % of the draw). The id is only
        // read when conflicts are declared or a team can't be formed.
        for index in targets.indices {
            let n = index + 1
            var team: [String] = []
            var excluded: [String] = []
            // Declared conflicts are rare: skip hashing every target's id when there are none.
            let conflicts = directory.conflicts.isEmpty ? nil : directory.conflicts[targets[index]]
            for (d, part) in inspectorPool.enumerated() {
                let departmentIndex = joint ? d + 1 : 0
                candidates.removeAll(keepingCapacity: true)
                if let conflicts {
                    for (position, inspector) in part.inspectors.enumerated() {
                        if conflicts[inspector] != nil { excluded.append(inspector) } else { candidates.append(position) }
                    }
                }
                let offset = base[d]
                let eligible = conflicts == nil ? part.inspectors.count : candidates.count
                guard eligible >= needed else {
                    let entity = targets[index]
                    let name = directory.entity(entity)?.name ?? ""
                    throw .conflict("task.draw: entity \(entity) \(name) (n = \(n)) needs \(needed) inspector(s) from \(part.department) but only \(eligible) are eligible (\(part.inspectors.count) qualified, \(excluded.count) excluded for conflict); register or qualify more inspectors, then draw again")
                }
                // Keep the lowest in-task load levels until at least `needed` remain.
                // Levelling keeps loads within a level or two of each other, so this
                // climbs one level per pass and usually stops after the first.
                var level = 0
                if conflicts == nil {
                    // Every inspector is a candidate: read the level off the histogram,
                    // from the lowest load anyone has (levels below it are empty; walking
                    // up from 0 cost ~30 % of a 50,000-target draw).
                    level = minLevel[d]
                    var covered = countAtLoad[d][level]
                    while covered < needed {
                        level += 1
                        covered += countAtLoad[d][level]
                    }
                } else {
                    level = Int.min
                    var covered = 0
                    while covered < needed {
                        var next = Int.max
                        for position in candidates where loads[offset + position] > level { next = min(next, loads[offset + position]) }
                        level = next
                        covered = 0
                        for position in candidates where loads[offset + position] <= level { covered += 1 }
                    }
                }
                // Fill `kept` through raw pointers: this loop runs for every inspector of
                // every department of every target, and Array.append's uniqueness check
                // per element was most of the draw's time.
                var keptCount = 0
                let count = part.inspectors.count
                let lowest = minLevel[d]
                let twoLevels = countAtLoad[d][lowest] + (countAtLoad[d].count > lowest + 1 ? countAtLoad[d][lowest + 1] : 0) == count
                // In the fast case `kept` is atMin[d] or 0..<count, read without a scan.
                var keptIsAll = false
                var keptIsAtMin = false
                if conflicts == nil && twoLevels {
                    if atMin[d].count >= needed { keptIsAtMin = true; keptCount = atMin[d].count } else { keptIsAll = true; keptCount = count }
                } else {
                loads.withUnsafeBufferPointer { load in
                    kept.withUnsafeMutableBufferPointer { out in
                        if conflicts == nil {
                            for position in 0..<count where load[offset + position] <= level {
                                out[keptCount] = position
                                keptCount += 1
                            }
                        } else {
                            for position in candidates where load[offset + position] <= level {
                                out[keptCount] = position
                                keptCount += 1
                            }
                        }
                    }
                }
                }
                // be16 slot ‖ key + "<10000000 + 100·n + d>./" ‖ be16 slot, built as bytes.
                teamKey.removeAll(keepingCapacity: true)
                teamKey.append(contentsOf: [0, 0])
                teamKey.append(contentsOf: keyBytes)
                appendDecimal(10_000_000 + 100 * n + departmentIndex, to: &teamKey)
                teamKey.append(contentsOf: [0x2E, 0x2F, 0, 0])
                let chosen = RFC3797.select(message: &teamKey, poolSize: keptCount, count: needed)
                // Resolve picks to positions before updating atMin (it is the kept list).
                let positions = chosen.map { j in keptIsAll ? j : (keptIsAtMin ? atMin[d][j] : kept[j]) }
                for position in positions {
                    team.append(part.inspectors[position])
                    let old = loads[offset + position]
                    loads[offset + position] = old + 1
                    countAtLoad[d][old] -= 1
                    if countAtLoad[d].count == old + 1 { countAtLoad[d].append(0) }
                    countAtLoad[d][old + 1] += 1
                    if old == minLevel[d], let at = atMin[d].sortedIndex(of: position) { atMin[d].remove(at: at) }
                }
                if atMin[d].isEmpty {
                    // Everyone moved up: the next level becomes the minimum.
                    while countAtLoad[d][minLevel[d]] == 0 { minLevel[d] += 1 }
                    let m = minLevel[d]
                    atMin[d] = (0..<count).filter { loads[offset + $0] == m }
                }
            }
            teams.append(team)
            excludedAll.append(excluded)
        }
        return Result(key: key, picks: picks, targets: targets, teams: teams, excluded: excludedAll, inspectorPool: inspectorPool)
    }

    /// The `task.drawn` payload (SPEC §7 step 5).
    public static func eventData(task: String, sources: [[String]], system: Bool, result: Result) -> JSONObject {
        [
            "task": .string(task),
            "method": .string(RFC3797.method),
            "sources": .array(sources.map { .array($0.map { .string($0) }) }),
            "system": .bool(system),
            "key": .string(result.key),
            "strata": .array(result.picks.map { ["ordinal": .int($0.ordinal), "picks": .array($0.ids.map { .string($0) })] }),
            "inspectorPool": .array(result.inspectorPool.map {
                ["department": .string($0.department), "inspectors": .array($0.inspectors.map { .string($0) })]
            }),
            // One allocation per team for its members (a dictionary literal would make two);
            // a 5 % draw from a million has ~50,000 teams.
            "teams": .array(result.targets.indices.map { i in
                .object(JSONObject([
                    (key: "n", value: .int(i + 1)), (key: "entity", value: .string(result.targets[i])),
                    (key: "inspectors", value: .array(result.teams[i].map { .string($0) })),
                    (key: "excludedForConflict", value: result.excluded[i].isEmpty ? .array([]) : .array(result.excluded[i].map { .string($0) })),
                ]))
            }),
        ]
    }
}

/// Appends the decimal digits of a non-negative integer.
@inline(__always)
func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var v = value
    var count = 0
    withUnsafeMutableBytes(of: &digits) { raw in
        repeat {
            raw[count] = UInt8(48 + v % 10)
            v /= 10
            count += 1
        } while v > 0
        for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(raw[i]) }
    }
}

extension Array where Element == Int {
    /// Index of `value` in this sorted array, or nil. O(log n).
    func sortedIndex(of value: Int) -> Int? {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) >> 1
            if self[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < count && self[low] == value ? low : nil
    }
}
