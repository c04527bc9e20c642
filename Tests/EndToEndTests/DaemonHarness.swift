import ControlProtocol
import Dispatch
import Foundation
import Platform
import Testing

#if canImport(Glibc)
import Glibc
#endif

// The end-to-end harness: a private directory under /tmp with its own config and
// journal, the real `inspectd` and `inspectctl` binaries started as child processes,
// and plain socket connections that speak the protocol as a user's script would.
//
// Responses and journal lines are decoded with Foundation's JSONSerialization, not
// the project's own JSON code, so a bug shared by encoder and parser can't hide.
// Every wait is a bounded poll for an event (a socket appearing, a process exiting),
// never a sleep standing in for time-driven behaviour.

/// A harness failure with a message that says what was being waited for.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Where `swift test` put the executables the test target depends on.
enum Products {
    static let directory: String = {
        let fm = FileManager.default
        func holdsBinaries(_ dir: String) -> Bool {
            fm.isExecutableFile(atPath: dir + "/inspectd") && fm.isExecutableFile(atPath: dir + "/inspectctl")
        }
        var candidates: [String] = []
        if let override = ProcessInfo.processInfo.environment["INSPECTD_E2E_BIN_DIR"] { candidates.append(override) }
        // The test runner is `<products>/<package>PackageTests.xctest`, run from the products directory.
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(runner.deletingLastPathComponent().path)
        candidates.append(Bundle.main.bundleURL.resolvingSymlinksInPath().path)
        candidates.append(Bundle.main.bundleURL.resolvingSymlinksInPath().deletingLastPathComponent().path)
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            candidates.append(executable.deletingLastPathComponent().path)
        }
        // <root>/Tests/EndToEndTests/DaemonHarness.swift → <root>/.build/debug
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug").path)
        return candidates.first(where: holdsBinaries) ?? candidates.last!
    }()

    static var inspectd: String { directory + "/inspectd" }
    static var inspectctl: String { directory + "/inspectctl" }
}

/// How a child process ended.
enum Termination: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    var description: String {
        switch self {
        case .exited(let code): return "exit \(code)"
        case .signaled(let signal): return "signal \(signal)"
        }
    }
}

/// A finished command: exit code and captured output.
struct CommandOutput: CustomStringConvertible {
    var termination: Termination
    var stdout: String
    var stderr: String

    var status: Int32? {
        if case .exited(let code) = termination { return code }
        return nil
    }

    var description: String { "\(termination)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// The repository root (for the shipped `config/calendar` and `config/equipment-rules.json`).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Options for the config file a sandbox writes.
struct SandboxConfig {
    var daemonUser = ["admin"]
    var users: [String: [String]] = [:]
    var groups: [String: [String]] = [:]
    var everyone = ["viewer"]
    var maxRequestBytes = 16 << 20
    var maxConnections = 256
    var timeZone = "Asia/Shanghai"
    /// Relative to the sandbox (the config file's directory) unless absolute.
    var socketPath = "journal/inspectd.sock"
    /// `snapshots.every` (nil: the default).
    var snapshotEvery: Int?
}

/// Polls `condition` every few milliseconds until it holds or `seconds` pass.
/// For events (a socket appears, a process exits), never as a stand-in for time.
@discardableResult
func poll(seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        usleep(5_000)
    }
}

/// Runs `body(i)` for i in 0..<count, each on its own OS thread (the cooperative pool
/// has only as many threads as cores, too few to make 16 clients really concurrent).
/// Returns false if they did not all finish within `seconds`.
func runOnThreads(_ count: Int, seconds: Double = 60, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        startThread {
            body(index)
            group.leave()
        }
    }
    return group.wait(timeout: .now() + seconds) == .success
}

/// The simulated start time most tests use: a Monday morning in Beijing, in a year
/// whose official holiday calendar and the next year's are both shipped in
/// config/calendar (otherwise `status` rightly warns about the missing year).
let defaultSimulatedClock = "2025-06-02T09:00:00+08:00"

/// One test's private world: `/tmp/ie2e.XXXXXX/{inspectd.json, journal/}`.
///
/// Kept short because a socket path must fit `sun_path` (108 bytes). Everything
/// started from here is killed and the directory removed by `cleanup()`, which every
/// test calls in a `defer`.
final class Sandbox {
    let root: String
    private var children: [Process] = []
    private var started = 0

    var configPath: String { root + "/inspectd.json" }
    var journalDirectory: String { root + "/journal" }
    var eventsPath: String { journalDirectory + "/events.jsonl" }
    var socketPath: String { journalDirectory + "/inspectd.sock" }

    init(_ config: SandboxConfig = SandboxConfig()) throws {
        var template = Array("/tmp/ie2e.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed: errno \(errno)") }
        root = String(cString: made)
        try writeConfig(config)
    }

    /// Writes `inspectd.json` with paths relative to the sandbox (as the shipped config does).
    func writeConfig(_ config: SandboxConfig) throws {
        var object: [String: Any] = [
            "journalDirectory": "journal",
            "socketPath": config.socketPath,
            "socketMode": "0660",
            "timeZone": config.timeZone,
            "roles": ["daemonUser": config.daemonUser, "users": config.users, "groups": config.groups, "everyone": config.everyone],
            "limits": ["maxRequestBytes": config.maxRequestBytes, "maxConnections": config.maxConnections],
            // The shipped data files, by absolute path (the sandbox has only config and journal).
            "calendarDirectory": packageRoot + "/config/calendar",
            "equipmentRules": packageRoot + "/config/equipment-rules.json",
        ]
        if let every = config.snapshotEvery { object["snapshots"] = ["every": every, "onShutdown": true] }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: configPath))
    }

    /// Writes `inspectd.json` exactly as given (for config errors).
    func writeRawConfig(_ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
    }

    /// A safety net for a test that throws before its `defer { cleanup() }`.
    deinit { cleanup() }

    /// Kills whatever is still running and removes the directory. Safe to call twice.
    func cleanup() {
        for child in children where child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            _ = poll(seconds: 10) { !child.isRunning }
        }
        children.removeAll()
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: Processes

    private func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["INSPECTD_SOCKET"] = nil
        env["INSPECTD_CONFIG"] = nil
        for (key, value) in extra { env[key] = value }
        return env
    }

    private func launch(_ executable: String, _ arguments: [String], name: String, environment extra: [String: String] = [:]) throws -> (Process, stdout: String, stderr: String) {
        started += 1
        let out = "\(root)/\(name)-\(started).stdout"
        let err = "\(root)/\(name)-\(started).stderr"
        for path in [out, err] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        process.environment = environment(extra)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        try process.run()
        children.append(process)
        return (process, out, err)
    }

    /// Starts `inspectd --config <sandbox>/inspectd.json [--simulated-clock TIME]` and
    /// waits (bounded) until its socket accepts a connection.
    func startDaemon(clock: String? = defaultSimulatedClock) throws -> DaemonProcess {
        let daemon = try launchDaemon(clock: clock)
        try daemon.waitUntilListening(socketPath: socketPath)
        return daemon
    }

    /// Starts `inspectd` and returns at once, without waiting for its socket.
    func launchDaemon(clock: String? = defaultSimulatedClock) throws -> DaemonProcess {
        var arguments = ["--config", configPath]
        if let clock { arguments += ["--simulated-clock", clock] }
        let (process, _, stderr) = try launch(Products.inspectd, arguments, name: "inspectd")
        return DaemonProcess(process: process, stderrPath: stderr)
    }

    /// Starts `inspectd` expecting it to refuse: waits (bounded) for it to exit, and
    /// fails at once if it starts serving instead (it would never exit by itself).
    func runDaemonExpectingExit(clock: String? = defaultSimulatedClock, extraArguments: [String] = []) throws -> CommandOutput {
        var arguments = ["--config", configPath]
        if let clock { arguments += ["--simulated-clock", clock] }
        arguments += extraArguments
        let (process, stdout, stderr) = try launch(Products.inspectd, arguments, name: "inspectd")
        var serving = false
        poll(seconds: 20) {
            if !process.isRunning { return true }
            let log = (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? ""
            serving = log.contains("listening on")
            return serving
        }
        if serving {
            kill(process.processIdentifier, SIGKILL)
            let log = (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? ""
            throw HarnessError("inspectd started serving instead of refusing to start; stderr:\n\(log)")
        }
        return try finish(process, stdout: stdout, stderr: stderr, what: "inspectd (expected to exit)")
    }

    /// Runs `inspectctl ARGS` to completion.
    func inspectctl(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandOutput {
        let (process, stdout, stderr) = try launch(Products.inspectctl, arguments, name: "inspectctl", environment: environment)
        return try finish(process, stdout: stdout, stderr: stderr, what: "inspectctl \(arguments.joined(separator: " "))")
    }

    /// Starts `inspectctl ARGS` and returns at once (for `journal follow`); finish it
    /// with `finish(_:)` once it has been made to exit.
    func launchInspectctl(_ arguments: [String]) throws -> BackgroundCommand {
        let (process, stdout, stderr) = try launch(Products.inspectctl, arguments, name: "inspectctl")
        return BackgroundCommand(process: process, stdoutPath: stdout, stderrPath: stderr)
    }

    /// Waits (bounded) for a background command to exit and collects its output.
    func finish(_ command: BackgroundCommand) throws -> CommandOutput {
        try finish(command.process, stdout: command.stdoutPath, stderr: command.stderrPath, what: "background command")
    }

    /// Runs any program (coreutils) to completion.
    func run(_ executable: String, _ arguments: [String]) throws -> CommandOutput {
        let (process, stdout, stderr) = try launch(executable, arguments, name: "cmd")
        return try finish(process, stdout: stdout, stderr: stderr, what: executable)
    }

    private func finish(_ process: Process, stdout: String, stderr: String, what: String) throws -> CommandOutput {
        guard poll(seconds: 20, { !process.isRunning }) else {
            kill(process.processIdentifier, SIGKILL)
            throw HarnessError("\(what) did not exit within 20 s")
        }
        process.waitUntilExit()
        return CommandOutput(termination: Termination(process),
                             stdout: (try? String(contentsOfFile: stdout, encoding: .utf8)) ?? "",
                             stderr: (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? "")
    }

    // MARK: Socket and files

    func connect(timeoutMillis: Int = 10_000) throws -> Connection {
        try Connection(socketPath: socketPath, timeoutMillis: timeoutMillis)
    }

    /// The journal file's bytes exactly as stored.
    func eventsBytes() throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: eventsPath)))
    }

    /// The journal's lines without their `\n`; fails if the file does not end in one.
    func journalLines(sourceLocation: SourceLocation = #_sourceLocation) throws -> [[UInt8]] {
        let bytes = try eventsBytes()
        if bytes.isEmpty { return [] }
        #expect(bytes.last == 10, "events.jsonl does not end with a newline", sourceLocation: sourceLocation)
        return bytes.split(separator: 10, omittingEmptySubsequences: false).dropLast().map(Array.init)
    }

    /// Every journal line decoded with JSONSerialization (a failure names the line).
    func journalObjects(sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        try journalLines(sourceLocation: sourceLocation).enumerated().map { index, line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw HarnessError("journal line \(index + 1) is not a JSON object: \(String(decoding: line, as: UTF8.self))")
            }
            return object
        }
    }

    /// Names of `events.jsonl.torn-*` quarantine files.
    func tornFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: journalDirectory)
            .filter { $0.hasPrefix("events.jsonl.torn-") }.sorted()
    }

    /// Starts a daemon, appends `count` annotations `note 1…N`, stops it cleanly;
    /// returns the journal lines.
    @discardableResult
    func seedAnnotations(_ count: Int, prefix: String = "note") throws -> [[UInt8]] {
        let daemon = try startDaemon()
        let connection = try connect()
        for n in 1...count {
            let result = try connection.requireOK("journal.annotate", ["text": "\(prefix) \(n)"])
            #expect(result["seq"] as? Int == n)
        }
        let termination = try daemon.terminate()
        #expect(termination == .exited(0), "inspectd stderr:\n\(daemon.stderr)")
        return try journalLines()
    }
}

extension Termination {
    init(_ process: Process) {
        switch process.terminationReason {
        case .exit: self = .exited(process.terminationStatus)
        case .uncaughtSignal: self = .signaled(process.terminationStatus)
        @unknown default: self = .exited(process.terminationStatus)
        }
    }
}

/// A client process left running (e.g. `inspectctl journal follow`).
struct BackgroundCommand {
    let process: Process
    let stdoutPath: String
    let stderrPath: String

    /// What it has printed so far.
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
}

/// A running `inspectd`.
final class DaemonProcess {
    let process: Process
    let stderrPath: String

    init(process: Process, stderrPath: String) {
        self.process = process
        self.stderrPath = stderrPath
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits at most 10 s until a connection to `socketPath` succeeds and the daemon
    /// has logged that it is listening (its own statement of readiness).
    /// A stale socket file left by a killed daemon refuses connections, so it does not count.
    func waitUntilListening(socketPath: String) throws {
        var connected = false
        let ready = poll(seconds: 10) {
            if !process.isRunning { return true }
            guard let fd = try? UnixSocket.connect(path: socketPath) else { return false }
            Sys.close(fd)
            guard stderr.contains("listening on") else { return false }
            connected = true
            return true
        }
        if connected { return }
        if !process.isRunning {
            process.waitUntilExit()
            throw HarnessError("inspectd exited (\(Termination(process))) before listening; stderr:\n\(stderr)")
        }
        _ = ready
        throw HarnessError("inspectd did not accept connections on \(socketPath) within 10 s; stderr:\n\(stderr)")
    }

    /// Waits at most `seconds` for the process to end.
    func waitForExit(seconds: Double = 15) throws -> Termination {
        guard poll(seconds: seconds, { !process.isRunning }) else {
            throw HarnessError("inspectd (pid \(pid)) still running after \(seconds) s; stderr:\n\(stderr)")
        }
        process.waitUntilExit()
        return Termination(process)
    }

    /// SIGTERM (or `signal`), then a bounded wait for the exit.
    func terminate(signal: Int32 = SIGTERM) throws -> Termination {
        kill(pid, signal)
        do {
            return try waitForExit(seconds: 10)
        } catch {
            // Known cause when this follows a start closely: StartupTests
            // aStopSignalAsSoonAsTheSocketAcceptsIsHonoured (signals are SIG_IGN until
            // the Dispatch sources are registered, so an early one is lost).
            throw HarnessError("inspectd did not exit within 10 s of signal \(signal); a stop signal lost during start-up? (see StartupTests.aStopSignalAsSoonAsTheSocketAcceptsIsHonoured)\n\(error)")
        }
    }

    /// SIGKILL (a power cut, as far as the journal can tell), then wait.
    func killHard() throws -> Termination {
        kill(pid, SIGKILL)
        return try waitForExit()
    }
}

/// A response line, decoded with JSONSerialization.
struct Reply: CustomStringConvertible {
    let line: String
    let object: [String: Any]

    init(_ bytes: [UInt8]) throws {
        line = String(decoding: bytes, as: UTF8.self)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as? [String: Any] else {
            throw HarnessError("response is not a JSON object: \(line)")
        }
        self.object = object
    }

    var ok: Bool { object["ok"] as? Bool == true }
    var result: [String: Any] { object["result"] as? [String: Any] ?? [:] }
    var code: String? { (object["error"] as? [String: Any])?["code"] as? String }
    var message: String { (object["error"] as? [String: Any])?["message"] as? String ?? "" }

    /// The echoed id as JSON text: `null`, `"abc"` or `7`.
    var idJSON: String {
        switch object["id"] {
        case let text as String: return "\"\(text)\""
        case let number as NSNumber: return number.stringValue
        default: return "null"
        }
    }

    var description: String { line }
}

/// A client connection with a receive timeout, so a daemon that never answers
/// fails the test instead of hanging it.
final class Connection {
    let fd: Int32
    private let reader: LineReader
    private var nextID = 0

    init(socketPath: String, timeoutMillis: Int = 10_000) throws {
        fd = try UnixSocket.connect(path: socketPath)
        UnixSocket.setReceiveTimeout(fd, milliseconds: timeoutMillis)
        reader = LineReader(fd: fd, maxLineBytes: 64 << 20)
    }

    deinit { Sys.close(fd) }

    /// Sends `bytes` and a newline.
    func send(_ bytes: [UInt8]) throws { try Sys.sendAll(fd, bytes + [10]) }
    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// The next line (without `\n`), or nil when the daemon closed the connection.
    /// A reset counts as closed; a timeout is an error.
    func readLine() throws -> [UInt8]? {
        do {
            switch try reader.next() {
            case .line(let line): return line
            case .endOfStream: return nil
            case .tooLarge: throw HarnessError("response line over 64 MiB")
            }
        } catch let error as SystemError where error.errno == EAGAIN || error.errno == EWOULDBLOCK {
            throw HarnessError("no line from inspectd within the receive timeout")
        } catch let error as SystemError where error.errno == ECONNRESET {
            return nil
        }
    }

    func readReply() throws -> Reply {
        guard let line = try readLine() else { throw HarnessError("inspectd closed the connection instead of answering") }
        return try Reply(line)
    }

    /// Sends one request (`id` "1", "2", … unless given) and reads its response.
    func call(_ cmd: String, _ args: [String: Any] = [:], id: String? = nil) throws -> Reply {
        nextID += 1
        let request: [String: Any] = ["id": id ?? String(nextID), "cmd": cmd, "args": args]
        try send(Array(try JSONSerialization.data(withJSONObject: request)))
        let reply = try readReply()
        if let sent = request["id"] as? String, reply.idJSON != "\"\(sent)\"" {
            throw HarnessError("response id \(reply.idJSON) does not echo request id \"\(sent)\": \(reply.line)")
        }
        return reply
    }

    /// Calls and requires `ok: true`; returns the result object.
    func requireOK(_ cmd: String, _ args: [String: Any] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let reply = try call(cmd, args)
        guard reply.ok else {
            Issue.record("\(cmd) failed: \(reply.line)", sourceLocation: sourceLocation)
            throw HarnessError("\(cmd) failed: \(reply.line)")
        }
        return reply.result
    }
}

/// `journal.head` → (events, head).
func journalHead(_ connection: Connection) throws -> (events: Int, head: String) {
    let result = try connection.requireOK("journal.head")
    return (result["events"] as? Int ?? -1, result["head"] as? String ?? "")
}

let sixtyFourZeros = String(repeating: "0", count: 64)

extension [UInt8] {
    var text: String { String(decoding: self, as: UTF8.self) }
}
