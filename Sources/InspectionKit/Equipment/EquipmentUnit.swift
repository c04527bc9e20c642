/// A calendar date stored in four bytes (days since 1970-01-01), for records kept by the
/// million. Convert with `date` / `Day(_:)`.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var raw: Int32

    @inline(__always) public init(raw: Int32) { self.raw = raw }
    @inline(__always) public init(_ date: CivilDate) { raw = Int32(clamping: date.daysSinceEpoch) }

    public var date: CivilDate { CivilDate(daysSinceEpoch: Int(raw)) }

    /// `YYYY-MM-DD`, written without intermediate strings (queues and reminders print many).
    public var description: String {
        let d = date
        guard (0...9999).contains(d.year) else { return d.description }
        return String(unsafeUninitializedCapacity: 10) { out in
            @inline(__always) func put(_ v: Int, _ at: Int, _ width: Int) {
                var v = v
                for k in stride(from: at + width - 1, through: at, by: -1) {
                    out[k] = UInt8(truncatingIfNeeded: 48 + v % 10)
                    v /= 10
                }
            }
            put(d.year, 0, 4)
            out[4] = UInt8(ascii: "-")
            put(d.month, 5, 2)
            out[7] = UInt8(ascii: "-")
            put(d.day, 8, 2)
            return 10
        }
    }

    @inline(__always) public func adding(days: Int) -> Day { Day(raw: Int32(clamping: Int(raw) + days)) }
    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.raw < rhs.raw }

    public init(from decoder: any Decoder) throws { raw = try decoder.singleValueContainer().decode(Int32.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(raw)
    }
}

/// 特种设备 — one registered unit (台/套), as the projection keeps it.
///
/// Strings shared by many units (using unit, region, variant) are interned by
/// `EquipmentState`, so a million units cost one copy of each distinct value; the unit's
/// own texts are packed together (`UnitTexts`).
public struct EquipmentUnit: Sendable {
    // Stored with the dates and flags `apply` changes together after the texts, each
    // optional day beside one-byte fields, and the shared strings last: 240 bytes, not
    // 256 in declaration order by topic.

    /// Code, registration number and address.
    public internal(set) var texts: UnitTexts
    /// 投入使用日期.
    public internal(set) var commissioned: Day
    /// The next periodic inspection; nil when the unit's grade forbids use.
    public internal(set) var nextDue: Day?
    /// 安全状况等级 1–5 (vessels, piping); 0 when none.
    public internal(set) var gradeValue: UInt8
    public internal(set) var status: EquipmentStatus
    public internal(set) var nextDueSource: DueSource
    /// What a computed `nextDue` counts from: the last passing inspection, or the
    /// commissioning date / a supervision inspection (`dueBaseIsFirst`).
    public internal(set) var dueBase: Day
    /// The date of the last inspection (any conclusion), or the one given at registration.
    public internal(set) var lastInspected: Day?
    public internal(set) var dueBaseIsFirst: Bool
    /// 不合格: awaiting a passing re-inspection (rectification queue); may not be used.
    public internal(set) var failed: Bool
    /// The grade forbids use (e.g. a grade-5 vessel).
    public internal(set) var notUsableByGrade: Bool
    /// Index into `EquipmentState.inspections` of the last recorded inspection (−1: none).
    var lastInspectionIndex: Int32
    /// When it was suspended (停用), while suspended.
    public internal(set) var suspendedOn: Day?
    public internal(set) var category: EquipmentCategory
    /// When it was scrapped (报废).
    public internal(set) var scrappedOn: Day?
    /// Reminders: the due date the last reminder was for, and its stage.
    public internal(set) var remindedDue: Day?
    public internal(set) var remindedStage: Int32
    /// The day the next reminder falls due (`Int32.max`: none); the reminder queue's key.
    var reminderDay: Int32
    /// The latest due date any reminder was ever issued for (`Int32.min`: none): a new
    /// due date beyond it needs no search of the unit's history for stages already issued.
    var highestRemindedDue = Int32.min
    /// Index of the newest entry in `EquipmentState.history` for this unit (−1: none).
    var lastHistory: Int32
    /// The seq of `equipment.registered`.
    public internal(set) var registeredSeq: Int
    /// 设备品种 key from the rules (nil: none given).
    public internal(set) var variant: String?
    /// The using unit's 统一社会信用代码.
    public internal(set) var user: String
    /// 使用单位名称 (may be empty).
    public internal(set) var userName: String
    /// 区域 (e.g. a district or its code).
    public internal(set) var region: String

    init(texts: UnitTexts, category: EquipmentCategory, variant: String?, user: String, userName: String, region: String,
         commissioned: Day, gradeValue: UInt8, status: EquipmentStatus, nextDue: Day?, nextDueSource: DueSource,
         dueBase: Day, dueBaseIsFirst: Bool, lastInspected: Day?, lastInspectionIndex: Int32, failed: Bool,
         notUsableByGrade: Bool, suspendedOn: Day?, scrappedOn: Day?, remindedDue: Day?, remindedStage: Int32,
         reminderDay: Int32, lastHistory: Int32, registeredSeq: Int) {
        self.texts = texts
        self.commissioned = commissioned
        self.nextDue = nextDue
        self.gradeValue = gradeValue
        self.status = status
        self.nextDueSource = nextDueSource
        self.dueBase = dueBase
        self.lastInspected = lastInspected
        self.dueBaseIsFirst = dueBaseIsFirst
        self.failed = failed
        self.notUsableByGrade = notUsableByGrade
        self.lastInspectionIndex = lastInspectionIndex
        self.suspendedOn = suspendedOn
        self.category = category
        self.scrappedOn = scrappedOn
        self.remindedDue = remindedDue
        self.remindedStage = remindedStage
        self.reminderDay = reminderDay
        self.lastHistory = lastHistory
        self.registeredSeq = registeredSeq
        self.variant = variant
        self.user = user
        self.userName = userName
        self.region = region
    }

    /// 设备代码.
    public var code: String { texts.code }
    /// 使用登记证编号 (may be empty if not yet issued).
    public internal(set) var registration: String {
        get { texts.registration }
        set { texts = texts.replacing(registration: newValue) }
    }
    /// 设备使用地点.
    public internal(set) var address: String {
        get { texts.address }
        set { texts = texts.replacing(address: newValue) }
    }

    public var grade: Int? { gradeValue == 0 ? nil : Int(gradeValue) }

    /// May be put to use: in service, not failed, grade allows it.
    public var usable: Bool { status == .inUse && !failed && !notUsableByGrade }

    /// Gets reminders and sits in the due/overdue queues: in service (failed units still
    /// need their inspection), with a due date, grade not forbidding use.
    public var tracked: Bool { status == .inUse && !notUsableByGrade && nextDue != nil }
}

/// An inspection as recorded (`equipment.inspected`).
///
/// Its fields are stored in the order that leaves no padding: 40 bytes a record, not 48
/// (the 10M-event benchmark keeps 3.5 million).
public struct InspectionRecord: Sendable {
    public var seq: Int
    /// 报告编号, inspecting organisation, note, kept as given — packed
    /// (`PackedInspectionDetails`, empty when none) in `EquipmentState.inspectionDetails`,
    /// unpacked only when shown (`EquipmentState.details(of:)`).
    public var details: ByteArena.Ref
    public var date: Day
    /// 下次检验日期 from the certificate, if given.
    public var certificateDue: Day?
    /// The unit's `nextDue` after it.
    public var nextDue: Day?
    public var kind: InspectionKind
    public var conclusion: InspectionConclusion
    /// The grade recorded with it (0: none).
    public var grade: UInt8

    init(seq: Int, date: Day, kind: InspectionKind, conclusion: InspectionConclusion, grade: UInt8,
         certificateDue: Day?, nextDue: Day?, details: ByteArena.Ref) {
        self.seq = seq
        self.date = date
        self.kind = kind
        self.conclusion = conclusion
        self.grade = grade
        self.certificateDue = certificateDue
        self.nextDue = nextDue
        self.details = details
    }
}
