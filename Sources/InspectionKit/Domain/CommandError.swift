/// The protocol's error codes (SPEC §5), shared by daemon responses and CLI exit codes.
public enum ErrorCode: String, Sendable, CaseIterable {
    /// Unparseable request, unknown command, missing or invalid argument.
    case badRequest = "bad_request"
    case notFound = "not_found"
    /// The state forbids it (drawing a task twice, resuming a unit that isn't suspended…).
    case conflict
    /// The caller's role does not allow the command.
    case forbidden
    case tooLarge = "too_large"
    /// The journal is not writable (a failed fsync, or shutting down).
    case unavailable
    case `internal`
}

/// A refused command: a code plus a message that names the offending input and,
/// where it helps, says what to do next.
public struct CommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func badRequest(_ message: String) -> CommandError { .init(.badRequest, message) }
    public static func notFound(_ message: String) -> CommandError { .init(.notFound, message) }
    public static func conflict(_ message: String) -> CommandError { .init(.conflict, message) }
    public static func forbidden(_ message: String) -> CommandError { .init(.forbidden, message) }
    public static func tooLarge(_ message: String) -> CommandError { .init(.tooLarge, message) }

    public var description: String { "\(code.rawValue): \(message)" }
}
