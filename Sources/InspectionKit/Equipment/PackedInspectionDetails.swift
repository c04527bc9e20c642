/// An inspection's details — 报告编号 (`report`), the inspecting organisation
/// (`inspector`, 检验机构) and `note` — as an `InspectionRecord` keeps them in
/// `EquipmentState.inspectionDetails`: nothing when none was given; else a byte of flags
/// (1 report, 2 inspector, 4 note), then the report (its length as LEB128, its UTF-8
/// bytes), the inspector's number in `EquipmentState.inspectors`, the note (length,
/// bytes).
///
/// A province's equipment is inspected by a handful of organisations, so each name is
/// stored once and an inspection holds its number. Until snapshot version 7 the details
/// were kept as compact JSON text: an inspection with a report number and an
/// organisation (`闽特检(2025)第5号`, `福建省特种设备检验研究院`) took 86 bytes that way
/// and takes 25 packed.
enum PackedInspectionDetails {
    static let hasReport: UInt8 = 1, hasInspector: UInt8 = 2, hasNote: UInt8 = 4

    /// Appends the packed form to `out` (which may hold other values before it).
    static func write(report: UnsafeRawBufferPointer?, inspector: Int32?, note: UnsafeRawBufferPointer?, into out: inout [UInt8]) {
        guard report != nil || inspector != nil || note != nil else { return }
        out.append((report == nil ? 0 : hasReport) | (inspector == nil ? 0 : hasInspector) | (note == nil ? 0 : hasNote))
        if let report {
            LEB128.append(UInt(report.count), to: &out)
            out.append(contentsOf: report)
        }
        if let inspector { LEB128.append(UInt(inspector), to: &out) }
        if let note {
            LEB128.append(UInt(note.count), to: &out)
            out.append(contentsOf: note)
        }
    }

    /// Where the texts lie in `packed` and the inspector's number, those given; nil when
    /// `packed` is not in the form above (bounds, flags, UTF-8 and the number are checked:
    /// the bytes may come from a snapshot).
    static func fields(_ packed: UnsafeRawBufferPointer, inspectorCount: Int)
        -> (report: Range<Int>?, inspector: Int?, note: Range<Int>?)? {
        guard let flags = packed.first else { return (nil, nil, nil) }
        guard flags & ~(hasReport | hasInspector | hasNote) == 0, flags != 0 else { return nil }
        var at = 1
        func text() -> Range<Int>? {
            guard let count = LEB128.read(packed, at: &at), count <= packed.count - at else { return nil }
            defer { at += count }
            return UnsafeRawBufferPointer(rebasing: packed[at..<(at + count)]).isValidUTF8 ? at..<(at + count) : nil
        }
        var report: Range<Int>?, inspector: Int?, note: Range<Int>?
        if flags & hasReport != 0 {
            guard let range = text() else { return nil }
            report = range
        }
        if flags & hasInspector != 0 {
            guard let number = LEB128.read(packed, at: &at), number < inspectorCount else { return nil }
            inspector = number
        }
        if flags & hasNote != 0 {
            guard let range = text() else { return nil }
            note = range
        }
        return at == packed.count ? (report, inspector, note) : nil
    }

    /// The details as the object a query shows (`report`, `inspector`, `note`, those
    /// given), with the inspector's name from `inspectors`; nil when `packed` is not in the
    /// form above.
    static func object(_ packed: UnsafeRawBufferPointer, inspectors: ChunkedArray<String>) -> JSONObject? {
        guard let fields = fields(packed, inspectorCount: inspectors.count) else { return nil }
        func text(_ range: Range<Int>) -> JSONValue { .string(String(decoding: packed[range], as: UTF8.self)) }
        var object = JSONObject()
        if let report = fields.report { object["report"] = text(report) }
        if let inspector = fields.inspector { object["inspector"] = .string(inspectors[inspector]) }
        if let note = fields.note { object["note"] = text(note) }
        return object
    }
}
