/// An RFC 4180 CSV parser over UTF-8 bytes, fed in chunks (a file is never loaded whole).
///
/// Fields may be quoted (`"a, ""b"""`), quoted fields may span lines, records end in
/// LF or CRLF. Each record carries the physical line it started on, for error messages.
/// O(bytes) time; memory is one record plus the unparsed tail of a chunk.
public struct CSVParser: Sendable {
    public struct Record: Sendable, Equatable {
        /// 1-based line where the record starts.
        public var line: Int
        public var fields: [String]
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var reason: String
        public var description: String { "line \(line), column \(column): \(reason)" }
    }

    private enum Mode: Sendable { case fieldStart, unquoted, quoted, quoteInQuoted }

    private var mode = Mode.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var line = 1
    private var recordLine = 1
    private var pendingCR = false
    private var sawAnyByte = false

    public init() {}

    /// Parses `bytes`, calling `emit` for each complete record.
    public mutating func feed<E: Error>(_ bytes: UnsafeRawBufferPointer, emit: (Record) throws(E) -> Void) throws(CSVFeedError<E>) {
        for byte in bytes {
            if !sawAnyByte { sawAnyByte = true }
            switch mode {
            case .quoted:
                if byte == 0x22 { mode = .quoteInQuoted } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
            case .quoteInQuoted:
                if byte == 0x22 {
                    field.append(0x22)
                    mode = .quoted
                } else if byte == 0x2C {
                    endField()
                } else if byte == 0x0A {
                    try endRecord(emit: emit)
                } else if byte == 0x0D {
                    pendingCR = true
                    mode = .unquoted
                } else {
                    throw .parse(Failure(line: line, column: fields.count + 1,
                                         reason: "unexpected character after a closing quote (a quote inside a quoted field is written \"\")"))
                }
            case .fieldStart, .unquoted:
                if pendingCR && byte != 0x0A {
                    throw .parse(Failure(line: line, column: fields.count + 1, reason: "carriage return inside an unquoted field"))
                }
                switch byte {
                case 0x2C:
                    endField()
                case 0x0A:
                    pendingCR = false
                    try endRecord(emit: emit)
                case 0x0D:
                    pendingCR = true
                case 0x22 where mode == .fieldStart:
                    mode = .quoted
                case 0x22:
                    throw .parse(Failure(line: line, column: fields.count + 1,
                                         reason: "quote in the middle of an unquoted field (quote the whole field and write \"\" for a quote)"))
                default:
                    field.append(byte)
                    mode = .unquoted
                }
            }
        }
    }

    /// Ends the input: a last record without a newline is emitted; an open quote is an error.
    public mutating func finish<E: Error>(emit: (Record) throws(E) -> Void) throws(CSVFeedError<E>) {
        if mode == .quoted {
            throw .parse(Failure(line: recordLine, column: fields.count + 1, reason: "quoted field is never closed"))
        }
        if !field.isEmpty || !fields.isEmpty || mode == .quoteInQuoted {
            try endRecord(emit: emit)
        }
    }

    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        mode = .fieldStart
    }

    private mutating func endRecord<E: Error>(emit: (Record) throws(E) -> Void) throws(CSVFeedError<E>) {
        endField()
        let record = Record(line: recordLine, fields: fields)
        fields.removeAll(keepingCapacity: true)
        line += 1
        recordLine = line
        pendingCR = false
        // Blank lines are skipped, and so are rows of only empty fields (",,,," as
        // spreadsheet programs write below the data).
        if record.fields.allSatisfy(\.isEmpty) { return }
        do { try emit(record) } catch { throw .emit(error) }
    }
}

/// Either the CSV text is malformed, or the record consumer refused a record.
public enum CSVFeedError<E: Error>: Error {
    case parse(CSVParser.Failure)
    case emit(E)
}
