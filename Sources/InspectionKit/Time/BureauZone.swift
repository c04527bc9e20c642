import Foundation

/// The bureau's local time zone (本地时区): formats, parses and finds calendar days for instants.
///
/// Wraps a Foundation `TimeZone` (the only Foundation use in the time code) and never reads
/// the clock. Defaults to `Asia/Shanghai`.
///
/// Fast path: at creation the zone's transitions are listed once; if the offset never changes
/// after some instant (Shanghai: none since 1991), that offset is cached and every later instant
/// is formatted with a few integer operations and no Foundation call. Zones that keep changing
/// (daylight saving time, e.g. `Europe/Berlin`) ask the `TimeZone` for each instant.
public struct BureauZone: Hashable, Sendable {
    /// The identifier used when none is given.
    public static let defaultIdentifier = "Asia/Shanghai"

    /// The bureau zone for mainland China (`Asia/Shanghai`, UTC+08:00, no DST since 1991).
    public static let shanghai = BureauZone()

    /// The wrapped Foundation time zone.
    public let timeZone: TimeZone
    /// Every instant at or after this (ms since the epoch) has `stableOffset`;
    /// `Int64.max` when no such instant is known.
    private let stableSinceMillis: Int64
    /// The offset (seconds east of UTC) in force from `stableSinceMillis` on.
    private let stableOffset: Int

    /// The zone with the given IANA identifier (e.g. `Asia/Shanghai`, `Asia/Urumqi`, `UTC`),
    /// or `nil` if unknown.
    ///
    /// Abbreviations other than `UTC`/`GMT` are rejected: Foundation resolves `CST` to
    /// America/Chicago (UTC−06:00), not China Standard Time — a dangerous mistake here.
    public init?(identifier: String) {
        if identifier != "UTC", identifier != "GMT",
           TimeZone.abbreviationDictionary[identifier] != nil {
            return nil
        }
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.init(zone)
    }

    /// `Asia/Shanghai` (falls back to a fixed UTC+08:00 zone if the platform lacks zone data).
    public init() {
        self.init(TimeZone(identifier: BureauZone.defaultIdentifier)
                  ?? TimeZone(secondsFromGMT: 8 * 3600)!)
    }

    /// Wraps an existing Foundation time zone.
    public init(_ timeZone: TimeZone) {
        self.timeZone = timeZone
        // List transitions from 1900 on; if they stop before 2100, the offset after the last
        // one is stable. Rule-based DST zones produce transitions forever and hit the cap.
        let start = -2_208_988_800.0        // 1900-01-01T00:00:00Z
        let horizon = 4_102_444_800.0       // 2100-01-01T00:00:00Z
        var cursor = Date(timeIntervalSince1970: start)
        var last: Double?
        var stable = true
        var count = 0
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor) {
            count += 1
            let t = next.timeIntervalSince1970
            if count > 400 || t >= horizon || t <= cursor.timeIntervalSince1970 {
                stable = false
                break
            }
            last = t
            cursor = next
        }
        // One second past the last transition, rounded up to a whole second.
        let since = (last ?? start).rounded(.up) + 1
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: since))
        // Cross-check the claim at a few later instants (cheap, once per zone).
        if stable {
            for probe in [since + 86_400 * 183, 1_767_225_600, 2_000_000_000, horizon]
            where probe >= since {
                if timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: probe)) != offset {
                    stable = false
                }
            }
        }
        self.stableSinceMillis = stable ? Int64(since) * 1000 : .max
        self.stableOffset = offset
    }

    /// The IANA identifier of the zone (Foundation may normalise, e.g. `UTC` → `GMT`).
    public var identifier: String { timeZone.identifier }

    /// The zone's offset from UTC at instant `t`, in seconds east (Shanghai: 28 800).
    @inline(__always)
    public func offsetSeconds(at t: Timestamp) -> Int {
        if t.millis >= stableSinceMillis { return stableOffset }
        return timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t.millis) / 1000))
    }

    /// `t` as RFC 3339 in this zone, e.g. `2026-11-22T09:30:00.123+08:00`.
    public func format(_ t: Timestamp) -> String {
        t.rfc3339(offsetSeconds: offsetSeconds(at: t))
    }

    /// The local calendar date of instant `t` in this zone.
    public func localDate(of t: Timestamp) -> CivilDate {
        t.localDate(offsetSeconds: offsetSeconds(at: t))
    }

    /// The first instant of local date `d` (normally 00:00 local).
    ///
    /// If midnight does not exist that day (a DST or offset change skipping over it), this is
    /// the instant of the transition, i.e. the first instant whose local date is `d`.
    public func startOfDay(_ d: CivilDate) -> Timestamp {
        let local = Int64(d.daysSinceEpoch) * 86_400_000
        switch resolve(localMillis: local) {
        case .exact(let t):
            return t
        case .gap(let before, let after):
            // The transition instant T lies in (local - after, local - before]; offsets at and
            // after T equal `after`. Binary search for it.
            var lo = local - Int64(after) * 1000          // offset here is still `before`
            var hi = local - Int64(before) * 1000         // offset here is already `after`
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2
                if offsetSeconds(at: Timestamp(millis: mid)) == after { hi = mid } else { lo = mid }
            }
            return Timestamp(millis: hi)
        }
    }

    /// The instant of a local wall-clock time in this zone.
    ///
    /// A time that occurs twice (clocks turned back) resolves to the earlier instant; a time
    /// skipped by clocks turned forward is moved forward by the length of the gap
    /// (Berlin 2026-03-29 02:30 → 03:30+02:00). Components are not range-checked.
    public func timestamp(date: CivilDate, hour: Int = 0, minute: Int = 0, second: Int = 0,
                          millisecond: Int = 0) -> Timestamp {
        let local = Timestamp(date: date, hour: hour, minute: minute, second: second,
                              millisecond: millisecond, offsetSeconds: 0).millis
        switch resolve(localMillis: local) {
        case .exact(let t):
            return t
        case .gap(let before, _):
            return Timestamp(millis: local - Int64(before) * 1000)
        }
    }

    /// Parses a time given by a person or a config file, in this zone:
    ///
    /// - RFC 3339 with an offset (`2026-11-22T09:30:00+08:00`, `…Z`, any fraction) — exact;
    /// - a bare date `YYYY-MM-DD` — the start of that day here;
    /// - a local time `YYYY-MM-DDTHH:MM`, `…:SS` or `…:SS.fff` (`T` or a space) without an
    ///   offset — that wall time here (see `timestamp(date:hour:minute:second:millisecond:)`).
    ///
    /// Returns `nil` for anything else; fields are validated as in `Timestamp.parseRFC3339`.
    public func parse(_ text: String) -> Timestamp? {
        if text.utf8.count == 10 {
            guard let date = CivilDate(iso: text) else { return nil }
            return startOfDay(date)
        }
        guard let f = Timestamp.TextFields.parse(text) else { return nil }
        if let offset = f.offsetSeconds {
            guard f.hasSeconds else { return nil }     // RFC 3339 requires seconds
            return f.timestamp(offsetSeconds: offset)
        }
        return timestamp(date: f.date, hour: f.hour, minute: f.minute, second: f.second,
                         millisecond: f.millisecond)
    }

    // MARK: - Local → instant

    private enum Resolution {
        /// The earliest instant with this local time.
        case exact(Timestamp)
        /// The local time does not exist: clocks jumped from offset `before` to `after`.
        case gap(before: Int, after: Int)
    }

    /// Finds the instants whose local time (as UTC-based millis) is `local`.
    private func resolve(localMillis local: Int64) -> Resolution {
        // Fast path: far enough past the last transition that only the stable offset applies.
        // (`stableSinceMillis` is either `.max` or after 1900, so adding two days cannot overflow.)
        let guess = local - Int64(stableOffset) * 1000
        if stableSinceMillis != .max, guess >= stableSinceMillis + 2 * 86_400_000 {
            return .exact(Timestamp(millis: guess))
        }
        // Offsets in force a day either side cover every instant that could show this local
        // time (offsets are within ±18 h), assuming at most one transition in that window.
        let before = offsetSeconds(at: Timestamp(millis: local - 86_400_000))
        let after = offsetSeconds(at: Timestamp(millis: local + 86_400_000))
        var best: Int64?
        for offset in before == after ? [before] : [before, after] {
            let candidate = local - Int64(offset) * 1000
            if offsetSeconds(at: Timestamp(millis: candidate)) == offset {
                best = Swift.min(best ?? candidate, candidate)
            }
        }
        if let best { return .exact(Timestamp(millis: best)) }
        return .gap(before: before, after: after)
    }
}
