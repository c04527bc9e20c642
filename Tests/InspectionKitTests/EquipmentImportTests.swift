@testable import InspectionKit
import Testing

/// `equipment.import` rows (the shared CSV machinery is tested with the directories):
/// Chinese headers, lenient dates and names, errors naming line and column, updates.
struct EquipmentImportTests {
    static let header = ["设备代码", "使用登记证编号", "设备类别", "设备品种", "使用单位统一社会信用代码", "使用单位",
                         "设备地址", "区域", "投用日期", "安全状况等级", "下次检验日期", "上次检验日期"]

    static func row(_ ledger: DomainLedger, line: Int, _ fields: [String]) throws(CSVRowError) -> NewEvent? {
        let header = try EquipmentImports.equipment.schema.bind(header: header, line: 1)
        let row = try header.row(CSVParser.Record(line: line, fields: fields))
        return try EquipmentImports.equipment.event(row, ledger.state, ledger.context)
    }

    @Test func rowsRegisterThenUpdateOnlyWhatChanged() throws {
        var ledger = try DomainLedger.equipment(now: "2026-11-23T09:00:00+08:00")
        let user = Fixture.uscc(11)
        let fields = ["43003501112022000025", "起43闽A00025(22)", "起重机械", "塔式起重机", user, "晋安源德科技有限公司",
                      "福州市晋安区杨桥路218号", "晋安区", "2022/10/12", "", "", "2025年10月14日"]
        let event = try #require(try Self.row(ledger, line: 2, fields))
        #expect(event.type == EventType.equipmentRegistered)
        #expect(event.data["variant"]?.stringValue == "tower")
        #expect(event.data["commissioned"]?.stringValue == "2022-10-12")
        #expect(event.data["nextDue"]?.stringValue == "2026-10-14")       // tower cranes: 12 months
        try ledger.append([event])
        #expect(try Self.row(ledger, line: 2, fields) == nil)             // unchanged: nothing
        var moved = fields
        moved[6] = "福州市晋安区杨桥路220号"
        moved[10] = "2027-10-01"
        let update = try #require(try Self.row(ledger, line: 2, moved))
        #expect(update.type == EventType.equipmentUpdated)
        #expect(update.data["changes"]?.objectValue?.keys == ["address"])
        #expect(update.data["nextDue"]?.stringValue == "2027-10-01")
        #expect(update.data["nextDueSource"]?.stringValue == "certificate")
    }

    @Test(arguments: [
        (10, 3, "设备类别", "火箭"),      // unknown category
        (3, 4, "variant", "rocket"),     // unknown variant
        (4, 5, "user", "91350111EHNMLW5TDX"),
        (9, 10, "grade", "7"),
        (8, 9, "commissioned", "2026-13-01"),
        (11, 12, "lastInspected", "2027-01-01"),
    ])
    func badRowsNameLineColumnAndValue(index: Int, column: Int, field: String, value: String) {
        let ledger = try! DomainLedger.equipment(now: "2026-11-23T09:00:00+08:00")
        var fields = ["21503501042014000020", "容15闽A00020(14)", "压力容器", "fixed", Fixture.uscc(12), "",
                      "福州市仓山区白马路381号", "仓山区", "2014-06-06", "1", "", "2020-07-16"]
        fields[index == 10 ? 2 : index] = value
        #expect {
            _ = try Self.row(ledger, line: 7, fields)
        } throws: { error in
            guard let error = error as? CSVRowError else { return false }
            return error.line == 7 && error.column == (index == 10 ? 3 : column) && error.reason.contains(value)
        }
    }
}
