/// The special-equipment event types (SPEC §11). Data shapes are documented in README
/// ("Special equipment") and produced only by `EquipmentCommands` and the reminder ticker.
extension EventType {
    public static let equipmentRegistered = "equipment.registered"
    public static let equipmentUpdated = "equipment.updated"
    public static let equipmentInspected = "equipment.inspected"
    public static let equipmentSuspended = "equipment.suspended"
    public static let equipmentResumed = "equipment.resumed"
    public static let equipmentScrapped = "equipment.scrapped"
    /// The ticker reminded a using unit of a due inspection (actor `system`).
    public static let reminderIssued = "reminder.issued"
    public static let directiveIssued = "directive.issued"
    public static let directiveReported = "directive.reported"
    public static let directiveClosed = "directive.closed"
    /// New periodic-inspection rules, carried in full with the file's SHA-256 (actor `system`).
    public static let rulesChanged = "rules.changed"
}
