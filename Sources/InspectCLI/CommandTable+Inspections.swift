import InspectionKit

/// `inspectctl` rows for the directories and 双随机 tasks.
extension CommandTable {
    static let directory: [CommandSpec] = [
        importSpec("entity", "entities (检查对象名录库)"),
        importSpec("inspector", "inspectors (执法检查人员名录库)"),
        importSpec("conflict", "conflicts of interest (回避)"),
        importSpec("item", "inspection items (抽查事项清单)"),
        CommandSpec(words: ["entity", "register"], command: "entity.register",
                    summary: "Register a market entity. ID is its 统一社会信用代码.",
                    positionals: [.init(name: "ID", key: "id"), .init(name: "NAME", key: "name")],
                    options: entityOptions, render: Render.keyValues),
        CommandSpec(words: ["entity", "update"], command: "entity.update",
                    summary: "Change fields of an entity (only the options given change).",
                    positionals: [.init(name: "ID", key: "id")],
                    options: entityOptions + [.init(name: "name", key: "name", help: "name")], render: Render.keyValues),
        CommandSpec(words: ["entity", "deregister"], command: "entity.deregister",
                    summary: "Mark an entity deregistered (注销) or revoked (吊销); it leaves future pools.",
                    positionals: [.init(name: "ID", key: "id")],
                    options: [.init(name: "status", key: "status", help: "deregistered (default) or revoked"),
                              .init(name: "reason", key: "reason", help: "why")], render: Render.keyValues),
        CommandSpec(words: ["entity", "get"], command: "entity.get", summary: "Show one entity.",
                    positionals: [.init(name: "ID", key: "id")], render: Render.keyValues),
        CommandSpec(words: ["entity", "list"], command: "entity.list",
                    summary: "List entities; filters match any of comma-separated values.",
                    options: [
                        .init(name: "region", key: "region", kind: .list, help: "regions"),
                        .init(name: "industry", key: "industry", kind: .list, help: "industries"),
                        .init(name: "kind", key: "kind", kind: .list, help: "enterprise, individual, cooperative"),
                        .init(name: "tag", key: "tag", kind: .list, help: "tags (school, hospital, crowded…)"),
                        .init(name: "risk", key: "risk", kind: .list, help: "A, B, C, D, none"),
                        .init(name: "status", key: "status", kind: .list, help: "active (default), deregistered, revoked"),
                        .init(name: "limit", key: "limit", kind: .int, help: "rows to show (default 50)"),
                        .init(name: "offset", key: "offset", kind: .int, help: "rows to skip"),
                    ],
                    render: { value, _ in
                        (Render.table(value["entities"]?.arrayValue ?? [], columns: ["id", "name", "kind", "region", "industry", "risk", "tags", "status"]) ?? "")
                            + "\(Render.scalarText(value["total"] ?? 0)) in all\n"
                    }),
        CommandSpec(words: ["inspector", "register"], command: "inspector.register",
                    summary: "Register an inspector. ID is the 执法证号.",
                    positionals: [.init(name: "ID", key: "id"), .init(name: "NAME", key: "name")],
                    options: inspectorOptions, render: Render.keyValues),
        CommandSpec(words: ["inspector", "update"], command: "inspector.update", summary: "Change an inspector.",
                    positionals: [.init(name: "ID", key: "id")],
                    options: inspectorOptions + [.init(name: "name", key: "name", help: "name"),
                                                 .init(name: "active", key: "active", help: "true or false")],
                    render: Render.keyValues),
        CommandSpec(words: ["inspector", "get"], command: "inspector.get", summary: "Show one inspector.",
                    positionals: [.init(name: "ID", key: "id")], render: Render.keyValues),
        CommandSpec(words: ["inspector", "list"], command: "inspector.list", summary: "List inspectors.",
                    options: [.init(name: "department", key: "department", kind: .list, help: "departments"),
                              .init(name: "qualification", key: "qualification", help: "holding this qualification")],
                    render: { value, _ in
                        Render.table(value["inspectors"]?.arrayValue ?? [], columns: ["id", "name", "department", "unit", "qualifications", "active"]) ?? ""
                    }),
        CommandSpec(words: ["conflict", "declare"], command: "conflict.declare",
                    summary: "Declare that an inspector must never inspect an entity (回避).",
                    positionals: [.init(name: "INSPECTOR", key: "inspector"), .init(name: "ENTITY", key: "entity")],
                    options: [.init(name: "reason", key: "reason", help: "e.g. 近亲属任职")], render: Render.keyValues),
        CommandSpec(words: ["conflict", "list"], command: "conflict.list", summary: "List declared conflicts.",
                    options: [.init(name: "inspector", key: "inspector", help: "one inspector"),
                              .init(name: "entity", key: "entity", help: "one entity")],
                    render: { value, _ in Render.table(value["conflicts"]?.arrayValue ?? [], columns: ["inspector", "entity", "reason"]) ?? "" }),
        CommandSpec(words: ["item", "define"], command: "item.define", summary: "Define or change an inspection item (抽查事项).",
                    positionals: [.init(name: "CODE", key: "code"), .init(name: "NAME", key: "name")],
                    options: [.init(name: "department", key: "department", help: "implementing department"),
                              .init(name: "basis", key: "basis", help: "抽查依据"),
                              .init(name: "method", key: "method", help: "on-site, documentary or online"),
                              .init(name: "qualification", key: "qualification", help: "qualification an inspector needs")],
                    render: Render.keyValues),
        CommandSpec(words: ["item", "list"], command: "item.list", summary: "List inspection items.",
                    options: [.init(name: "department", key: "department", kind: .list, help: "departments")],
                    render: { value, _ in
                        Render.table(value["items"]?.arrayValue ?? [], columns: ["code", "name", "department", "method", "qualification", "basis"]) ?? ""
                    }),
    ]

    static let entityOptions: [CommandSpec.Option] = [
        .init(name: "kind", key: "kind", help: "enterprise (default), individual, cooperative"),
        .init(name: "industry", key: "industry", help: "industry"),
        .init(name: "region", key: "region", help: "region"),
        .init(name: "address", key: "address", help: "registered address"),
        .init(name: "risk", key: "risk", help: "A (低), B (一般), C (较高), D (高)"),
        .init(name: "tags", key: "tags", kind: .list, help: "comma-separated tags"),
    ]

    static let inspectorOptions: [CommandSpec.Option] = [
        .init(name: "department", key: "department", help: "department"),
        .init(name: "unit", key: "unit", help: "unit (所)"),
        .init(name: "qualifications", key: "qualifications", kind: .list, help: "comma-separated, e.g. general,food"),
    ]

    static func importSpec(_ noun: String, _ what: String) -> CommandSpec {
        CommandSpec(words: [noun, "import"], command: "\(noun).import",
                    summary: "Import \(what) from a CSV file: UTF-8, UTF-8 with BOM or GB18030, header row with English or Chinese column names. A file with any bad row imports nothing; the error names line, column and reason.",
                    positionals: [.init(name: "FILE.csv", key: "$file")],
                    options: [.init(name: "encoding", key: "encoding", help: "utf-8 or gb18030 (default: detect)")],
                    render: Render.imported)
    }

    static let tasks: [CommandSpec] = [
        CommandSpec(words: ["task", "create"], command: "task.create",
                    summary: "Create a 双随机 task and freeze its pool. Give the task as flags or --spec FILE.json (the protocol's args object).",
                    options: [
                        .init(name: "spec", key: "$spec", help: "JSON file with the whole args object"),
                        .init(name: "name", key: "name", help: "task name"),
                        .init(name: "items", key: "items", kind: .list, help: "item codes, comma-separated"),
                        .init(name: "departments", key: "departments", kind: .list, help: "departments (default: the items'; more than one = 联合抽查)"),
                        .init(name: "ratios", key: "$ratios", help: "A=0.01,B=0.03,C=0.10,D=0.30[,none=0.05] (信用风险分类抽查)"),
                        .init(name: "count", key: "$count", kind: .int, help: "draw N entities from one stratum instead of ratios"),
                        .init(name: "team-size", key: "teamSize", kind: .int, help: "inspectors per team (per department for joint tasks)"),
                        .init(name: "exclude-days", key: "excludeInspectedWithinDays", kind: .int, help: "skip entities inspected within N days (default 365)"),
                        .init(name: "due", key: "due", help: "YYYY-MM-DD"),
                        .init(name: "source", key: "$source", help: "an announced public random source (repeat per source), or system"),
                        .init(name: "region", key: "$region", kind: .list, help: "filter: regions"),
                        .init(name: "industry", key: "$industry", kind: .list, help: "filter: industries"),
                        .init(name: "kind", key: "$kind", kind: .list, help: "filter: entity kinds"),
                        .init(name: "tag", key: "$tag", kind: .list, help: "filter: tags"),
                        .init(name: "risk", key: "$risk", kind: .list, help: "filter: risk classes"),
                    ],
                    render: Render.taskCreated),
        CommandSpec(words: ["task", "draw"], command: "task.draw",
                    summary: "Draw a task's targets and teams from the announced sources' values (method rfc3797-v1). Once per task.",
                    positionals: [.init(name: "TASK", key: "task"), .init(name: "VALUE", key: "$values", optional: true, rest: true)],
                    details: "Give one VALUE per announced source, in announced order, each a list of non-negative integers, e.g.\n  inspectctl task draw T2026-0001 \"9319\" \"2 5 12 8 10\"\nFor a task announced with system randomness give no VALUE.",
                    render: Render.drawn),
        CommandSpec(words: ["task", "cancel"], command: "task.cancel", summary: "Cancel a task (cancellations after a draw are listed by the audit).",
                    positionals: [.init(name: "TASK", key: "task"), .init(name: "REASON", key: "reason", rest: true)], render: Render.keyValues),
        CommandSpec(words: ["task", "list"], command: "task.list", summary: "List tasks.",
                    options: [.init(name: "status", key: "status", help: "created (awaiting draw), drawn, cancelled")],
                    render: { value, _ in
                        Render.table(value["tasks"]?.arrayValue ?? [], columns: ["task", "name", "status", "due", "poolSize", "picks", "results", "published", "overdue"],
                                     rightAligned: ["poolSize", "picks", "results", "published", "overdue"]) ?? ""
                    }),
        CommandSpec(words: ["task", "show"], command: "task.get", summary: "Show a task: strata, draw key, targets with teams and results.",
                    positionals: [.init(name: "TASK", key: "task")], render: Render.task),
        CommandSpec(words: ["task", "publish"], command: "task.publish",
                    summary: "Publish (公示) the task's recorded results; with --out, write the 公示 list as CSV (UTF-8 with BOM, opens in Excel/WPS).",
                    positionals: [.init(name: "TASK", key: "task")],
                    options: [.init(name: "out", key: "out", help: "write the published rows to FILE.csv")],
                    render: Render.published),
        CommandSpec(words: ["task", "publication"], command: "task.publication",
                    summary: "Show (or with --out write) every published row of a task.",
                    positionals: [.init(name: "TASK", key: "task")],
                    options: [.init(name: "out", key: "out", help: "write the rows to FILE.csv")],
                    render: Render.published),
        CommandSpec(words: ["inspection", "record"], command: "inspection.record",
                    summary: "Record the result of inspecting a drawn entity.",
                    positionals: [.init(name: "TASK", key: "task"), .init(name: "ENTITY", key: "entity")],
                    options: [
                        .init(name: "outcome", key: "outcomes", kind: .list, help: "outcome codes, comma-separated (no_problem, rectified, …)"),
                        .init(name: "inspectors", key: "inspectors", kind: .list, help: "inspectors present (执法证号), comma-separated"),
                        .init(name: "date", key: "date", help: "inspection date (default today)"),
                        .init(name: "note", key: "note", help: "free text"),
                        .init(name: "detail", key: "detail", help: "for deregistered: 注销/被吊销/被撤销/迁出 and particulars"),
                    ],
                    details: "Outcome codes: " + Outcome.allCases.map { "\($0.rawValue) (\($0.label))" }.joined(separator: ", "),
                    render: Render.keyValues),
        CommandSpec(words: ["worklist"], command: "worklist", summary: "Drawn entities still to inspect, for one inspector or all.",
                    options: [.init(name: "inspector", key: "inspector", help: "the inspector's 执法证号")],
                    render: { value, _ in
                        Render.table(value["worklist"]?.arrayValue ?? [], columns: ["task", "n", "entity", "name", "address", "team", "due", "overdue"], rightAligned: ["n"]) ?? ""
                    }),
        CommandSpec(words: ["queue", "draws"], command: "queue.draws", summary: "Tasks awaiting their draw.",
                    render: { value, _ in Render.table(value["tasks"]?.arrayValue ?? [], columns: ["task", "name", "due", "poolSize", "picks", "sources"]) ?? "" }),
        CommandSpec(words: ["queue", "overdue"], command: "queue.overdue", summary: "Drawn entities with no result after the task's due date.",
                    render: { value, _ in Render.table(value["overdue"]?.arrayValue ?? [], columns: ["task", "entity", "name", "due", "daysOverdue", "team"], rightAligned: ["daysOverdue"]) ?? "" }),
        CommandSpec(words: ["queue", "publication"], command: "queue.publication", summary: "Results awaiting publication, soonest deadline first (20 working days).",
                    render: { value, _ in Render.table(value["results"]?.arrayValue ?? [], columns: ["task", "entity", "name", "recorded", "publishBy", "workingDaysLeft", "late"], rightAligned: ["workingDaysLeft"]) ?? "" }),
    ]
}
