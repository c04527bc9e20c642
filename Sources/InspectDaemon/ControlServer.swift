import ControlProtocol
import InspectionKit
import Journal
import Platform

#if canImport(Glibc)
import Glibc
#endif

/// The Unix-socket front door: one thread per connection, requests answered in
/// order, every failure mapped onto a protocol error (SPEC §5). Nothing a client
/// sends can crash the daemon: bad lines get `bad_request`, oversized lines get
/// `too_large` and the connection is closed.
public final class ControlServer: @unchecked Sendable {
    let service: InspectionService
    let socketPath: String
    let commands: DaemonCommands
    private let listener: Int32
    private let daemonUID = Sys.userID

    // Guarded by `lock`:
    private let lock = ConditionLock()
    private var connections: [Int: Int32] = [:]
    private var nextConnectionID = 0
    private var inFlight = 0
    private var stopping = false

    public init(service: InspectionService, socketPath: String, mode: UInt32) throws(SystemError) {
        self.service = service
        self.socketPath = socketPath
        self.commands = DaemonCommands(service: service)
        listener = try UnixSocket.listen(path: socketPath, mode: mode_t(mode))
    }

    public var connectionCount: Int { lock.withLock { connections.count } }
    var isStopping: Bool { lock.withLock { stopping } }

    /// Accepts connections on a background thread until `stop()`.
    public func start() {
        startThread { [self] in acceptLoop() }
    }

    private func acceptLoop() {
        while true {
            let fd: Int32?
            do {
                fd = try UnixSocket.accept(listener)
            } catch {
                if isStopping { return }
                service.log.error("accept failed: \(error)")
                continue
            }
            guard let fd else { return }
            let admitted: Int? = lock.withLock {
                if stopping { return nil }
                if connections.count >= service.config.limits.maxConnections { return -1 }
                nextConnectionID += 1
                connections[nextConnectionID] = fd
                return nextConnectionID
            }
            guard let id = admitted, id >= 0 else {
                let reason = admitted == nil ? "inspectd is shutting down" : "too many connections (limits.maxConnections); try again shortly"
                try? Sys.sendAll(fd, Response.error(.null, CommandError(.unavailable, reason)).encoded() + [10])
                Sys.close(fd)
                continue
            }
            startThread { [self] in
                serve(fd)
                lock.withLock {
                    // Closed under the lock so `stop()` never shuts down a reused fd number.
                    connections[id] = nil
                    Sys.close(fd)
                    lock.broadcast()
                }
            }
        }
    }

    /// Serves one connection: read a line, answer it, repeat.
    private func serve(_ fd: Int32) {
        let actor: Actor
        do {
            let credentials = try UnixSocket.peerCredentials(fd)
            actor = identify(credentials)
        } catch {
            service.log.warning("peer credentials unavailable: \(error); closing connection")
            return
        }
        let reader = LineReader(fd: fd, maxLineBytes: service.config.limits.maxRequestBytes)
        // Requests are answered in order. Lines a client pipelines are all staged before
        // the first is waited for, so they share one group commit; a client that sends
        // one request at a time simply gets its answer after its fsync. Consecutive
        // domain commands are queued and begun together, under one hold of the state lock.
        // (Ids apart from the commands: the list is handed to `begin` as it is.)
        var queued: [(command: DomainCommand, args: JSONObject)] = []
        var queuedIDs: [JSONValue] = []
        var batch: [(id: JSONValue, pending: InspectionService.Pending)] = []
        var out: [UInt8] = []
        func beginQueued() {
            guard !queued.isEmpty else { return }
            let pending = service.begin(queued, actor: actor)
            for (id, started) in zip(queuedIDs, pending) { batch.append((id, started)) }
            queued.removeAll(keepingCapacity: true)
            queuedIDs.removeAll(keepingCapacity: true)
        }
        func flush() -> Bool {
            beginQueued()
            for entry in batch {
                Response(id: entry.id, outcome: service.finish(entry.pending)).encode(into: &out)
                out.append(10)
            }
            let count = batch.count
            batch.removeAll(keepingCapacity: true)
            defer {
                lock.withLock {
                    inFlight -= count
                    lock.broadcast()
                }
            }
            guard !out.isEmpty else { return true }
            defer { out.removeAll(keepingCapacity: true) }
            do { try Sys.sendAll(fd, out) } catch { return false }
            return true
        }
        while true {
            let next: LineReader.Next?
            do {
                next = batch.isEmpty && queued.isEmpty ? try reader.next() : try reader.nextIfReady()
            } catch {
                _ = flush()
                return
            }
            guard let next else {
                // Nothing more is waiting: answer what was gathered.
                guard flush() else { return }
                continue
            }
            switch next {
            case .endOfStream:
                _ = flush()
                return
            case .tooLarge:
                guard flush() else { return }
                let limit = service.config.limits.maxRequestBytes
                let response = Response.error(.null, CommandError(.tooLarge, "request line exceeds \(limit) bytes (limits.maxRequestBytes); closing the connection"))
                try? Sys.sendAll(fd, response.encoded() + [10])
                return
            case .line(let line):
                if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }   // blank lines are keep-alives
                let began: Bool = lock.withLock {
                    if stopping { return false }
                    inFlight += 1
                    return true
                }
                guard began else {
                    _ = flush()
                    return
                }
                switch handle(line, actor: actor) {
                case .domain(let id, let command, let args):
                    queued.append((command, args))
                    queuedIDs.append(id)
                    if queued.count >= InspectionService.maxBatch { beginQueued() }
                    if batch.count >= 4096, !flush() { return }
                case .respond(let id, let pending):
                    beginQueued()
                    batch.append((id, pending))
                    if batch.count >= 4096, !flush() { return }
                case .afterEarlier(let request):
                    // Daemon-level commands (status, journal.head, imports…) read the
                    // journal itself: answer the requests before them first.
                    guard flush() else { return }
                    let result = commands.execute(request, actor: actor, socketPath: socketPath, connections: connectionCount)
                    batch.append((request.id, .ready(result)))
                case .follow(let response, let from):
                    lock.withLock {
                        inFlight -= 1
                        lock.broadcast()
                    }
                    guard flush() else { return }
                    do { try Sys.sendAll(fd, response.encoded() + [10]) } catch { return }
                    follow(fd, from: from)
                    return
                }
            }
        }
    }

    enum Action {
        /// A domain command, begun with the ones queued next to it.
        case domain(JSONValue, DomainCommand, JSONObject)
        case respond(JSONValue, InspectionService.Pending)
        /// Runs once every earlier request on the connection is answered.
        case afterEarlier(Request)
        case follow(Response, from: Int)
    }

    private func handle(_ line: [UInt8], actor: Actor) -> Action {
        let request: Request
        do {
            request = try line.withBytes { (buffer) throws(Request.Rejection) in try Request.parse(buffer) }
        } catch {
            return .respond(error.id, .ready(.failure(error.error)))
        }
        if request.cmd == "journal.follow" {
            switch commands.prepareFollow(request.args, actor: actor) {
            case .failure(let error): return .respond(request.id, .ready(.failure(error)))
            case .success(let from):
                return .follow(.ok(request.id, ["following": true, "from": .int(from)]), from: from)
            }
        }
        if let command = commands.domainCommand(request) {
            return .domain(request.id, command, request.args)
        }
        return .afterEarlier(request)
    }

    private func identify(_ credentials: PeerCredentials) -> Actor {
        let name = Sys.userName(credentials.uid)
        let groups = Sys.groupIDs(uid: credentials.uid, primary: credentials.gid)
        let roles = service.config.roles.roles(uid: credentials.uid, userName: name, groupIDs: groups, daemonUID: daemonUID)
        return Actor(uid: credentials.uid, name: name ?? String(credentials.uid), roles: roles)
    }

    // MARK: - journal.follow

    /// Streams raw journal lines with seq ≥ `from`: first what is on disk, then each
    /// new durable batch. Reads only up to the durable end, so a line is never sent
    /// twice or half-written, and the switch from catch-up to live cannot skip one.
    private func follow(_ fd: Int32, from: Int) {
        let file: Int32
        do {
            file = try Sys.open(service.paths.events, O_RDONLY)
        } catch {
            service.log.error("journal.follow: \(error)")
            return
        }
        defer { Sys.close(file) }
        var (offset, seqAtOffset) = service.writer.readStart(forSeq: from)
        var nextSeq = seqAtOffset
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var sent = nextSeq - 1
        while true {
            let (durableSeq, durableBytes, open) = service.writer.waitForEvents(after: sent, milliseconds: 500)
            if isStopping || !open { return }
            if UnixSocket.peerHasClosed(fd) { return }
            var out: [UInt8] = []
            while offset < durableBytes {
                let want = min(chunk.count, durableBytes - offset)
                let n: Int
                do {
                    n = try chunk.withMutableBytes { (raw) throws(SystemError) in
                        try Sys.pread(file, into: raw.baseAddress!, count: want, offset: offset)
                    }
                } catch {
                    service.log.error("journal.follow: \(error)")
                    return
                }
                if n == 0 { break }
                offset += n
                var lineStart = 0
                for i in 0..<n where chunk[i] == 10 {
                    if pending.isEmpty {
                        if nextSeq >= from { out.append(contentsOf: chunk[lineStart...i]) }
                    } else {
                        pending.append(contentsOf: chunk[lineStart...i])
                        if nextSeq >= from { out.append(contentsOf: pending) }
                        pending.removeAll(keepingCapacity: true)
                    }
                    nextSeq += 1
                    lineStart = i + 1
                }
                if lineStart < n { pending.append(contentsOf: chunk[lineStart..<n]) }
                if out.count >= 1 << 20 {
                    do { try Sys.sendAll(fd, out) } catch { return }
                    out.removeAll(keepingCapacity: true)
                }
            }
            if !out.isEmpty {
                do { try Sys.sendAll(fd, out) } catch { return }
            }
            sent = max(sent, min(durableSeq, nextSeq - 1))
        }
    }

    // MARK: - Shutdown

    /// Stops accepting, lets in-flight requests finish (at most `graceSeconds`),
    /// wakes idle connections, and removes the socket file.
    public func stop(graceSeconds: Int = 10) {
        lock.withLock { stopping = true }
        UnixSocket.shutdown(listener)
        Sys.close(listener)
        Sys.unlink(socketPath)
        let deadline = Sys.monotonicNanos() + UInt64(graceSeconds) * 1_000_000_000
        lock.withLock {
            while inFlight > 0 && Sys.monotonicNanos() < deadline { lock.wait(milliseconds: 100) }
        }
        // Idle connections are blocked in recv: shutting down the read side wakes them.
        lock.withLock {
            for fd in connections.values { _ = Glibc.shutdown(fd, Int32(SHUT_RD)) }
        }
    }
}
