/// 安全监察指令书 — a directive ordering a using unit to correct a problem by a deadline.
public struct Directive: Sendable, Codable {
    public enum Status: String, Sendable, CaseIterable, Codable {
        /// Issued, rectification not yet reported.
        case open
        /// 整改报告 received: the bureau re-checks within 10 working days (`recheckDue`).
        case reported
        case closed
    }

    /// e.g. `ZL2026-0001`.
    public var id: String
    /// The equipment code, when the directive is about one unit.
    public var equipment: String?
    /// The using unit's USCC (the unit's user for an equipment directive).
    public var user: String
    public var reason: String
    public var issued: Day
    /// 整改期限.
    public var deadline: Day
    public var status: Status
    public var reportedOn: Day?
    /// 复查 due: 10 working days after the report, on the official calendar at the time.
    public var recheckDue: Day?
    public var closedOn: Day?
    public var seq: Int
    /// Notes given with report and close, in order.
    public var notes: [String]
}
