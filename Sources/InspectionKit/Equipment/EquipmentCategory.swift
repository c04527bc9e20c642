/// 特种设备目录 — the categories of the special-equipment catalogue (SPEC §8), keyed by the
/// words used in commands, CSV files and the rules file.
public enum EquipmentCategory: String, Sendable, CaseIterable, Comparable, Codable {
    case boiler
    case pressureVessel = "pressure_vessel"
    case gasCylinder = "gas_cylinder"
    case elevator
    case crane
    case fieldVehicle = "field_vehicle"
    case amusementRide = "amusement_ride"
    case pressurePiping = "pressure_piping"
    case ropeway

    /// The catalogue code (目录代码), e.g. 3000 for elevators.
    public var catalogueCode: Int {
        switch self {
        case .boiler: return 1000
        case .pressureVessel: return 2000
        case .gasCylinder: return 2300
        case .elevator: return 3000
        case .crane: return 4000
        case .fieldVehicle: return 5000
        case .amusementRide: return 6000
        case .pressurePiping: return 8000
        case .ropeway: return 9000
        }
    }

    /// The Chinese name as printed in the catalogue.
    public var label: String {
        switch self {
        case .boiler: return "锅炉"
        case .pressureVessel: return "压力容器"
        case .gasCylinder: return "气瓶"
        case .elevator: return "电梯"
        case .crane: return "起重机械"
        case .fieldVehicle: return "场（厂）内专用机动车辆"
        case .amusementRide: return "大型游乐设施"
        case .pressurePiping: return "压力管道"
        case .ropeway: return "客运索道"
        }
    }

    /// Accepts the key (`elevator`), the catalogue code (`3000`) or the Chinese name (`电梯`,
    /// also `场内专用机动车辆` without the brackets) — what a bureau export may contain.
    public init?(lenient text: String) {
        let trimmed = text.trimmingSpaces
        if let exact = EquipmentCategory(rawValue: trimmed) { self = exact; return }
        for category in EquipmentCategory.allCases
        where String(category.catalogueCode) == trimmed || category.label == trimmed
            || category.label.replacingBrackets == trimmed.replacingBrackets {
            self = category
            return
        }
        return nil
    }

    /// `boiler (1000), pressure_vessel (2000), …` for error messages.
    public static var listing: String {
        allCases.map { "\($0.rawValue) (\($0.catalogueCode) \($0.label))" }.joined(separator: ", ")
    }

    public static func < (lhs: EquipmentCategory, rhs: EquipmentCategory) -> Bool {
        lhs.catalogueCode < rhs.catalogueCode
    }
}

/// 使用状态 — whether a unit is in service.
public enum EquipmentStatus: String, Sendable, CaseIterable, Codable {
    /// 在用.
    case inUse = "in_use"
    /// 停用: taken out of service by the using unit; no reminders.
    case suspended
    /// 报废: gone for good; leaves every queue.
    case scrapped

    public var label: String {
        switch self {
        case .inUse: return "在用"
        case .suspended: return "停用"
        case .scrapped: return "报废"
        }
    }
}

/// The kind of an inspection (检验类别).
public enum InspectionKind: String, Sendable, CaseIterable, Codable {
    /// 定期检验.
    case periodic
    /// 自行检测 (the using unit's own test, where the rules allow it to stand in).
    case selfTest = "self_test"
    /// 监督检验 (installation, modification, major repair); the next one is a first inspection.
    case supervision

    public var label: String {
        switch self {
        case .periodic: return "定期检验"
        case .selfTest: return "自行检测"
        case .supervision: return "监督检验"
        }
    }
}

/// 检验结论.
public enum InspectionConclusion: String, Sendable, CaseIterable, Codable {
    /// 合格.
    case pass
    /// 复检合格 — passed after rectification.
    case passAfterRectification = "pass_after_rectification"
    /// 不合格 — the unit may not be used until a passing inspection.
    case fail

    public var passed: Bool { self != .fail }

    public var label: String {
        switch self {
        case .pass: return "合格"
        case .passAfterRectification: return "复检合格"
        case .fail: return "不合格"
        }
    }
}

/// Where a unit's `nextDue` came from; only `computed` dates follow a rules change.
public enum DueSource: String, Sendable, CaseIterable, Codable {
    /// Date + interval from the journaled rules.
    case computed
    /// 下次检验日期 printed on the inspection certificate (or entered from it): it wins.
    case certificate
    /// The unit was resumed after its validity lapsed while suspended: due at once.
    case resumed
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }

    /// Without a bracketed part: `场（厂）内专用机动车辆` → `场内专用机动车辆`.
    fileprivate var replacingBrackets: String {
        var out = ""
        var depth = 0
        for ch in self {
            if ch == "（" || ch == "(" { depth += 1 } else if ch == "）" || ch == ")" { depth = max(0, depth - 1) } else if depth == 0 { out.append(ch) }
        }
        return out
    }
}
