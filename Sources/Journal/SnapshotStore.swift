import InspectionKit
import Platform

#if canImport(Glibc)
import Glibc
#endif

/// State snapshots for fast start (SPEC §3 `journal/snapshots/`): `<seq>.snap` holds a
/// JSON header line and the encoded state as of seq N. A snapshot is only ever a
/// shortcut: start trusts it only when its own checksum holds **and** line N of the
/// journal still hashes to the value it recorded; anything else is ignored with a
/// warning and the journal is replayed. The journal's lines 1…N are checked too
/// (`journalChecksum`).
public struct SnapshotStore: Sendable {
    public let directory: String
    /// The journal the snapshots describe (`journal/events.jsonl`).
    public let journal: String
    /// How many snapshot files to keep (older ones are removed after a new one is durable).
    public var keep: Int

    public init(paths: JournalPaths, keep: Int = 3) {
        directory = paths.snapshots
        journal = paths.events
        self.keep = keep
    }

    public static let format = "inspectd-snapshot"
    /// 2: equipment units, inspections and history stored column by column.
    /// 3: the payload checksum is `payloadChecksum` (`SnapshotChecksum`, fast) instead of SHA-256.
    /// 4: units carry the latest due date ever reminded about.
    /// 5: inspections' details as one text (`TextArena`, now `ByteArena`) and a length per record.
    /// 6: the header adds `journalChecksum` (`JournalPrefixChecksum`); the strings units
    ///    share are stored once each (`UnitColumns.shared`).
    /// 7: inspections' details packed (`PackedInspectionDetails`), each inspecting
    ///    organisation's name stored once (`InspectionColumns.inspectors`).
    public static let version = 7

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
    ///
    /// `encode` streams the payload into the file (see `BinaryEncoder.encode(_:to:)`), so
    /// the payload is never whole in memory. The header line goes first but needs the
    /// payload's size and checksum: room for it is reserved (its length with the widest
    /// size), and it is written last, padded with spaces — whitespace a JSON reader skips.
    /// Returns the path and the payload's size.
    /// `journalChecksum` is `JournalPrefixChecksum`'s value for the journal's first
    /// `position.bytes` bytes.
    public func write(position: Position, journalChecksum: String, createdAt: String,
                      encode: (any BinaryOutput) throws -> Void) throws -> (path: String, payloadBytes: Int) {
        try Sys.makeDirectory(directory)
        let header = Header(position: position, journalChecksum: journalChecksum, createdAt: createdAt)
        let reserved = header.bytes(payloadBytes: Int.max, checksum: String(repeating: "0", count: 32)).count + 1
        let final = path(seq: position.seq)
        let temp = directory + "/." + (final.split(separator: "/").last.map(String.init) ?? "snap") + ".tmp"
        let fd = try Sys.open(temp, O_RDWR | O_CREAT | O_TRUNC, 0o640)
        let payloadBytes: Int
        do {
            payloadBytes = try Self.fill(fd: fd, temp: temp, reserved: reserved, header: header, encode: encode)
        } catch {
            Sys.close(fd)
            Sys.unlink(temp)
            throw error
        }
        Sys.close(fd)
        try Sys.rename(temp, final)
        try Sys.fsyncDirectory(directory)
        prune()
        return (final, payloadBytes)
    }

    /// Streams the payload after `reserved` bytes, then writes the header into them; fsyncs.
    private static func fill(fd: Int32, temp: String, reserved: Int, header: Header,
                             encode: (any BinaryOutput) throws -> Void) throws -> Int {
        let file = PayloadFile(fd: fd, start: reserved, context: temp)
        try encode(file)
        let payloadBytes = file.end - reserved
        let checksum = try SnapshotChecksum.hex(fd: fd, from: reserved, count: payloadBytes)
        var line = header.bytes(payloadBytes: payloadBytes, checksum: checksum)
        line += [UInt8](repeating: 0x20, count: reserved - 1 - line.count)
        line.append(10)
        try writeHeader(fd, line, temp: temp)
        try Sys.fsync(fd, context: temp)
        return payloadBytes
    }

    private static func writeHeader(_ fd: Int32, _ line: [UInt8], temp: String) throws(SystemError) {
        var failure: SystemError?
        line.withUnsafeBytes { raw in
            do throws(SystemError) { try Sys.pwriteAll(fd, raw, offset: 0, context: temp) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The header line's fields but the payload's size and checksum.
    private struct Header {
        var position: Position
        var journalChecksum: String
        var createdAt: String

        func bytes(payloadBytes: Int, checksum: String) -> [UInt8] {
            let header: JSONValue = [
                "format": .string(SnapshotStore.format), "version": .int(SnapshotStore.version), "seq": .int(position.seq),
                "lineOffset": .int(position.lineOffset), "bytes": .int(position.bytes), "lineSHA256": .string(position.lineSHA256),
                "journalChecksum": .string(journalChecksum),
                "payloadBytes": .int(payloadBytes), "payloadChecksum": .string(checksum),
                "createdAt": .string(createdAt), "sparseOffsets": .array(position.sparseOffsets.map { .int($0) }),
            ]
            var bytes: [UInt8] = []
            header.serialize(into: &bytes)
            return bytes
        }
    }

    /// The payload part of a snapshot file being written.
    final class PayloadFile: BinaryOutput {
        /// Written back every this many bytes (see `append`).
        static let syncEvery = 32 << 20

        let fd: Int32
        let start: Int
        let context: String
        private(set) var end: Int
        /// Bytes up to here are on disk already.
        private var synced: Int

        init(fd: Int32, start: Int, context: String) {
            self.fd = fd
            self.start = start
            self.context = context
            end = start
            synced = start
        }

        func append(_ bytes: UnsafeRawBufferPointer) throws {
            try Sys.pwriteAll(fd, bytes, offset: end, context: context)
            end += bytes.count
            // Write back as we go: left to the final fsync, a gigabyte of dirty pages
            // reached the disk in one burst, and the journal's fdatasync waited behind it.
            if end - synced >= Self.syncEvery {
                try Sys.fdatasync(fd, context: context)
                synced = end
            }
        }

        func patch32(at position: Int, _ value: UInt32) throws {
            precondition(start + position + 4 <= end, "patch past the payload written so far")
            var failure: SystemError?
            withUnsafeBytes(of: value.littleEndian) { raw in
                do throws(SystemError) { try Sys.pwriteAll(fd, raw, offset: start + position, context: context) } catch { failure = error }
            }
            if let failure { throw failure }
        }
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
        /// The snapshot file, mapped; `payload` points into it.
        public var file: MappedFile
        /// The encoded state (valid while `file` is alive).
        public var payload: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: file.bytes[payloadStart...]) }
        var payloadStart: Int
        public var path: String
        /// `JournalPrefixChecksum` of the journal's first `position.bytes` bytes when the
        /// snapshot was written.
        public var journalChecksum: String
    }

    /// Maps and checks one snapshot against the journal file; the error says why it
    /// can't be trusted. The file is mapped, not read: a large state costs no copy.
    public func load(_ path: String, journal: String) -> Result<Loaded, SnapshotRejected> {
        func reject(_ why: String) -> Result<Loaded, SnapshotRejected> { .failure(SnapshotRejected(path: path, reason: why)) }
        let file: MappedFile
        do { file = try MappedFile(path: path, populate: true) } catch { return reject("unreadable: \(error)") }
        let bytes = file.bytes
        guard let newline = bytes.prefix(1 << 24).firstIndex(of: 10),
              let header = try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: bytes[..<newline])) else {
            return reject("no valid header line")
        }
        guard header["format"]?.stringValue == Self.format, header["version"]?.intValue == Self.version else {
            return reject("not a version \(Self.version) inspectd snapshot")
        }
        guard let journalChecksum = header["journalChecksum"]?.stringValue else { return reject("header lacks journalChecksum") }
        guard let seq = header["seq"]?.intValue, let lineOffset = header["lineOffset"]?.intValue,
              let end = header["bytes"]?.intValue, let lineSHA = header["lineSHA256"]?.stringValue,
              let payloadBytes = header["payloadBytes"]?.intValue, let checksum = header["payloadChecksum"]?.stringValue,
              seq >= 1, lineOffset >= 0, end > lineOffset
        else { return reject("header lacks seq/offsets/checksums") }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[(newline + 1)...])
        guard payload.count == payloadBytes else { return reject("payload is \(payload.count) bytes, header says \(payloadBytes) (truncated?)") }
        guard SnapshotChecksum.hex(payload) == checksum else { return reject("payload checksum mismatch (the file was altered or damaged)") }
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
                               file: file, payloadStart: newline + 1, path: path, journalChecksum: journalChecksum))
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

/// A file mapped read-only for as long as this object lives. `populate` fills its page
/// table when it is mapped (`MAP_POPULATE`), for reading all of it: for the 4.3 GB journal
/// that costs less than a fault every 16 pages as it is read (0.75 against 0.9–1.2 CPU-s to
/// map and hash it, measured with a C probe), but for reading only its end it costs the
/// whole mapping.
public final class MappedFile: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer

    public init(path: String, populate: Bool) throws(SystemError) {
        let fd = try Sys.open(path, O_RDONLY)
        defer { Sys.close(fd) }
        let size = try Sys.fileSize(fd)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0), base != MAP_FAILED else {
            throw SystemError("mmap", errno: errno, context: path)
        }
        _ = madvise(base, size, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}

/// The journal's first bytes under `SnapshotChecksum`, recorded in each snapshot (version
/// 6, `journalChecksum`). Start-up compares it with the journal instead of hashing every
/// line the snapshot lets it skip (SHA-256 of 10M lines: 3.3 CPU-s; this: a few tenths):
/// a mismatch means the prefix changed, and the hash chain is then checked to name the
/// damaged line. A match means the bytes are those the snapshot was taken over — and
/// those went into the checksum only as their chain was checked (`JournalReader.verifyPrefix`
/// absorbs each batch of lines once it holds), so a line damaged on disk before the
/// snapshot is refused by the snapshot, not baked into its checksum. Like the payload
/// checksum it detects damage, not tampering: the published chain head does that
/// (`inspectctl journal verify` checks the whole chain).
///
/// Kept running: each snapshot checks and hashes only what was appended since the one
/// before.
public struct JournalPrefixChecksum: Sendable {
    private var state = SnapshotChecksum.State()
    /// Bytes absorbed so far: whole 32-byte blocks.
    public private(set) var absorbed = 0
    /// The bytes after `absorbed` taken in so far, short of a whole block: the checksum is
    /// finished from these (`finished()`), never from the file read again.
    private var pending: [UInt8] = []

    /// The bytes covered so far: `absorbed` and the ones held back.
    public var covered: Int { absorbed + pending.count }

    public init() {}

    /// The checksum of the first `count` bytes of the journal at `path`.
    public mutating func checksum(journal path: String, count: Int) throws(SystemError) -> String {
        let file = try MappedFile(path: path, populate: absorbed == 0)
        guard file.bytes.count >= count else {
            throw SystemError("read", errno: EIO, context: "\(path) is \(file.bytes.count) bytes, shorter than the \(count) a snapshot covers")
        }
        return withExtendedLifetime(file) { checksum(of: UnsafeRawBufferPointer(rebasing: file.bytes[..<count])) }
    }

    /// The checksum of `prefix`, which must begin with the bytes absorbed so far (a
    /// shorter one starts over). O(bytes not yet absorbed).
    public mutating func checksum(of prefix: UnsafeRawBufferPointer) -> String {
        absorb(prefix)
        return finished()
    }

    /// The checksum of the `covered` bytes taken in.
    public func finished() -> String {
        pending.withUnsafeBytes { SnapshotChecksum.hex(state.finish(tail: $0, totalCount: covered)) }
    }
}

extension JournalPrefixChecksum {
    /// Takes in `prefix` beyond the whole blocks absorbed so far (the bytes short of a
    /// block are kept for `finished()`). `prefix` must begin with the bytes absorbed so
    /// far; a shorter one starts over.
    mutating func absorb(_ prefix: UnsafeRawBufferPointer) {
        if absorbed > prefix.count { self = Self() }
        let blocks = prefix.count & ~31
        state.absorb(UnsafeRawBufferPointer(rebasing: prefix[absorbed..<blocks]))
        absorbed = blocks
        pending = Array(prefix[blocks...])
    }

    /// Takes in `bytes`, the journal's bytes from `covered` on (a stream, as the journal
    /// reader reads it: replay fills the checksum as it checks the chain).
    mutating func absorb(continuing bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        if !pending.isEmpty {
            let take = min(32 - pending.count, rest.count)
            pending.append(contentsOf: rest.prefix(take))
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            guard pending.count == 32 else { return }
            pending.withUnsafeBytes { state.absorb($0) }
            absorbed += 32
            pending.removeAll(keepingCapacity: true)
        }
        let blocks = rest.count & ~31
        state.absorb(UnsafeRawBufferPointer(rebasing: rest[..<blocks]))
        absorbed += blocks
        pending.append(contentsOf: rest[blocks...])
    }
}

/// The snapshot payload's checksum: a 128-bit multiply-xorshift hash over 8-byte words in
/// four independent lanes (several GB/s; SHA-256 took 0.7 s per GB at start-up). It
/// detects damage; it is not a defence against tampering — nor was SHA-256 here, since
/// whoever can rewrite the file can rewrite a checksum stored in it. The journal's hash
/// chain, checked independently, is what makes edits evident.
public enum SnapshotChecksum {
    public static func hex(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { hex($0) } }

    public static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        hex(hash(bytes))
    }

    /// 32 hex digits, the first lane's half first.
    static func hex(_ hash: (UInt64, UInt64)) -> String {
        Hex.encode(withUnsafeBytes(of: (hash.0.bigEndian, hash.1.bigEndian)) { Array($0) })
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        var state = State()
        let blocks = bytes.count & ~31
        state.absorb(UnsafeRawBufferPointer(rebasing: bytes[..<blocks]))
        return state.finish(tail: UnsafeRawBufferPointer(rebasing: bytes[blocks...]), totalCount: bytes.count)
    }

    /// The hash of bytes `start...` of the file at `fd`, read in pieces through one
    /// 4 MB buffer: a snapshot's payload is checksummed without mapping or holding it.
    static func hex(fd: Int32, from start: Int, count: Int) throws(SystemError) -> String {
        let piece = 4 << 20   // a multiple of 32: every piece but the last is whole blocks
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: piece, alignment: 16)
        defer { buffer.deallocate() }
        var state = State()
        var done = 0
        while true {
            let want = min(piece, count - done)
            var filled = 0
            while filled < want {
                let n = try Sys.pread(fd, into: buffer.baseAddress! + filled, count: want - filled, offset: start + done + filled)
                if n == 0 { throw SystemError("pread", errno: EIO, context: "snapshot payload ends early") }
                filled += n
            }
            done += filled
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<filled])
            if done < count {
                state.absorb(bytes)
            } else {
                let blocks = filled & ~31
                state.absorb(UnsafeRawBufferPointer(rebasing: bytes[..<blocks]))
                return hex(state.finish(tail: UnsafeRawBufferPointer(rebasing: bytes[blocks...]), totalCount: count))
            }
        }
    }

    /// Four lanes over 32-byte blocks, then the tail bytes and the length.
    struct State {
        var l0: UInt64 = 1, l1: UInt64 = 2, l2: UInt64 = 3, l3: UInt64 = 4

        @inline(__always) static func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
            let x = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            return x ^ (x >> 29)
        }

        /// `bytes.count` must be a multiple of 32.
        mutating func absorb(_ bytes: UnsafeRawBufferPointer) {
            var i = 0
            while i + 32 <= bytes.count {
                l0 = Self.mix(l0, bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                l1 = Self.mix(l1, bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                l2 = Self.mix(l2, bytes.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
                l3 = Self.mix(l3, bytes.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
                i += 32
            }
        }

        func finish(tail bytes: UnsafeRawBufferPointer, totalCount: Int) -> (UInt64, UInt64) {
            var tail = UInt64(totalCount)
            for byte in bytes { tail = Self.mix(tail, UInt64(byte)) }
            func final(_ x: UInt64) -> UInt64 {
                var h = x
                h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd
                h ^= h >> 33; h = h &* 0xc4ce_b9fe_1a85_ec53
                return h ^ (h >> 33)
            }
            return (final(Self.mix(Self.mix(l0, l1), tail)), final(Self.mix(Self.mix(l2, l3), tail &+ 1)))
        }
    }
}
