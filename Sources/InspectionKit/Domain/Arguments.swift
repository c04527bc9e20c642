/// Typed access to a request's `args` object; every failure names the argument.
public struct Arguments: Sendable {
    public let object: JSONObject
    public let command: String

    public init(_ object: JSONObject, command: String) {
        self.object = object
        self.command = command
    }

    public func has(_ key: String) -> Bool {
        if let value = object[key], !value.isNull { return true }
        return false
    }

    private func missing(_ key: String, _ what: String) -> CommandError {
        .badRequest("\(command): missing argument \"\(key)\" — expected \(what)")
    }

    private func invalid(_ key: String, _ what: String) -> CommandError {
        .badRequest("\(command): argument \"\(key)\" must be \(what)")
    }

    public func string(_ key: String, _ what: String = "a string") throws(CommandError) -> String {
        guard let value = object[key], !value.isNull else { throw missing(key, what) }
        guard let text = value.stringValue else { throw invalid(key, what) }
        return text
    }

    public func optionalString(_ key: String, _ what: String = "a string") throws(CommandError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw invalid(key, what) }
        return text
    }

    public func nonEmptyString(_ key: String, _ what: String = "a non-empty string") throws(CommandError) -> String {
        let text = try string(key, what)
        guard !text.allSatisfy(\.isWhitespace) else { throw invalid(key, what) }
        return text
    }

    public func int(_ key: String, _ what: String = "an integer") throws(CommandError) -> Int {
        guard let value = object[key], !value.isNull else { throw missing(key, what) }
        guard let number = value.intValue else { throw invalid(key, what) }
        return number
    }

    public func optionalInt(_ key: String, _ what: String = "an integer") throws(CommandError) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.intValue else { throw invalid(key, what) }
        return number
    }

    public func optionalDouble(_ key: String, _ what: String = "a number") throws(CommandError) -> Double? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.doubleValue else { throw invalid(key, what) }
        return number
    }

    public func optionalBool(_ key: String) throws(CommandError) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw invalid(key, "true or false") }
        return flag
    }

    public func optionalStringArray(_ key: String, _ what: String = "a list of strings") throws(CommandError) -> [String]? {
        guard let value = object[key], !value.isNull else { return nil }
        if let single = value.stringValue { return [single] }
        guard let items = value.arrayValue else { throw invalid(key, what) }
        var result: [String] = []
        for item in items {
            guard let text = item.stringValue else { throw invalid(key, what) }
            result.append(text)
        }
        return result
    }

    public func optionalObject(_ key: String, _ what: String = "an object") throws(CommandError) -> JSONObject? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let inner = value.objectValue else { throw invalid(key, what) }
        return inner
    }

    /// Rejects keys the command does not know, so a typo (`"form"` for `"from"`) is
    /// an error instead of a silently ignored option.
    public func allowOnly(_ keys: Set<String>) throws(CommandError) {
        for key in object.keys where !keys.contains(key) {
            let known = keys.sorted().joined(separator: ", ")
            throw .badRequest("\(command): unknown argument \"\(key)\"" + (known.isEmpty ? " (it takes none)" : " (known: \(known))"))
        }
    }
}
