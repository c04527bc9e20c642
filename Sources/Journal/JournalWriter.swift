import InspectionKit
import Platform

#if canImport(Glibc)
import Glibc
#endif

/// The journal's only writer: stages lines in order, and a flusher thread writes and
/// `fdatasync`s them in batches (group commit). A client is answered only after the
/// batch holding its event is on disk.
///
/// While one fdatasync runs, newly staged lines collect in the next batch, so N
/// concurrent clients share one sync instead of queueing N of them.
/// A failed write or sync is never retried (the kernel may have dropped the dirty
/// pages): the writer turns read-only, every waiter gets the error, and the file is
/// recovered on the next start.
public final class JournalWriter: @unchecked Sendable {
    // Every `var` below is guarded by `lock`. Its own condition announces changes of
    // the durable end (clients, followers, `close` wait on it); `work` wakes the flusher.
    // They are separate so that staging an event wakes only the flusher, not every
    // connection thread waiting for an earlier batch.
    private let lock = ConditionLock()
    private let work: LockCondition
    private let fd: Int32
    public let paths: JournalPaths

    private var pending: [UInt8] = []
    private var spare: [UInt8] = []
    private var stagedSeq: Int
    private var stagedHead: String
    private var stagedBytes: Int
    private var stagedLineStart: Int
    private var durableSeq: Int
    private var durableHead: String
    private var durableBytes: Int
    private var failure: SystemError?
    private var closing = false
    private var flusherFinished = false
    private var flusherIdle = false
    private var sparseOffsets: [Int]
    private var commits = 0
    private var syncNanos: UInt64 = 0

    /// Opens (creating if needed) the journal for appending, continuing after `scan`,
    /// which must describe the file exactly as it now is (after any tail repair).
    public init(paths: JournalPaths, continuingFrom scan: JournalScan) throws(SystemError) {
        self.paths = paths
        work = LockCondition(lock)
        let existed = Sys.fileExists(paths.events)
        fd = try Sys.open(paths.events, O_WRONLY | O_APPEND | O_CREAT, 0o640)
        if !existed {
            do { try Sys.fsyncDirectory(paths.directory) } catch { Sys.close(fd); throw error }
        }
        let size: Int
        do { size = try Sys.fileSize(fd) } catch { Sys.close(fd); throw error }
        guard size == scan.validBytes else {
            Sys.close(fd)
            throw SystemError("open", errno: EIO,
                              context: "\(paths.events) is \(size) bytes but \(scan.validBytes) were verified; refusing to append")
        }
        stagedSeq = scan.count
        stagedHead = scan.head
        stagedBytes = scan.validBytes
        stagedLineStart = scan.count > 0 ? scan.lastLineOffset : -1
        durableSeq = scan.count
        durableHead = scan.head
        durableBytes = scan.validBytes
        sparseOffsets = scan.sparseOffsets
        let writer = self
        startThread { writer.flushLoop() }
    }

    deinit { Sys.close(fd) }

    /// Stages events for appending, in order, and returns their records (with seq and
    /// `prev` filled in). Call from one place at a time (the daemon's state lock):
    /// staging order is journal order. Throws when the journal is no longer writable.
    public func stage(_ events: [NewEvent], at: String, actor: String) throws(JournalUnavailable) -> [JournalRecord] {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw JournalUnavailable(reason: "journal write failed earlier (\(failure)); restart inspectd to recover") }
        if closing { throw JournalUnavailable(reason: "inspectd is shutting down") }
        var records: [JournalRecord] = []
        records.reserveCapacity(events.count)
        for event in events {
            let record = JournalRecord(seq: stagedSeq + 1, at: at, type: event.type, actor: actor, data: event.data, prev: stagedHead)
            let line = record.encoded()
            if (record.seq - 1) % JournalScan.indexStride == 0 { sparseOffsets.append(stagedBytes) }
            stagedHead = line.withUnsafeBytes { Hex.encode(SHA256.hash($0)) }
            stagedSeq = record.seq
            stagedLineStart = stagedBytes
            stagedBytes += line.count + 1
            pending.append(contentsOf: line)
            pending.append(10)
            records.append(record)
        }
        if flusherIdle { work.signal() }
        return records
    }

    /// Blocks until `seq` is on disk; throws if the write or sync failed first.
    public func waitUntilDurable(_ seq: Int) throws(JournalUnavailable) {
        lock.lock()
        defer { lock.unlock() }
        while durableSeq < seq && failure == nil && !flusherFinished { lock.wait() }
        if durableSeq >= seq { return }
        if let failure { throw JournalUnavailable(reason: "journal write failed (\(failure)); the event is not acknowledged; restart inspectd to recover") }
        throw JournalUnavailable(reason: "inspectd stopped before the event was written")
    }

    /// Marks the journal unwritable (used when an invariant breaks after staging).
    public func poison(_ reason: String) {
        lock.withLock {
            if failure == nil { failure = SystemError("apply", errno: EIO, context: reason) }
            work.signal()
            lock.broadcast()
        }
    }

    private func flushLoop() {
        while true {
            lock.lock()
            while pending.isEmpty && !closing && failure == nil {
                flusherIdle = true
                work.wait()
                flusherIdle = false
            }
            if failure != nil || (pending.isEmpty && closing) {
                flusherFinished = true
                lock.broadcast()
                lock.unlock()
                return
            }
            swap(&pending, &spare)
            let batchSeq = stagedSeq
            let batchHead = stagedHead
            let batchBytes = stagedBytes
            lock.unlock()

            let started = Sys.monotonicNanos()
            var error: SystemError?
            do {
                try Sys.writeAll(fd, spare, context: paths.events)
                try Sys.fdatasync(fd, context: paths.events)
            } catch let caught {
                error = caught
            }
            let elapsed = Sys.monotonicNanos() - started
            spare.removeAll(keepingCapacity: spare.capacity <= 64 << 20)

            lock.lock()
            if let error {
                failure = error
            } else {
                durableSeq = batchSeq
                durableHead = batchHead
                durableBytes = batchBytes
                commits += 1
                syncNanos += elapsed
            }
            lock.broadcast()
            lock.unlock()
        }
    }

    /// Stops accepting events, waits until everything staged is on disk, and stops
    /// the flusher. Safe to call more than once.
    public func close() {
        lock.lock()
        closing = true
        work.signal()
        while !flusherFinished { lock.wait() }
        lock.unlock()
    }

    /// The durable end of the journal.
    public var durable: (seq: Int, head: String, bytes: Int) {
        lock.withLock { (durableSeq, durableHead, durableBytes) }
    }

    public var statistics: JournalStatistics {
        lock.withLock {
            JournalStatistics(events: durableSeq, bytes: durableBytes, head: durableHead, commits: commits,
                              meanSyncMicros: commits == 0 ? 0 : Double(syncNanos) / Double(commits) / 1000,
                              failure: failure?.description)
        }
    }

    /// Where the last staged event sits, for a snapshot of the state that includes it.
    /// Call while holding the lock that orders staging (so the state and this agree);
    /// `nil` before anything was staged by this writer (nothing new to snapshot).
    public var stagedPosition: SnapshotStore.Position? {
        lock.withLock {
            guard stagedLineStart >= 0 else { return nil }
            return SnapshotStore.Position(seq: stagedSeq, lineOffset: stagedLineStart, bytes: stagedBytes,
                                          lineSHA256: stagedHead, sparseOffsets: sparseOffsets)
        }
    }

    public var isWritable: Bool { lock.withLock { failure == nil && !closing } }

    /// Waits until the durable seq passes `seq`, at most `milliseconds`; returns the
    /// durable end (seq, bytes). For followers of the journal.
    public func waitForEvents(after seq: Int, milliseconds: Int) -> (seq: Int, bytes: Int, open: Bool) {
        lock.withLock {
            if durableSeq <= seq && !flusherFinished { lock.wait(milliseconds: milliseconds) }
            return (durableSeq, durableBytes, !flusherFinished)
        }
    }

    /// A byte offset at or before the line of `seq`, and the seq of the line there.
    public func readStart(forSeq seq: Int) -> (offset: Int, seq: Int) {
        lock.withLock {
            guard seq > 1, !sparseOffsets.isEmpty else { return (0, 1) }
            let index = min((seq - 1) / JournalScan.indexStride, sparseOffsets.count - 1)
            return (sparseOffsets[index], index * JournalScan.indexStride + 1)
        }
    }
}

/// The journal can't take writes now; the daemon answers `unavailable`.
public struct JournalUnavailable: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

/// Counters for `status`.
public struct JournalStatistics: Sendable {
    public var events: Int
    public var bytes: Int
    public var head: String
    public var commits: Int
    public var meanSyncMicros: Double
    public var failure: String?
}
