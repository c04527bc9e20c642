import Dispatch
import InspectionKit
import Platform

#if canImport(Glibc)
import Glibc
#endif

/// What is wrong with the first bad line of a journal.
public struct JournalDamage: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case json, shape, seq, prev
        /// The last line has no `\n`: its write never completed.
        case unterminated
        /// The line is valid but `apply` refused it (unknown type, malformed payload).
        case apply
    }

    /// 1-based line number in the file.
    public var line: Int
    /// Byte offset where the line starts.
    public var offset: Int
    /// The seq this line should have had.
    public var expectedSeq: Int
    /// The seq the line claims, when it could be read.
    public var claimedSeq: Int?
    public var kind: Kind
    public var message: String
    /// True when nothing follows this line: a torn tail that recovery may repair.
    public var isLastLine: Bool

    public init(line: Int, offset: Int, expectedSeq: Int, claimedSeq: Int?, kind: Kind, message: String, isLastLine: Bool) {
        self.line = line
        self.offset = offset
        self.expectedSeq = expectedSeq
        self.claimedSeq = claimedSeq
        self.kind = kind
        self.message = message
        self.isLastLine = isLastLine
    }

    /// True when start-up may quarantine this line as a torn write: it is the last
    /// line and it is incomplete (no newline) or unreadable. A complete, well-formed last
    /// line whose `prev` or seq is wrong is not a torn write — our writer never produces
    /// one — but evidence that this line or the one before it was altered, so it stops
    /// the start like damage anywhere else.
    public var isRepairableTornTail: Bool {
        isLastLine && (kind == .unterminated || kind == .json || kind == .shape)
    }

    public var description: String {
        let seqText = claimedSeq.map { "seq \($0)" } ?? "expected seq \(expectedSeq)"
        return "line \(line) (\(seqText)): \(message)"
    }
}

/// The outcome of reading a journal from the start.
public struct JournalScan: Sendable {
    /// Valid events read (equals the last valid seq).
    public var count = 0
    /// Lowercase hex SHA-256 of the last valid line: the chain head to publish.
    public var head = JournalRecord.genesisPrev
    /// Bytes up to and including the last valid line's `\n`.
    public var validBytes = 0
    /// Where the last valid line starts (-1 when there is none).
    public var lastLineOffset = -1
    /// Total bytes in the file when it was read.
    public var fileBytes = 0
    /// The first bad line, if any; reading stopped there.
    public var damage: JournalDamage?
    /// `sparseOffsets[i]` is the byte offset of seq `i * JournalScan.indexStride + 1`.
    public var sparseOffsets: [Int] = []
    /// `JournalPrefixChecksum` of bytes 0..<`validBytes`, when the scan was given one to
    /// continue and read to the end with every line's chain holding (nil otherwise).
    public var prefixChecksum: JournalPrefixChecksum?

    public static let indexStride = 1024
}

/// Reads the journal file sequentially, a chunk at a time, checking every line's shape,
/// seq and `prev` against the SHA-256 of the bytes actually stored (read and hashed a
/// chunk ahead on another core).
///
/// O(file size) time, O(longest line + buffer) memory.
public enum JournalReader {
    /// The size of a chunk `scan` reads (two are in use: one parsed, one read and hashed). 1 MiB
    /// keeps each hashing job under a millisecond, short enough not to hold up the replay
    /// applier sharing its core: 10M-event replay 16.5–16.9 s with 8 MiB chunks, 14.5–15.0
    /// s with 1 MiB, no better with 256 KiB (three alternating runs each).
    public static let bufferSize = 1 << 20
    /// Visited bytes the prefix checksum takes in at a time (see `scan`).
    static let checksumStep = 32 << 10

    /// Scans `path`. `visit` sees every valid record in order; return `false` to stop
    /// early (time travel to a seq or a moment). A missing file reads as empty.
    /// With `prefixChecksum` (covering the bytes before the first line read), the scan
    /// also hashes each chunk it reads into it (`JournalScan.prefixChecksum`).
    /// `readingAhead` runs each job that reads and hashes the next chunk (by default on
    /// Dispatch's pool); it must run it soon, and never on the calling thread.
    /// `nextRecord`, if given, says where to decode each line (its old values are
    /// overwritten), and `visit` then gets that record: replay decodes straight into its
    /// batch (see `JournalRecord`). By default every line is decoded into one record of
    /// the scan's own.
    public static func scan(
        path: String, resumingAt resume: SnapshotStore.Position? = nil, prefixChecksum: JournalPrefixChecksum? = nil,
        visit: (inout JournalRecord, UnsafeRawBufferPointer) throws(JournalDamage) -> Bool = { _, _ in true },
        readingAhead: @escaping ChunkReader.Runner = ChunkReader.onDispatch,
        nextRecord: (() -> UnsafeMutablePointer<JournalRecord>)? = nil
    ) throws(SystemError) -> JournalScan {
        guard Sys.fileExists(path) else { return JournalScan() }
        let fd = try Sys.open(path, O_RDONLY)
        defer { Sys.close(fd) }
        return try scan(fd: fd, resumingAt: resume, chunkSize: bufferSize, prefixChecksum: prefixChecksum,
                        visit: visit, readingAhead: readingAhead, nextRecord: nextRecord)
    }

    /// Scans from the start, or — with `resume` (a verified snapshot position) — from
    /// just after line `resume.seq`, continuing its chain; line numbers then equal seqs.
    public static func scan(
        fd: Int32, resumingAt resume: SnapshotStore.Position? = nil,
        visit: (inout JournalRecord, UnsafeRawBufferPointer) throws(JournalDamage) -> Bool
    ) throws(SystemError) -> JournalScan {
        try scan(fd: fd, resumingAt: resume, chunkSize: bufferSize, visit: visit)
    }

    /// The file is read a chunk of whole lines at a time. While this thread parses one
    /// chunk, the next is being read, split into lines and hashed on another core
    /// (`ChunkReader`; by this thread itself if no other has begun when it needs the
    /// chunk): reading and SHA-256 were 15–20 % of this thread's time in a
    /// 10M-event replay, the busier of replay's two threads. The checks and their order
    /// are unchanged: line N's `prev` is compared with line N−1's digest before line N is
    /// visited (the decoder compares it in place when it matches, `decode(_:expectedPrev:)`).
    ///
    /// The prefix checksum, if given, takes in each chunk on this thread once its lines
    /// are visited. (It used to be taken on the reading thread; in replay that is the
    /// applier, then the busier of the two threads, 54 % of samples against 46 %.) It
    /// takes them in `checksumStep` bytes at a time, while they are still in this core's
    /// cache from parsing, rather than the whole chunk at its end. It counts only if the
    /// scan reads to the end and every line holds.
    static func scan(
        fd: Int32, resumingAt resume: SnapshotStore.Position?, chunkSize: Int, prefixChecksum: JournalPrefixChecksum? = nil,
        visit: (inout JournalRecord, UnsafeRawBufferPointer) throws(JournalDamage) -> Bool,
        readingAhead: @escaping ChunkReader.Runner = ChunkReader.onDispatch,
        nextRecord: (() -> UnsafeMutablePointer<JournalRecord>)? = nil
    ) throws(SystemError) -> JournalScan {
        precondition(chunkSize > 0, "a chunk of 0 bytes never grows: fill would loop forever")
        var result = JournalScan()
        result.fileBytes = try Sys.fileSize(fd)
        var fileOffsetOfChunk = 0
        var lineNumber = 0
        if let resume {
            result.count = resume.seq
            result.head = resume.lineSHA256
            result.validBytes = resume.bytes
            result.lastLineOffset = resume.lineOffset
            result.sparseOffsets = resume.sparseOffsets
            fileOffsetOfChunk = resume.bytes
            lineNumber = resume.seq
            guard lseek(fd, off_t(resume.bytes), SEEK_SET) >= 0 else { throw SystemError("lseek", errno: errno) }
        }
        var decoder = JournalLineDecoder()
        // Where lines are decoded when the caller gives no `nextRecord`.
        let ownRecord: UnsafeMutablePointer<JournalRecord>? = nextRecord == nil ? .allocate(capacity: 1) : nil
        ownRecord?.initialize(to: .blank)
        defer { ownRecord?.deinitialize(count: 1); ownRecord?.deallocate() }
        // The running chain head as a value; `result.head` gets its hex form at the end.
        var head = SHA256.Digest(lowercaseHex: result.head) ?? .zero

        var current = ScanChunk(capacity: chunkSize)
        var next = ScanChunk(capacity: chunkSize)
        defer { current.deallocate(); next.deallocate() }
        let reader = ChunkReader(fd: fd, runner: readingAhead)
        defer { reader.waitIfBusy() }   // runs first: the buffers outlive any reading still under way
        var checksum = prefixChecksum.flatMap { $0.covered == fileOffsetOfChunk ? $0 : nil }
        try reader.readAndHash(into: current, carrying: UnsafeRawBufferPointer(start: nil, count: 0))

        lines: while true {
            if !current.endOfFile { reader.start(reading: next, carrying: current.partialLine) }
            var start = 0
            var lineIndex = 0
            var absorbedInChunk = 0   // the checksum has taken in the chunk's bytes before this
            while start < current.filled {
                if checksum != nil, start - absorbedInChunk >= Self.checksumStep {
                    checksum?.absorb(continuing: UnsafeRawBufferPointer(rebasing: current.buffer[absorbedInChunk..<start]))
                    absorbedInChunk = start
                }
                let base = current.buffer.baseAddress! + start
                let lineLength: Int
                let terminated: Bool
                if lineIndex < current.lineEnds.count {
                    lineLength = current.lineEnds[lineIndex] - start
                    terminated = true
                } else if current.endOfFile {
                    lineLength = current.filled - start
                    terminated = false
                } else {
                    break   // a partial line: the next chunk starts with it
                }
                lineNumber += 1
                let line = UnsafeRawBufferPointer(start: base, count: lineLength)
                let lineOffset = fileOffsetOfChunk + start
                let lineEnd = lineOffset + lineLength + (terminated ? 1 : 0)
                let isLast = lineEnd >= result.fileBytes
                let expected = result.count + 1

                func damage(_ kind: JournalDamage.Kind, _ message: String, claimed: Int?) -> JournalDamage {
                    JournalDamage(line: lineNumber, offset: lineOffset, expectedSeq: expected, claimedSeq: claimed,
                                  kind: kind, message: message, isLastLine: isLast)
                }

                let slot = nextRecord?() ?? ownRecord!
                do {
                    try decoder.decode(line, expectedPrev: head, into: &slot.pointee)
                } catch {
                    let kind: JournalDamage.Kind = error.kind == .json ? .json : .shape
                    result.damage = damage(terminated ? kind : .unterminated,
                                           terminated ? error.message : "last line has no newline (torn write); \(error.message)",
                                           claimed: claimedSeq(line))
                    break lines
                }
                if !terminated {
                    result.damage = damage(.unterminated, "last line has no newline (torn write)", claimed: slot.pointee.seq)
                    break lines
                }
                let seq = slot.pointee.seq
                if seq != expected {
                    let why = seq > expected ? "a gap: \(seq - expected) line(s) deleted before this one" : "a duplicate or reordered line"
                    result.damage = damage(.seq, "seq is \(seq), expected \(expected) (\(why))", claimed: seq)
                    break lines
                }
                if slot.pointee.prevDigest != head {
                    let previous = lineNumber == 1 ? "64 zeros (the first line)" : "the SHA-256 of line \(lineNumber - 1), seq \(seq - 1) (\(head.hex.prefix(12))…)"
                    result.damage = damage(.prev, "prev \(slot.pointee.prev.prefix(12))… does not match \(previous): line \(lineNumber - 1) was altered after this line was written, or this line's prev was",
                                           claimed: seq)
                    break lines
                }
                let keepGoing: Bool
                do {
                    keepGoing = try visit(&slot.pointee, line)   // in place: the visitor may move its values out (no copy of the record, no retain)
                } catch var error {
                    error.line = lineNumber
                    error.offset = lineOffset
                    error.isLastLine = isLast
                    result.damage = error
                    break lines
                }
                if (seq - 1) % JournalScan.indexStride == 0 { result.sparseOffsets.append(lineOffset) }
                result.count = seq
                head = current.digests[lineIndex]
                lineIndex += 1
                result.validBytes = lineEnd
                result.lastLineOffset = lineOffset
                start += lineLength + 1
                if !keepGoing { break lines }
            }
            checksum?.absorb(continuing: UnsafeRawBufferPointer(rebasing: current.wholeLines[absorbedInChunk...]))
            if current.endOfFile { break }
            fileOffsetOfChunk += current.wholeLinesEnd
            try reader.wait()
            swap(&current, &next)
        }
        result.head = head.hex
        reader.waitIfBusy()
        if result.damage == nil, let checksum, checksum.covered == result.validBytes {
            result.prefixChecksum = checksum
        }
        return result
    }

    /// The seq a line claims, read from its `{"seq":N,` prefix, if it has one.
    public static func claimedSeq(_ line: UnsafeRawBufferPointer) -> Int? {
        let prefix: StaticString = #"{"seq":"#
        let n = prefix.utf8CodeUnitCount
        guard line.count > n, memcmp(line.baseAddress!, prefix.utf8Start, n) == 0 else { return nil }
        var value = 0
        var digits = 0
        for byte in line[n...] {
            guard byte >= 48 && byte <= 57 else { break }
            guard digits < 18 else { return nil }
            value = value * 10 + Int(byte - 48)
            digits += 1
        }
        return digits > 0 ? value : nil
    }
}

extension JournalReader {
    /// Checks lines 1…`position.seq` — the part a snapshot lets start-up skip — for
    /// seq order and the hash chain only (no JSON parse): any change to a byte before
    /// line N breaks a `prev` link, and line N itself is checked against the snapshot.
    /// Returns the first damage, or nil. O(prefix bytes), mostly SHA-256.
    public static func verifyPrefix(path: String, through position: SnapshotStore.Position) throws(SystemError) -> JournalDamage? {
        var none: JournalPrefixChecksum? = nil
        return try verifyPrefix(path: path, from: nil, through: position, absorbingInto: &none)
    }

    /// The same for lines `from.seq`…`position.seq` when `from` is given (a position
    /// checked before: line `from.seq` is hashed again and must still match it), and
    /// `checksum` takes in each batch of lines once its chain holds — so it only ever
    /// covers checked bytes (a snapshot's `journalChecksum`). With `from`, `checksum` must
    /// be as the check that reached `from` left it (its whole blocks before `from.bytes`);
    /// otherwise every line is checked, into a fresh checksum.
    public static func verifyPrefix(path: String, from: SnapshotStore.Position?, through position: SnapshotStore.Position,
                             absorbingInto checksum: inout JournalPrefixChecksum?) throws(SystemError) -> JournalDamage? {
        var from = from
        // Continuing, the checksum takes in again the bytes after its last whole block:
        // they must lie in line `from.seq`, which is hashed again below, and its newline,
        // which is looked at (a newline turned into a space would join two lines).
        if let start = from, let taken = checksum, taken.covered != start.bytes || taken.absorbed < start.lineOffset || start.seq > position.seq {
            from = nil
        }
        if from == nil, checksum != nil { checksum = JournalPrefixChecksum() }
        guard let snapshotHead = SHA256.Digest(lowercaseHex: position.lineSHA256) else {
            return JournalDamage(line: position.seq, offset: position.lineOffset, expectedSeq: position.seq, claimedSeq: position.seq,
                                 kind: .prev, message: "the snapshot's line hash is not 64 hex digits", isLastLine: false)
        }
        // Mapped, not read: the prefix is hashed in place, with no copy into a buffer.
        // Only the bytes present when mapped are read, so a journal that is already
        // short reads as "ends before the snapshot's seq"; one truncated by another
        // process *during* this check would fault (SIGBUS) — the journal lock keeps
        // other inspectd instances out, nothing keeps out a hand-run `truncate`.
        let file = try MappedFile(path: path, populate: from == nil)
        return withExtendedLifetime(file) {
            let prefix = UnsafeRawBufferPointer(rebasing: file.bytes[..<min(file.bytes.count, position.bytes)])
            let prevField: StaticString = #","prev":""#
            let prevFieldCount = prevField.utf8CodeUnitCount
            var head = SHA256.Digest.zero
            var expected = 1
            var start = 0
            if let from {
                guard from.bytes <= prefix.count, from.lineOffset < from.bytes, prefix[from.bytes - 1] == 10,
                      Hex.encode(SHA256.hash(UnsafeRawBufferPointer(rebasing: prefix[from.lineOffset..<(from.bytes - 1)]))) == from.lineSHA256 else {
                    return JournalDamage(line: from.seq, offset: from.lineOffset, expectedSeq: from.seq, claimedSeq: nil, kind: .prev,
                                         message: "line \(from.seq) changed since it was checked", isLastLine: false)
                }
                head = SHA256.Digest(lowercaseHex: from.lineSHA256)!
                expected = from.seq + 1
                start = from.bytes
            }
            // Lines are hashed a batch at a time (`SHA256.digests(of:into:)`, both lanes kept
            // busy), then checked in order as before.
            let batchSize = 512
            var batch: [UnsafeRawBufferPointer] = [], starts: [Int] = []
            batch.reserveCapacity(batchSize)
            starts.reserveCapacity(batchSize)
            var digests = [SHA256.Digest](repeating: .zero, count: batchSize)
            while expected <= position.seq {
                batch.removeAll(keepingCapacity: true)
                starts.removeAll(keepingCapacity: true)
                var next = start
                while batch.count < min(batchSize, position.seq - expected + 1), next < prefix.count,
                      let newline = memchr(prefix.baseAddress! + next, 10, prefix.count - next) {
                    let end = prefix.baseAddress!.distance(to: UnsafeRawPointer(newline))
                    batch.append(UnsafeRawBufferPointer(rebasing: prefix[next..<end]))
                    starts.append(next)
                    next = end + 1
                }
                if batch.isEmpty { break }
                batch.withUnsafeBufferPointer { lines in
                    digests.withUnsafeMutableBufferPointer { SHA256.digests(of: lines, into: UnsafeMutableBufferPointer(rebasing: $0[..<lines.count])) }
                }
                for (k, line) in batch.enumerated() {
                    start = starts[k]
                    func fail(_ kind: JournalDamage.Kind, _ message: String) -> JournalDamage {
                        JournalDamage(line: expected, offset: start, expectedSeq: expected,
                                      claimedSeq: JournalReader.claimedSeq(line), kind: kind, message: message, isLastLine: false)
                    }
                    guard JournalReader.claimedSeq(line) == expected else {
                        return fail(.seq, "seq is \(JournalReader.claimedSeq(line).map(String.init) ?? "unreadable"), expected \(expected) (found while checking the part of the journal a snapshot covers)")
                    }
                    // A line ends with ,"prev":"<64 hex>"} — compare that field with the running head.
                    let tail = line.count - 66
                    guard tail > prevFieldCount, line[line.count - 1] == 0x7D, line[line.count - 2] == 0x22,
                          memcmp(line.baseAddress! + tail - prevFieldCount, prevField.utf8Start, prevFieldCount) == 0,
                          head.matches(lowercaseHex: UnsafeRawBufferPointer(rebasing: line[tail..<(line.count - 2)])) else {
                        return fail(.prev, "prev does not match the SHA-256 of line \(expected - 1): the journal was edited before the snapshot's seq \(position.seq)")
                    }
                    head = digests[k]
                    expected += 1
                }
                start = next
                checksum?.absorb(UnsafeRawBufferPointer(rebasing: prefix[..<next]))   // these lines hold
            }
            if expected <= position.seq {
                return JournalDamage(line: expected, offset: start, expectedSeq: expected, claimedSeq: nil, kind: .seq,
                                     message: "the journal ends before the snapshot's seq \(position.seq)", isLastLine: false)
            }
            if head != snapshotHead {
                return JournalDamage(line: position.seq, offset: position.lineOffset, expectedSeq: position.seq, claimedSeq: position.seq,
                                     kind: .prev, message: "line \(position.seq) does not hash to the snapshot's value", isLastLine: false)
            }
            return nil
        }
    }
}

/// A chunk of the journal as `scan` reads it: whole lines, then the start of a line that
/// continues in the next chunk (or, at the end of the file, an unterminated last line),
/// with where each whole line ends and its SHA-256, once `ChunkReader` has read it. A
/// class: the reading thread fills it while the scanning thread parses the one before.
final class ScanChunk: @unchecked Sendable {
    private(set) var buffer: UnsafeMutableRawBufferPointer
    private(set) var filled = 0
    /// Where the last whole line ends (just after its newline); 0 if none.
    private(set) var wholeLinesEnd = 0
    private(set) var endOfFile = false
    /// Where each whole line's `\n` is, in order.
    var lineEnds: [Int] = []
    /// The digests of the whole lines, in order.
    var digests: [SHA256.Digest] = []

    init(capacity: Int) {
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    func deallocate() { buffer.deallocate() }

    var wholeLines: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[..<wholeLinesEnd]) }
    var partialLine: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[wholeLinesEnd..<filled]) }

    /// Starts with `partial` (the previous chunk's unfinished line) and reads until the
    /// buffer is full or the file ends. The buffer doubles while it holds no whole line
    /// and the file goes on, so a chunk always ends at a newline or at the end of file.
    func fill(fd: Int32, carrying partial: UnsafeRawBufferPointer) throws(SystemError) {
        if partial.count * 2 > buffer.count { replaceBuffer(capacity: partial.count * 2, keeping: 0) }
        if partial.count > 0 { buffer.baseAddress!.copyMemory(from: partial.baseAddress!, byteCount: partial.count) }
        filled = partial.count
        wholeLinesEnd = 0
        endOfFile = false
        while true {
            while filled < buffer.count {
                let n = try Sys.read(fd, into: buffer.baseAddress! + filled, count: buffer.count - filled)
                if n == 0 { endOfFile = true; break }
                filled += n
            }
            var end = filled
            while end > 0 && buffer[end - 1] != 10 { end -= 1 }
            wholeLinesEnd = end
            if end > 0 || endOfFile { return }
            replaceBuffer(capacity: buffer.count * 2, keeping: filled)   // one line longer than the buffer
        }
    }

    /// Finds the whole lines (`lineEnds`) and hashes them (`digests`), two at a time
    /// (`SHA256.digests(of:into:)`: nearly twice the throughput of one at a time).
    func hashLines() {
        lineEnds.removeAll(keepingCapacity: true)
        digests.removeAll(keepingCapacity: true)
        let lines = wholeLines
        guard let base = lines.baseAddress else { return }
        var messages: [UnsafeRawBufferPointer] = []
        messages.reserveCapacity(lines.count / 256 + 1)
        var start = 0
        while start < lines.count, let newline = memchr(base + start, 10, lines.count - start) {
            let end = base.distance(to: UnsafeRawPointer(newline))
            messages.append(UnsafeRawBufferPointer(rebasing: lines[start..<end]))
            lineEnds.append(end)
            start = end + 1
        }
        digests.append(contentsOf: repeatElement(SHA256.Digest.zero, count: messages.count))
        messages.withUnsafeBufferPointer { messages in
            digests.withUnsafeMutableBufferPointer { SHA256.digests(of: messages, into: $0) }
        }
    }

    private func replaceBuffer(capacity: Int, keeping count: Int) {
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        if count > 0 { bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: count) }
        buffer.deallocate()
        buffer = bigger
    }
}

/// Reads the next chunk of the journal and hashes its lines on another thread (the
/// `readingAhead` runner's: Dispatch's pool by default, replay's applier thread in
/// `PipelinedReplay`) while `scan` parses the chunk before it: the read (copying 4 GB out
/// of the page cache), the line search and SHA-256 were 15–20 % of the scanning thread,
/// the busier of replay's two. One job at a time, started and waited for by the scanning
/// thread only; the job writes the chunk and `failure` before it signals, and the
/// scanning thread reads them after its wait. The file is read in order either way.
///
/// A job runs once, on whichever thread claims it first: the runner's, or the scanning
/// thread itself when it needs the chunk and no thread has begun it (`wait`). So a
/// runner that holds jobs back while its thread is busy (replay's applier takes them
/// only when it has no batch to apply) leaves them to the scanning thread, and the two
/// cores share the reading and hashing as their loads allow.
public final class ChunkReader: @unchecked Sendable {
    /// Runs a job on another thread.
    public typealias Runner = @Sendable (@escaping @Sendable () -> Void) -> Void
    public static let onDispatch: Runner = { DispatchQueue.global().async(execute: $0) }

    private let fd: Int32
    private let runner: Runner
    private let finished = DispatchSemaphore(value: 0)
    private var busy = false
    private var failure: SystemError?
    /// The job last started, until a thread claims it (`claim`).
    private let pending = Locked<ReadJob?>(nil)

    init(fd: Int32, runner: @escaping Runner) {
        self.fd = fd
        self.runner = runner
    }

    /// Reads `chunk` (after `partial`, the unfinished line of the chunk before it) and
    /// hashes its lines, on this thread.
    func readAndHash(into chunk: ScanChunk, carrying partial: UnsafeRawBufferPointer) throws(SystemError) {
        try chunk.fill(fd: fd, carrying: partial)
        chunk.hashLines()
    }

    /// Starts `readAndHash` on another thread. `partial` must stay as it is until `wait`.
    func start(reading chunk: ScanChunk, carrying partial: UnsafeRawBufferPointer) {
        precondition(!busy, "one chunk at a time")
        busy = true
        let job = ReadJob(reader: self, chunk: chunk, partial: partial)
        pending.withValue { $0 = job }
        runner { [self] in claim()?.run() }
    }

    /// The job last started, if no thread has begun it; then no other thread will.
    private func claim() -> ReadJob? {
        pending.withValue { job in
            defer { job = nil }
            return job
        }
    }

    /// Waits for the chunk last started — reading it on this thread if no other has
    /// begun to — and throws what reading it threw.
    func wait() throws(SystemError) {
        precondition(busy, "no chunk is being read")
        claim()?.run()
        finished.wait()
        busy = false
        if let failure {
            self.failure = nil
            throw failure
        }
    }

    /// Waits for a job under way; one no thread has begun is dropped.
    func waitIfBusy() {
        guard busy else { return }
        if claim() != nil {
            busy = false
        } else {
            try? wait()
        }
    }

    private struct ReadJob: @unchecked Sendable {
        let reader: ChunkReader
        let chunk: ScanChunk
        let partial: UnsafeRawBufferPointer
        func run() {
            do throws(SystemError) {
                try reader.readAndHash(into: chunk, carrying: partial)
            } catch {
                reader.failure = error
            }
            reader.finished.signal()
        }
    }
}
