/// Freezes a task's pool (SPEC §7): active entities matching the filter, minus those
/// inspected within `excludeInspectedWithinDays` of the pool date, grouped into strata
/// and sorted by id in byte order. The same function runs when the task is created
/// and when `task.created` is applied (replay, audit), so the pool is a pure function
/// of the journal up to that event.
///
/// O(n log n) in the matching entities (one pass over the directory, one sort per stratum).
public enum PoolFreeze {
    public static func strata(
        directory: DirectoryState, lastInspected: [Int32: CivilDate], filter: EntityFilter,
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
        let checkRecent = excludeWithinDays > 0 && !lastInspected.isEmpty
        // Only filters on strings (region, industry, tags) need the full entity.
        let needsStrings = filter.regions != nil || filter.industries != nil || filter.tags != nil
        let attributes = directory.entityAttributes
        for index in attributes.indices {
            let attribute = attributes[index]
            guard attribute.status == .active else { continue }
            if let kinds = filter.kinds, !kinds.contains(attribute.kind) { continue }
            if let risks = filter.risks, !risks.contains(attribute.risk) { continue }
            if needsStrings && !filter.matches(directory.entityRecords[index]) { continue }
            if checkRecent, let last = lastInspected[Int32(index)], today - last.daysSinceEpoch < excludeWithinDays {
                continue
            }
            let ordinal: Int
            switch sampling {
            case .count: ordinal = 0
            case .ratios: ordinal = attribute.risk?.stratum ?? RiskClass.unclassifiedStratum
            }
            buckets[ordinal]!.append(Int32(index))
        }
        let packed = directory.packedIDs
        return ordinals.map { ordinal in
            let pool = buckets[ordinal]!.sorted { packed[Int($0)] < packed[Int($1)] }
            let k: Int
            switch sampling {
            case .count(let n): k = min(n, pool.count)
            case .ratios(let ratios):
                let name = ordinal == RiskClass.unclassifiedStratum ? "none" : RiskClass.allCases[ordinal - 1].rawValue
                k = ratios[name]?.sampleSize(of: pool.count) ?? 0
            }
            return Stratum(ordinal: ordinal, pool: pool, digest: digest(pool, packedIDs: packed), k: k)
        }
    }

    /// SHA-256 of the ids joined by `\n` (no trailing newline), lowercase hex.
    public static func digest(_ pool: [Int32], packedIDs: ChunkedArray<PackedID>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pool.count * 19)
        for (i, number) in pool.enumerated() {
            if i > 0 { bytes.append(10) }
            packedIDs[Int(number)].append(to: &bytes)
        }
        return Hex.encode(SHA256.hash(bytes))
    }
}
