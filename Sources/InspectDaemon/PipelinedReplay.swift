import InspectionKit
import Journal
import Platform

/// Start-up replay on two cores: this thread reads, splits, checks the hash chain and
/// parses lines (`JournalReader.scan`) into `Event`s while a second thread applies them
/// in order. Semantics are the sequential ones: events are applied strictly in journal
/// order, and the first event `apply` refuses stops everything and is reported as
/// damage at its line.
///
/// Everything but `apply` stays on this thread: events are built here, and the applier
/// hands each finished batch back so that freeing its events (and reusing its buffer)
/// happens here too (freeing them on the applier measured slower). On the 10M-event
/// benchmark journal the two threads are about level, ~2 µs of CPU per event each.
enum PipelinedReplay {
    /// Batches of this many records move between the threads. Small on purpose: with
    /// 2,048 × 8 in flight (~25 MB of parsed events) a batch had left both cores' caches
    /// by the time it was applied and then freed; at 256 × 4 (~1.5 MB) it is still in
    /// cache. 10M-event replay: 67 → 47–49 CPU-seconds, 35.9 → 27.4–28.6 s.
    static let batchSize = 256
    /// At most this many batches wait.
    static let queueDepth = 4

    final class Channel: @unchecked Sendable {
        let lock = ConditionLock()
        // Guarded by lock:
        var batches: [[Event]] = []
        /// Applied batches, returned for this thread to empty and reuse.
        var spent: [[Event]] = []
        var finished = false
        var failure: JournalDamage?
        var applierDone = false
    }

    /// Replays `path` (from `resume`, if given) into `state`.
    static func run(path: String, resume: SnapshotStore.Position?, state: inout InspectionState) throws -> JournalScan {
        let channel = Channel()
        let box = StateBox(InspectionState())
        swap(&box.state, &state)   // moved in: if the caller kept sharing it, the first apply would copy every array
        startThread {
            while true {
                var batch: [Event] = []
                let received: Bool = channel.lock.withLock {
                    while channel.batches.isEmpty && !channel.finished { channel.lock.wait() }
                    if channel.batches.isEmpty { return false }
                    batch = channel.batches.removeFirst()
                    channel.lock.broadcast()
                    return true
                }
                guard received else { break }
                var failed = false
                // Events are borrowed from the buffer, not copied (a copy retains and releases
                // every string of the payload, on cache lines the reader thread owns).
                batch.withUnsafeBufferPointer { events in
                    for i in events.indices {
                        do throws(CommandError) {
                            try box.state.apply(events[i])
                        } catch {
                            let seq = events[i].seq
                            channel.lock.withLock {
                                channel.failure = JournalDamage(line: seq, offset: 0, expectedSeq: seq, claimedSeq: seq,
                                                                kind: .apply, message: error.message, isLastLine: false)
                                channel.lock.broadcast()
                            }
                            failed = true
                            break
                        }
                    }
                }
                // Hand the batch back with this thread's reference already dropped, so the
                // reader's `removeAll` frees the events there, not here.
                channel.lock.withLock {
                    channel.spent.append(batch)
                    batch = []
                }
                if failed { break }
            }
            channel.lock.withLock {
                channel.applierDone = true
                channel.lock.broadcast()
            }
        }
        var batch: [Event] = []
        batch.reserveCapacity(batchSize)
        /// Queues `batch` and replaces it with an emptied spent one (or a new buffer).
        func hand() -> Bool {
            let (accepted, spent): (Bool, [Event]?) = channel.lock.withLock {
                while channel.batches.count >= queueDepth && channel.failure == nil { channel.lock.wait() }
                guard channel.failure == nil else { return (false, nil) }
                channel.batches.append(batch)
                channel.lock.broadcast()
                return (true, channel.spent.popLast())
            }
            if var spent {
                spent.removeAll(keepingCapacity: true)   // the events are freed here, not on the applier
                batch = spent
            } else {
                batch = []
                batch.reserveCapacity(batchSize)
            }
            return accepted
        }
        let scan: JournalScan
        do {
            scan = try JournalReader.scan(path: path, resumingAt: resume) { (record, _) throws(JournalDamage) in
                batch.append(record.event())
                if batch.count >= batchSize { return hand() }
                return true
            }
            if !batch.isEmpty { _ = hand() }
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

    /// The state, owned by the applier thread until it is done (then read back).
    final class StateBox: @unchecked Sendable {
        var state: InspectionState
        init(_ state: InspectionState) { self.state = state }
    }
}
