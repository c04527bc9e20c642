/// `equipment.import`: a bureau's equipment registry export as CSV (SPEC §8), with the
/// shared import's guarantees (UTF-8/BOM/GB18030, all or nothing, errors name line and
/// column). A new code registers the unit; a known code updates the fields that differ.
public enum EquipmentImports {
    public static let all: [CSVImportKind] = [equipment]

    public static let equipment = CSVImportKind(
        command: "equipment.import", noun: "equipment",
        schema: CSVSchema([
            .init("code", aliases: ["设备代码", "设备编码"], required: true),
            .init("registration", aliases: ["使用登记证编号", "使用登记证号", "登记证编号"]),
            .init("category", aliases: ["设备类别", "设备种类", "类别"], required: true),
            .init("variant", aliases: ["设备品种", "品种"]),
            .init("user", aliases: ["使用单位统一社会信用代码", "使用单位信用代码", "统一社会信用代码"], required: true),
            .init("userName", aliases: ["使用单位", "使用单位名称"]),
            .init("address", aliases: ["设备地址", "设备使用地点", "使用地点", "安装地点"]),
            .init("region", aliases: ["区域", "所属区域", "辖区"]),
            .init("commissioned", aliases: ["投用日期", "投入使用日期"], required: true),
            .init("grade", aliases: ["安全状况等级"]),
            .init("nextDue", aliases: ["下次检验日期"]),
            .init("lastInspected", aliases: ["上次检验日期"]),
            .init("status", aliases: ["使用状态", "设备状态", "状态"]),
        ]),
        keyColumn: "code", roles: [.equipment]
    ) { (row, state, context) throws(CSVRowError) in
        guard let rules = state.equipment.rules else {
            throw CSVRowError(line: row.line, column: 0, field: "",
                              reason: "no equipment rules are in force yet; put config/equipment-rules.json in place and reload inspectd (SIGHUP)")
        }
        do throws(FieldError) {
            let code = try EquipmentInput.parseCode(row.value("code"))
            if let unit = state.equipment.unit(code) {
                return try EquipmentInput.update(row, unit: unit, rules: rules, today: context.today)
            }
            return try EquipmentInput.registration(row, rules: rules, today: context.today)
        } catch {
            throw error.rowError(row)
        }
    }
}
