/// A unit's own texts — 设备代码 (code), 使用登记证编号 (registration number) and 设备使用地点
/// (address) — in one byte buffer: the code's bytes, the registration's, the address's.
/// Held inline up to `capacity` bytes (the benchmark's need at most 71: a 20-digit code,
/// `梯11闽A00001(20)`, `福州市鼓楼区五一路996号`); longer ones spill into one heap array.
/// Not more: `EquipmentRegistration` carries these texts, and the payload every replayed
/// event carries (`EventPayload`) is as large as its largest case. With 80 a unit record
/// is four cache lines and an `Event` 312 bytes (304 with the texts as Strings; 328 with
/// 96 inline).
///
/// A million units kept these as three heap Strings each: three blocks of 48–80 bytes to
/// allocate on replay's reader and fault in on its applier. Packed, the 10M-event replay
/// ends 188 MB smaller (46,000 fewer page faults).
public struct UnitTexts: Sendable, Equatable {
    public static var capacity: Int { SpillableBytes<InlineWords10>.capacity }
    private var bytes = SpillableBytes<InlineWords10>()
    private var codeCount: Int32 = 0
    private var registrationCount: Int32 = 0

    /// Each must be valid UTF-8.
    public init(code: UnsafeRawBufferPointer, registration: UnsafeRawBufferPointer, address: UnsafeRawBufferPointer) {
        bytes.append(code)
        bytes.append(registration)
        bytes.append(address)
        codeCount = Int32(code.count)
        registrationCount = Int32(registration.count)
    }

    public init(code: String, registration: String, address: String) {
        var code = code, registration = registration, address = address
        self = code.withUTF8 { code in
            registration.withUTF8 { registration in
                address.withUTF8 { address in
                    UnitTexts(code: UnsafeRawBufferPointer(code), registration: UnsafeRawBufferPointer(registration),
                              address: UnsafeRawBufferPointer(address))
                }
            }
        }
    }

    static let empty = UnitTexts(code: "", registration: "", address: "")

    @inline(__always)
    private func withText<R>(_ k: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        bytes.withBytes { all in
            let start = k == 0 ? 0 : k == 1 ? Int(codeCount) : Int(codeCount + registrationCount)
            let end = k == 0 ? Int(codeCount) : k == 1 ? Int(codeCount + registrationCount) : all.count
            return body(UnsafeRawBufferPointer(rebasing: all[start..<end]))
        }
    }

    /// Calls `body` with the code's bytes.
    @inline(__always)
    public func withCode<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { withText(0, body) }

    /// Whether the code is `code`'s bytes.
    @inline(__always)
    func hasCode(_ code: UnsafeRawBufferPointer) -> Bool { withCode { $0.equalBytes(code) } }

    func hasCode(_ code: String) -> Bool {
        var code = code
        return code.withUTF8 { hasCode(UnsafeRawBufferPointer($0)) }
    }

    /// Whether this code sorts before `other`'s: by their UTF-8 bytes (the order of their
    /// Unicode scalars), with no String made.
    func codePrecedes(_ other: UnitTexts) -> Bool {
        withCode { a in other.withCode { b in a.lexicographicallyPrecedes(b) } }
    }

    public var code: String { withText(0) { String(decoding: $0, as: UTF8.self) } }
    public var registration: String { withText(1) { String(decoding: $0, as: UTF8.self) } }
    public var address: String { withText(2) { String(decoding: $0, as: UTF8.self) } }

    /// The same texts with the registration number or the address replaced.
    func replacing(registration: String? = nil, address: String? = nil) -> UnitTexts {
        UnitTexts(code: code, registration: registration ?? self.registration, address: address ?? self.address)
    }

    /// Whether the texts are held inline (no heap array).
    var isInline: Bool { bytes.isInline }

    public static func == (lhs: UnitTexts, rhs: UnitTexts) -> Bool {
        lhs.codeCount == rhs.codeCount && lhs.registrationCount == rhs.registrationCount && lhs.bytes == rhs.bytes
    }
}
