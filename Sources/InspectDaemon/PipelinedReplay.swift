import InspectionKit
import Journal
import Platform

/// Start-up replay on two cores, one thread each: this thread splits and parses lines
/// and checks the hash chain (`JournalReader.scan`) into `Event`s, while a second thread
/// applies them in order; reading and hashing the scan's next chunk (`ChunkReader`, given
/// `readingAhead`) falls to whichever of the two is free (see below). Semantics are the sequential ones:
/// events are applied strictly in journal order, and the first event `apply` refuses
/// stops everything and is reported as damage at its line.
///
/// Read-ahead on the applier thread, not Dispatch's pool: a third busy thread on two
/// cores left each of the three waiting on the others (10M-event replay: 1.78 cores
/// busy of 2). Three alternating pairs: 15.0/17.2/16.9 → 13.7/14.5/16.2 s.
///
/// Each read-ahead job goes to whichever thread is free first: the applier takes one
/// only when it has no batch waiting, and this thread runs it itself when the batch queue
/// is full or when it needs the chunk (`ChunkReader.wait`). The applier had run them all
/// and was the busier thread (54 % of replay's samples against 46 %; SHA-256 alone 11 %).
///
/// Each line is decoded here straight into its slot of a batch (`Batch`); the applier
/// applies the slots' events in place (`apply(inPlace:)`, which moves the values the
/// state keeps out of them), warming each event's lookups a few events ahead
/// (`apply(_:to:)`), and hands the batch back; this thread frees what is left of the
/// spent events as it decodes the next lines over them. Freed here, their strings go back
/// to this thread's own malloc cache, where its next strings come from; freed by the
/// applier, they reached this thread through glibc's shared free lists, each one a cache
/// miss in `_int_malloc` (15 % of this thread). (Entity updates leave no cold strings
/// to free: their texts are bytes in the record, `CompactEntity`.)
enum PipelinedReplay {
    /// Batches of this many records move between the threads. Small on purpose: with
    /// 2,048 × 8 in flight (~25 MB of parsed events) a batch had left both cores' caches
    /// by the time it was applied and then freed; at 256 × 4 (~1.5 MB) it is still in
    /// cache. 10M-event replay: 67 → 47–49 CPU-seconds, 35.9 → 27.4–28.6 s.
    static let batchSize = 256
    /// At most this many batches wait.
    static let queueDepth = 4

    /// `batchSize` records, decoded into in place and reused batch after batch; the first
    /// `count` hold this batch's lines. Owned by one thread at a time (handed over under
    /// `Channel.lock`). Decoding into the slot saves copying each 288-byte event from the
    /// decoder to a record, to an event and into an array (memmove was 13 % of replay's
    /// samples, a third of it these copies).
    final class Batch: @unchecked Sendable {
        let records: UnsafeMutableBufferPointer<JournalRecord>
        var count = 0

        init() {
            records = .allocate(capacity: PipelinedReplay.batchSize)
            records.initialize(repeating: .blank)
        }

        deinit {
            _ = records.deinitialize()
            records.deallocate()
        }

        var isFull: Bool { count == records.count }
        /// The slot the next line decodes into.
        var nextSlot: UnsafeMutablePointer<JournalRecord> { records.baseAddress! + count }
        var filled: UnsafeMutableBufferPointer<JournalRecord> { UnsafeMutableBufferPointer(rebasing: records[..<count]) }
    }

    final class Channel: @unchecked Sendable {
        let lock = ConditionLock()
        // Guarded by lock:
        var batches: [Batch] = []
        /// The scan's read-ahead jobs (read, split and hash the next chunk), run by the
        /// applier thread before its next batch.
        var readAheadJobs: [@Sendable () -> Void] = []
        /// Applied batches, returned for this thread to decode into again (freeing what is
        /// left of their events).
        var spent: [Batch] = []
        var finished = false
        var failure: JournalDamage?
        var applierDone = false
    }

    /// Replays `path` (from `resume`, if given) into `state`, continuing `prefixChecksum`
    /// over what it checks (`JournalScan.prefixChecksum`).
    static func run(path: String, resume: SnapshotStore.Position?, prefixChecksum: JournalPrefixChecksum? = nil,
                    state: inout InspectionState) throws -> JournalScan {
        let channel = Channel()
        let box = StateBox(InspectionState())
        swap(&box.state, &state)   // moved in: if the caller kept sharing it, the first apply would copy every array
        startThread {
            var failed = false
            while true {
                var batch: Batch?
                var readAhead: (@Sendable () -> Void)?
                let received: Bool = channel.lock.withLock {
                    while channel.readAheadJobs.isEmpty && channel.batches.isEmpty && !channel.finished { channel.lock.wait() }
                    if !channel.batches.isEmpty {
                        batch = channel.batches.removeFirst()
                        channel.lock.broadcast()
                        return true
                    }
                    if !channel.readAheadJobs.isEmpty {
                        readAhead = channel.readAheadJobs.removeFirst()   // nothing to apply: read ahead meanwhile
                        return true
                    }
                    return false
                }
                guard received else { break }
                if let readAhead {
                    readAhead()   // the reader may wait for it; after a refused event too
                    continue
                }
                guard let batch else { continue }
                if !failed, let refused = apply(batch.filled, to: &box.state) {
                    failed = true
                    channel.lock.withLock {
                        channel.failure = JournalDamage(line: refused.seq, offset: 0, expectedSeq: refused.seq, claimedSeq: refused.seq,
                                                        kind: .apply, message: refused.error.message, isLastLine: false)
                        channel.lock.broadcast()
                    }
                }
                channel.lock.withLock {
                    channel.spent.append(batch)   // what is left of its events is freed by the reader as it decodes over them
                }
            }
            channel.lock.withLock {
                channel.applierDone = true
                channel.lock.broadcast()
            }
        }
        let readAhead: ChunkReader.Runner = { job in
            channel.lock.withLock {
                channel.readAheadJobs.append(job)
                channel.lock.broadcast()
            }
        }
        var batch = Batch()
        /// Queues `batch` and replaces it with a spent one (or a new one).
        func hand() -> Bool {
            let (accepted, spent): (Bool, Batch?) = channel.lock.withLock {
                while channel.batches.count >= queueDepth && channel.failure == nil {
                    if !channel.readAheadJobs.isEmpty {   // the applier is busy: read ahead here meanwhile
                        let job = channel.readAheadJobs.removeFirst()
                        channel.lock.unlock()
                        job()
                        channel.lock.lock()
                        continue
                    }
                    channel.lock.wait()
                }
                guard channel.failure == nil else { return (false, nil) }
                channel.batches.append(batch)
                channel.lock.broadcast()
                return (true, channel.spent.popLast())
            }
            batch = spent ?? Batch()
            batch.count = 0
            return accepted
        }
        let scan: JournalScan
        do {
            scan = try JournalReader.scan(path: path, resumingAt: resume, prefixChecksum: prefixChecksum, visit: { (record, _) throws(JournalDamage) in
                if !record.event.isLookupPrepared { record.event.prepareLookup() }   // here, where the key's bytes are in cache (see `Event.lookupHint`); typed payloads come with it
                batch.count += 1
                return batch.isFull ? hand() : true
            }, readingAhead: readAhead, nextRecord: { batch.nextSlot })
            if batch.count > 0 { _ = hand() }
        } catch {
            channel.lock.withLock {
                channel.finished = true
                channel.lock.broadcast()
                while !channel.applierDone { channel.lock.wait() }
            }
            throw error
        }
        let failure: JournalDamage? = channel.lock.withLock {
            channel.finished = true
            channel.lock.broadcast()
            while !channel.applierDone { channel.lock.wait() }
            return channel.failure
        }
        swap(&state, &box.state)   // moved, not shared: a lingering copy would make the first write copy every array
        if let failure {
            throw JournalRecovery.Failure.damaged(failure, path: path)
        }
        return scan
    }

    /// Applies the events of `records` in order to `state`, each event's lookups warmed a few events
    /// ahead (`InspectionState.prefetch`); the first event `apply` refuses, if any.
    /// Events are passed in place (`inout`): read from the buffer as arguments, each was
    /// copied first — a retain and a release of every payload string, on cache lines the
    /// reader thread owns.
    static func apply(_ records: UnsafeMutableBufferPointer<JournalRecord>, to state: inout InspectionState)
        -> (seq: Int, error: CommandError)? {
        let far = InspectionState.prefetchDistance, near = far / 2
        for i in records.indices.prefix(far) { state.prefetch(&records[i].event, stage: .slot) }
        for i in records.indices.prefix(near) { state.prefetch(&records[i].event, stage: .record) }
        for i in records.indices {
            if i + far < records.count { state.prefetch(&records[i + far].event, stage: .slot) }
            if i + near < records.count { state.prefetch(&records[i + near].event, stage: .record) }
            do throws(CommandError) {
                try state.apply(inPlace: &records[i].event)
            } catch {
                return (records[i].seq, error)
            }
        }
        return nil
    }

    /// The state, owned by the applier thread until it is done (then read back).
    final class StateBox: @unchecked Sendable {
        var state: InspectionState
        init(_ state: InspectionState) { self.state = state }
    }
}
