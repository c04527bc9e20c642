import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `first` on the calling thread and `second` on a thread of its own at the same
/// time, and returns when both have (the second thread is joined); then rethrows the
/// first one's error, if any, else the second one's.
///
/// Put the part that allocates most first. Measured on the 10M-event snapshot: that way
/// round it decoded in 3.3–3.9 s, the other way round in 4.0–4.6 s — likely because
/// the calling thread's memory comes from the main malloc arena.
///
/// A thread of its own, not Dispatch's pool: the snapshot's decode nests two of these,
/// and `concurrentPerform` ran the inner pair one after the other on the caller while the
/// outer pair held the pool's two threads.
///
/// The two must touch disjoint state (each writes only what it was given to write). For
/// decoding a large snapshot on all cores.
func concurrently(_ first: () throws -> Void, _ second: () throws -> Void) throws {
    try withoutActuallyEscaping(second) { second in
        let job = SecondJob(second)   // held here until the thread is joined
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 8 << 20)   // decoding recurses through nested containers
        let started = pthread_create(&thread, &attributes, { raw in
            Unmanaged<SecondJob>.fromOpaque(raw!).takeUnretainedValue().run()
            return nil
        }, Unmanaged.passUnretained(job).toOpaque())
        pthread_attr_destroy(&attributes)
        if started != 0 {   // no thread to be had: run it here, after the first
            try first()
            job.run()
            if let error = job.error { throw error }
            return
        }
        var firstError: (any Error)?
        do { try first() } catch { firstError = error }
        let result = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: 1)
        defer { result.deallocate() }
        pthread_join(thread, result)
        if let error = firstError ?? job.error { throw error }
    }
}

/// The second body; `run` releases it before the thread ends, so nothing keeps the
/// caller's closure once `concurrently` has joined the thread.
private final class SecondJob: @unchecked Sendable {
    private var body: (() throws -> Void)?
    /// Written by the second thread before it ends; read after the join.
    private(set) var error: (any Error)?

    init(_ body: @escaping () throws -> Void) { self.body = body }

    func run() {
        do { try body?() } catch { self.error = error }
        body = nil
    }
}
