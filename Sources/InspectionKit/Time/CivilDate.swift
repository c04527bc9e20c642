/// A calendar date (日期) with no time of day and no time zone, in the proleptic Gregorian calendar.
///
/// Used for due dates, inspection intervals and the working-day calendar. Day arithmetic goes
/// through a day count since 1970-01-01 (Howard Hinnant's `days_from_civil` /
/// `civil_from_days`), so it needs no Foundation and works for any year.
///
/// Every value is a real date: the memberwise components can only be set through the
/// validating initialisers or the arithmetic, which always lands on a real date.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The year, e.g. 2026 (proleptic Gregorian; year 0 is 1 BC).
    public let year: Int
    /// The month, 1 (January) … 12 (December).
    public let month: Int
    /// The day of the month, 1 … 28/29/30/31.
    public let day: Int

    /// Creates a date from components, or `nil` if they do not name a real calendar date.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1,
              day <= CivilDate.daysInMonth(year: year, month: month) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Components already known to be valid.
    @inline(__always)
    init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses a strict ISO 8601 calendar date `YYYY-MM-DD` (four-digit year, zero-padded month
    /// and day, a real date — `2025-02-29` is rejected, `2024-02-29` accepted).
    public init?(iso text: String) {
        guard text.utf8.count == 10 else { return nil }
        var copy = text
        guard let date = copy.withUTF8({ CivilDate.parse(utf8: $0, at: 0) }) else { return nil }
        self = date
    }

    /// Exactly `YYYY-MM-DD` (ten bytes), a valid date.
    public init?(isoUTF8 bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 10,
              let date = bytes.withMemoryRebound(to: UInt8.self, { CivilDate.parse(utf8: $0, at: 0) }) else { return nil }
        self = date
    }

    /// Parses `YYYY-MM-DD` at `offset` in `bytes` (exactly ten bytes are consumed).
    static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> CivilDate? {
        guard bytes.count - offset >= 10,
              bytes[offset + 4] == UInt8(ascii: "-"), bytes[offset + 7] == UInt8(ascii: "-"),
              let y = digits(bytes, offset, 4), let m = digits(bytes, offset + 5, 2),
              let d = digits(bytes, offset + 8, 2) else { return nil }
        return CivilDate(year: y, month: m, day: d)
    }

    /// The value of `count` ASCII digits at `offset`, or `nil` if any byte is not a digit.
    @inline(__always)
    static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int, _ count: Int) -> Int? {
        var value = 0
        for i in offset..<(offset + count) {
            let digit = Int(bytes[i]) &- 48
            guard digit >= 0, digit <= 9 else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// `YYYY-MM-DD`; years outside 0…9999 print with as many digits as needed (and a sign if negative).
    public var description: String {
        func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let yearText: String
        if (0...9999).contains(year) {
            let raw = String(year)
            yearText = String(repeating: "0", count: 4 - raw.count) + raw
        } else {
            yearText = String(year)
        }
        return "\(yearText)-\(pad2(month))-\(pad2(day))"
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    // MARK: - Calendar facts

    /// Whether `year` is a Gregorian leap year (闰年).
    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in `month` (1…12) of `year`.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: - Day numbers

    /// Days since 1970-01-01 (negative before it); 1970-01-01 is 0.
    public var daysSinceEpoch: Int {
        // Hinnant, days_from_civil: a year starting in March puts the leap day last.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400                                           // [0, 399]
        let mp = month > 2 ? month - 3 : month + 9                        // March = 0
        let doy = (153 * mp + 2) / 5 + day - 1                            // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy                   // [0, 146096]
        return era * 146_097 + doe - 719_468
    }

    /// The date `daysSinceEpoch` days after 1970-01-01 (before it, if negative).
    public init(daysSinceEpoch: Int) {
        // Hinnant, civil_from_days.
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097                                       // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365  // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)                 // [0, 365]
        let mp = (5 * doy + 2) / 153                                      // [0, 11]
        let d = doy - (153 * mp + 2) / 5 + 1                              // [1, 31]
        let m = mp < 10 ? mp + 3 : mp - 9                                 // [1, 12]
        self.init(unchecked: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    // MARK: - Arithmetic

    /// The date `days` days later (earlier, if negative).
    public func adding(days: Int) -> CivilDate {
        days == 0 ? self : CivilDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The same day `months` months later (earlier, if negative), clamped to the last day of
    /// the target month: 2024-01-31 + 1 month = 2024-02-29, 2025-01-31 + 1 month = 2025-02-28.
    ///
    /// Periodic equipment inspection intervals (检验周期) are stated in months. Note that
    /// clamping makes this non-associative: adding 1 month twice from 01-31 gives 03-29,
    /// adding 2 months gives 03-31 — always compute from the original anchor date.
    public func adding(months: Int) -> CivilDate {
        if months == 0 { return self }
        let total = year * 12 + (month - 1) + months
        let y = TimeMath.floorDiv(total, 12)
        let m = total - y * 12 + 1
        return CivilDate(unchecked: y, m, Swift.min(day, CivilDate.daysInMonth(year: y, month: m)))
    }

    /// The ISO weekday: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday, 4).
    public var weekday: Int {
        TimeMath.floorMod(daysSinceEpoch + 3, 7) + 1
    }

    /// The number of days from this date to `other` (negative if `other` is earlier).
    public func days(until other: CivilDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }
}

/// Floor division helpers shared by the time types (kept in a namespace so they cannot clash
/// with other top-level helpers in the module).
enum TimeMath {
    /// Floor division (rounds toward negative infinity); `b` must be positive.
    @inline(__always)
    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && a < 0) ? q - 1 : q
    }

    /// The non-negative remainder matching `floorDiv`; `b` must be positive.
    @inline(__always)
    static func floorMod(_ a: Int, _ b: Int) -> Int {
        let r = a % b
        return r < 0 ? r + b : r
    }

    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && a < 0) ? q - 1 : q
    }

    @inline(__always)
    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        let r = a % b
        return r < 0 ? r + b : r
    }
}
