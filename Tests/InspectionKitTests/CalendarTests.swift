import Foundation
import Testing
import InspectionKit

/// Loads the real holiday-cn files (the kit itself never reads files; the test does).
///
/// Directory: `$HOLIDAY_CN_DIR`, else the copy shipped in the repository's `config/calendar/`.
private enum HolidayData {
    static let directory = ProcessInfo.processInfo.environment["HOLIDAY_CN_DIR"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/calendar").path

    typealias Day = (date: CivilDate, isOffDay: Bool, name: String)

    static func days(year: Int) throws -> [Day] {
        let url = URL(fileURLWithPath: directory).appendingPathComponent("\(year).json")
        let data = try Data(contentsOf: url)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["year"] as? Int == year)
        let list = try #require(root["days"] as? [[String: Any]])
        return try list.map { item in
            let text = try #require(item["date"] as? String)
            let date = try #require(CivilDate(iso: text), "bad date \(text) in \(year).json")
            let off = try #require(item["isOffDay"] as? Bool)
            let name = try #require(item["name"] as? String)
            return (date, off, name)
        }
    }

    static func calendar(years: [Int]) throws -> WorkingDayCalendar {
        var all: [Day] = []
        for year in years { all += try days(year: year) }
        return WorkingDayCalendar(days: all, coveredYears: Set(years))
    }
}

private func day(_ iso: String) -> CivilDate {
    guard let d = CivilDate(iso: iso) else { fatalError("bad test date \(iso)") }
    return d
}

/// The n-th working day after `d`, one day at a time (reference for the fast version).
private func slowAdding(_ n: Int, to d: CivilDate, in cal: WorkingDayCalendar) -> CivilDate {
    var current = d
    var remaining = abs(n)
    while remaining > 0 {
        current = current.adding(days: n > 0 ? 1 : -1)
        if cal.isWorkingDay(current) { remaining -= 1 }
    }
    return current
}

struct CalendarTests {
    /// 2025 and 2026 as published (2025.json, 2026.json); 2027 deliberately absent.
    static let official: WorkingDayCalendar = {
        do { return try HolidayData.calendar(years: [2025, 2026]) } catch {
            fatalError("cannot load holiday-cn data from \(HolidayData.directory): \(error)")
        }
    }()

    // MARK: Spring Festival 2026

    /// 2026.json, 春节: off Sun 02-15 … Mon 02-23 (nine days); make-up workdays Sat 02-14 and
    /// Sat 02-28. (02-01 is a Sunday, so 02-14/02-21/02-28 are Saturdays.)
    @Test func springFestival2026Days() {
        let cal = CalendarTests.official
        #expect(cal.isWorkingDay(day("2026-02-13")))                 // Friday before
        #expect(cal.isWorkingDay(day("2026-02-14")))                 // Saturday, 调休上班
        #expect(cal.isMakeUpWorkday(day("2026-02-14")))
        #expect(cal.holidayName(day("2026-02-14")) == nil)
        for d in 15...23 {
            let date = CivilDate(year: 2026, month: 2, day: d)!
            #expect(!cal.isWorkingDay(date), "\(date)")
            #expect(cal.holidayName(date) == "春节")
        }
        #expect(cal.isWorkingDay(day("2026-02-24")))                 // Tuesday, back to work
        #expect(!cal.isWorkingDay(day("2026-02-21")))                // Saturday inside the holiday
        #expect(cal.isWorkingDay(day("2026-02-28")))                 // Saturday, 调休上班
        #expect(!cal.isWorkingDay(day("2026-03-01")))                // ordinary Sunday
        #expect(cal.holidayName(day("2026-03-02")) == nil)
    }

    /// Received Fri 2026-02-06; 20 working days:
    ///  02-09…02-13 Mon–Fri → 1…5, 02-14 Sat make-up → 6, 02-15…02-23 off,
    ///  02-24…02-27 Tue–Fri → 7…10, 02-28 Sat make-up → 11, 03-01 Sun off,
    ///  03-02…03-06 → 12…16, 03-09…03-12 → 17…20 ⇒ Thursday 2026-03-12.
    /// With plain Mon–Fri it would be 03-06: six weekday holidays (02-16…02-20, 02-23) minus
    /// two make-up Saturdays push it four working days later.
    @Test func twentyWorkingDaysAcrossSpringFestival2026() {
        let cal = CalendarTests.official
        let received = day("2026-02-06")
        #expect(cal.addingWorkingDays(20, to: received) == day("2026-03-12"))
        #expect(WorkingDayCalendar.mondayToFriday.addingWorkingDays(20, to: received) == day("2026-03-06"))
        #expect(cal.addingWorkingDays(6, to: received) == day("2026-02-14"))
        #expect(cal.addingWorkingDays(7, to: received) == day("2026-02-24"))
        #expect(cal.addingWorkingDays(11, to: received) == day("2026-02-28"))
        #expect(cal.workingDays(from: received, to: day("2026-03-12")) == 20)
        // Received during the holiday: the first working day after is Tue 02-24.
        #expect(cal.addingWorkingDays(1, to: day("2026-02-18")) == day("2026-02-24"))
        // Going back: the working day before 02-24 is the make-up Saturday 02-14.
        #expect(cal.addingWorkingDays(-1, to: day("2026-02-24")) == day("2026-02-14"))
    }

    /// February 2026 has 20 weekdays (four whole weeks from Sunday 02-01); minus six weekday
    /// holidays, plus two make-up Saturdays = 16 working days.
    @Test func workingDaysInFebruary2026() {
        let cal = CalendarTests.official
        #expect(cal.workingDays(from: day("2026-01-31"), to: day("2026-02-28")) == 16)
        #expect(cal.workingDays(from: day("2026-02-28"), to: day("2026-01-31")) == -16)
        #expect(cal.workingDays(from: day("2026-02-15"), to: day("2026-02-23")) == 0)
        #expect(cal.workingDays(from: day("2026-02-10"), to: day("2026-02-10")) == 0)
    }

    // MARK: Mid-Autumn + National Day 2026

    /// 2026.json: 中秋节 off Fri 09-25 … Sun 09-27; 国庆节 off Thu 10-01 … Wed 10-07;
    /// make-up workdays Sun 09-20 and Sat 10-10 (both listed under 国庆节).
    /// Received Fri 2026-09-18; 20 working days:
    ///  09-20 Sun make-up → 1, 09-21…09-24 → 2…5, 09-25…09-27 off, 09-28…09-30 → 6…8,
    ///  10-01…10-07 off, 10-08, 10-09 → 9, 10, 10-10 Sat make-up → 11, 10-12…10-16 → 12…16,
    ///  10-19…10-22 → 17…20 ⇒ Thursday 2026-10-22.
    @Test func nationalDayAndMidAutumn2026() {
        let cal = CalendarTests.official
        #expect(cal.isWorkingDay(day("2026-09-20")))
        #expect(cal.isMakeUpWorkday(day("2026-09-20")))
        #expect(cal.holidayName(day("2026-09-25")) == "中秋节")
        #expect(cal.holidayName(day("2026-09-26")) == "中秋节")
        #expect(cal.holidayName(day("2026-10-03")) == "国庆节")
        #expect(cal.holidayName(day("2026-10-10")) == nil)
        #expect(!cal.isWorkingDay(day("2026-10-07")))
        #expect(cal.isWorkingDay(day("2026-10-08")))
        #expect(cal.isWorkingDay(day("2026-10-10")))
        #expect(!cal.isWorkingDay(day("2026-10-11")))
        #expect(cal.addingWorkingDays(20, to: day("2026-09-18")) == day("2026-10-22"))
        #expect(cal.addingWorkingDays(9, to: day("2026-09-18")) == day("2026-10-08"))
        #expect(cal.addingWorkingDays(1, to: day("2026-09-30")) == day("2026-10-08"))
        #expect(cal.workingDays(from: day("2026-09-18"), to: day("2026-10-22")) == 20)
    }

    /// 2025.json: 国庆节、中秋节 combined, off Wed 10-01 … Wed 10-08, make-ups Sun 09-28 and
    /// Sat 10-11. From Fri 09-26: 09-28 → 1, 09-29, 09-30 → 2, 3, 10-09, 10-10 → 4, 5.
    @Test func nationalDay2025() {
        let cal = CalendarTests.official
        #expect(cal.holidayName(day("2025-10-06")) == "国庆节、中秋节")
        #expect(cal.addingWorkingDays(5, to: day("2025-09-26")) == day("2025-10-10"))
        #expect(cal.addingWorkingDays(6, to: day("2025-09-26")) == day("2025-10-11"))
    }

    // MARK: Year boundaries

    /// 2026 元旦: off Thu 01-01 … Sat 01-03, make-up Sun 01-04. From Wed 2025-12-24:
    /// 12-25, 12-26, 12-29, 12-30, 12-31 → 1…5; 01-04 Sun make-up → 6; Mon 01-05 → 7.
    @Test func crossingIntoNewYear2026() {
        let cal = CalendarTests.official
        let from = day("2025-12-24")
        #expect(cal.addingWorkingDays(5, to: from) == day("2025-12-31"))
        #expect(cal.addingWorkingDays(6, to: from) == day("2026-01-04"))
        #expect(cal.addingWorkingDays(7, to: from) == day("2026-01-05"))
        #expect(cal.holidayName(day("2026-01-03")) == "元旦")
    }

    /// No 2027 data: 2027 falls back to Mon–Fri, so Fri 2027-01-01 counts as a working day
    /// (it will surely be 元旦 once published — hence `missingYears`). From Fri 2026-12-18:
    /// 12-21…12-25 → 1…5, 12-28…12-31 → 6…9, 2027-01-01 → 10, 01-04…01-08 → 11…15,
    /// 01-11…01-15 → 16…20 ⇒ 2027-01-15.
    @Test func crossingIntoYearWithoutData() {
        let cal = CalendarTests.official
        #expect(cal.missingYears(2025...2027) == [2027])
        #expect(cal.missingYears(2024...2028) == [2024, 2027, 2028])
        #expect(cal.missingYears(2026...2026).isEmpty)
        #expect(cal.isWorkingDay(day("2027-01-01")))
        #expect(!cal.isWorkingDay(day("2027-01-02")))
        #expect(cal.holidayName(day("2027-01-01")) == nil)
        #expect(cal.addingWorkingDays(20, to: day("2026-12-18")) == day("2027-01-15"))
        #expect(cal.workingDays(from: day("2026-12-31"), to: day("2027-12-31")) == 261)  // 2027: 261 weekdays
    }

    // MARK: Consistency with the day-by-day definition

    /// Every start day from late 2024 to early 2027 and a range of n, against a naive walk.
    @Test(arguments: [1, 2, 5, 10, 15, 20, 30, 60, -1, -5, -20])
    func matchesDayByDayWalk(n: Int) {
        let cal = CalendarTests.official
        var d = day("2024-11-01")
        while d <= day("2027-02-28") {
            let fast = cal.addingWorkingDays(n, to: d)
            #expect(fast == slowAdding(n, to: d, in: cal), "n=\(n) from \(d)")
            if n > 0 { #expect(cal.workingDays(from: d, to: fast) == n) }
            d = d.adding(days: 1)
        }
    }

    @Test func workingDaysMatchesCounting() {
        let cal = CalendarTests.official
        let start = day("2024-12-01")
        var count = 0
        var d = start
        while d < day("2027-02-01") {
            d = d.adding(days: 1)
            if cal.isWorkingDay(d) { count += 1 }
            #expect(cal.workingDays(from: start, to: d) == count)
            #expect(cal.workingDays(from: d, to: start) == -count)
        }
    }

    @Test func hugeOffsetsAreComputedArithmetically() {
        let cal = CalendarTests.official
        let from = day("2026-02-06")
        // ~3,800 years ahead: must not walk a million days (and completes instantly).
        let far = cal.addingWorkingDays(1_000_000, to: from)
        #expect(cal.workingDays(from: from, to: far) == 1_000_000)
        #expect(cal.isWorkingDay(far))
        #expect(cal.addingWorkingDays(-1_000_000, to: far) <= from)
        #expect(cal.addingWorkingDays(0, to: from) == from)
        // Backwards: `back` is the millionth working day before Fri 02-06, so (back, from]
        // holds 999,999 of them plus `from` itself.
        let back = cal.addingWorkingDays(-1_000_000, to: from)
        #expect(cal.isWorkingDay(back))
        #expect(cal.workingDays(from: back, to: from) == 1_000_000)
    }

    @Test func totalsPerYear() throws {
        // 2026: 261 weekdays; weekday holidays 01-01, 01-02, 02-16…02-20, 02-23, 04-06,
        // 05-01, 05-04, 05-05, 06-19, 09-25, 10-01, 10-02, 10-05, 10-06, 10-07 = 19;
        // make-up weekend days 01-04, 02-14, 02-28, 05-09, 09-20, 10-10 = 6 ⇒ 248.
        let cal = CalendarTests.official
        #expect(WorkingDayCalendar.mondayToFriday.workingDays(from: day("2025-12-31"), to: day("2026-12-31")) == 261)
        #expect(cal.workingDays(from: day("2025-12-31"), to: day("2026-12-31")) == 248)
        // 2025: 261 weekdays; weekday holidays 01-01, 01-28…01-31, 02-03, 02-04, 04-04,
        // 05-01, 05-02, 05-05, 06-02, 10-01…10-03, 10-06…10-08 = 18; make-ups 01-26, 02-08,
        // 04-27, 09-28, 10-11 = 5 ⇒ 248. Cross-checked against the file itself.
        var weekdayHolidays = 0, makeUps = 0
        for entry in try HolidayData.days(year: 2025) {
            if entry.isOffDay && entry.date.weekday <= 5 { weekdayHolidays += 1 }
            if !entry.isOffDay && entry.date.weekday >= 6 { makeUps += 1 }
        }
        #expect(weekdayHolidays == 18 && makeUps == 5)
        #expect(cal.workingDays(from: day("2024-12-31"), to: day("2025-12-31")) == 248)
    }

    // MARK: Construction details

    @Test func laterEntryWinsAndDaysOutsideCoveredYearsCount() {
        // 2019.json lists 2018-12-29 (Sat) as a make-up workday for 元旦 2019, so the
        // December arrangement of one year can live in the next year's file.
        let cal = WorkingDayCalendar(days: [
            (day("2018-12-29"), true, "wrong"),
            (day("2018-12-29"), false, "元旦"),
            (day("2018-12-31"), true, "元旦"),
        ], coveredYears: [2019])
        #expect(cal.isWorkingDay(day("2018-12-29")))
        #expect(!cal.isWorkingDay(day("2018-12-31")))
        #expect(cal.holidayName(day("2018-12-31")) == "元旦")
        #expect(cal.missingYears(2018...2019) == [2018])
        // A weekday explicitly listed as a workday (2020.json has 2020-02-03) changes nothing.
        let plain = WorkingDayCalendar(days: [(day("2020-02-03"), false, "春节")], coveredYears: [2020])
        #expect(plain.isWorkingDay(day("2020-02-03")))
        #expect(plain.workingDays(from: day("2020-02-02"), to: day("2020-02-07")) == 5)
    }

    @Test(arguments: 2018...2026)
    func allPublishedYearsLoadAndMakeUpDaysAreWorkdays(year: Int) throws {
        let entries = try HolidayData.days(year: year)
        let cal = WorkingDayCalendar(days: entries, coveredYears: [year])
        #expect(!entries.isEmpty)
        for e in entries {
            #expect(cal.isWorkingDay(e.date) == !e.isOffDay, "\(e.date)")
        }
    }
}
