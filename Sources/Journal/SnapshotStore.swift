import InspectionKit
import Platform

#if canImport(Glibc)
import Glibc
#endif

/// State snapshots for fast start (SPEC §3 `journal/snapshots/`): `<seq>.snap` holds a
/// JSON header line and the encoded state as of seq N. A snapshot is only ever a
/// shortcut: start trusts it only when its own checksum holds **and** line N of the
/// journal still hashes to the value it recorded; anything else is ignored with a
/// warning and the journal is replayed.
public struct SnapshotStore: Sendable {
    public let directory: String
    /// How many snapshot files to keep (older ones are removed after a new one is durable).
    public var keep: Int

    public init(paths: JournalPaths, keep: Int = 3) {
        directory = paths.snapshots
        self.keep = keep
    }

    public static let format = "inspectd-snapshot"
    /// 2: equipment units, inspections and history stored column by column.
    public static let version = 2

    /// Where the snapshot's state sits in the journal.
    public struct Position: Sendable, Equatable {
        /// The last event in the snapshot.
        public var seq: Int
        /// Byte offset where line `seq` starts.
        public var lineOffset: Int
        /// Byte offset just past line `seq`'s newline: where replay resumes.
        public var bytes: Int
        /// SHA-256 of line `seq` (the chain head at that point).
        public var lineSHA256: String
        /// Byte offsets of seq 1, 1025, 2049, … (for `journal.follow`).
        public var sparseOffsets: [Int]

        public init(seq: Int, lineOffset: Int, bytes: Int, lineSHA256: String, sparseOffsets: [Int]) {
            self.seq = seq
            self.lineOffset = lineOffset
            self.bytes = bytes
            self.lineSHA256 = lineSHA256
            self.sparseOffsets = sparseOffsets
        }
    }

    func path(seq: Int) -> String {
        let digits = String(seq)
        return directory + "/" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".snap"
    }

    /// Writes atomically: temp file, fsync, rename, fsync the directory; then prunes.
    public func write(position: Position, payload: [UInt8], createdAt: String) throws(SystemError) -> String {
        try Sys.makeDirectory(directory)
        let header: JSONValue = [
            "format": .string(Self.format), "version": .int(Self.version), "seq": .int(position.seq),
            "lineOffset": .int(position.lineOffset), "bytes": .int(position.bytes), "lineSHA256": .string(position.lineSHA256),
            "payloadBytes": .int(payload.count), "payloadSHA256": .string(Hex.encode(SHA256.hash(payload))),
            "createdAt": .string(createdAt), "sparseOffsets": .array(position.sparseOffsets.map { .int($0) }),
        ]
        var bytes: [UInt8] = []
        header.serialize(into: &bytes)
        bytes.append(10)
        let final = path(seq: position.seq)
        let temp = directory + "/." + (final.split(separator: "/").last.map(String.init) ?? "snap") + ".tmp"
        let fd = try Sys.open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        do {
            try Sys.writeAll(fd, bytes, context: temp)
            try Sys.writeAll(fd, payload, context: temp)
            try Sys.fsync(fd, context: temp)
        } catch {
            Sys.close(fd)
            Sys.unlink(temp)
            throw error
        }
        Sys.close(fd)
        try Sys.rename(temp, final)
        try Sys.fsyncDirectory(directory)
        prune()
        return final
    }

    /// Snapshot files, newest first.
    public func candidates() -> [(seq: Int, path: String)] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var found: [(Int, String)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name.hasSuffix(".snap"), !name.hasPrefix("."), let seq = Int(name.dropLast(5)) else { continue }
            found.append((seq, directory + "/" + name))
        }
        return found.sorted { $0.0 > $1.0 }.map { (seq: $0.0, path: $0.1) }
    }

    private func prune() {
        for old in candidates().dropFirst(max(1, keep)) { Sys.unlink(old.path) }
    }

    /// A snapshot that passed every check, ready to decode.
    public struct Loaded: Sendable {
        public var position: Position
        public var payload: [UInt8]
        public var path: String
    }

    /// Reads and checks one snapshot against the journal file; the error says why it
    /// can't be trusted.
    public func load(_ path: String, journal: String) -> Result<Loaded, SnapshotRejected> {
        func reject(_ why: String) -> Result<Loaded, SnapshotRejected> { .failure(SnapshotRejected(path: path, reason: why)) }
        let bytes: [UInt8]
        do { bytes = try Self.readAll(path) } catch { return reject("unreadable: \(error)") }
        guard let newline = bytes.firstIndex(of: 10), let header = try? JSONValue.parse(Array(bytes[..<newline])) else {
            return reject("no valid header line")
        }
        guard header["format"]?.stringValue == Self.format, header["version"]?.intValue == Self.version else {
            return reject("not a version \(Self.version) inspectd snapshot")
        }
        guard let seq = header["seq"]?.intValue, let lineOffset = header["lineOffset"]?.intValue,
              let end = header["bytes"]?.intValue, let lineSHA = header["lineSHA256"]?.stringValue,
              let payloadBytes = header["payloadBytes"]?.intValue, let payloadSHA = header["payloadSHA256"]?.stringValue,
              seq >= 1, lineOffset >= 0, end > lineOffset
        else { return reject("header lacks seq/offsets/checksums") }
        let payload = Array(bytes[(newline + 1)...])
        guard payload.count == payloadBytes else { return reject("payload is \(payload.count) bytes, header says \(payloadBytes) (truncated?)") }
        guard Hex.encode(SHA256.hash(payload)) == payloadSHA else { return reject("payload checksum mismatch (the file was altered or damaged)") }
        // Line N of the journal must be exactly the line the snapshot was taken after.
        let line: [UInt8]
        do { line = try Self.read(journal, offset: lineOffset, count: end - lineOffset) } catch { return reject("cannot read the journal: \(error)") }
        guard line.count == end - lineOffset, line.last == 10 else { return reject("the journal is shorter than seq \(seq)") }
        let content = Array(line.dropLast())
        guard Hex.encode(SHA256.hash(content)) == lineSHA else {
            return reject("line of seq \(seq) in the journal does not hash to the snapshot's lineSHA256 (journal replaced or edited)")
        }
        guard (try? JournalRecord.decode(content))?.seq == seq else { return reject("the journal line at its offset is not seq \(seq)") }
        let sparse = header["sparseOffsets"]?.arrayValue?.compactMap(\.intValue) ?? []
        return .success(Loaded(position: Position(seq: seq, lineOffset: lineOffset, bytes: end, lineSHA256: lineSHA, sparseOffsets: sparse),
                               payload: payload, path: path))
    }

    static func readAll(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = try Sys.open(path, O_RDONLY)
        defer { Sys.close(fd) }
        let size = try Sys.fileSize(fd)
        return try read(fd: fd, offset: 0, count: size)
    }

    static func read(_ path: String, offset: Int, count: Int) throws(SystemError) -> [UInt8] {
        let fd = try Sys.open(path, O_RDONLY)
        defer { Sys.close(fd) }
        return try read(fd: fd, offset: offset, count: count)
    }

    static func read(fd: Int32, offset: Int, count: Int) throws(SystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = try bytes.withMutableBytes { (b) throws(SystemError) in
                try Sys.pread(fd, into: b.baseAddress! + done, count: count - done, offset: offset + done)
            }
            if n == 0 { break }
            done += n
        }
        return Array(bytes[0..<done])
    }
}

/// Why a snapshot was not used (logged as a warning; start falls back to replay).
public struct SnapshotRejected: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "snapshot \(path) ignored: \(reason)" }
}
