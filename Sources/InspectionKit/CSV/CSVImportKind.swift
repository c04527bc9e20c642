/// One importable directory: its columns and how a row becomes an event.
///
/// `event` sees the state with every earlier row of the same file already applied,
/// and returns `nil` for a row that changes nothing (re-importing a file is a no-op).
public struct CSVImportKind: Sendable {
    public typealias RowHandler = @Sendable (CSVRow, InspectionState, CommandContext) throws(CSVRowError) -> NewEvent?

    /// Command name, e.g. `entity.import`.
    public var command: String
    /// What a row is called in messages ("entity", "inspector", …).
    public var noun: String
    public var schema: CSVSchema
    /// The column whose value must be unique within one file.
    public var keyColumn: String
    public var roles: Set<Role>
    public var event: RowHandler

    public init(command: String, noun: String, schema: CSVSchema, keyColumn: String, roles: Set<Role>, event: @escaping RowHandler) {
        self.command = command
        self.noun = noun
        self.schema = schema
        self.keyColumn = keyColumn
        self.roles = roles
        self.event = event
    }
}

/// Every CSV import the daemon offers. Feature files contribute their kinds here.
public enum CSVImports {
    public static var all: [CSVImportKind] { DirectoryImports.all + EquipmentImports.all }
}
