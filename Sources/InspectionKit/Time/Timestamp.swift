/// An instant (时间戳): milliseconds since 1970-01-01T00:00:00Z, ignoring leap seconds.
///
/// The journal records every event with one of these. Formatting and parsing are hand-written
/// (no `DateFormatter`, no Foundation) because they run for every journal event.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// Milliseconds since the Unix epoch (negative before it).
    public var millis: Int64

    /// Wraps a millisecond count since the Unix epoch.
    public init(millis: Int64) {
        self.millis = millis
    }

    /// The instant at a local wall-clock time whose UTC offset is `offsetSeconds`.
    ///
    /// Components are not range-checked; they are combined arithmetically, so `hour: 24`
    /// is midnight of the next day. `offsetSeconds` is east of UTC (+08:00 is 28 800).
    public init(date: CivilDate, hour: Int = 0, minute: Int = 0, second: Int = 0,
                millisecond: Int = 0, offsetSeconds: Int) {
        let localSeconds = Int64(date.daysSinceEpoch) * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
        self.millis = (localSeconds - Int64(offsetSeconds)) * 1000 + Int64(millisecond)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millis < rhs.millis
    }

    /// The instant in RFC 3339 at UTC, e.g. `2026-11-22T01:30:00.123+00:00`.
    public var description: String {
        rfc3339(offsetSeconds: 0)
    }

    /// The calendar date of this instant at a UTC offset of `offsetSeconds` (east positive).
    public func localDate(offsetSeconds: Int) -> CivilDate {
        let local = TimeMath.floorDiv(millis, 1000) + Int64(offsetSeconds)
        return CivilDate(daysSinceEpoch: Int(TimeMath.floorDiv(local, 86_400)))
    }

    // MARK: - Formatting

    /// Formats as RFC 3339 with exactly three fraction digits and a numeric offset, e.g.
    /// `2026-11-22T09:30:00.123+08:00`; UTC is written `+00:00`, never `Z`.
    ///
    /// RFC 3339 offsets have minute precision, so an offset with leftover seconds (local mean
    /// time before 1901, e.g. Shanghai's +08:05:43) is truncated to whole minutes and the wall
    /// time is written for that truncated offset — the string still denotes this exact instant.
    /// Offsets are clamped to ±23:59. Years outside 0000…9999 (which RFC 3339 cannot express)
    /// are written with as many digits as needed and a leading `-` for negative years.
    public func rfc3339(offsetSeconds: Int) -> String {
        let offsetMinutes = Swift.max(-1439, Swift.min(1439, offsetSeconds / 60))
        let seconds = TimeMath.floorDiv(millis, 1000)
        let fraction = Int(TimeMath.floorMod(millis, 1000))
        let local = seconds + Int64(offsetMinutes * 60)
        let date = CivilDate(daysSinceEpoch: Int(TimeMath.floorDiv(local, 86_400)))
        let secondOfDay = Int(TimeMath.floorMod(local, 86_400))
        let hour = secondOfDay / 3600
        let minute = secondOfDay / 60 % 60
        let second = secondOfDay % 60
        let absOffset = offsetMinutes < 0 ? -offsetMinutes : offsetMinutes

        guard (0...9999).contains(date.year) else {
            func pad(_ v: Int, _ width: Int) -> String {
                let raw = String(v)
                return String(repeating: "0", count: Swift.max(0, width - raw.count)) + raw
            }
            return "\(date)T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(fraction, 3))"
                + "\(offsetMinutes < 0 ? "-" : "+")\(pad(absOffset / 60, 2)):\(pad(absOffset % 60, 2))"
        }

        return String(unsafeUninitializedCapacity: 29) { out in
            @inline(__always) func put2(_ v: Int, _ at: Int) {
                out[at] = UInt8(truncatingIfNeeded: 48 + v / 10)
                out[at + 1] = UInt8(truncatingIfNeeded: 48 + v % 10)
            }
            let year = date.year
            put2(year / 100, 0)
            put2(year % 100, 2)
            out[4] = UInt8(ascii: "-")
            put2(date.month, 5)
            out[7] = UInt8(ascii: "-")
            put2(date.day, 8)
            out[10] = UInt8(ascii: "T")
            put2(hour, 11)
            out[13] = UInt8(ascii: ":")
            put2(minute, 14)
            out[16] = UInt8(ascii: ":")
            put2(second, 17)
            out[19] = UInt8(ascii: ".")
            out[20] = UInt8(truncatingIfNeeded: 48 + fraction / 100)
            put2(fraction % 100, 21)
            out[23] = offsetMinutes < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
            put2(absOffset / 60, 24)
            out[26] = UInt8(ascii: ":")
            put2(absOffset % 60, 27)
            return 29
        }
    }

    // MARK: - Parsing

    /// Parses an RFC 3339 date-time: `YYYY-MM-DD`, `T` (or `t`, or a space), `HH:MM:SS`, an
    /// optional fraction of any length (truncated to milliseconds), then `Z`/`z` or `±HH:MM`.
    ///
    /// Every field is validated: a real calendar date, hour 00–23, minute and second 00–59
    /// (leap second `60` is rejected — Unix time cannot represent it), offset hours 00–23 and
    /// minutes 00–59. `-00:00` is accepted as UTC. Nothing may precede or follow the value.
    public static func parseRFC3339(_ text: String) -> Timestamp? {
        guard let fields = TextFields.parse(text),
              fields.hasSeconds, let offset = fields.offsetSeconds else { return nil }
        return fields.timestamp(offsetSeconds: offset)
    }

    /// `parseRFC3339` on UTF-8 bytes (the journal reader's path: no String).
    public static func parseRFC3339(utf8 bytes: UnsafeRawBufferPointer) -> Timestamp? {
        guard bytes.count >= 16,
              let fields = TextFields.parse(utf8: bytes.assumingMemoryBound(to: UInt8.self)),
              fields.hasSeconds, let offset = fields.offsetSeconds else { return nil }
        return fields.timestamp(offsetSeconds: offset)
    }
}

extension Timestamp {
    /// The fields of `YYYY-MM-DD[T| ]HH:MM[:SS[.fff…]][Z|±HH:MM]`, shared by `Timestamp` and
    /// `BureauZone` parsing. Fields are validated; which parts are required is up to the caller.
    struct TextFields {
        var date: CivilDate
        var hour: Int
        var minute: Int
        var second: Int
        var millisecond: Int
        /// Whether `:SS` was present.
        var hasSeconds: Bool
        /// The explicit UTC offset, or `nil` if the text had none (a local wall time).
        var offsetSeconds: Int?

        /// Seconds since local midnight.
        var secondOfDay: Int { hour * 3600 + minute * 60 + second }

        /// The instant these fields denote at the given UTC offset.
        func timestamp(offsetSeconds: Int) -> Timestamp {
            Timestamp(date: date, hour: hour, minute: minute, second: second,
                      millisecond: millisecond, offsetSeconds: offsetSeconds)
        }

        static func parse(_ text: String) -> TextFields? {
            // Shortest accepted form is `YYYY-MM-DDTHH:MM` (16 bytes).
            guard text.utf8.count >= 16 else { return nil }
            var copy = text
            return copy.withUTF8 { parse(utf8: $0) }
        }

        static func parse(utf8 b: UnsafeBufferPointer<UInt8>) -> TextFields? {
            let n = b.count
            guard n >= 16, let date = CivilDate.parse(utf8: b, at: 0) else { return nil }
            let sep = b[10]
            guard sep == UInt8(ascii: "T") || sep == UInt8(ascii: "t") || sep == UInt8(ascii: " "),
                  b[13] == UInt8(ascii: ":"),
                  let hour = CivilDate.digits(b, 11, 2), hour <= 23,
                  let minute = CivilDate.digits(b, 14, 2), minute <= 59 else { return nil }
            var fields = TextFields(date: date, hour: hour, minute: minute, second: 0,
                                        millisecond: 0, hasSeconds: false, offsetSeconds: nil)
            var i = 16
            if i < n, b[i] == UInt8(ascii: ":") {
                guard n >= i + 3, let second = CivilDate.digits(b, i + 1, 2), second <= 59 else { return nil }
                fields.second = second
                fields.hasSeconds = true
                i += 3
                if i < n, b[i] == UInt8(ascii: ".") {
                    i += 1
                    let start = i
                    var ms = 0
                    while i < n, b[i] >= 48, b[i] <= 57 {
                        if i - start < 3 { ms = ms * 10 + Int(b[i] - 48) }
                        i += 1
                    }
                    let digitCount = i - start
                    guard digitCount > 0 else { return nil }
                    if digitCount == 1 { ms *= 100 } else if digitCount == 2 { ms *= 10 }
                    fields.millisecond = ms
                }
            }
            guard i < n else { return fields }
            let c = b[i]
            if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                guard i + 1 == n else { return nil }
                fields.offsetSeconds = 0
                return fields
            }
            guard c == UInt8(ascii: "+") || c == UInt8(ascii: "-"), i + 6 == n,
                  b[i + 3] == UInt8(ascii: ":"),
                  let oh = CivilDate.digits(b, i + 1, 2), oh <= 23,
                  let om = CivilDate.digits(b, i + 4, 2), om <= 59 else { return nil }
            let magnitude = oh * 3600 + om * 60
            fields.offsetSeconds = c == UInt8(ascii: "-") ? -magnitude : magnitude
            return fields
        }
    }
}
