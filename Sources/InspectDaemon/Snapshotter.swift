import InspectionKit
import Journal
import Platform

/// Writes state snapshots: every `every` events (in the background) and at clean
/// shutdown. The state is captured under the service lock together with the journal
/// position it corresponds to, written only once that position is durable, and
/// encoded off the request path.
final class Snapshotter: @unchecked Sendable {
    private let service: InspectionService
    private let store: SnapshotStore
    private let every: Int
    private let lock = ConditionLock()
    // Guarded by lock:
    private var running = false
    private var lastSeq: Int
    private var lastPath: String?
    private var lastError: String?
    private var lastMillis: Double = 0
    /// The journal prefix checked and hashed so far, for the next snapshot's `journalChecksum`.
    private var checkedPrefix: CheckedPrefix

    /// A `JournalPrefixChecksum` and the position up to which the lines it covers were
    /// chain-checked (nil: none yet).
    struct CheckedPrefix {
        var checksum = JournalPrefixChecksum()
        var through: SnapshotStore.Position?
    }

    /// `checkedPrefix`: what start-up checked and hashed of the journal (empty: nothing).
    init(service: InspectionService, store: SnapshotStore, every: Int, startSeq: Int, checkedPrefix: CheckedPrefix = .init()) {
        self.service = service
        self.store = store
        self.every = every
        lastSeq = startSeq
        self.checkedPrefix = checkedPrefix
    }

    /// Called after appends: starts a background snapshot when `every` events passed.
    func maybeSnapshot(currentSeq: Int) {
        guard every > 0 else { return }
        let start: Bool = lock.withLock {
            guard !running, currentSeq - lastSeq >= every else { return false }
            running = true
            return true
        }
        guard start else { return }
        startThread { [self] in
            _ = write()
            lock.withLock { running = false }
        }
    }

    /// One write at a time: two would share the temp file (`SnapshotStore.write`).
    private let writing = ConditionLock()
    /// The seq and path of the last snapshot this process wrote (guarded by `writing`).
    private var written: (seq: Int, path: String)?

    /// Writes one snapshot now (at shutdown, after the writer drained). A shutdown during a
    /// periodic snapshot waits for it, then writes only if the state has moved on since.
    @discardableResult
    func write() -> String? {
        writing.withLock {
            guard let (state, position) = service.captureForSnapshot() else { return nil }
            if let written, written.seq == position.seq { return written.path }
            let path = write(state, at: position)
            if let path { written = (position.seq, path) }
            return path
        }
    }

    private func write(_ state: InspectionState, at position: SnapshotStore.Position) -> String? {
        let started = Sys.monotonicNanos()
        do {
            try service.writer.waitUntilDurable(position.seq)
            // Only lines whose chain holds go into the checksum, so the lines since the last
            // check (start-up's, replay's or the last snapshot's) are checked now, off the
            // request path: usually those appended since. Damaged ones — changed on disk
            // while the daemon ran — are refused here rather than recorded as good for the
            // next start to trust.
            let checked = lock.withLock { checkedPrefix }
            var checksum: JournalPrefixChecksum? = checked.checksum
            if let damage = try JournalReader.verifyPrefix(path: store.journal, from: checked.through, through: position, absorbingInto: &checksum) {
                throw SnapshotRefused(reason: "the journal is damaged: \(damage); the next start will refuse it until it is repaired (see `inspectctl journal verify`)")
            }
            // Finished from the bytes the check read, not from the file read again.
            let prefix = checksum!
            let journalChecksum = prefix.finished()
            lock.withLock {
                if position.seq > checkedPrefix.through?.seq ?? 0 { checkedPrefix = CheckedPrefix(checksum: prefix, through: position) }
            }
            let (path, payloadBytes) = try store.write(position: position, journalChecksum: journalChecksum,
                                                       createdAt: service.zone.format(service.clock.now())) { file in
                try BinaryEncoder().encode(state, to: file)
            }
            let millis = Double(Sys.monotonicNanos() - started) / 1e6
            lock.withLock {
                lastSeq = position.seq
                lastPath = path
                lastError = nil
                lastMillis = millis
            }
            let firstChecked = (checked.through?.seq ?? 0) + 1
            let newlyChecked = firstChecked <= position.seq ? "journal lines \(firstChecked)…\(position.seq) chain-checked" : "no journal lines to check"
            service.log.info("snapshot at seq \(position.seq) written to \(path) (\(payloadBytes) bytes, \(Int(millis)) ms; \(newlyChecked))")
            return path
        } catch {
            lock.withLock { lastError = "\(error)" }
            service.log.error("snapshot at seq \(position.seq) failed: \(error)")
            return nil
        }
    }

    var status: JSONValue {
        lock.withLock {
            ["every": .int(every), "lastSeq": .int(lastSeq), "lastPath": lastPath.map { .string($0) } ?? .null,
             "lastMillis": .int(Int(lastMillis)), "lastError": lastError.map { .string($0) } ?? .null]
        }
    }

    /// Start-up: the newest snapshot that passes every check, decoded; rejected ones are
    /// reported so the operator sees them. With it comes the check of the journal lines it
    /// lets replay skip (`PrefixCheck`), which runs on another thread while the state is
    /// decoded: start-up costs the longer of the two, not their sum.
    static func loadNewest(store: SnapshotStore, log: Log)
        -> (state: InspectionState, position: SnapshotStore.Position, prefixCheck: Result<PrefixCheck.Verdict, SystemError>)?
    {
        for candidate in store.candidates() {
            switch store.load(candidate.path, journal: store.journal) {
            case .failure(let rejected):
                log.warning(rejected.description + "; trying an older one or replaying the journal")
            case .success(let loaded):
                let check = PrefixCheck(journal: store.journal, position: loaded.position, journalChecksum: loaded.journalChecksum)
                do {
                    let started = Sys.monotonicNanos()
                    // `payload` points into the mapped file: keep the mapping alive until decoded.
                    let state = try withExtendedLifetime(loaded.file) { try BinaryDecoder().decode(InspectionState.self, from: loaded.payload) }
                    guard state.lastSeq == loaded.position.seq else {
                        log.warning("snapshot \(loaded.path) ignored: its state is at seq \(state.lastSeq), its header says \(loaded.position.seq)")
                        _ = check.result()
                        continue
                    }
                    log.info("loaded snapshot \(loaded.path) at seq \(loaded.position.seq) in \(Int(Double(Sys.monotonicNanos() - started) / 1e6)) ms")
                    return (state, loaded.position, check.result())
                } catch {
                    log.warning("snapshot \(loaded.path) ignored: cannot decode its state (\(error))")
                    _ = check.result()
                }
            }
        }
        return nil
    }

    /// The check of the journal lines a snapshot lets replay skip, on its own thread;
    /// `result()` waits for it. The prefix's bytes are compared by the snapshot's
    /// `journalChecksum`, and only a mismatch runs the hash chain check
    /// (`JournalReader.verifyPrefix`), which names the damaged line.
    final class PrefixCheck: @unchecked Sendable {
        struct Verdict {
            /// The first damage in lines 1…N (nil: none).
            var damage: JournalDamage?
            /// How the lines were checked, for the log.
            var method: String
            /// The checksum of the checked prefix, carried on to the next snapshot.
            var journalPrefix = JournalPrefixChecksum()
        }

        private let lock = ConditionLock()
        private var outcome: Result<Verdict, SystemError>?   // guarded by lock

        init(journal: String, position: SnapshotStore.Position, journalChecksum: String) {
            startThread { [self] in
                let result: Result<Verdict, SystemError>
                do throws(SystemError) {
                    result = .success(try Self.check(journal: journal, position: position, journalChecksum: journalChecksum))
                } catch { result = .failure(error) }
                lock.withLock {
                    outcome = result
                    lock.broadcast()
                }
            }
        }

        func result() -> Result<Verdict, SystemError> {
            lock.withLock {
                while outcome == nil { lock.wait() }
                return outcome!
            }
        }

        static func check(journal: String, position: SnapshotStore.Position, journalChecksum: String) throws(SystemError) -> Verdict {
            var prefix = JournalPrefixChecksum()
            if try prefix.checksum(journal: journal, count: position.bytes) == journalChecksum {
                return Verdict(damage: nil, method: "the checksum of lines 1…\(position.seq) (\(position.bytes) bytes)", journalPrefix: prefix)
            }
            // Changed since the snapshot: the chain check finds where. Should it find nothing
            // (only a wrong checksum in the snapshot could do that), the chain is what counts.
            var checked: JournalPrefixChecksum? = JournalPrefixChecksum()
            let damage = try JournalReader.verifyPrefix(path: journal, from: nil, through: position, absorbingInto: &checked)
            return Verdict(damage: damage, method: "the hash chain of lines 1…\(position.seq) (their checksum differs from the snapshot's)",
                           journalPrefix: damage == nil ? checked! : JournalPrefixChecksum())
        }
    }

}

/// Why a snapshot was not written.
struct SnapshotRefused: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
