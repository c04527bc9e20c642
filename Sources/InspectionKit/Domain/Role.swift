/// What a caller may do. Roles come from the daemon's config (uids and groups → roles);
/// `admin` may do everything.
public enum Role: String, Sendable, CaseIterable, Comparable {
    case admin
    /// 双随机 coordinator: plans tasks, runs draws, publishes.
    case coordinator
    /// 执法检查人员: sees the worklist, records results.
    case inspector
    /// Special-equipment section (特种设备安全监察).
    case equipment
    /// 纪检/audit: replay and verify.
    case auditor
    /// Read-only access to queues and status.
    case viewer

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The authenticated caller of a command, from the socket peer's kernel credentials.
public struct Actor: Sendable, Equatable {
    public var uid: UInt32
    public var name: String
    public var roles: Set<Role>

    public init(uid: UInt32, name: String, roles: Set<Role>) {
        self.uid = uid
        self.name = name
        self.roles = roles
    }

    /// The journal's `actor` field: `uid:N/name`.
    public var journalName: String { "uid:\(uid)/\(name)" }

    /// The daemon itself (reminders, recovery).
    public static let system = "system"

    public func mayRun(_ allowed: Set<Role>) -> Bool {
        roles.contains(.admin) || !roles.isDisjoint(with: allowed)
    }
}
