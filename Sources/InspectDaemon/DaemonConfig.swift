import Foundation
import InspectionKit
import Platform

/// `config/inspectd.json`, resolved: relative paths are taken from the config
/// file's own directory, so the shipped config works from any working directory.
public struct DaemonConfig: Sendable, Equatable {
    public var configPath: String
    public var journalDirectory: String
    public var socketPath: String
    /// Permission bits of the control socket (default 0660: owner and group).
    public var socketMode: UInt32
    public var timeZone: String
    public var roles: RoleMap
    public var limits: Limits
    /// Directory of holiday-cn `YYYY.json` files (official holidays, make-up workdays).
    public var calendarDirectory: String
    /// Periodic-inspection intervals (SPEC §8).
    public var equipmentRulesPath: String
    /// Reminder stages, days before `nextDue` (negative: after).
    public var reminderStages: [Int]
    /// Command run per reminder with the event JSON on stdin (nil: none).
    public var notifyCommand: [String]?
    public var notifyTimeoutSeconds: Int
    /// The bureau's name as published in the 公示 list (检查实施机关).
    public var authority: String = "市场监督管理局"
    /// Write a snapshot every this many events (0: only at shutdown).
    public var snapshotEvery = 100_000
    /// Snapshot files kept.
    public var snapshotKeep = 3
    /// Write a snapshot at clean shutdown.
    public var snapshotOnShutdown = true

    public struct Limits: Sendable, Equatable {
        /// Longest request line accepted; longer gets `too_large` and the connection closes.
        public var maxRequestBytes = 16 << 20
        /// Simultaneous client connections; more are answered `unavailable` and closed.
        public var maxConnections = 256
    }

    public static let defaultPath = "config/inspectd.json"

    /// Reads and validates the config; every error names the file and the key.
    public static func load(path: String) throws(ConfigError) -> DaemonConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("\(path): cannot read the config file (does it exist? pass --config PATH)")
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(Array(data))
        } catch {
            throw ConfigError("\(path): not valid JSON: \(error)")
        }
        guard let object = root.objectValue else { throw ConfigError("\(path): must be a JSON object") }
        return try parse(object, path: path)
    }

    static let knownKeys: Set<String> = ["$comment", "journalDirectory", "socketPath", "socketMode", "timeZone", "roles", "limits",
                                         "calendarDirectory", "equipmentRules", "reminders", "notify", "authority", "snapshots"]

    static func parse(_ object: JSONObject, path: String) throws(ConfigError) -> DaemonConfig {
        for key in object.keys where !knownKeys.contains(key) {
            throw ConfigError("\(path): unknown setting \"\(key)\" (known: \(knownKeys.sorted().joined(separator: ", ")))")
        }
        var base = (path as NSString).deletingLastPathComponent
        if !base.hasPrefix("/") {
            base = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(base)
        }
        func resolve(_ p: String) -> String {
            if p.hasPrefix("/") { return (p as NSString).standardizingPath }
            return ((base as NSString).appendingPathComponent(p) as NSString).standardizingPath
        }
        func string(_ key: String, default value: String) throws(ConfigError) -> String {
            guard let v = object[key], !v.isNull else { return value }
            guard let s = v.stringValue, !s.isEmpty else { throw ConfigError("\(path): \"\(key)\" must be a non-empty string") }
            return s
        }
        let journal = resolve(try string("journalDirectory", default: "../journal"))
        let socket = object["socketPath"].flatMap(\.stringValue).map(resolve) ?? JournalPathsDefault.socket(in: journal)
        let modeText = try string("socketMode", default: "0660")
        guard let mode = UInt32(modeText, radix: 8), mode <= 0o777 else {
            throw ConfigError("\(path): \"socketMode\" must be an octal permission like \"0660\"")
        }
        let zone = try string("timeZone", default: "Asia/Shanghai")
        guard BureauZone(identifier: zone) != nil else {
            throw ConfigError("\(path): \"timeZone\" \(zone) is not a known time zone (e.g. Asia/Shanghai)")
        }
        var limits = Limits()
        if let l = object["limits"] {
            guard let lo = l.objectValue else { throw ConfigError("\(path): \"limits\" must be an object") }
            for key in lo.keys where !["maxRequestBytes", "maxConnections"].contains(key) {
                throw ConfigError("\(path): unknown setting \"limits.\(key)\" (known: maxRequestBytes, maxConnections)")
            }
            if let v = lo["maxRequestBytes"] {
                guard let n = v.intValue, n >= 1024 else { throw ConfigError("\(path): \"limits.maxRequestBytes\" must be an integer ≥ 1024") }
                limits.maxRequestBytes = n
            }
            if let v = lo["maxConnections"] {
                guard let n = v.intValue, n >= 1 else { throw ConfigError("\(path): \"limits.maxConnections\" must be a positive integer") }
                limits.maxConnections = n
            }
        }
        let roles = try RoleMap.parse(object["roles"], path: path)
        let calendar = resolve(try string("calendarDirectory", default: "calendar"))
        let rules = resolve(try string("equipmentRules", default: "equipment-rules.json"))
        var stages = [30, 7, 0, -1, -30]
        if let r = object["reminders"] {
            guard let ro = r.objectValue else { throw ConfigError("\(path): \"reminders\" must be an object like {\"stages\": [30, 7, 0, -1, -30]}") }
            for key in ro.keys where key != "stages" && key != "$comment" {
                throw ConfigError("\(path): unknown setting \"reminders.\(key)\" (known: stages)")
            }
            if let s = ro["stages"] {
                guard let items = s.arrayValue, !items.isEmpty, items.allSatisfy({ $0.intValue != nil }) else {
                    throw ConfigError("\(path): \"reminders.stages\" must be a non-empty list of whole days, e.g. [30, 7, 0, -1, -30]")
                }
                stages = items.compactMap(\.intValue)
                guard Set(stages).count == stages.count, stages.allSatisfy({ abs($0) <= 3650 }) else {
                    throw ConfigError("\(path): \"reminders.stages\" must be distinct days within ±3650")
                }
                stages.sort(by: >)
            }
        }
        var notifyCommand: [String]?
        var notifyTimeout = 10
        if let n = object["notify"], !n.isNull {
            guard let no = n.objectValue else { throw ConfigError("\(path): \"notify\" must be an object like {\"command\": [\"/usr/local/bin/notify\"], \"timeoutSeconds\": 10}") }
            for key in no.keys where !["command", "timeoutSeconds", "$comment"].contains(key) {
                throw ConfigError("\(path): unknown setting \"notify.\(key)\" (known: command, timeoutSeconds)")
            }
            if let c = no["command"], !c.isNull {
                guard let items = c.arrayValue, !items.isEmpty, items.allSatisfy({ $0.stringValue != nil }) else {
                    throw ConfigError("\(path): \"notify.command\" must be a list: program and arguments, e.g. [\"/usr/local/bin/sms-notify\", \"--quiet\"]")
                }
                notifyCommand = items.compactMap(\.stringValue)
            }
            if let t = no["timeoutSeconds"] {
                guard let v = t.intValue, v >= 1, v <= 3600 else { throw ConfigError("\(path): \"notify.timeoutSeconds\" must be 1…3600") }
                notifyTimeout = v
            }
        }
        var config = DaemonConfig(configPath: path, journalDirectory: journal, socketPath: socket, socketMode: mode,
                            timeZone: zone, roles: roles, limits: limits, calendarDirectory: calendar,
                            equipmentRulesPath: rules, reminderStages: stages, notifyCommand: notifyCommand,
                            notifyTimeoutSeconds: notifyTimeout)
        config.authority = try string("authority", default: "市场监督管理局")
        if let s = object["snapshots"], !s.isNull {
            guard let so = s.objectValue else { throw ConfigError("\(path): \"snapshots\" must be an object like {\"every\": 100000, \"keep\": 3, \"onShutdown\": true}") }
            for key in so.keys where !["every", "keep", "onShutdown", "$comment"].contains(key) {
                throw ConfigError("\(path): unknown setting \"snapshots.\(key)\" (known: every, keep, onShutdown)")
            }
            if let v = so["every"] {
                guard let n = v.intValue, n >= 0 else { throw ConfigError("\(path): \"snapshots.every\" must be a whole number ≥ 0 (0: only at shutdown)") }
                config.snapshotEvery = n
            }
            if let v = so["keep"] {
                guard let n = v.intValue, n >= 1, n <= 100 else { throw ConfigError("\(path): \"snapshots.keep\" must be 1…100") }
                config.snapshotKeep = n
            }
            if let v = so["onShutdown"] {
                guard let b = v.boolValue else { throw ConfigError("\(path): \"snapshots.onShutdown\" must be true or false") }
                config.snapshotOnShutdown = b
            }
        }
        return config
    }
}

enum JournalPathsDefault {
    static func socket(in journal: String) -> String { journal + "/inspectd.sock" }
}

public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Who gets which roles (SPEC §5): by user (name or uid), by group (name or gid),
/// the daemon's own user, and everyone who can open the socket (its mode is the gate).
public struct RoleMap: Sendable, Equatable {
    public var daemonUser: Set<Role> = [.admin]
    public var users: [String: Set<Role>] = [:]
    public var groups: [String: Set<Role>] = [:]
    public var everyone: Set<Role> = [.viewer]

    static func parse(_ value: JSONValue?, path: String) throws(ConfigError) -> RoleMap {
        var map = RoleMap()
        guard let value, !value.isNull else { return map }
        guard let object = value.objectValue else { throw ConfigError("\(path): \"roles\" must be an object") }
        func roles(_ v: JSONValue, _ key: String) throws(ConfigError) -> Set<Role> {
            guard let items = v.arrayValue else { throw ConfigError("\(path): \"\(key)\" must be a list of roles") }
            var set: Set<Role> = []
            for item in items {
                guard let name = item.stringValue, let role = Role(rawValue: name) else {
                    throw ConfigError("\(path): \"\(key)\" has \(item.serialized()), not a role (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                set.insert(role)
            }
            return set
        }
        for (key, v) in object.members {
            switch key {
            case "$comment": continue
            case "daemonUser": map.daemonUser = try roles(v, "roles.daemonUser")
            case "everyone": map.everyone = try roles(v, "roles.everyone")
            case "users", "groups":
                guard let inner = v.objectValue else { throw ConfigError("\(path): \"roles.\(key)\" must be an object") }
                var table: [String: Set<Role>] = [:]
                for (name, list) in inner.members { table[name] = try roles(list, "roles.\(key).\(name)") }
                if key == "users" { map.users = table } else { map.groups = table }
            default:
                throw ConfigError("\(path): unknown setting \"roles.\(key)\" (known: daemonUser, users, groups, everyone)")
            }
        }
        return map
    }

    /// The roles of a peer: the union of every rule that matches it.
    public func roles(uid: UInt32, userName: String?, groupIDs: [UInt32], daemonUID: UInt32) -> Set<Role> {
        var result = everyone
        if uid == daemonUID { result.formUnion(daemonUser) }
        if let r = users[String(uid)] { result.formUnion(r) }
        if let userName, let r = users[userName] { result.formUnion(r) }
        for (name, r) in groups {
            let gid = UInt32(name) ?? Sys.groupID(named: name)
            if let gid, groupIDs.contains(gid) { result.formUnion(r) }
        }
        return result
    }
}
