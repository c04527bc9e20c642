/// Freezes a task's pool (SPEC §7): active entities matching the filter, minus those
/// inspected within `excludeInspectedWithinDays` of the pool date, grouped into strata
/// and sorted by id in byte order. The same function runs when the task is created
/// and when `task.created` is applied (replay, audit), so the pool is a pure function
/// of the journal up to that event.
///
/// O(n log n) in the matching entities (one pass over the directory, one sort per stratum).
public enum PoolFreeze {
    public static func strata(
        directory: DirectoryState, lastInspected: [String: CivilDate], filter: EntityFilter,
        sampling: Sampling, excludeWithinDays: Int, poolDate: CivilDate
    ) -> [Stratum] {
        let today = poolDate.daysSinceEpoch
        var buckets: [Int: [Int32]] = [:]
        let ordinals: [Int]
        switch sampling {
        case .count: ordinals = [0]
        case .ratios: ordinals = [1, 2, 3, 4, 5]
        }
        for ordinal in ordinals { buckets[ordinal] = [] }
        for (index, entity) in directory.entities.enumerated() where entity.status == .active && filter.matches(entity) {
            if excludeWithinDays > 0, let last = lastInspected[entity.id], today - last.daysSinceEpoch < excludeWithinDays {
                continue
            }
            let ordinal: Int
            switch sampling {
            case .count: ordinal = 0
            case .ratios: ordinal = entity.risk?.stratum ?? RiskClass.unclassifiedStratum
            }
            buckets[ordinal]!.append(Int32(index))
        }
        let entities = directory.entities
        return ordinals.map { ordinal in
            var pool = buckets[ordinal]!
            pool.sort { entities[Int($0)].id.utf8.lexicographicallyPrecedes(entities[Int($1)].id.utf8) }
            let k: Int
            switch sampling {
            case .count(let n): k = min(n, pool.count)
            case .ratios(let ratios):
                let name = ordinal == RiskClass.unclassifiedStratum ? "none" : RiskClass.allCases[ordinal - 1].rawValue
                k = ratios[name]?.sampleSize(of: pool.count) ?? 0
            }
            return Stratum(ordinal: ordinal, pool: pool, digest: digest(pool, entities: entities), k: k)
        }
    }

    /// SHA-256 of the ids joined by `\n` (no trailing newline), lowercase hex.
    public static func digest(_ pool: [Int32], entities: [Entity]) -> String {
        var hasher = SHA256()
        for (i, number) in pool.enumerated() {
            if i > 0 { hasher.update(CollectionOfOne(UInt8(10))) }
            hasher.update(entities[Int(number)].id.utf8)
        }
        return Hex.encode(hasher.finalize())
    }
}
