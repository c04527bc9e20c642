/// 抽查结果 — outcome codes of a 双随机 inspection and their published (公示) labels.
public enum Outcome: String, Sendable, CaseIterable, Codable {
    case noProblem = "no_problem"
    case notPublicised = "not_publicised"
    case falsePublicity = "false_publicity"
    case unreachable
    case rectified
    case pendingFollowup = "pending_followup"
    case notOperating = "not_operating"
    case closed
    case uncooperative
    case deregistered

    /// The label as published in the 公示 list.
    public var label: String {
        switch self {
        case .noProblem: return "未发现问题"
        case .notPublicised: return "未按规定公示应当公示的信息"
        case .falsePublicity: return "公示信息隐瞒真实情况、弄虚作假"
        case .unreachable: return "通过登记的住所（经营场所）无法联系"
        case .rectified: return "发现问题经责令已改正"
        case .pendingFollowup: return "发现问题待后续处理"
        case .notOperating: return "未发现开展本次抽查涉及的经营活动"
        case .closed: return "已关闭停业或正在组织清算"
        case .uncooperative: return "不配合检查情节严重"
        case .deregistered: return "注销 / 被吊销 / 被撤销 / 迁出"
        }
    }
}

/// How a task samples its pool (SPEC §7).
public enum Sampling: Sendable, Equatable, Codable {
    /// 信用风险分类抽查: a ratio per risk class, `none` for unclassified. The ratio is
    /// the exact decimal as written (0.03 means 3/100, never a binary float).
    case ratios([String: DecimalRatio])
    /// A fixed number of entities from a single stratum 0.
    case count(Int)

    private enum CodingKeys: String, CodingKey { case count, ratios }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .count(let n): try c.encode(n, forKey: .count)
        case .ratios(let ratios): try c.encode(ratios.mapValues(\.text), forKey: .ratios)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let n = try c.decodeIfPresent(Int.self, forKey: .count) {
            self = .count(n)
            return
        }
        var ratios: [String: DecimalRatio] = [:]
        for (key, text) in try c.decode([String: String].self, forKey: .ratios) {
            guard let ratio = DecimalRatio(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "bad ratio \(text)"))
            }
            ratios[key] = ratio
        }
        self = .ratios(ratios)
    }
}

/// A ratio 0…1 kept as an exact decimal fraction, so `ceil(0.03 × 100)` is 3, not 4.
public struct DecimalRatio: Sendable, Equatable {
    public let numerator: Int
    public let denominator: Int
    /// The literal as given, recorded unchanged in the journal.
    public let text: String

    /// Parses a JSON number literal like `0.03`, `1`, `3e-2` with at most 9 decimals.
    public init?(_ text: String) {
        var mantissa = ""
        var exponent = 0
        var seenDot = false
        var decimals = 0
        var chars = Substring(text)
        if let e = chars.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let x = Int(chars[chars.index(after: e)...]) else { return nil }
            exponent = x
            chars = chars[..<e]
        }
        for c in chars {
            if c == "." {
                if seenDot { return nil }
                seenDot = true
            } else if c.isASCII, c.isNumber {
                mantissa.append(c)
                if seenDot { decimals += 1 }
            } else {
                return nil
            }
        }
        guard !mantissa.isEmpty else { return nil }
        let scale = decimals - exponent
        guard scale <= 9, scale >= -9, mantissa.count <= 18, var value = Int(mantissa) else { return nil }
        var denominator = 1
        if scale >= 0 {
            for _ in 0..<scale { denominator *= 10 }
        } else {
            for _ in 0..<(-scale) { value *= 10 }
        }
        guard value <= denominator else { return nil }   // ratio ≤ 1
        numerator = value
        self.denominator = denominator
        self.text = text
    }

    /// ceil(ratio × size), capped at size; exact integer arithmetic.
    public func sampleSize(of size: Int) -> Int {
        let product = numerator.multipliedReportingOverflow(by: size)
        precondition(!product.overflow, "ratio × pool size overflows")
        let k = (product.partialValue + denominator - 1) / denominator
        return min(k, size)
    }
}

/// One stratum of a frozen pool: entity numbers sorted by id (byte order).
public struct Stratum: Sendable, Equatable, Codable {
    /// 1 = A … 4 = D, 5 = unclassified when sampling by ratio; 0 when by count.
    public var ordinal: Int
    public var pool: [Int32]
    /// SHA-256 of the pool's ids joined by `\n` (lowercase hex).
    public var digest: String
    public var k: Int

    public var size: Int { pool.count }
}

public enum TaskStatus: String, Sendable, Codable {
    /// Created, pool frozen, awaiting the draw.
    case created
    case drawn
    case cancelled
}

/// The outcome of a draw, as recorded in `task.drawn`.
public struct DrawRecord: Sendable, Equatable, Codable {
    /// The picks of one stratum, in pick order.
    public struct StratumPicks: Sendable, Equatable, Codable {
        public var ordinal: Int
        public var ids: [String]
    }

    /// One department's inspectors eligible at draw time, sorted by id.
    public struct DepartmentPool: Sendable, Equatable, Codable {
        public var department: String
        public var inspectors: [String]
    }

    public var seq: Int
    public var at: Timestamp
    public var method: String
    public var sources: [[String]]
    public var system: Bool
    public var key: String
    /// Per stratum ordinal, the picked entity ids in pick order.
    public var picks: [StratumPicks]
    /// Entity ids in overall pick order (n = index + 1).
    public var targets: [String]
    /// Entity id → team (inspector ids, departments in listed order).
    public var teams: [String: [String]]
    public var excluded: [String: [String]]
    public var inspectorPool: [DepartmentPool]
}

/// A recorded inspection result (抽查结果).
public struct InspectionResult: Sendable, Equatable, Codable {
    public var task: String
    public var entity: String
    public var outcomes: [Outcome]
    public var note: String
    public var detail: String
    public var inspectors: [String]
    public var date: CivilDate
    public var recordedAt: Timestamp
    public var seq: Int
    /// The last day to publish it: 20 working days after recording (企业信息公示暂行条例 Art. 6).
    public var publishBy: CivilDate
    public var publishedSeq: Int?
}

/// 抽查任务 — one 双随机 task.
/// One publication (公示) of some of a task's results.
public struct Publication: Sendable, Equatable, Codable {
    public var seq: Int
    public var at: Timestamp
    public var entities: [String]
}

/// A task's cancellation; `afterDraw` ones are listed by the audit.
public struct Cancellation: Sendable, Equatable, Codable {
    public var seq: Int
    public var at: Timestamp
    public var reason: String
    public var afterDraw: Bool
}

public struct InspectionTask: Sendable, Codable {
    public var id: String
    public var name: String
    public var items: [String]
    public var departments: [String]
    public var filter: EntityFilter
    public var sampling: Sampling
    public var teamSize: Int
    public var excludeInspectedWithinDays: Int
    public var due: CivilDate
    public var announcedSources: [String]
    public var poolDate: CivilDate
    public var createdSeq: Int
    public var createdAt: Timestamp
    public var createdBy: String
    public var strata: [Stratum]
    public var status: TaskStatus = .created
    public var draw: DrawRecord?
    public var results: [String: InspectionResult] = [:]
    public var publications: [Publication] = []
    public var cancellation: Cancellation?

    public var poolSize: Int { strata.reduce(0) { $0 + $1.size } }
    public var unpublished: [InspectionResult] { results.values.filter { $0.publishedSeq == nil } }
    public var isSystemRandom: Bool { announcedSources == ["system"] }
}
