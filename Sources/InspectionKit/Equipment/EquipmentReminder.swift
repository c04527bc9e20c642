/// The payload of `reminder.issued` (检验提醒), typed: what the ticker writes, and what
/// `apply` reads.
///
/// `json` is the one place its shape is written, in this member order: `equipment`,
/// `due`, `stage`, `skipped` when stages were passed over, `category`, `user`, then
/// `userName`, `address`, `region` when the unit has them. The journal reader reads a
/// payload in exactly that shape straight into this type (`EventPayload.equipmentReminder`).
public struct EquipmentReminder: Sendable, Equatable {
    /// The unit's code.
    public var equipment: String
    /// The due date the reminder is about.
    public var due: Day
    /// Days before `due` (negative: after) of the stage reminded.
    public var stage: Int
    /// Earlier stages that fell due at the same time and are not reminded separately.
    public var skipped: [Int]
    /// The unit's category, denormalised for notification (`EquipmentCategory` raw value).
    public var category: String
    /// The using unit's 统一社会信用代码, its name, the unit's address and region, for notification.
    public var user: String
    public var userName: String?
    public var address: String?
    public var region: String?

    public init(equipment: String, due: Day, stage: Int, skipped: [Int], category: String, user: String,
                userName: String?, address: String?, region: String?) {
        self.equipment = equipment
        self.due = due
        self.stage = stage
        self.skipped = skipped
        self.category = category
        self.user = user
        self.userName = userName
        self.address = address
        self.region = region
    }

    /// Reads the payload of a journal line (trusted shape; errors are journal bugs). Only
    /// what `apply` needs is required; `skipped` must be whole numbers when present.
    init(_ data: Payload) throws(CommandError) {
        var skipped: [Int] = []
        if let value = data.event.data["skipped"] {
            guard let list = value.arrayValue?.compactMap(\.intValue), list.count == value.arrayValue?.count else {
                throw data.malformed("\"skipped\" is not a list of stages")
            }
            skipped = list
        }
        self.init(equipment: try data.string("equipment"), due: try data.day("due"), stage: try data.int("stage"),
                  skipped: skipped, category: data.event.data["category"]?.stringValue ?? "",
                  user: data.event.data["user"]?.stringValue ?? "", userName: data.event.data["userName"]?.stringValue,
                  address: data.event.data["address"]?.stringValue, region: data.event.data["region"]?.stringValue)
    }

    public var json: JSONObject {
        var members: [(key: String, value: JSONValue)] = [
            ("equipment", .string(equipment)), ("due", .string(due.description)), ("stage", .int(stage)),
        ]
        members.reserveCapacity(9)
        if !skipped.isEmpty { members.append(("skipped", .array(skipped.map { .int($0) }))) }
        members.append(("category", .string(category)))
        members.append(("user", .string(user)))
        if let userName { members.append(("userName", .string(userName))) }
        if let address { members.append(("address", .string(address))) }
        if let region { members.append(("region", .string(region))) }
        return JSONObject(members)
    }
}
