@testable import InspectionKit
import Testing

struct PackedIDTests {
    /// The draw reads target ids back from the packed form: every length that fits gives
    /// the same bytes; 24 bytes or more (possibly cut) gives nil, so the caller reads the entity.
    @Test func packedIDsGiveTheIdBack() {
        for id in ["", "9", "91350100M000100Y", "91350100M000100Y4X", "91350100M000100Y4X12345", "中文"] {
            #expect(PackedID(id).string == id)
        }
        #expect(PackedID("91350100M000100Y4X123456").string == nil)
        #expect(PackedID("91350100M000100Y4X1234567890").string == nil)
    }

    /// Packed ids order as their bytes do.
    @Test func packedIDsOrderAsBytes() {
        let ids = ["91350100M000100Y4X", "91350100M000100Y4", "9135010", "A", "91350100M000100Y4Y", "1"]
        let byBytes = ids.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(ids.sorted { PackedID($0) < PackedID($1) } == byBytes)
    }
}
