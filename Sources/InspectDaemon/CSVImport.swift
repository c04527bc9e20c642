import InspectionKit
import Journal
import Platform

#if canImport(Glibc)
import Glibc
#endif

/// Streams a CSV file into the journal (SPEC §6): UTF-8, UTF-8 with BOM or GB18030,
/// header row with English or Chinese column names, and **all or nothing** — the file
/// is read twice under the state lock: pass 1 validates every row (and hashes the
/// file), pass 2 turns rows into events. A bad row names file, line, column and reason,
/// and nothing is appended. Memory stays at one read buffer, one row and the set of
/// keys seen (for duplicates), however large the file.
struct CSVImport {
    let kind: CSVImportKind
    let service: InspectionService

    enum Encoding: String {
        case utf8 = "utf-8"
        case gb18030 = "gb18030"
    }

    /// Where the rows come from: a file path the daemon reads, or inline text.
    enum Source {
        case file(String)
        case inline(String, name: String)

        var name: String {
            switch self {
            case .file(let path): return path
            case .inline(_, let name): return name
            }
        }
    }

    static let batchSize = 2048
    /// The largest CSV file accepted (a province-wide export of a few million rows fits).
    static let maxFileBytes = 4 << 30
    static let chunkSize = 1 << 20

    func run(source: Source, encoding requested: Encoding?, actor: Actor) -> Result<JSONValue, CommandError> {
        service.executeBatch(actor: actor) { (session) throws(CommandError) -> JSONValue in
            if Self.startsWithUTF16BOM(source) {
                throw CommandError.badRequest("\(kind.command): \(source.name) is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" (or GB18030) and import again")
            }
            // A UTF-8 byte-order mark settles the encoding, whatever was declared.
            var encoding = Self.startsWithBOM(source) ? .utf8 : (requested ?? .utf8)
            var pass1: PassOneResult
            do {
                pass1 = try passOne(source: source, encoding: encoding, session: session)
            } catch let failure as ImportFailure {
                // An undeclared file that isn't valid UTF-8 is tried as GB18030 (bureau
                // exports from Windows tools are usually GBK/GB18030).
                if requested == nil, case .notUTF8(let offset, let line, let sawMultibyte) = failure, !sawMultibyte {
                    // Undecided so far: look at the whole file. Text that is mostly valid
                    // multi-byte UTF-8 with a few bad bytes is a damaged UTF-8 file, not GB18030.
                    let probe = Self.probeUTF8(source)
                    if probe.validLong >= 2 && probe.validLong > probe.invalid * 2 {
                        throw ImportFailure.notUTF8(offset: offset, line: line, sawMultibyte: true).commandError(file: source.name, command: kind.command)
                    }
                    encoding = .gb18030
                    do { pass1 = try passOne(source: source, encoding: encoding, session: session) } catch let f as ImportFailure {
                        throw f.commandError(file: source.name, command: kind.command)
                    } catch { throw CommandError(.internal, "\(error)") }
                } else {
                    throw failure.commandError(file: source.name, command: kind.command)
                }
            } catch {
                throw CommandError(.internal, "\(error)")
            }
            var changed = 0
            var counts: [String: Int] = [:]
            var batch: [NewEvent] = []
            batch.reserveCapacity(Self.batchSize)
            do throws(ImportFailure) {
                try stream(source: source, encoding: encoding) { (row) throws(ImportFailure) in
                    let event: NewEvent?
                    do throws(CSVRowError) {
                        event = try session.read { (state) throws(CSVRowError) in try kind.event(row, state, session.context) }
                    } catch {
                        throw .row(error)
                    }
                    guard let event else { return }
                    batch.append(event)
                    changed += 1
                    counts[event.type, default: 0] += 1
                    if batch.count >= Self.batchSize {
                        do throws(CommandError) { try session.stage(batch) } catch { throw .command(error) }
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            } catch {
                throw error.commandError(file: source.name, command: kind.command)
            }
            let summary: JSONObject = [
                "kind": .string(kind.noun), "file": .string(source.name), "sha256": .string(pass1.sha256),
                "encoding": .string(encoding.rawValue), "rows": .int(pass1.rows), "changed": .int(changed),
            ]
            batch.append(NewEvent(EventType.csvImported, summary))
            try session.stage(batch)
            var result = summary
            result["unchanged"] = .int(pass1.rows - changed)
            result["events"] = .object(JSONObject(counts.sorted { $0.key < $1.key }.map { (key: $0.key, value: .int($0.value)) }))
            result["seq"] = .int(session.lastSeq)
            return .object(result)
        }
    }

    /// Counts valid 3/4-byte UTF-8 sequences and invalid bytes over the whole source.
    static func probeUTF8(_ source: Source) -> (validLong: Int, invalid: Int) {
        var validLong = 0
        var invalid = 0
        func scan(_ bytes: UnsafeRawBufferPointer) {
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b < 0x80 { i += 1; continue }
                let length = b >= 0xC2 && b <= 0xDF ? 2 : (b >= 0xE0 && b <= 0xEF ? 3 : (b >= 0xF0 && b <= 0xF4 ? 4 : 0))
                if length == 0 || i + length > bytes.count || (1..<length).contains(where: { bytes[i + $0] & 0xC0 != 0x80 }) {
                    invalid += 1
                    i += 1
                    continue
                }
                if length >= 3 { validLong += 1 }
                i += length
            }
        }
        switch source {
        case .inline(let text, _):
            Array(text.utf8).withUnsafeBytes { scan($0) }
        case .file(let path):
            // Chunk boundaries may split a sequence and count one extra invalid byte: fine for a vote.
            guard let fd = try? Sys.open(path, O_RDONLY) else { return (0, 0) }
            defer { Sys.close(fd) }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
                if n <= 0 { break }
                chunk.withUnsafeBytes { scan(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
        }
        return (validLong, invalid)
    }

    static func startsWithUTF16BOM(_ source: Source) -> Bool {
        switch source {
        case .inline: return false
        case .file(let path):
            guard let fd = try? Sys.open(path, O_RDONLY) else { return false }
            defer { Sys.close(fd) }
            var head = [UInt8](repeating: 0, count: 2)
            let n = head.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, 2) }
            return n == 2 && (head == [0xFF, 0xFE] || head == [0xFE, 0xFF])
        }
    }

    static func startsWithBOM(_ source: Source) -> Bool {
        switch source {
        case .inline(let text, _): return text.utf8.starts(with: [0xEF, 0xBB, 0xBF])
        case .file(let path):
            guard let fd = try? Sys.open(path, O_RDONLY) else { return false }
            defer { Sys.close(fd) }
            var head = [UInt8](repeating: 0, count: 3)
            let n = head.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, 3) }
            return n == 3 && head == [0xEF, 0xBB, 0xBF]
        }
    }

    struct PassOneResult {
        var rows: Int
        var sha256: String
    }

    /// Validates every row against the state before the import; hashes the bytes.
    private func passOne(source: Source, encoding: Encoding, session: InspectionService.BatchSession) throws -> PassOneResult {
        var keys: [String: Int] = [:]
        var rows = 0
        var hasher = SHA256()
        try stream(source: source, encoding: encoding, raw: { hasher.update($0) }) { (row) throws(ImportFailure) in
            rows += 1
            let key = row.value(kind.keyColumn)
            if !key.isEmpty {
                if let first = keys[key] {
                    throw .row(row.error(kind.keyColumn, "\(key) appears again (first on line \(first)); a file may list each \(kind.noun) once"))
                }
                keys[key] = row.line
            }
            do throws(CSVRowError) {
                _ = try session.read { (state) throws(CSVRowError) in try kind.event(row, state, session.context) }
            } catch {
                throw .row(error)
            }
        }
        if rows == 0 { throw ImportFailure.empty }
        return PassOneResult(rows: rows, sha256: Hex.encode(hasher.finalize()))
    }

    /// Reads, decodes and parses the source, calling `row` for each data row.
    private func stream(
        source: Source, encoding: Encoding,
        raw: (UnsafeRawBufferPointer) -> Void = { _ in },
        row handle: (CSVRow) throws(ImportFailure) -> Void
    ) throws(ImportFailure) {
        var parser = CSVParser()
        var header: CSVHeader?
        let transcoder: Transcoder? = encoding == .gb18030 ? Transcoder(from: "GB18030") : nil
        if encoding == .gb18030 && transcoder == nil { throw .system("this system's iconv has no GB18030 converter") }
        var utf8 = UTF8Stream()
        var decoded: [UInt8] = []
        var first = true
        var rawBefore = 0      // file offset where the current chunk starts
        var linesBefore = 0    // newlines in the file before the current chunk
        var bomLength = 0

        /// The first record is the header; every other one becomes a row.
        func take(_ record: CSVParser.Record) throws(ImportFailure) {
            guard let bound = header else {
                do throws(CSVRowError) { header = try kind.schema.bind(header: record.fields, line: record.line) } catch { throw .row(error) }
                return
            }
            let row: CSVRow
            do throws(CSVRowError) { row = try bound.row(record) } catch { throw .row(error) }
            try handle(row)
        }

        /// Feeds `text` to the parser (nil: the end of the input) and flattens its two
        /// kinds of failure.
        func parse(_ text: UnsafeRawBufferPointer?) throws(ImportFailure) {
            do throws(CSVFeedError<ImportFailure>) {
                if let text { try parser.feed(text, emit: take) } else { try parser.finish(emit: take) }
            } catch {
                switch error {
                case .parse(let failure): throw .row(CSVRowError(line: failure.line, column: failure.column, field: "", reason: failure.reason))
                case .emit(let inner): throw inner
                }
            }
        }

        func consume(_ text: UnsafeRawBufferPointer) throws(ImportFailure) { try parse(text) }

        func feed(_ bytes: UnsafeRawBufferPointer, final: Bool) throws(ImportFailure) {
            raw(bytes)
            var input = bytes
            if first {
                first = false
                // A UTF-8 byte-order mark is skipped (`run` already chose UTF-8 for it).
                if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF {
                    input = UnsafeRawBufferPointer(rebasing: input[3...])
                    bomLength = 3
                }
            }
            decoded.removeAll(keepingCapacity: true)
            func rawPrefix(upTo offset: Int) -> UnsafeRawBufferPointer.SubSequence {
                bytes[0..<max(0, min(bytes.count, offset - rawBefore))]
            }
            defer {
                rawBefore += bytes.count
                linesBefore += bytes.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            }
            if let transcoder {
                do throws(Transcoder.InvalidInput) { try transcoder.convert(input, final: final, into: &decoded) } catch {
                    // In GB18030 a newline byte is always a newline, so lines count on the raw bytes.
                    let line = linesBefore + rawPrefix(upTo: error.offset).reduce(0) { $0 + ($1 == 10 ? 1 : 0) } + 1
                    throw .badEncoding("not valid GB18030 at line \(line), byte \(error.offset)")
                }
            } else {
                do throws(UTF8Stream.Invalid) { try utf8.validate(input, final: final, into: &decoded) } catch {
                    throw .notUTF8(offset: error.offset + bomLength, line: error.line, sawMultibyte: error.sawMultibyte)
                }
            }
            try decoded.withBytes { (buffer) throws(ImportFailure) in try consume(buffer) }
        }

        switch source {
        case .inline(let text, _):
            let bytes = Array(text.utf8)
            try bytes.withBytes { (buffer) throws(ImportFailure) in try feed(buffer, final: true) }
        case .file(let path):
            let fd: Int32
            do throws(SystemError) { fd = try Sys.open(path, O_RDONLY) } catch { throw .system("cannot open \(path): \(error)") }
            defer { Sys.close(fd) }
            var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
            while true {
                let n: Int
                do throws(SystemError) {
                    n = try chunk.withMutableBytes { (b) throws(SystemError) in try Sys.read(fd, into: b.baseAddress!, count: b.count) }
                } catch { throw .system("cannot read \(path): \(error)") }
                try chunk.withBytes { (b) throws(ImportFailure) in
                    try feed(UnsafeRawBufferPointer(rebasing: b[0..<n]), final: n == 0)
                }
                if n == 0 { break }
            }
        }
        try parse(nil)
        if header == nil { throw .empty }
    }
}

/// Why an import stopped.
enum ImportFailure: Error {
    case row(CSVRowError)
    case notUTF8(offset: Int, line: Int, sawMultibyte: Bool)
    case badEncoding(String)
    case empty
    case system(String)
    case command(CommandError)

    func commandError(file: String, command: String) -> CommandError {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        switch self {
        case .row(let e): return .badRequest("\(command): \(name) \(e); nothing was imported. Fix the row and import the file again.")
        case .notUTF8(let offset, let line, let sawMultibyte):
            if sawMultibyte {
                return .badRequest("\(command): \(name) line \(line): invalid UTF-8 at byte \(offset) (the file reads as UTF-8 up to there, so it looks damaged); nothing was imported. Fix or re-export the file, or if it really is GBK/GB18030 pass \"encoding\":\"gb18030\".")
            }
            return .badRequest("\(command): \(name) line \(line): not valid UTF-8 at byte \(offset); nothing was imported. Pass \"encoding\":\"gb18030\" (inspectctl … --encoding gb18030) for GBK/GB18030 files")
        case .badEncoding(let why): return .badRequest("\(command): \(name) is \(why); save it as UTF-8 or GB18030 (and pass --encoding to match)")
        case .empty: return .badRequest("\(command): \(name) has no data rows (a header row and at least one row are needed)")
        case .system(let why): return .badRequest("\(command): \(why)")
        case .command(let e): return e
        }
    }
}

/// Validates UTF-8 across chunk boundaries (an incomplete sequence waits for more),
/// counting lines so that an error can name one.
struct UTF8Stream {
    private var carry: [UInt8] = []
    private var consumed = 0
    private var lines = 0
    /// Whether the file has shown itself to be UTF-8: two valid 3- or 4-byte sequences
    /// (Chinese text in UTF-8 is 3-byte) — then an invalid byte later is damage, not a
    /// sign of another encoding. Two-byte sequences don't count: GB18030 text forms
    /// valid two-byte UTF-8 by chance (统 is CD B3 in GBK).
    private var longSequences = 0
    var sawMultibyte: Bool { longSequences >= 2 }

    struct Invalid: Error {
        var offset: Int
        var line: Int
        var sawMultibyte: Bool
    }

    mutating func validate(_ input: UnsafeRawBufferPointer, final: Bool, into output: inout [UInt8]) throws(Invalid) {
        var bytes = carry
        bytes.append(contentsOf: input)
        let base = consumed - carry.count
        carry.removeAll()
        consumed += input.count
        var i = 0
        let n = bytes.count
        func invalid(_ at: Int) -> Invalid {
            Invalid(offset: base + at, line: lines + bytes[0..<at].reduce(0) { $0 + ($1 == 10 ? 1 : 0) } + 1, sawMultibyte: sawMultibyte)
        }
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            if b >= 0xC2 && b <= 0xDF { length = 2 } else if b >= 0xE0 && b <= 0xEF { length = 3 } else if b >= 0xF0 && b <= 0xF4 { length = 4 } else {
                throw invalid(i)
            }
            if i + length > n {
                if final { throw invalid(i) }
                carry = Array(bytes[i...])
                break
            }
            for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { throw invalid(i) }
            let b1 = bytes[i + 1]
            if (b == 0xE0 && b1 < 0xA0) || (b == 0xED && b1 > 0x9F) || (b == 0xF0 && b1 < 0x90) || (b == 0xF4 && b1 > 0x8F) {
                throw invalid(i)
            }
            if length >= 3 { longSequences += 1 }
            i += length
        }
        let valid = bytes[0..<(n - carry.count)]
        lines += valid.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        output.append(contentsOf: valid)
    }
}
