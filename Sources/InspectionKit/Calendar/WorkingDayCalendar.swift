/// The official working-day calendar (工作日历): Monday–Friday, minus public holidays (法定节假日),
/// plus weekend make-up workdays (调休上班) as published each year by the State Council.
///
/// Built from already-parsed data in the holiday-cn layout: per year a list of
/// `{name, date, isOffDay}` where `isOffDay == true` is a day off and `false` a make-up workday.
/// Years without published data fall back to plain Monday–Friday; `missingYears(_:)` reports
/// them so callers can warn before computing deadlines (办理时限) that reach into them.
///
/// All queries are O(log k) in the number of listed days (or O(log² k) for
/// `addingWorkingDays`), whatever the distance: working days are counted arithmetically
/// (weekdays via week division) and corrected with a prefix sum over the listed exceptions.
public struct WorkingDayCalendar: Sendable {
    private struct Entry: Sendable {
        var isOffDay: Bool
        var name: String
    }

    /// Listed days by `daysSinceEpoch`.
    private let entries: [Int: Entry]
    /// Sorted day numbers whose official status differs from the Monday–Friday rule.
    private let exceptionDays: [Int]
    /// `exceptionPrefix[i]` = sum of the deltas (+1 make-up workday, −1 weekday holiday) of
    /// `exceptionDays[0..<i]`; one longer than `exceptionDays`.
    private let exceptionPrefix: [Int]
    /// Years for which official data was supplied.
    public let coveredYears: Set<Int>

    /// The largest `|n|` accepted by `addingWorkingDays` (about 3.8 million years).
    public static let maxWorkingDayOffset = 1_000_000_000

    /// A calendar with no official data: every Monday–Friday is a working day.
    public static let mondayToFriday = WorkingDayCalendar(days: [], coveredYears: [])

    /// Builds the calendar from official days.
    ///
    /// - Parameters:
    ///   - days: holidays (`isOffDay: true`) and make-up workdays (`isOffDay: false`) with the
    ///     holiday's name (e.g. `春节`). If a date is listed twice, the later entry wins.
    ///     Days are honoured even if their year is not in `coveredYears`.
    ///   - coveredYears: the years whose official arrangement was published and supplied —
    ///     usually the years of the holiday-cn files read. Only used by `missingYears(_:)`.
    public init(days: [(date: CivilDate, isOffDay: Bool, name: String)], coveredYears: Set<Int>) {
        var entries: [Int: Entry] = [:]
        entries.reserveCapacity(days.count)
        for day in days {
            entries[day.date.daysSinceEpoch] = Entry(isOffDay: day.isOffDay, name: day.name)
        }
        var exceptions: [(day: Int, delta: Int)] = []
        for (dayNumber, entry) in entries {
            let weekend = WorkingDayCalendar.isWeekend(dayNumber: dayNumber)
            if entry.isOffDay && !weekend {
                exceptions.append((dayNumber, -1))
            } else if !entry.isOffDay && weekend {
                exceptions.append((dayNumber, 1))
            }
        }
        exceptions.sort { $0.day < $1.day }
        var prefix = [0]
        prefix.reserveCapacity(exceptions.count + 1)
        for e in exceptions { prefix.append(prefix[prefix.count - 1] + e.delta) }
        self.entries = entries
        self.exceptionDays = exceptions.map(\.day)
        self.exceptionPrefix = prefix
        self.coveredYears = coveredYears
    }

    // MARK: - Single days

    /// Whether `d` is a working day: an official make-up workday, or a Monday–Friday that is not
    /// an official holiday.
    public func isWorkingDay(_ d: CivilDate) -> Bool {
        let n = d.daysSinceEpoch
        if let entry = entries[n] { return !entry.isOffDay }
        return !WorkingDayCalendar.isWeekend(dayNumber: n)
    }

    /// The name of the public holiday (e.g. `春节`, `国庆节`) if `d` is an official day off
    /// (including weekend days inside the holiday period); `nil` otherwise, including on
    /// make-up workdays.
    public func holidayName(_ d: CivilDate) -> String? {
        guard let entry = entries[d.daysSinceEpoch], entry.isOffDay else { return nil }
        return entry.name
    }

    /// Whether `d` is an official make-up workday (调休上班日), usually a Saturday or Sunday.
    public func isMakeUpWorkday(_ d: CivilDate) -> Bool {
        guard let entry = entries[d.daysSinceEpoch] else { return false }
        return !entry.isOffDay
    }

    // MARK: - Counting

    /// The number of working days in the half-open range (`from`, `to`]: `from` itself is not
    /// counted, `to` is. Negative (minus the count over (`to`, `from`]) if `to` is earlier.
    ///
    /// Consistent with `addingWorkingDays`: `workingDays(from: d, to: addingWorkingDays(n, to: d)) == n`
    /// for `n ≥ 0`.
    public func workingDays(from: CivilDate, to: CivilDate) -> Int {
        cumulative(to.daysSinceEpoch) - cumulative(from.daysSinceEpoch)
    }

    /// The `n`-th working day strictly after `d` (`n ≥ 1`); `d` itself when `n == 0`; the
    /// `|n|`-th working day strictly before `d` when `n < 0`.
    ///
    /// The statutory "within 20 working days" deadline for something received on day `d` is
    /// `addingWorkingDays(20, to: d)`. `|n|` must not exceed `maxWorkingDayOffset`.
    public func addingWorkingDays(_ n: Int, to d: CivilDate) -> CivilDate {
        precondition(n.magnitude <= UInt(WorkingDayCalendar.maxWorkingDayOffset),
                     "working-day offset \(n) out of range")
        if n == 0 { return d }
        let start = d.daysSinceEpoch
        let base = cumulative(start)
        if n > 0 {
            // Smallest y > start with cumulative(y) - base >= n; that y is a working day.
            var lo = start
            var step = n + n / 2 + 16
            var hi = start + step
            while cumulative(hi) - base < n {
                lo = hi
                step *= 2
                hi = start + step
            }
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2
                if cumulative(mid) - base >= n { hi = mid } else { lo = mid }
            }
            return CivilDate(daysSinceEpoch: hi)
        } else {
            // Largest y < start with (working days in [y, start - 1]) >= |n|.
            let m = -n
            let top = cumulative(start - 1)
            var hi = start
            var step = m + m / 2 + 16
            var lo = start - step
            while top - cumulative(lo - 1) < m {
                hi = lo
                step *= 2
                lo = start - step
            }
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2
                if top - cumulative(mid - 1) >= m { lo = mid } else { hi = mid }
            }
            return CivilDate(daysSinceEpoch: lo)
        }
    }

    // MARK: - Coverage

    /// The years in `range` with no official data, ascending. Working days in those years are
    /// computed as plain Monday–Friday, which will be wrong around their holidays.
    ///
    /// A year's late-December arrangement can be published with the *next* year (holiday-cn's
    /// 2019.json lists 2018-12-29…31 for 元旦 2019), so a deadline reaching late December of
    /// year Y should check `Y...Y+1`.
    public func missingYears(_ range: ClosedRange<Int>) -> [Int] {
        range.filter { !coveredYears.contains($0) }
    }

    // MARK: - Internals

    /// Working days with day number ≤ `x`, relative to an arbitrary fixed origin
    /// (only differences are meaningful).
    private func cumulative(_ x: Int) -> Int {
        // Weekdays: shift so that s = 0 is a Monday (1969-12-29 is day −3); Monday–Friday in
        // [0, s] is 5 per full week plus up to 5 of the remainder — valid for negative s too.
        let s = x + 3
        let weeks = TimeMath.floorDiv(s + 1, 7)
        let rest = TimeMath.floorMod(s + 1, 7)
        let weekdays = 5 * weeks + Swift.min(rest, 5)
        return weekdays + exceptionPrefix[exceptionsUpTo(x)]
    }

    /// The number of exception days ≤ `x` (binary search).
    private func exceptionsUpTo(_ x: Int) -> Int {
        var lo = 0
        var hi = exceptionDays.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if exceptionDays[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Whether day number `n` is a Saturday or Sunday.
    private static func isWeekend(dayNumber n: Int) -> Bool {
        TimeMath.floorMod(n + 3, 7) >= 5
    }
}
