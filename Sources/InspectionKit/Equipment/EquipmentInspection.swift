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

    func withDetailTexts<R>(_ body: (_ report: UnsafeRawBufferPointer?, _ inspector: UnsafeRawBufferPointer?,
                                     _ note: UnsafeRawBufferPointer?) -> R) -> R {
        func utf8<T>(_ text: String?, _ then: (UnsafeRawBufferPointer?) -> T) -> T {
            guard var text else { return then(nil) }
            return text.withUTF8 { then(UnsafeRawBufferPointer($0)) }
        }
        return utf8(report) { report in utf8(inspector) { inspector in utf8(note) { note in body(report, inspector, note) } } }
    }
}

/// An `equipment.inspected` payload as replay's reader makes it when the texts (code,
/// report, inspector, note) are plain JSON strings — no escapes, so the bytes between
/// the quotes are the text — and fit in `capacity` bytes together: the texts kept
/// inline, so the reader allocates no String for them (three heap blocks per inspection,
/// each freed again after the applier had read it from the other core), and the
/// applier packs an inspection's details straight from these bytes. It stands for the
/// `EquipmentInspection` `inspection` makes, with the same `json`.
public struct InspectionLine: Sendable {
    /// Bytes of text it can hold (the benchmark's inspections need about 85).
    public static let capacity = 128
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                          UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// The lengths of code, report, inspector and note, stored in that order.
    private var lengths: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
    /// Which of report (1), inspector (2) and note (4) are present.
    private var present: UInt8 = 0
    public var date: Day
    public var kind: InspectionKind
    public var conclusion: InspectionConclusion
    public var grade: Int?
    public var certificateDue: Day?
    var due: DueFields

    /// Nil when the texts do not fit; the caller has checked that each is well-formed
    /// UTF-8 with no byte a JSON string must escape (`"`, `\`, controls).
    public init?(code: UnsafeRawBufferPointer, date: Day, kind: InspectionKind, conclusion: InspectionConclusion, grade: Int?,
                 certificateDue: Day?, report: UnsafeRawBufferPointer?, inspector: UnsafeRawBufferPointer?, note: UnsafeRawBufferPointer?,
                 nextDue: Day?, nextDueSource: DueSource, dueBase: Day, dueBaseFirst: Bool, gradeNotUsable: Bool) {
        let total = code.count + (report?.count ?? 0) + (inspector?.count ?? 0) + (note?.count ?? 0)
        guard total <= Self.capacity else { return nil }
        // Checked in debug builds (the tests): a quote, backslash or control byte here
        // would mean the caller took a JSON string's escaped bytes for its text.
        assert([code, report, inspector, note].allSatisfy { text in
            text.map { $0.isValidUTF8 && !$0.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } } ?? true
        }, "InspectionLine texts must be valid UTF-8 that a JSON string need not escape")
        self.date = date
        self.kind = kind
        self.conclusion = conclusion
        self.grade = grade
        self.certificateDue = certificateDue
        due = DueFields(nextDue: nextDue, source: nextDueSource, base: dueBase, baseFirst: dueBaseFirst, gradeNotUsable: gradeNotUsable)
        lengths = (UInt8(code.count), UInt8(report?.count ?? 0), UInt8(inspector?.count ?? 0), UInt8(note?.count ?? 0))
        present = (report == nil ? 0 : 1) | (inspector == nil ? 0 : 2) | (note == nil ? 0 : 4)
        withUnsafeMutableBytes(of: &storage) { out in
            var at = 0
            func put(_ text: UnsafeRawBufferPointer?) {
                guard let text, text.count > 0 else { return }
                out.baseAddress!.advanced(by: at).copyMemory(from: text.baseAddress!, byteCount: text.count)
                at += text.count
            }
            put(code)
            put(report)
            put(inspector)
            put(note)
        }
    }

    /// Text `k` (0 code, 1 report, 2 inspector, 3 note), nil if absent.
    @inline(__always)
    private func withText<R>(_ k: Int, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard k == 0 || present & (1 << (k - 1)) != 0 else { return body(nil) }
        let l = lengths
        let start = (k > 0 ? Int(l.0) : 0) + (k > 1 ? Int(l.1) : 0) + (k > 2 ? Int(l.2) : 0)
        let count = k == 0 ? Int(l.0) : k == 1 ? Int(l.1) : k == 2 ? Int(l.2) : Int(l.3)
        return withUnsafeBytes(of: storage) { body(UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)])) }
    }

    /// The unit's code, as bytes.
    public func withCode<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { withText(0) { body($0!) } }

    func withDetailTexts<R>(_ body: (_ report: UnsafeRawBufferPointer?, _ inspector: UnsafeRawBufferPointer?,
                                     _ note: UnsafeRawBufferPointer?) -> R) -> R {
        let lengths = lengths, present = present
        return withUnsafeBytes(of: storage) { all in
            var at = Int(lengths.0)   // past the code
            func next(_ count: UInt8, _ bit: UInt8) -> UnsafeRawBufferPointer? {
                defer { at += Int(count) }
                return present & bit == 0 ? nil : UnsafeRawBufferPointer(rebasing: all[at..<(at + Int(count))])
            }
            let report = next(lengths.1, 1), inspector = next(lengths.2, 2), note = next(lengths.3, 4)
            return body(report, inspector, note)
        }
    }

    /// The typed payload it stands for.
    public var inspection: EquipmentInspection {
        func text(_ k: Int) -> String? { withText(k) { $0.map { String(decoding: $0, as: UTF8.self) } } }
        return EquipmentInspection(code: text(0)!, date: date, kind: kind, conclusion: conclusion, grade: grade,
                                   certificateDue: certificateDue, report: text(1), inspector: text(2), note: text(3), due: due)
    }
}
