/// The payload of `equipment.inspected` (定期检验 and the other inspections of a unit),
/// typed: what `equipment.inspect` writes, and what `apply` reads.
///
/// `json` is the one place its shape is written, in this member order: `code`, `date`,
/// `kind`, `conclusion`, then `grade`, `certificateDue`, `report`, `inspector`, `note`
/// when present, then the due fields (`nextDue` when there is one, `nextDueSource`,
/// `dueBase`, `dueBaseFirst`, `gradeNotUsable` when true). The journal reader reads a
/// payload in exactly that shape straight into this type (`EventPayload.equipmentInspection`).
public struct EquipmentInspection: Sendable, Equatable {
    public var code: String
    public var date: Day
    public var kind: InspectionKind
    public var conclusion: InspectionConclusion
    /// The grade given with the inspection, if any.
    public var grade: Int?
    /// 下次检验日期 as printed on the certificate, if given.
    public var certificateDue: Day?
    /// 报告编号.
    public var report: String?
    /// The inspecting organisation.
    public var inspector: String?
    public var note: String?
    var due: DueFields

    public init(code: String, date: Day, kind: InspectionKind, conclusion: InspectionConclusion, grade: Int?,
                certificateDue: Day?, report: String?, inspector: String?, note: String?,
                nextDue: Day?, nextDueSource: DueSource, dueBase: Day, dueBaseFirst: Bool, gradeNotUsable: Bool) {
        self.init(code: code, date: date, kind: kind, conclusion: conclusion, grade: grade, certificateDue: certificateDue,
                  report: report, inspector: inspector, note: note,
                  due: DueFields(nextDue: nextDue, source: nextDueSource, base: dueBase, baseFirst: dueBaseFirst,
                                 gradeNotUsable: gradeNotUsable))
    }

    init(code: String, date: Day, kind: InspectionKind, conclusion: InspectionConclusion, grade: Int?,
         certificateDue: Day?, report: String?, inspector: String?, note: String?, due: DueFields) {
        self.code = code
        self.date = date
        self.kind = kind
        self.conclusion = conclusion
        self.grade = grade
        self.certificateDue = certificateDue
        self.report = report
        self.inspector = inspector
        self.note = note
        self.due = due
    }

    /// Reads the payload of a journal line (trusted shape; errors are journal bugs).
    /// `report`, `inspector` and `note` must be strings when present.
    init(_ data: Payload) throws(CommandError) {
        guard let kind = InspectionKind(rawValue: try data.string("kind")),
              let conclusion = InspectionConclusion(rawValue: try data.string("conclusion")) else {
            throw data.malformed("unknown kind or conclusion")
        }
        func text(_ key: String) throws(CommandError) -> String? {
            guard let value = data.event.data[key] else { return nil }
            guard let text = value.stringValue else { throw data.malformed("\"\(key)\" is not a string") }
            return text
        }
        self.init(code: try data.string("code"), date: try data.day("date"), kind: kind, conclusion: conclusion,
                  grade: data.event.data["grade"]?.intValue, certificateDue: try data.optionalDay("certificateDue"),
                  report: try text("report"), inspector: try text("inspector"), note: try text("note"),
                  due: try DueFields(data))
    }

    public var json: JSONObject {
        var data: JSONObject = [
            "code": .string(code), "date": .string(date.description),
            "kind": .string(kind.rawValue), "conclusion": .string(conclusion.rawValue),
        ]
        if let grade { data["grade"] = .int(grade) }
        if let certificateDue { data["certificateDue"] = .string(certificateDue.description) }
        if let report { data["report"] = .string(report) }
        if let inspector { data["inspector"] = .string(inspector) }
        if let note { data["note"] = .string(note) }
        due.encode(into: &data)
        return data
    }

    /// `report`, `inspector` and `note` as the compact JSON object an `InspectionRecord`
    /// keeps ("" when none): the same text as serialising the object.
    var detailsJSON: String {
        var out: [UInt8] = []
        writeDetailsJSON(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `detailsJSON`'s bytes to `out` (which may hold other text before them),
    /// written directly: replay appends them to the state's text arena.
    func writeDetailsJSON(into out: inout [UInt8]) {
        guard report != nil || inspector != nil || note != nil else { return }
        out.append(0x7B)
        var first = true
        func add(_ key: String, _ value: String?) {
            guard let value else { return }
            if !first { out.append(0x2C) }
            first = false
            JSONValue.writeQuoted(key, into: &out)
            out.append(0x3A)
            JSONValue.writeQuoted(value, into: &out)
        }
        add("report", report)
        add("inspector", inspector)
        add("note", note)
        out.append(0x7D)
    }
}

/// Its details (`writeDetailsJSON`) are what an `InspectionRecord` keeps in the state's arena.
extension EquipmentInspection: ArenaText {
    func write(into out: inout [UInt8]) { writeDetailsJSON(into: &out) }
}
