/// The columns an import accepts: canonical names, Chinese aliases, required ones.
public struct CSVSchema: Sendable {
    public struct Column: Sendable {
        public var name: String
        public var aliases: [String]
        public var required: Bool

        public init(_ name: String, aliases: [String] = [], required: Bool = false) {
            self.name = name
            self.aliases = aliases
            self.required = required
        }
    }

    public var columns: [Column]

    public init(_ columns: [Column]) { self.columns = columns }

    /// Maps a header row onto column names. Unknown, duplicate or missing required
    /// columns are errors naming the header cell.
    public func bind(header: [String], line: Int) throws(CSVRowError) -> CSVHeader {
        var indexByName: [String: Int] = [:]
        for (index, raw) in header.enumerated() {
            let cell = normalize(raw)
            if cell.isEmpty { continue }
            guard let column = columns.first(where: { $0.name.lowercased() == cell.lowercased() || $0.aliases.contains(cell) }) else {
                throw CSVRowError(line: line, column: index + 1, field: raw,
                                  reason: "unknown column \"\(raw)\"; known: " + columns.map { c in ([c.name] + c.aliases).joined(separator: "/") }.joined(separator: ", "))
            }
            if let earlier = indexByName[column.name] {
                throw CSVRowError(line: line, column: index + 1, field: raw,
                                  reason: "column \"\(column.name)\" appears twice (columns \(earlier + 1) and \(index + 1))")
            }
            indexByName[column.name] = index
        }
        for column in columns where column.required && indexByName[column.name] == nil {
            throw CSVRowError(line: line, column: 0, field: column.name,
                              reason: "required column \"\(column.name)\" (\(column.aliases.joined(separator: "/"))) is missing from the header")
        }
        return CSVHeader(indexByName: indexByName, width: header.count)
    }

    private func normalize(_ cell: String) -> String {
        var text = Substring(cell)
        if text.first == "\u{FEFF}" { text = text.dropFirst() }
        while let f = text.first, f.isWhitespace { text = text.dropFirst() }
        while let l = text.last, l.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}

/// A bound header: where each named column is.
public struct CSVHeader: Sendable {
    public var indexByName: [String: Int]
    public var width: Int

    public func row(_ record: CSVParser.Record) throws(CSVRowError) -> CSVRow {
        guard record.fields.count == width else {
            throw CSVRowError(line: record.line, column: min(record.fields.count, width) + 1, field: "",
                              reason: "has \(record.fields.count) fields; the header has \(width)")
        }
        return CSVRow(line: record.line, fields: record.fields, header: self)
    }
}

/// One data row with typed accessors whose errors name line, column and reason.
public struct CSVRow: Sendable {
    public var line: Int
    public var fields: [String]
    public var header: CSVHeader

    public func has(_ name: String) -> Bool { header.indexByName[name] != nil }

    /// The trimmed value, or "" when the column is absent.
    public func value(_ name: String) -> String {
        guard let index = header.indexByName[name] else { return "" }
        return fields[index].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func column(_ name: String) -> Int { (header.indexByName[name] ?? -1) + 1 }

    public func required(_ name: String) throws(CSVRowError) -> String {
        let v = value(name)
        guard !v.isEmpty else { throw error(name, "is empty; a value is required") }
        return v
    }

    public func error(_ name: String, _ reason: String) -> CSVRowError {
        CSVRowError(line: line, column: column(name), field: name, reason: "\(name) \(reason)")
    }
}

/// A rejected row: line, column (1-based; 0 for the whole row) and reason.
public struct CSVRowError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var field: String
    public var reason: String

    public init(line: Int, column: Int, field: String, reason: String) {
        self.line = line
        self.column = column
        self.field = field
        self.reason = reason
    }

    public var description: String { column > 0 ? "line \(line), column \(column): \(reason)" : "line \(line): \(reason)" }
}

extension String {
    func trimmingCharacters(in set: CharacterSetLite) -> String {
        var text = Substring(self)
        while let f = text.first, f.isWhitespace || f.isNewline || f == "\u{FEFF}" { text = text.dropFirst() }
        while let l = text.last, l.isWhitespace || l.isNewline { text = text.dropLast() }
        return String(text)
    }
}

/// Stand-in for Foundation's CharacterSet so the kit needs no Foundation here.
public enum CharacterSetLite { case whitespacesAndNewlines }
