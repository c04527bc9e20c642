import Foundation
import InspectionKit

/// Reads the official calendar from holiday-cn `YYYY.json` files (SPEC §3).
enum CalendarLoader {
    struct Loaded {
        var calendar: WorkingDayCalendar
        var years: [Int]
        var problems: [String]
    }

    /// Loads every `NNNN.json` in `directory`. A bad file is reported, not fatal: the
    /// years it should cover fall back to Monday–Friday (and `status` warns).
    static func load(directory: String) -> Loaded {
        var days: [(date: CivilDate, isOffDay: Bool, name: String)] = []
        var years: [Int] = []
        var problems: [String] = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if names.isEmpty { problems.append("no calendar files in \(directory)") }
        for name in names.sorted() where name.hasSuffix(".json") {
            guard let year = Int(name.dropLast(5)), (1990...2200).contains(year) else { continue }
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path), let root = try? JSONValue.parse(Array(data)) else {
                problems.append("\(path): unreadable or not JSON")
                continue
            }
            guard let list = root["days"]?.arrayValue else {
                problems.append("\(path): no \"days\" list")
                continue
            }
            var fileDays: [(date: CivilDate, isOffDay: Bool, name: String)] = []
            var ok = true
            for (index, item) in list.enumerated() {
                guard let text = item["date"]?.stringValue, let date = CivilDate(iso: text),
                      let off = item["isOffDay"]?.boolValue else {
                    problems.append("\(path): day \(index + 1) lacks a valid date/isOffDay")
                    ok = false
                    break
                }
                fileDays.append((date, off, item["name"]?.stringValue ?? ""))
            }
            if ok {
                days += fileDays
                years.append(year)
            }
        }
        return Loaded(calendar: WorkingDayCalendar(days: days, coveredYears: Set(years)), years: years, problems: problems)
    }
}
