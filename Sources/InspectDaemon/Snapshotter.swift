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

    init(service: InspectionService, store: SnapshotStore, every: Int, startSeq: Int) {
        self.service = service
        self.store = store
        self.every = every
        lastSeq = startSeq
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

    /// Writes one snapshot now (at shutdown, after the writer drained).
    @discardableResult
    func write() -> String? {
        guard let (state, position) = service.captureForSnapshot() else { return nil }
        let started = Sys.monotonicNanos()
        do {
            try service.writer.waitUntilDurable(position.seq)
            let (path, payloadBytes) = try store.write(position: position, createdAt: service.zone.format(service.clock.now())) { file in
                try BinaryEncoder().encode(state, to: file)
            }
            let millis = Double(Sys.monotonicNanos() - started) / 1e6
            lock.withLock {
                lastSeq = position.seq
                lastPath = path
                lastError = nil
                lastMillis = millis
            }
            service.log.info("snapshot at seq \(position.seq) written to \(path) (\(payloadBytes) bytes, \(Int(millis)) ms)")
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
    /// lets replay skip (`JournalReader.verifyPrefix`), which runs on a second thread while
    /// this one decodes the state: start-up costs the longer of the two, not their sum.
    static func loadNewest(store: SnapshotStore, journal: String, log: Log)
        -> (state: InspectionState, position: SnapshotStore.Position, prefixCheck: Result<JournalDamage?, SystemError>)?
    {
        for candidate in store.candidates() {
            switch store.load(candidate.path, journal: journal) {
            case .failure(let rejected):
                log.warning(rejected.description + "; trying an older one or replaying the journal")
            case .success(let loaded):
                let check = PrefixCheck(journal: journal, position: loaded.position)
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

    /// `verifyPrefix` on its own thread; `result()` waits for it.
    final class PrefixCheck: @unchecked Sendable {
        private let lock = ConditionLock()
        private var outcome: Result<JournalDamage?, SystemError>?   // guarded by lock

        init(journal: String, position: SnapshotStore.Position) {
            startThread { [self] in
                let result: Result<JournalDamage?, SystemError>
                do throws(SystemError) { result = .success(try JournalReader.verifyPrefix(path: journal, through: position)) } catch { result = .failure(error) }
                lock.withLock {
                    outcome = result
                    lock.broadcast()
                }
            }
        }

        func result() -> Result<JournalDamage?, SystemError> {
            lock.withLock {
                while outcome == nil { lock.wait() }
                return outcome!
            }
        }
    }

}
