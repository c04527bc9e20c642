import Foundation
import Testing
import InspectionKit

/// Shorthand for dates known to be valid in tests.
private func day(_ iso: String) -> CivilDate {
    guard let d = CivilDate(iso: iso) else { fatalError("bad test date \(iso)") }
    return d
}

/// A small deterministic generator so sampled checks are reproducible.
private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(in range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int64(next() % span)
    }
}

private let utcGregorian: Calendar = {
    var c = Calendar(identifier: .gregorian)
    c.timeZone = TimeZone(identifier: "UTC")!
    return c
}()

// MARK: - CivilDate

struct CivilDateTests {
    @Test(arguments: [
        "2026-01-05", "2024-02-29", "2000-02-29", "0000-01-01", "9999-12-31", "1900-02-28",
        "2026-04-30", "2026-12-31",
    ])
    func parsesValidDates(text: String) throws {
        let d = try #require(CivilDate(iso: text))
        #expect(d.description == text)
    }

    @Test(arguments: [
        "2025-02-29",   // not a leap year
        "1900-02-29",   // century, not a leap year
        "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32",
        "2026-1-05", "2026-01-5", "26-01-05", "20260105", "2026/01/05",
        " 2026-01-05", "2026-01-05 ", "2026-01-05T00:00", "+026-01-05", "2026-01-0a",
        "２０２６-01-05", "", "2026--1-05",
    ])
    func rejectsInvalidDates(text: String) {
        #expect(CivilDate(iso: text) == nil)
    }

    @Test func componentInitialiserValidates() {
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2026, month: 0, day: 1) == nil)
        #expect(CivilDate(year: 2026, month: 6, day: 31) == nil)
        #expect(CivilDate(year: 999, month: 3, day: 4)?.description == "0999-03-04")
    }

    @Test(arguments: [
        ("1970-01-01", 0), ("1969-12-31", -1), ("1970-01-02", 1), ("2000-03-01", 11017),
        ("2026-01-01", 20454), ("0001-01-01", -719162), ("0000-03-01", -719468),
    ])
    func daysSinceEpochKnownValues(text: String, days: Int) {
        let d = day(text)
        #expect(d.daysSinceEpoch == days)
        #expect(CivilDate(daysSinceEpoch: days) == d)
    }

    /// Walks every day from 1600 to 2400 and checks each step against the calendar rules.
    @Test func consecutiveDaysFollowTheCalendar() {
        var previous = day("1600-01-01")
        var n = previous.daysSinceEpoch
        #expect(previous.weekday == 6)   // 1600-01-01 was a Saturday
        let end = day("2400-12-31").daysSinceEpoch
        var weekday = previous.weekday
        while n < end {
            n += 1
            let d = CivilDate(daysSinceEpoch: n)
            #expect(d.daysSinceEpoch == n)
            weekday = weekday % 7 + 1
            #expect(d.weekday == weekday)
            if previous.day < CivilDate.daysInMonth(year: previous.year, month: previous.month) {
                #expect(d.year == previous.year && d.month == previous.month && d.day == previous.day + 1)
            } else if previous.month < 12 {
                #expect(d.year == previous.year && d.month == previous.month + 1 && d.day == 1)
            } else {
                #expect(d.year == previous.year + 1 && d.month == 1 && d.day == 1)
            }
            previous = d
        }
    }

    @Test func agreesWithFoundationGregorianCalendar() {
        var rng = SplitMix64(state: 42)
        for _ in 0..<2000 {
            // 1700…2300: Foundation's Gregorian calendar is Julian before 1582.
            let n = Int(rng.next(in: -98_000...120_000))
            let d = CivilDate(daysSinceEpoch: n)
            let date = Date(timeIntervalSince1970: Double(n) * 86_400)
            let c = utcGregorian.dateComponents([.year, .month, .day, .weekday], from: date)
            #expect(c.year == d.year && c.month == d.month && c.day == d.day)
            // Foundation: 1 = Sunday … 7 = Saturday.
            #expect(c.weekday == d.weekday % 7 + 1)
        }
    }

    @Test(arguments: [
        ("2024-01-31", 1, "2024-02-29"),    // clamp to leap-year February
        ("2025-01-31", 1, "2025-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"),
        ("2026-08-31", 1, "2026-09-30"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-01-15", -1, "2025-12-15"),
        ("2026-12-31", 2, "2027-02-28"),
        ("2026-01-31", -13, "2024-12-31"),
        ("2026-05-20", 0, "2026-05-20"),
        ("2026-05-20", 120, "2036-05-20"),
        ("2026-11-30", 3, "2027-02-28"),
    ])
    func addingMonthsClampsToMonthEnd(start: String, months: Int, expected: String) {
        #expect(day(start).adding(months: months) == day(expected))
    }

    @Test func addingMonthsIsNotAssociativeAtMonthEnds() {
        // Documented pitfall: compute each due date from the anchor, not from the last one.
        let anchor = day("2026-01-31")
        #expect(anchor.adding(months: 1).adding(months: 1) == day("2026-03-28"))
        #expect(anchor.adding(months: 2) == day("2026-03-31"))
    }

    @Test func addingDaysAndDaysUntil() {
        let d = day("2026-02-27")
        #expect(d.adding(days: 2) == day("2026-03-01"))
        #expect(day("2024-02-28").adding(days: 1) == day("2024-02-29"))
        #expect(day("2026-01-01").adding(days: -1) == day("2025-12-31"))
        #expect(day("2026-01-01").adding(days: 365) == day("2027-01-01"))
        #expect(day("2026-01-01").days(until: day("2027-01-01")) == 365)
        #expect(day("2024-01-01").days(until: day("2025-01-01")) == 366)
        #expect(day("2026-03-01").days(until: day("2026-02-27")) == -2)
    }

    @Test(arguments: [
        ("1970-01-01", 4), ("2000-01-01", 6), ("2026-01-01", 4), ("2026-02-15", 7),
        ("2026-02-16", 1), ("1969-12-28", 7), ("2026-10-01", 4),
    ])
    func weekdayIsISO(text: String, weekday: Int) {
        #expect(day(text).weekday == weekday)
    }

    @Test func ordering() {
        let dates = ["2026-01-02", "2025-12-31", "2026-01-01", "2026-10-01", "2026-02-01"].map(day)
        #expect(dates.sorted().map(\.description)
                == ["2025-12-31", "2026-01-01", "2026-01-02", "2026-02-01", "2026-10-01"])
        #expect(day("2026-01-31") < day("2026-02-01"))
        #expect(Set([day("2026-01-01"), day("2026-01-01")]).count == 1)
    }
}

// MARK: - Timestamp

struct TimestampTests {
    /// 2026-11-22T01:30:00.123Z.
    static let sample = Timestamp(millis: 1_795_311_000_123)

    @Test func formatsWithOffsetAndThreeFractionDigits() {
        let t = TimestampTests.sample
        #expect(t.rfc3339(offsetSeconds: 8 * 3600) == "2026-11-22T09:30:00.123+08:00")
        #expect(t.rfc3339(offsetSeconds: 0) == "2026-11-22T01:30:00.123+00:00")
        #expect(t.rfc3339(offsetSeconds: -(3 * 3600 + 1800)) == "2026-11-21T22:00:00.123-03:30")
        #expect(t.rfc3339(offsetSeconds: 5 * 3600 + 1800) == "2026-11-22T07:00:00.123+05:30")
        #expect(t.description == "2026-11-22T01:30:00.123+00:00")
        #expect(Timestamp(millis: 0).rfc3339(offsetSeconds: 0) == "1970-01-01T00:00:00.000+00:00")
        #expect(Timestamp(millis: -1).rfc3339(offsetSeconds: 0) == "1969-12-31T23:59:59.999+00:00")
        #expect(Timestamp(millis: 1_771_257_599_999).rfc3339(offsetSeconds: 28_800)
                == "2026-02-16T23:59:59.999+08:00")
        #expect(Timestamp(millis: 1_771_257_600_000).rfc3339(offsetSeconds: 28_800)
                == "2026-02-17T00:00:00.000+08:00")
        #expect(Timestamp(millis: 7).rfc3339(offsetSeconds: 0) == "1970-01-01T00:00:00.007+00:00")
        #expect(Timestamp(millis: 70).rfc3339(offsetSeconds: 0) == "1970-01-01T00:00:00.070+00:00")
    }

    @Test func secondsInOffsetAreTruncatedButInstantPreserved() {
        // Shanghai local mean time before 1901 was +08:05:43.
        let t = Timestamp(millis: -2_195_942_400_000)     // 1900-06-01T00:00:00Z
        let text = t.rfc3339(offsetSeconds: 29_143)
        #expect(text == "1900-06-01T08:05:00.000+08:05")
        #expect(Timestamp.parseRFC3339(text) == t)
    }

    @Test func yearsBeyondFourDigits() {
        let t = Timestamp(millis: 253_402_300_800_000)     // 10000-01-01T00:00:00Z
        #expect(t.rfc3339(offsetSeconds: 0) == "10000-01-01T00:00:00.000+00:00")
        #expect(Timestamp(millis: t.millis - 1).rfc3339(offsetSeconds: 0)
                == "9999-12-31T23:59:59.999+00:00")
    }

    @Test func formattingAgreesWithFoundation() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<3000 {
            let millis = rng.next(in: -2_000_000_000_000...4_000_000_000_000)
            let offset = Int(rng.next(in: -14 * 60...14 * 60)) * 60
            let text = Timestamp(millis: millis).rfc3339(offsetSeconds: offset)
            let fraction = ((millis % 1000) + 1000) % 1000
            let localSeconds = Double((millis - fraction) / 1000 + Int64(offset))
            let c = utcGregorian.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                                from: Date(timeIntervalSince1970: localSeconds))
            let sign = offset < 0 ? "-" : "+"
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.%03d%@%02d:%02d",
                c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!,
                Int(fraction), sign, abs(offset) / 3600, abs(offset) / 60 % 60)
            #expect(text == expected)
        }
    }

    @Test(arguments: [
        ("2026-11-22T09:30:00.123+08:00", 1_795_311_000_123),
        ("2026-11-22T09:30:00+08:00", 1_795_311_000_000),
        ("2026-11-22T01:30:00Z", 1_795_311_000_000),
        ("2026-11-22t01:30:00.123z", 1_795_311_000_123),
        ("2026-11-22 09:30:00.123+08:00", 1_795_311_000_123),
        ("2026-11-22T09:30:00.1239999+08:00", 1_795_311_000_123),   // truncated, not rounded
        ("2026-11-22T09:30:00.5+08:00", 1_795_311_000_500),
        ("2026-11-22T09:30:00.05+08:00", 1_795_311_000_050),
        ("2026-11-21T20:30:00.123-05:00", 1_795_311_000_123),
        ("2026-11-22T01:30:00.123-00:00", 1_795_311_000_123),
        ("1969-12-31T23:59:59.999Z", -1),
        ("1970-01-01T08:00:00+08:00", 0),
        ("2024-02-29T23:59:59+23:59", 1_709_164_859_000),
    ])
    func parsesRFC3339(text: String, millis: Int64) {
        #expect(Timestamp.parseRFC3339(text) == Timestamp(millis: millis))
    }

    @Test(arguments: [
        "2026-11-22T09:30+08:00",        // seconds are required
        "2026-11-22T09:30:00",           // offset is required
        "2026-11-22",
        "2026-11-22T24:00:00Z",
        "2026-11-22T09:60:00Z",
        "2026-11-22T09:30:60Z",          // leap second
        "2026-02-30T09:30:00Z",
        "2026-11-22T09:30:00.Z",
        "2026-11-22T09:30:00.+08:00",
        "2026-11-22T09:30:00+0800",
        "2026-11-22T09:30:00+08",
        "2026-11-22T09:30:00+24:00",
        "2026-11-22T09:30:00+08:60",
        "2026-11-22T09:30:00Z ",
        " 2026-11-22T09:30:00Z",
        "2026-11-22X09:30:00Z",
        "2026-11-22T9:30:00Z",
        "2026-11-22T09:30:00ZZ",
        "2026-11-22T09:30:00+08:00x",
        "2026-11-22T09:30:00.123",
        "2026-11-22T09:30:0Z",
        "２０２６-11-22T09:30:00Z",
        "2026-11-22T09:30:00\u{2212}08:00",   // Unicode minus sign
        "",
    ])
    func rejectsMalformedRFC3339(text: String) {
        #expect(Timestamp.parseRFC3339(text) == nil)
    }

    @Test func formatThenParseRoundTrips() {
        var rng = SplitMix64(state: 99)
        for _ in 0..<3000 {
            let t = Timestamp(millis: rng.next(in: -62_000_000_000_000...253_402_000_000_000))
            let offset = Int(rng.next(in: -14 * 60...14 * 60)) * 60
            #expect(Timestamp.parseRFC3339(t.rfc3339(offsetSeconds: offset)) == t)
        }
    }

    @Test func localDate() {
        let midnightShanghai = Timestamp(millis: 1_771_257_600_000)   // 2026-02-16T16:00:00Z
        #expect(midnightShanghai.localDate(offsetSeconds: 28_800) == day("2026-02-17"))
        #expect(Timestamp(millis: midnightShanghai.millis - 1).localDate(offsetSeconds: 28_800)
                == day("2026-02-16"))
        #expect(midnightShanghai.localDate(offsetSeconds: 0) == day("2026-02-16"))
        #expect(Timestamp(millis: -1).localDate(offsetSeconds: 0) == day("1969-12-31"))
    }

    @Test func componentInitialiser() {
        let t = Timestamp(date: day("2026-11-22"), hour: 9, minute: 30, second: 0,
                          millisecond: 123, offsetSeconds: 28_800)
        #expect(t == TimestampTests.sample)
        #expect(Timestamp(date: day("1970-01-01"), offsetSeconds: 0).millis == 0)
    }
}

// MARK: - BureauZone

struct BureauZoneTests {
    static let shanghai = BureauZone.shanghai
    static let berlin = BureauZone(identifier: "Europe/Berlin")!

    @Test func identifiers() {
        #expect(BureauZone().identifier == "Asia/Shanghai")
        #expect(BureauZone(identifier: "Asia/Urumqi") != nil)
        #expect(BureauZone(identifier: "UTC") != nil)
        #expect(BureauZone(identifier: "Nowhere/Atlantis") == nil)
        #expect(BureauZone(identifier: "") == nil)
        // Foundation maps "CST" to America/Chicago; refuse it rather than be 14 hours off.
        #expect(BureauZone(identifier: "CST") == nil)
    }

    @Test func shanghaiFormatting() {
        let z = BureauZoneTests.shanghai
        #expect(z.format(TimestampTests.sample) == "2026-11-22T09:30:00.123+08:00")
        #expect(z.offsetSeconds(at: TimestampTests.sample) == 28_800)
        #expect(z.localDate(of: Timestamp(millis: 1_771_257_600_000)) == day("2026-02-17"))
        #expect(z.localDate(of: Timestamp(millis: 1_771_257_599_999)) == day("2026-02-16"))
        // China observed DST 1986–1991: summer 1988 was +09:00.
        #expect(z.format(Timestamp(millis: 581_126_400_000)) == "1988-06-01T09:00:00.000+09:00")
        // Local mean time before 1901 (+08:05:43), written at minute precision.
        #expect(z.format(Timestamp(millis: -2_195_942_400_000)) == "1900-06-01T08:05:00.000+08:05")
        #expect(BureauZone(identifier: "UTC")!.format(TimestampTests.sample)
                == "2026-11-22T01:30:00.123+00:00")
        #expect(BureauZone(identifier: "Asia/Kolkata")!.format(TimestampTests.sample)
                == "2026-11-22T07:00:00.123+05:30")
    }

    /// The cached offset must agree with Foundation everywhere, before and after the last
    /// transition, for a fixed zone, a zone with old transitions and a DST zone.
    @Test(arguments: ["Asia/Shanghai", "Europe/Berlin", "Asia/Kolkata", "UTC", "America/Sao_Paulo"])
    func offsetsAgreeWithFoundation(identifier: String) throws {
        let z = try #require(BureauZone(identifier: identifier))
        var rng = SplitMix64(state: 5)
        for _ in 0..<2000 {
            let millis = rng.next(in: -2_300_000_000_000...4_200_000_000_000)
            let expected = z.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(millis) / 1000))
            #expect(z.offsetSeconds(at: Timestamp(millis: millis)) == expected)
        }
    }

    @Test func shanghaiStartOfDayAndParse() throws {
        let z = BureauZoneTests.shanghai
        let start = z.startOfDay(day("2026-02-17"))
        #expect(start == Timestamp(millis: 1_771_257_600_000))
        #expect(z.format(start) == "2026-02-17T00:00:00.000+08:00")
        #expect(z.parse("2026-02-17") == start)
        #expect(z.parse("2026-02-17T09:30") == Timestamp(millis: 1_771_291_800_000))
        #expect(z.parse("2026-02-17 09:30:15") == Timestamp(millis: 1_771_291_815_000))
        #expect(z.parse("2026-02-17T09:30:15.25") == Timestamp(millis: 1_771_291_815_250))
        #expect(z.parse("2026-02-17T01:30:00Z") == Timestamp(millis: 1_771_291_800_000))
        #expect(z.parse("2026-02-17T10:30:00+09:00") == Timestamp(millis: 1_771_291_800_000))
        #expect(z.parse("2026-11-22T09:30:00.123+08:00") == TimestampTests.sample)
        for bad in ["2026-02-30", "2026-2-17", "2026-02-17T09", "2026-02-17T09:30+08:00",
                    "2026-02-17T25:00", "tomorrow", "", "2026-02-17T09:30:00 +08:00"] {
            #expect(z.parse(bad) == nil, "\(bad)")
        }
        // Round trip through the zone's own format.
        var rng = SplitMix64(state: 11)
        for _ in 0..<500 {
            let t = Timestamp(millis: rng.next(in: 0...4_000_000_000_000))
            #expect(z.parse(z.format(t)) == t)
        }
    }

    @Test func berlinSpringForward() {
        // 2026-03-29: clocks go from 02:00 CET (+01:00) to 03:00 CEST (+02:00) at 01:00Z.
        let z = BureauZoneTests.berlin
        let start = z.startOfDay(day("2026-03-29"))
        #expect(start == Timestamp(millis: 1_774_738_800_000))              // 2026-03-28T23:00Z
        #expect(z.format(start) == "2026-03-29T00:00:00.000+01:00")
        let next = z.startOfDay(day("2026-03-30"))
        #expect(next == Timestamp(millis: 1_774_821_600_000))               // 2026-03-29T22:00Z
        #expect(z.format(next) == "2026-03-30T00:00:00.000+02:00")
        #expect(next.millis - start.millis == 23 * 3_600_000)               // a 23-hour day
        let transition = Timestamp(millis: 1_774_746_000_000)
        #expect(z.format(Timestamp(millis: transition.millis - 1)) == "2026-03-29T01:59:59.999+01:00")
        #expect(z.format(transition) == "2026-03-29T03:00:00.000+02:00")
        #expect(z.localDate(of: Timestamp(millis: next.millis - 1)) == day("2026-03-29"))
        #expect(z.localDate(of: next) == day("2026-03-30"))
        // 02:30 does not exist that day: moved forward by the one-hour gap.
        let skipped = z.parse("2026-03-29T02:30")
        #expect(skipped.map(z.format) == "2026-03-29T03:30:00.000+02:00")
        #expect(z.parse("2026-03-29T01:59:59").map(z.format) == "2026-03-29T01:59:59.000+01:00")
        #expect(z.parse("2026-03-29T03:00").map(z.format) == "2026-03-29T03:00:00.000+02:00")
        #expect(z.parse("2026-03-29") == start)
    }

    @Test func berlinFallBack() {
        // 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET at 01:00Z.
        let z = BureauZoneTests.berlin
        let start = z.startOfDay(day("2026-10-25"))
        #expect(start == Timestamp(millis: 1_792_879_200_000))              // 2026-10-24T22:00Z
        #expect(z.startOfDay(day("2026-10-26")) == Timestamp(millis: 1_792_969_200_000))
        #expect(z.startOfDay(day("2026-10-26")).millis - start.millis == 25 * 3_600_000)
        // 02:30 happens twice; the earlier (CEST) instant is chosen.
        #expect(z.parse("2026-10-25T02:30").map(z.format) == "2026-10-25T02:30:00.000+02:00")
        #expect(z.parse("2026-10-25T02:30:00+01:00").map(z.format) == "2026-10-25T02:30:00.000+01:00")
    }

    @Test func midnightSkippedByDST() throws {
        // Brazil began DST on 2018-11-04 at 00:00 (→ 01:00): that day starts at 01:00 local.
        let z = try #require(BureauZone(identifier: "America/Sao_Paulo"))
        let start = z.startOfDay(day("2018-11-04"))
        #expect(start == Timestamp(millis: 1_541_300_400_000))              // 2018-11-04T03:00Z
        #expect(z.format(start) == "2018-11-04T01:00:00.000-02:00")
        #expect(z.localDate(of: Timestamp(millis: start.millis - 1)) == day("2018-11-03"))
    }
}
