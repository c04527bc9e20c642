@testable import InspectionKit
import Testing

struct ChunkedArrayTests {
    /// Appends across several chunk boundaries read back in order, by index and by iteration.
    @Test func appendsAcrossChunksAndReadsBack() {
        var chunked = ChunkedArray<Int>()
        let n = 3 * 4096 + 17
        chunked.reserveCapacity(n)
        for i in 0..<n { chunked.append(i * 3) }
        #expect(chunked.count == n)
        #expect(chunked[0] == 0 && chunked[4095] == 4095 * 3 && chunked[4096] == 4096 * 3 && chunked[n - 1] == (n - 1) * 3)
        #expect(Array(chunked) == (0..<n).map { $0 * 3 })
        #expect(chunked.last == (n - 1) * 3)
        #expect(ChunkedArray([1, 2, 3]) == [1, 2, 3])
        #expect(ChunkedArray<Int>().isEmpty)
    }

    /// The intern table hands out one shared copy per distinct string, across chunks.
    @Test func internTableSharesEqualStrings() {
        var table = InternTable()
        for i in 0..<10_000 { _ = table.intern("91350100MA\(i)使用单位名称") }
        #expect(table.count == 10_000)
        #expect(table.intern("91350100MA42使用单位名称") == "91350100MA42使用单位名称")
        #expect(table.count == 10_000)
        _ = table.intern("新的字符串，超过十五个字节")
        #expect(table.count == 10_001)
    }

    /// A copy shares every chunk; a write through either side changes only that side
    /// (what a snapshot's capture relies on), including appends to a shared last chunk.
    @Test func copiesAreIndependentValues() {
        var original = ChunkedArray(0..<10_000)
        let snapshot = original
        original[5] = -1
        original[9_000] += 100
        original.append(10_000)
        #expect(snapshot.count == 10_000 && snapshot[5] == 5 && snapshot[9_000] == 9_000)
        #expect(original.count == 10_001 && original[5] == -1 && original[9_000] == 9_100 && original[10_000] == 10_000)
        #expect(Array(snapshot) == Array(0..<10_000))
        var other = snapshot
        other.append(-5)
        #expect(snapshot.count == 10_000 && other.last == -5)
    }

    /// In-place element mutation (a unit's field) through the `_modify` accessor.
    @Test func mutatesElementsInPlace() {
        struct Unit: Equatable { var due = 0; var name = "" }
        var units = ChunkedArray((0..<5_000).map { Unit(due: $0) })
        units[4_500].name = "电梯"
        units[4_500].due += 1
        #expect(units[4_500] == Unit(due: 4_501, name: "电梯"))
        #expect(units[4_499] == Unit(due: 4_499))
        units.swapAt(0, 4_999)
        #expect(units[0].due == 4_999 && units[4_999].due == 0)
    }
    /// The address a prefetch hint uses is the element's own, in every chunk, for small
    /// and large elements, and follows a chunk copied on write (a snapshot's capture);
    /// out of range there is none.
    @Test func prefetchAddressesAreTheElementsAddresses() {
        struct Wide { var words: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) }
        func expectOwnAddresses<T>(_ array: ChunkedArray<T>) {
            for i in [0, 1, 4095, 4096, 4097, 8191, 8192, array.count - 1] where i >= 0 && i < array.count {
                let own = array.chunks[i >> 12].withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress! + (i & 4095)) }
                #expect(array.unretainedAddress(i) == own, "element \(i) of \(T.self)")
            }
            for outside in [-1, array.count, array.count + 4096, Int.max] { #expect(array.unretainedAddress(outside) == nil) }
        }
        var numbers = ChunkedArray(0..<(2 * 4096 + 5))
        expectOwnAddresses(numbers)
        let wide = ChunkedArray((0..<5_000).map { _ in Wide(words: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) })
        expectOwnAddresses(wide)
        let captured = numbers
        let before = numbers.unretainedAddress(4097)
        numbers[4097] = -1   // copies the second chunk
        #expect(numbers.unretainedAddress(4097) != before && captured.unretainedAddress(4097) == before)
        expectOwnAddresses(numbers)
        expectOwnAddresses(ChunkedArray<Int>())
    }
}
