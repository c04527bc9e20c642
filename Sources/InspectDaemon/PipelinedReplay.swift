import InspectionKit
import Journal
import Platform

/// Start-up replay on two cores: this thread reads, splits, checks the hash chain and
/// parses lines (`JournalReader.scan`) while a second thread applies the parsed events
/// in order. The two halves cost about the same, so replay runs nearly twice as fast
/// as doing both on one thread. Semantics are the sequential ones: events are applied
/// strictly in journal order, and the first event `apply` refuses stops everything and
/// is reported as damage at its line.
enum PipelinedReplay {
    /// Batches of this many records move between the threads.
    static let batchSize = 2048
    /// At most this many batches wait (bounds memory to a few MB of parsed events).
    static let queueDepth = 8

    final class Channel: @unchecked Sendable {
        let lock = ConditionLock()
        // Guarded by lock:
        var batches: [[JournalRecord]] = []
        var finished = false
        var failure: JournalDamage?
        var applierDone = false
    }

    /// Replays `path` (from `resume`, if given) into `state`.
    static func run(path: String, resume: SnapshotStore.Position?, state: inout InspectionState) throws -> JournalScan {
        let channel = Channel()
        let box = StateBox(state)
        startThread {
            while true {
                let next: [JournalRecord]? = channel.lock.withLock {
                    while channel.batches.isEmpty && !channel.finished { channel.lock.wait() }
                    if channel.batches.isEmpty { return nil }
                    let batch = channel.batches.removeFirst()
                    channel.lock.broadcast()
                    return batch
                }
                guard let batch = next else { break }
                var failed = false
                for record in batch {
                    do throws(CommandError) {
                        try box.state.apply(record.event())
                    } catch {
                        channel.lock.withLock {
                            channel.failure = JournalDamage(line: record.seq, offset: 0, expectedSeq: record.seq, claimedSeq: record.seq,
                                                            kind: .apply, message: error.message, isLastLine: false)
                            channel.lock.broadcast()
                        }
                        failed = true
                        break
                    }
                }
                if failed { break }
            }
            channel.lock.withLock {
                channel.applierDone = true
                channel.lock.broadcast()
            }
        }
        var batch: [JournalRecord] = []
        batch.reserveCapacity(batchSize)
        func hand(_ records: [JournalRecord]) -> Bool {
            channel.lock.withLock {
                while channel.batches.count >= queueDepth && channel.failure == nil { channel.lock.wait() }
                guard channel.failure == nil else { return false }
                channel.batches.append(records)
                channel.lock.broadcast()
                return true
            }
        }
        let scan: JournalScan
        do {
            scan = try JournalReader.scan(path: path, resumingAt: resume) { (record, _) throws(JournalDamage) in
                batch.append(record)
                if batch.count >= batchSize {
                    let keepGoing = hand(batch)
                    batch.removeAll(keepingCapacity: true)
                    return keepGoing
                }
                return true
            }
            if !batch.isEmpty { _ = hand(batch) }
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
        state = box.state
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
