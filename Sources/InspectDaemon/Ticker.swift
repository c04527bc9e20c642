import InspectionKit
import Platform

/// Runs time-driven work (reminders) once a second on the real clock. With a
/// simulated clock it does nothing: `clock.set`/`clock.advance` drive time instead.
final class Ticker: @unchecked Sendable {
    private let service: InspectionService
    private let lock = ConditionLock()
    private var stopped = false  // guarded by lock

    init(service: InspectionService) { self.service = service }

    func start() {
        guard !service.clock.isSimulated else { return }
        startThread { [self] in
            while true {
                let done: Bool = lock.withLock {
                    if !stopped { lock.wait(milliseconds: 1000) }
                    return stopped
                }
                if done { return }
                service.runTimeDriven(upTo: service.clock.now())
            }
        }
    }

    func stop() {
        lock.withLock {
            stopped = true
            lock.broadcast()
        }
    }
}
