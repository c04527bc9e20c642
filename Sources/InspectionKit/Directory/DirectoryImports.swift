/// CSV imports for the directories (SPEC §6). Header names: the English field names
/// or the Chinese aliases below (as bureau systems export them).
public enum DirectoryImports {
    public static let all: [CSVImportKind] = [entities, inspectors, conflicts, items]

    public static let entities = CSVImportKind(
        command: "entity.import", noun: "entity",
        schema: CSVSchema([
            .init("id", aliases: ["统一社会信用代码", "信用代码", "社会信用代码"], required: true),
            .init("name", aliases: ["名称", "企业名称", "主体名称"], required: true),
            .init("kind", aliases: ["类型", "主体类型", "市场主体类型"]),
            .init("industry", aliases: ["行业", "所属行业", "行业门类"]),
            .init("region", aliases: ["区域", "所属区域", "辖区", "管辖单位"]),
            .init("address", aliases: ["地址", "住所", "经营场所", "住所（经营场所）"]),
            .init("risk", aliases: ["风险等级", "信用风险分类", "风险分类"]),
            .init("tags", aliases: ["标签"]),
            .init("status", aliases: ["状态", "登记状态"]),
        ]),
        keyColumn: "id", roles: [.coordinator]
    ) { (row, state, _) throws(CSVRowError) in
        let id = row.value("id")
        let existing = state.directory.entity(id)
        let entity: Entity
        do throws(FieldError) { entity = try DirectoryInput.entity(row, existing: existing) } catch { throw error.rowError(row) }
        if let existing {
            if existing == entity { return nil }
            return NewEvent("entity.updated", entity.json)
        }
        return NewEvent("entity.registered", entity.json)
    }

    public static let inspectors = CSVImportKind(
        command: "inspector.import", noun: "inspector",
        schema: CSVSchema([
            .init("id", aliases: ["执法证号", "执法证件号", "证号"], required: true),
            .init("name", aliases: ["姓名"], required: true),
            .init("department", aliases: ["部门", "所属部门"], required: true),
            .init("unit", aliases: ["单位", "所属单位", "所"]),
            .init("qualifications", aliases: ["资质", "执法资质", "专业领域"]),
            .init("active", aliases: ["在岗", "是否在岗", "状态"]),
        ]),
        keyColumn: "id", roles: [.coordinator]
    ) { (row, state, _) throws(CSVRowError) in
        let existing = state.directory.inspectors[row.value("id")]
        let inspector: Inspector
        do throws(FieldError) { inspector = try DirectoryInput.inspector(row, existing: existing) } catch { throw error.rowError(row) }
        if let existing {
            if existing == inspector { return nil }
            return NewEvent("inspector.updated", inspector.json)
        }
        return NewEvent("inspector.registered", inspector.json)
    }

    public static let conflicts = CSVImportKind(
        command: "conflict.import", noun: "conflict",
        schema: CSVSchema([
            .init("inspector", aliases: ["执法证号", "检查人员"], required: true),
            .init("entity", aliases: ["统一社会信用代码", "检查对象"], required: true),
            .init("reason", aliases: ["回避原因", "原因"]),
        ]),
        keyColumn: "", roles: [.coordinator]
    ) { (row, state, _) throws(CSVRowError) in
        let conflict: Conflict
        do throws(FieldError) { conflict = try ConflictInput.validateFields(row, state: state) } catch { throw error.rowError(row) }
        if state.directory.conflicts[conflict.entity]?[conflict.inspector] == conflict.reason { return nil }
        return NewEvent("conflict.declared", conflict.json)
    }

    public static let items = CSVImportKind(
        command: "item.import", noun: "item",
        schema: CSVSchema([
            .init("code", aliases: ["事项编码", "编码", "事项代码"], required: true),
            .init("name", aliases: ["事项名称", "抽查事项", "名称"], required: true),
            .init("department", aliases: ["部门", "实施部门", "检查部门"], required: true),
            .init("basis", aliases: ["抽查依据", "依据"]),
            .init("method", aliases: ["检查方式", "方式"]),
            .init("qualification", aliases: ["资质要求", "所需资质"]),
        ]),
        keyColumn: "code", roles: [.coordinator]
    ) { (row, state, _) throws(CSVRowError) in
        let existing = state.directory.items[row.value("code")]
        let item: InspectionItem
        do throws(FieldError) { item = try DirectoryInput.item(row, existing: existing) } catch { throw error.rowError(row) }
        if item == existing { return nil }
        return NewEvent("item.defined", item.json)
    }
}
