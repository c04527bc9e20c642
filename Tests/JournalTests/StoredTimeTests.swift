import InspectionKit
@testable import Journal
import Testing

/// A record keeps `at` in the writer's form as its offset alone and spells it back on
/// demand; the text it gives back must be the stored text, byte for byte, for every
/// spelling the parser accepts.
struct StoredTimeTests {
    func roundTrip(_ text: String) -> String? {
        guard let timestamp = Timestamp.parseRFC3339(text) else { return nil }
        var copy = text
        return copy.withUTF8 { StoredTime(UnsafeRawBufferPointer($0), text: nil).text(of: timestamp) }
    }

    @Test func everyAcceptedSpellingComesBackAsStored() {
        var texts = [
            "2026-11-22T09:30:00.123+08:00", "2026-11-22T09:30:00.123-00:00", "2026-11-22T09:30:00.123+00:00",
            "2026-11-22T09:30:00.123Z", "2026-11-22t09:30:00.123+08:00", "2026-11-22 09:30:00.123+08:00",
            "2026-11-22T09:30:00+08:00", "2026-11-22T09:30:00.1+08:00", "2026-11-22T09:30:00.12+08:00",
            "2026-11-22T09:30:00.1234+08:00", "0000-01-01T00:00:00.000+00:01", "9999-12-31T23:59:59.999-23:59",
            "2024-02-29T23:59:59.999+23:59", "1970-01-01T00:00:00.000-05:30",
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for _ in 0..<20_000 {
            let millis = Int64(next() % 253_402_300_799_000)   // 1970 … 9999
            let offset = (Int(next() % 2_879) - 1_439) * 60
            texts.append(Timestamp(millis: millis).rfc3339(offsetSeconds: offset))
        }
        for text in texts {
            #expect(roundTrip(text) == text, "\(text)")
        }
        #expect(roundTrip("2026-11-22T09:30:00.123+08:00") == "2026-11-22T09:30:00.123+08:00")
    }

    /// The writer's form is what is kept compactly (the point of it); the rest as text.
    @Test func onlyTheWritersFormIsKeptAsAnOffset() {
        func stored(_ text: String) -> StoredTime {
            var copy = text
            return copy.withUTF8 { StoredTime(UnsafeRawBufferPointer($0), text: nil) }
        }
        if case .canonical(let offset) = stored("2026-11-22T09:30:00.123+08:00") { #expect(offset == 28_800) } else { Issue.record("not kept as an offset") }
        if case .canonical(let offset) = stored("2026-11-22T09:30:00.123-05:30") { #expect(offset == -19_800) } else { Issue.record("not kept as an offset") }
        for text in ["2026-11-22T09:30:00.123-00:00", "2026-11-22T09:30:00.123Z", "2026-11-22 09:30:00.123+08:00"] {
            if case .text(let kept) = stored(text) { #expect(kept == text) } else { Issue.record("\(text) kept as an offset") }
        }
    }
}
