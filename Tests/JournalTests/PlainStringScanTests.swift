import InspectionKit
@testable import Journal
import Testing

/// The decoder's string scan reads eight bytes at a time while none is a quote, a
/// backslash or a control character; it must stop exactly where a byte-by-byte scan does.
struct PlainStringScanTests {
    /// The byte-by-byte scan it replaced.
    func reference(_ line: UnsafeRawBufferPointer, from start: Int) -> (Range<Int>?, Int) {
        var pos = start
        while pos < line.count {
            let b = line[pos]
            if b == 0x22 { pos += 1; return (start..<(pos - 1), pos) }
            guard b >= 0x20, b != 0x5C else { return (nil, pos) }
            pos += 1
        }
        return (nil, pos)
    }

    @Test func stopsWhereAByteByByteScanStops() {
        var state: UInt64 = 0x51DE
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        // Every byte value, with the ones that stop the scan and their neighbours common.
        let edges: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0x9F, 0xA0, 0xDF, 0xE5, 0xFF]
        var failures: [[UInt8]] = []
        for _ in 0..<200_000 {
            let length = next() % 40
            let bytes: [UInt8] = (0..<length).map { _ in
                next() % 4 == 0 ? edges[next() % edges.count] : (next() % 3 == 0 ? UInt8(truncatingIfNeeded: next()) : UInt8(0x41 + next() % 26))
            }
            let start = length == 0 ? 0 : next() % (length + 1)
            bytes.withUnsafeBytes { line in
                var cursor = JournalLineDecoder.Cursor(line)
                cursor.pos = start
                let found = cursor.plainString()
                let (expected, expectedPos) = reference(line, from: start)
                if found != expected || (found != nil && cursor.pos != expectedPos) { failures.append(bytes) }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        // Long runs: a stop byte at every position of a 64-byte run of CJK text.
        for stop: UInt8 in [0x22, 0x5C, 0x00, 0x1F] {
            for at in 0..<64 {
                var bytes = Array(String(repeating: "检", count: 22).utf8.prefix(64))
                bytes[at] = stop
                bytes.withUnsafeBytes { line in
                    var cursor = JournalLineDecoder.Cursor(line)
                    let found = cursor.plainString()
                    #expect(found == reference(line, from: 0).0, "stop \(stop) at \(at)")
                    if stop == 0x22 { #expect(found == 0..<at && cursor.pos == at + 1) }
                }
            }
        }
    }
}
