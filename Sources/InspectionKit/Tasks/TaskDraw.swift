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
            let ids = indices.map { directory.entities[Int(stratum.pool[$0])].id }
            picks.append((stratum.ordinal, ids))
            targets += ids
        }
        let inspectorPool = pool ?? inspectorPool(task: task, directory: directory)
        var load: [String: Int] = [:]
        var teams: [[String]] = []
        var excludedAll: [[String]] = []
        let joint = task.departments.count > 1
        for (index, entity) in targets.enumerated() {
            let n = index + 1
            var team: [String] = []
            var excluded: [String] = []
            for (d, part) in inspectorPool.enumerated() {
                let departmentIndex = joint ? d + 1 : 0
                var candidates: [String] = []
                for inspector in part.inspectors {
                    if directory.conflicted(inspector: inspector, entity: entity) {
                        excluded.append(inspector)
                    } else {
                        candidates.append(inspector)
                    }
                }
                let needed = task.teamSize
                guard candidates.count >= needed else {
                    let name = directory.entity(entity)?.name ?? ""
                    throw .conflict("task.draw: entity \(entity) \(name) (n = \(n)) needs \(needed) inspector(s) from \(part.department) but only \(candidates.count) are eligible (\(part.inspectors.count) qualified, \(excluded.count) excluded for conflict); register or qualify more inspectors, then draw again")
                }
                // Keep the lowest in-task load levels until enough remain.
                let levels = Set(candidates.map { load[$0, default: 0] }).sorted()
                var kept: [String] = []
                for level in levels {
                    kept = candidates.filter { load[$0, default: 0] <= level }
                    if kept.count >= needed { break }
                }
                let chosen = RFC3797.select(key: key + "\(10_000_000 + 100 * n + departmentIndex)./", poolSize: kept.count, count: needed)
                for j in chosen {
                    team.append(kept[j])
                    load[kept[j], default: 0] += 1
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
            "teams": .array(result.targets.indices.map { i in
                ["n": .int(i + 1), "entity": .string(result.targets[i]),
                 "inspectors": .array(result.teams[i].map { .string($0) }),
                 "excludedForConflict": .array(result.excluded[i].map { .string($0) })]
            }),
        ]
    }
}
