import InspectionKit
import Platform

/// Log lines to stderr: `<time> <LEVEL> <message>`, in the bureau's zone.
public struct Log: Sendable {
    public enum Level: String, Sendable { case debug = "DEBUG", info = "INFO", warning = "WARN", error = "ERROR" }

    let zone: BureauZone

    public init(zone: BureauZone) { self.zone = zone }

    public func callAsFunction(_ level: Level, _ message: String) {
        let time = zone.format(Timestamp(millis: Sys.wallClockMillis()))
        Sys.writeStandardError("\(time) \(level.rawValue) \(message)")
    }

    public func info(_ message: String) { self(.info, message) }
    public func warning(_ message: String) { self(.warning, message) }
    public func error(_ message: String) { self(.error, message) }
}
