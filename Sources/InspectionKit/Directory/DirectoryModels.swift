/// 市场主体的类型 — the kind of market entity.
public enum EntityKind: String, Sendable, CaseIterable, Codable {
    case enterprise, individual, cooperative

    /// Chinese labels accepted on import and shown to people.
    public var label: String {
        switch self {
        case .enterprise: return "企业"
        case .individual: return "个体工商户"
        case .cooperative: return "农民专业合作社"
        }
    }

    public init?(text: String) {
        switch text.lowercased() {
        case "enterprise", "企业", "公司": self = .enterprise
        case "individual", "个体工商户", "个体": self = .individual
        case "cooperative", "农民专业合作社", "合作社": self = .cooperative
        default: return nil
        }
    }
}

/// 信用风险分类 — credit-risk class used for stratified sampling (A 低 … D 高).
public enum RiskClass: String, Sendable, CaseIterable, Comparable, Codable {
    case A, B, C, D

    public var label: String {
        switch self {
        case .A: return "低"
        case .B: return "一般"
        case .C: return "较高"
        case .D: return "高"
        }
    }

    /// The stratum ordinal when sampling by ratio (SPEC §7): A=1 … D=4, unclassified 5.
    public var stratum: Int {
        switch self {
        case .A: return 1
        case .B: return 2
        case .C: return 3
        case .D: return 4
        }
    }

    public static let unclassifiedStratum = 5

    /// Accepts `A`…`D`, the Chinese labels, and "" (unclassified → nil via `parse`).
    public static func parse(_ text: String) -> RiskClass?? {
        switch text.uppercased() {
        case "": return .some(nil)
        case "A", "低", "低风险": return .A
        case "B", "一般", "一般风险": return .B
        case "C", "较高", "较高风险": return .C
        case "D", "高", "高风险": return .D
        case "NONE", "未分类": return .some(nil)
        default: return nil
        }
    }

    public static func < (lhs: RiskClass, rhs: RiskClass) -> Bool { lhs.stratum < rhs.stratum }
}

/// 登记状态 — whether the entity still exists.
public enum EntityStatus: String, Sendable, CaseIterable, Codable {
    case active, deregistered, revoked

    public init?(text: String) {
        switch text.lowercased() {
        case "active", "存续", "在业", "开业", "": self = .active
        case "deregistered", "注销": self = .deregistered
        case "revoked", "吊销", "撤销", "被吊销", "被撤销": self = .revoked
        default: return nil
        }
    }
}

/// 检查对象 — a market entity in the inspection-object directory (检查对象名录库).
public struct Entity: Sendable, Equatable, Codable {
    /// 统一社会信用代码 (GB 32100-2015).
    public var id: String
    public var name: String
    public var kind: EntityKind
    public var industry: String
    public var region: String
    public var address: String
    public var risk: RiskClass?
    public var tags: [String]
    public var status: EntityStatus

    public init(id: String, name: String, kind: EntityKind = .enterprise, industry: String = "", region: String = "",
                address: String = "", risk: RiskClass? = nil, tags: [String] = [], status: EntityStatus = .active) {
        self.id = id
        self.name = name
        self.kind = kind
        self.industry = industry
        self.region = region
        self.address = address
        self.risk = risk
        self.tags = tags
        self.status = status
    }

    public var json: JSONObject {
        [
            "id": .string(id), "name": .string(name), "kind": .string(kind.rawValue), "industry": .string(industry),
            "region": .string(region), "address": .string(address), "risk": .string(risk?.rawValue ?? ""),
            "tags": .array(tags.map { .string($0) }), "status": .string(status.rawValue),
        ]
    }

    /// Reads an entity from an event payload (trusted shape; errors are journal bugs).
    /// One pass over the members (a replay hot path: a lookup per field would rescan them).
    static func from(_ data: JSONObject, seq: Int) throws(CommandError) -> Entity {
        var id: String?, name: String?, kind: EntityKind?, status: EntityStatus?, risk: RiskClass?? = nil
        var industry = "", region = "", address = ""
        var tags: [String] = []
        for (key, value) in data.members {
            switch key {
            case "id": id = value.stringValue
            case "name": name = value.stringValue
            case "kind": kind = value.stringValue.flatMap(EntityKind.init(rawValue:))
            case "status": status = value.stringValue.flatMap(EntityStatus.init(rawValue:))
            case "risk": risk = value.stringValue.flatMap(RiskClass.parse)
            case "industry": industry = value.stringValue ?? ""
            case "region": region = value.stringValue ?? ""
            case "address": address = value.stringValue ?? ""
            case "tags": tags = value.arrayValue?.compactMap(\.stringValue) ?? []
            default: break
            }
        }
        guard let id, let name, let kind, let status, let risk else {
            throw .init(.internal, "seq \(seq): malformed entity payload")
        }
        return Entity(id: id, name: name, kind: kind, industry: industry, region: region, address: address,
                      risk: risk, tags: tags, status: status)
    }
}

/// 执法检查人员 — an inspector in the inspector directory (执法检查人员名录库).
public struct Inspector: Sendable, Equatable, Codable {
    /// 执法证号.
    public var id: String
    public var name: String
    public var department: String
    /// 所 — the unit within the department.
    public var unit: String
    public var qualifications: [String]
    public var active: Bool

    public init(id: String, name: String, department: String, unit: String = "", qualifications: [String] = [], active: Bool = true) {
        self.id = id
        self.name = name
        self.department = department
        self.unit = unit
        self.qualifications = qualifications
        self.active = active
    }

    public var json: JSONObject {
        [
            "id": .string(id), "name": .string(name), "department": .string(department), "unit": .string(unit),
            "qualifications": .array(qualifications.map { .string($0) }), "active": .bool(active),
        ]
    }

    static func from(_ data: JSONObject, seq: Int) throws(CommandError) -> Inspector {
        guard let id = data["id"]?.stringValue, let name = data["name"]?.stringValue,
              let department = data["department"]?.stringValue, let active = data["active"]?.boolValue
        else { throw .init(.internal, "seq \(seq): malformed inspector payload") }
        return Inspector(id: id, name: name, department: department, unit: data["unit"]?.stringValue ?? "",
                         qualifications: data["qualifications"]?.arrayValue?.compactMap(\.stringValue) ?? [], active: active)
    }
}

/// 检查方式 — how an item is inspected.
public enum InspectionMethod: String, Sendable, CaseIterable, Codable {
    case onSite = "on-site", documentary, online

    public init?(text: String) {
        switch text.lowercased() {
        case "on-site", "onsite", "现场检查", "现场": self = .onSite
        case "documentary", "书面检查", "书面": self = .documentary
        case "online", "网络检查", "网络监测", "网络": self = .online
        default: return nil
        }
    }
}

/// 抽查事项 — an inspection item from the bureau's published list (抽查事项清单).
public struct InspectionItem: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var department: String
    /// 抽查依据 — the legal basis.
    public var basis: String
    public var method: InspectionMethod
    /// The qualification an inspector needs for this item ("" for none).
    public var qualification: String

    public init(code: String, name: String, department: String, basis: String = "", method: InspectionMethod = .onSite, qualification: String = "") {
        self.code = code
        self.name = name
        self.department = department
        self.basis = basis
        self.method = method
        self.qualification = qualification
    }

    public var json: JSONObject {
        [
            "code": .string(code), "name": .string(name), "department": .string(department), "basis": .string(basis),
            "method": .string(method.rawValue), "qualification": .string(qualification),
        ]
    }

    static func from(_ data: JSONObject, seq: Int) throws(CommandError) -> InspectionItem {
        guard let code = data["code"]?.stringValue, let name = data["name"]?.stringValue,
              let department = data["department"]?.stringValue,
              let method = data["method"]?.stringValue.flatMap(InspectionMethod.init(rawValue:))
        else { throw .init(.internal, "seq \(seq): malformed item payload") }
        return InspectionItem(code: code, name: name, department: department, basis: data["basis"]?.stringValue ?? "",
                              method: method, qualification: data["qualification"]?.stringValue ?? "")
    }
}

/// 回避 — an inspector who must never inspect an entity (行政处罚法 Art. 43).
public struct Conflict: Sendable, Equatable {
    public var inspector: String
    public var entity: String
    public var reason: String

    public var json: JSONObject { ["inspector": .string(inspector), "entity": .string(entity), "reason": .string(reason)] }
}
