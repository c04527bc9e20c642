import InspectionKit
import Platform

#if canImport(Glibc)
import Glibc
#endif

/// Start-up recovery (SPEC §4): a torn last line is moved aside byte for byte and
/// truncated off; damage anywhere else stops the start. Nothing is silently dropped.
public enum JournalRecovery {
    /// What was quarantined; the daemon journals it as `journal.tail-repaired`.
    public struct TornTail: Sendable, Equatable {
        public var file: String
        public var bytes: Int
        public var line: Int
        public var offset: Int
        public var claimedSeq: Int?
        public var reason: String

        /// The payload of the `journal.tail-repaired` event.
        public var eventData: JSONObject {
            var data: JSONObject = [
                "file": .string(file), "bytes": .int(bytes), "line": .int(line), "offset": .int(offset),
            ]
            if let claimedSeq { data["claimedSeq"] = .int(claimedSeq) }
            data["reason"] = .string(reason)
            return data
        }
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Damage before the last line: an operator must look.
        case damaged(JournalDamage, path: String)
        case system(SystemError)

        public var description: String {
            switch self {
            case .damaged(let damage, let path):
                return "journal \(path) is damaged at \(damage); refusing to start. Nothing was changed. Inspect the file (inspectctl journal verify --journal DIR) and restore it from a backup or a follower's copy."
            case .system(let error): return error.description
            }
        }
    }

    /// Moves the torn tail described by `scan.damage` to `events.jsonl.torn-<stamp>`
    /// (written, fsynced, directory fsynced) and truncates the journal to the last
    /// valid line. Call only when `scan.damage?.isRepairableTornTail == true`.
    public static func quarantineTornTail(paths: JournalPaths, scan: JournalScan, utcStamp: String) throws(SystemError) -> TornTail {
        guard let damage = scan.damage, damage.isRepairableTornTail else {
            preconditionFailure("quarantineTornTail needs a last-line damage")
        }
        let fd = try Sys.open(paths.events, O_RDWR)
        defer { Sys.close(fd) }
        let size = try Sys.fileSize(fd)
        let count = size - scan.validBytes
        var tail = [UInt8](repeating: 0, count: count)
        var read = 0
        while read < count {
            let n = try tail.withMutableBytes { (buffer) throws(SystemError) in
                try Sys.pread(fd, into: buffer.baseAddress! + read, count: count - read, offset: scan.validBytes + read)
            }
            if n == 0 { break }
            read += n
        }
        var target = paths.tornTail(stamp: utcStamp)
        var suffix = 1
        while Sys.fileExists(target) {
            suffix += 1
            target = paths.tornTail(stamp: utcStamp) + "-\(suffix)"
        }
        let out = try Sys.open(target, O_WRONLY | O_CREAT | O_EXCL, 0o640)
        do {
            try Sys.writeAll(out, tail, context: target)
            try Sys.fsync(out, context: target)
        } catch {
            Sys.close(out)
            throw error
        }
        Sys.close(out)
        try Sys.fsyncDirectory(paths.directory)
        try Sys.ftruncate(fd, scan.validBytes, context: paths.events)
        try Sys.fsync(fd, context: paths.events)
        let name = target.split(separator: "/").last.map(String.init) ?? target
        return TornTail(file: name, bytes: count, line: damage.line, offset: damage.offset,
                        claimedSeq: damage.claimedSeq, reason: damage.message)
    }
}
