/// The payload of `equipment.registered` (特种设备使用登记), typed: what a registration
/// (command or registry import) writes, and what `apply` reads.
///
/// `json` is the one place its shape is written, in this member order: `code`,
/// `registration`, `category`, `variant` when known, `user`, `userName` when given,
/// `address`, `region`, `commissioned`, `grade` and `lastInspected` when given, `status`,
/// `suspendedOn` for a unit registered as suspended, then the due fields as in
/// `EquipmentInspection`. The journal reader reads a payload in exactly that shape
/// straight into this type (`EventPayload.equipmentRegistration`).
public struct EquipmentRegistration: Sendable, Equatable {
    /// Code, 使用登记证编号 and address, packed as the unit keeps them.
    public var texts: UnitTexts
    public var category: EquipmentCategory
    public var variant: String?
    /// The using unit's 统一社会信用代码.
    public var user: String
    public var userName: String?
    public var region: String
    /// 投用日期.
    public var commissioned: Day
    public var grade: Int?
    public var lastInspected: Day?
    public var status: EquipmentStatus
    public var suspendedOn: Day?
    var due: DueFields

    public init(code: String, registration: String, category: EquipmentCategory, variant: String?, user: String,
                userName: String?, address: String, region: String, commissioned: Day, grade: Int?, lastInspected: Day?,
                status: EquipmentStatus, suspendedOn: Day?,
                nextDue: Day?, nextDueSource: DueSource, dueBase: Day, dueBaseFirst: Bool, gradeNotUsable: Bool) {
        self.init(code: code, registration: registration, category: category, variant: variant, user: user, userName: userName,
                  address: address, region: region, commissioned: commissioned, grade: grade, lastInspected: lastInspected,
                  status: status, suspendedOn: suspendedOn,
                  due: DueFields(nextDue: nextDue, source: nextDueSource, base: dueBase, baseFirst: dueBaseFirst,
                                 gradeNotUsable: gradeNotUsable))
    }

    init(code: String, registration: String, category: EquipmentCategory, variant: String?, user: String,
         userName: String?, address: String, region: String, commissioned: Day, grade: Int?, lastInspected: Day?,
         status: EquipmentStatus, suspendedOn: Day?, due: DueFields) {
        self.init(texts: UnitTexts(code: code, registration: registration, address: address), category: category,
                  variant: variant, user: user, userName: userName, region: region, commissioned: commissioned, grade: grade,
                  lastInspected: lastInspected, status: status, suspendedOn: suspendedOn, due: due)
    }

    /// With the texts packed already (as replay's reader makes them from a line's bytes).
    public init(texts: UnitTexts, category: EquipmentCategory, variant: String?, user: String,
                userName: String?, region: String, commissioned: Day, grade: Int?, lastInspected: Day?,
                status: EquipmentStatus, suspendedOn: Day?,
                nextDue: Day?, nextDueSource: DueSource, dueBase: Day, dueBaseFirst: Bool, gradeNotUsable: Bool) {
        self.init(texts: texts, category: category, variant: variant, user: user, userName: userName, region: region,
                  commissioned: commissioned, grade: grade, lastInspected: lastInspected, status: status, suspendedOn: suspendedOn,
                  due: DueFields(nextDue: nextDue, source: nextDueSource, base: dueBase, baseFirst: dueBaseFirst,
                                 gradeNotUsable: gradeNotUsable))
    }

    init(texts: UnitTexts, category: EquipmentCategory, variant: String?, user: String,
         userName: String?, region: String, commissioned: Day, grade: Int?, lastInspected: Day?,
         status: EquipmentStatus, suspendedOn: Day?, due: DueFields) {
        self.texts = texts
        self.category = category
        self.variant = variant
        self.user = user
        self.userName = userName
        self.region = region
        self.commissioned = commissioned
        self.grade = grade
        self.lastInspected = lastInspected
        self.status = status
        self.suspendedOn = suspendedOn
        self.due = due
    }

    /// 设备代码.
    public var code: String {
        get { texts.code }
        set { texts = UnitTexts(code: newValue, registration: texts.registration, address: texts.address) }
    }
    /// 使用登记证编号.
    public var registration: String {
        get { texts.registration }
        set { texts = texts.replacing(registration: newValue) }
    }
    public var address: String {
        get { texts.address }
        set { texts = texts.replacing(address: newValue) }
    }

    /// Reads the payload of a journal line in one pass over its members (trusted shape;
    /// errors are journal bugs). Lenient where earlier builds were: a missing
    /// `registration`, `address` or `region` is "", a missing or unknown `status` is in use.
    init(_ data: Payload) throws(CommandError) {
        var code: String?, category: EquipmentCategory?, variant: String?, user: String?, userName: String?
        var registration = "", address = "", region = ""
        var commissioned: Day?, lastInspected: Day?, suspendedOn: Day?
        var grade: Int?
        var status = EquipmentStatus.inUse
        var due = DueFields.Reader()
        for member in data.event.data.members {
            let value = member.value
            switch member.key {
            case "code": code = value.stringValue
            case "registration": registration = value.stringValue ?? ""
            case "category": category = value.stringValue.flatMap(EquipmentCategory.init(rawValue:))
            case "variant": variant = value.stringValue
            case "user": user = value.stringValue
            case "userName": userName = value.stringValue
            case "address": address = value.stringValue ?? ""
            case "region": region = value.stringValue ?? ""
            case "commissioned": commissioned = try data.day(value, member.key)
            case "grade": grade = value.intValue
            case "lastInspected": lastInspected = try data.day(value, member.key)
            case "status": status = value.stringValue.flatMap(EquipmentStatus.init(rawValue:)) ?? .inUse
            case "suspendedOn": suspendedOn = try data.day(value, member.key)
            default: try due.take(member.key, value, data)
            }
        }
        guard let code, let category, let user, let commissioned else {
            throw data.malformed("needs code, category, user and commissioned")
        }
        self.init(code: code, registration: registration, category: category, variant: variant, user: user, userName: userName,
                  address: address, region: region, commissioned: commissioned, grade: grade, lastInspected: lastInspected,
                  status: status, suspendedOn: suspendedOn, due: try due.finish(data))
    }

    public var json: JSONObject {
        var data: JSONObject = ["code": .string(code)]
        data["registration"] = .string(registration)
        data["category"] = .string(category.rawValue)
        if let variant { data["variant"] = .string(variant) }
        data["user"] = .string(user)
        if let userName { data["userName"] = .string(userName) }
        data["address"] = .string(address)
        data["region"] = .string(region)
        data["commissioned"] = .string(commissioned.description)
        if let grade { data["grade"] = .int(grade) }
        if let lastInspected { data["lastInspected"] = .string(lastInspected.description) }
        data["status"] = .string(status.rawValue)
        if let suspendedOn { data["suspendedOn"] = .string(suspendedOn.description) }
        due.encode(into: &data)
        return data
    }
}
