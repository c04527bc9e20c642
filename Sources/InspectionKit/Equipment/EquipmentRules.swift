/// 检验周期规则 — periodic-inspection intervals per category, variant and safety grade (SPEC §8).
///
/// Read from `config/equipment-rules.json` by the daemon, but the domain only ever uses the
/// copy journaled in a `rules.changed` event, so replay never depends on the file. Layout:
///
/// ```json
/// {"categories": {
///    "pressure_vessel": {"firstMonths": 36, "intervalMonths": 36,
///                        "grades": {"1": {"intervalMonths": 72}, "5": {"usable": false}}},
///    "gas_cylinder": {"variants": {"general": {"intervalMonths": 36}, …}}, …}}
/// ```
///
/// Precedence for a unit's interval: a not-usable grade; for the first inspection after
/// commissioning (or after a supervision inspection) the variant's, then the category's
/// `firstMonths`; otherwise the grade's, the variant's, then the category's `intervalMonths`.
public struct EquipmentRules: Sendable, Equatable {
    /// One category's rule.
    public struct CategoryRule: Sendable, Equatable {
        public var intervalMonths: Int?
        public var firstMonths: Int?
        /// Known variants (品种) and their own intervals (nil: the category's).
        public var variants: [String: VariantRule]
        /// Intervals by 安全状况等级; a missing grade uses the variant/category interval.
        public var grades: [Int: GradeRule]

        /// A variant must be given when the category has no interval of its own (gas cylinders).
        public var variantRequired: Bool { intervalMonths == nil }
        /// Whether units of this category carry a safety grade (vessels, piping).
        public var hasGrades: Bool { !grades.isEmpty }
    }

    public struct VariantRule: Sendable, Equatable {
        public var intervalMonths: Int?
        public var firstMonths: Int?
        /// The Chinese name (设备品种), accepted in CSV imports in place of the key.
        public var label: String?
    }

    public enum GradeRule: Sendable, Equatable {
        case months(Int)
        /// 不允许使用 — e.g. a grade-5 pressure vessel.
        case notUsable
    }

    /// What a unit's next periodic inspection works out to.
    public enum Due: Sendable, Equatable {
        case date(CivilDate)
        /// Its grade forbids use: no due date, no reminders, until a better grade is recorded.
        case notUsable
    }

    public private(set) var categories: [EquipmentCategory: CategoryRule]
    /// The rules as written (minus nothing: `$comment`s are kept), for the journal and display.
    public let json: JSONValue

    /// Longest interval accepted, in months (50 years).
    public static let maxMonths = 600

    /// Validates a rules document; errors name the key path, e.g. `categories.crane.variants.tower.intervalMonths`.
    public init(json: JSONValue) throws(CommandError) {
        func fail(_ path: String, _ message: String) -> CommandError {
            .badRequest("equipment rules: \(path) \(message)")
        }
        func months(_ value: JSONValue, _ path: String) throws(CommandError) -> Int {
            guard let n = value.intValue, (1...EquipmentRules.maxMonths).contains(n) else {
                throw fail(path, "must be a whole number of months between 1 and \(EquipmentRules.maxMonths)")
            }
            return n
        }
        func object(_ value: JSONValue, _ path: String) throws(CommandError) -> JSONObject {
            guard let o = value.objectValue else { throw fail(path, "must be an object") }
            return o
        }
        let root = try object(json, "(top level)")
        var categories: [EquipmentCategory: CategoryRule] = [:]
        for (key, value) in root.members {
            switch key {
            case "$comment", "version", "source": continue
            case "categories": break
            default: throw fail(key, "is not a known key (known: categories, version, source, $comment)")
            }
            for (name, body) in try object(value, "categories").members {
                if name == "$comment" { continue }
                guard let category = EquipmentCategory(rawValue: name) else {
                    throw fail("categories.\(name)", "is not a catalogue category (known: \(EquipmentCategory.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                let path = "categories.\(name)"
                var rule = CategoryRule(intervalMonths: nil, firstMonths: nil, variants: [:], grades: [:])
                for (field, v) in try object(body, path).members {
                    switch field {
                    case "$comment": continue
                    case "intervalMonths": rule.intervalMonths = try months(v, "\(path).intervalMonths")
                    case "firstMonths": rule.firstMonths = try months(v, "\(path).firstMonths")
                    case "variants":
                        for (variant, vb) in try object(v, "\(path).variants").members {
                            if variant == "$comment" { continue }
                            let vpath = "\(path).variants.\(variant)"
                            guard EquipmentRules.isValidVariantName(variant) else {
                                throw fail(vpath, "is not a valid variant name (lower-case letters, digits, _)")
                            }
                            var vr = VariantRule(intervalMonths: nil, firstMonths: nil, label: nil)
                            for (vf, vv) in try object(vb, vpath).members {
                                switch vf {
                                case "$comment": continue
                                case "label":
                                    guard let text = vv.stringValue, !text.isEmpty else { throw fail("\(vpath).label", "must be a non-empty string") }
                                    vr.label = text
                                case "intervalMonths": vr.intervalMonths = try months(vv, "\(vpath).intervalMonths")
                                case "firstMonths": vr.firstMonths = try months(vv, "\(vpath).firstMonths")
                                default: throw fail("\(vpath).\(vf)", "is not a known key (known: intervalMonths, firstMonths, label)")
                                }
                            }
                            rule.variants[variant] = vr
                        }
                    case "grades":
                        for (g, gb) in try object(v, "\(path).grades").members {
                            if g == "$comment" { continue }
                            let gpath = "\(path).grades.\(g)"
                            guard let grade = Int(g), (1...5).contains(grade) else { throw fail(gpath, "is not a grade 1–5") }
                            var gradeRule: GradeRule?
                            for (gf, gv) in try object(gb, gpath).members {
                                switch gf {
                                case "$comment": continue
                                case "intervalMonths": gradeRule = .months(try months(gv, "\(gpath).intervalMonths"))
                                case "usable":
                                    guard gv.boolValue == false else { throw fail("\(gpath).usable", "may only be false (not usable)") }
                                    gradeRule = .notUsable
                                default: throw fail("\(gpath).\(gf)", "is not a known key (known: intervalMonths, usable)")
                                }
                            }
                            guard let gradeRule else { throw fail(gpath, "needs intervalMonths or \"usable\": false") }
                            rule.grades[grade] = gradeRule
                        }
                    default:
                        throw fail("\(path).\(field)", "is not a known key (known: intervalMonths, firstMonths, variants, grades)")
                    }
                }
                if rule.intervalMonths == nil {
                    guard !rule.variants.isEmpty, rule.variants.values.allSatisfy({ $0.intervalMonths != nil }) else {
                        throw fail(path, "needs intervalMonths, or variants that each have intervalMonths")
                    }
                }
                categories[category] = rule
            }
        }
        self.categories = categories
        self.json = json
    }

    /// Variant names are words like `tower` or `molten_metal`.
    public static func isValidVariantName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 40
            && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }

    public func rule(for category: EquipmentCategory) -> CategoryRule? { categories[category] }

    /// The variant key for `text`: the key itself or its Chinese label (CSV imports).
    public func variantKey(_ text: String, category: EquipmentCategory) -> String? {
        guard let rule = categories[category] else { return nil }
        if rule.variants[text] != nil { return text }
        return rule.variants.first { $0.value.label == text }?.key
    }

    /// Checks a unit's category, variant and grade against the rules; the error names the
    /// offending value and lists the accepted ones. `command` prefixes the message.
    public func validate(category: EquipmentCategory, variant: String?, grade: Int?, command: String) throws(CommandError) {
        guard let rule = categories[category] else {
            throw .badRequest("\(command): the equipment rules in force have no entry for category \(category.rawValue) (\(category.label)); add it to config/equipment-rules.json and reload (SIGHUP)")
        }
        let known = rule.variants.keys.sorted().joined(separator: ", ")
        if let variant {
            guard rule.variants[variant] != nil else {
                throw .badRequest("\(command): unknown variant \"\(variant)\" for category \(category.rawValue) (\(category.label))" + (known.isEmpty ? "; this category has no variants in the rules — omit variant" : "; known variants: \(known)"))
            }
        } else if rule.variantRequired {
            throw .badRequest("\(command): category \(category.rawValue) (\(category.label)) needs a variant: one of \(known)")
        }
        if let grade {
            guard (1...5).contains(grade) else {
                throw .badRequest("\(command): grade \(grade) is outside 1–5 (安全状况等级)")
            }
            guard rule.hasGrades else {
                throw .badRequest("\(command): category \(category.rawValue) (\(category.label)) has no safety grade (安全状况等级 applies to \(categories.filter { $0.value.hasGrades }.keys.sorted().map(\.rawValue).joined(separator: ", "))); omit grade")
            }
        }
    }

    /// The next periodic inspection after `base`: the commissioning date or a supervision
    /// inspection when `first`, otherwise the last passing inspection. Month arithmetic
    /// clamps to the month's end (2024-01-31 + 1 month = 2024-02-29). Returns nil when the
    /// rules have no entry for the category (commands check `validate` first).
    public func due(category: EquipmentCategory, variant: String?, grade: Int?, base: CivilDate, first: Bool) -> Due? {
        guard let rule = categories[category] else { return nil }
        if let grade, case .notUsable? = rule.grades[grade] { return .notUsable }
        let variantRule = variant.flatMap { rule.variants[$0] }
        if first, let m = variantRule?.firstMonths ?? rule.firstMonths {
            return .date(base.adding(months: m))
        }
        if let grade, case .months(let m)? = rule.grades[grade] { return .date(base.adding(months: m)) }
        guard let m = variantRule?.intervalMonths ?? rule.intervalMonths else { return nil }
        return .date(base.adding(months: m))
    }

    /// Whether `grade` forbids use in `category`.
    public func isNotUsable(category: EquipmentCategory, grade: Int?) -> Bool {
        guard let grade, case .notUsable? = categories[category]?.grades[grade] else { return false }
        return true
    }

    public static func == (lhs: EquipmentRules, rhs: EquipmentRules) -> Bool {
        lhs.categories == rhs.categories
    }
}

extension EquipmentRules {
    /// The defaults of SPEC §8, identical to the shipped `config/equipment-rules.json`
    /// (a test keeps the two in step). For tests and benchmarks; the daemon reads the file.
    public static let specDefaultsJSON: JSONValue = [
        "categories": [
            "boiler": [
                "intervalMonths": 12,
                "variants": ["steam": ["label": "承压蒸汽锅炉"], "hot_water": ["label": "承压热水锅炉"],
                             "organic_heat_carrier": ["label": "有机热载体锅炉"]],
            ],
            "pressure_vessel": [
                "firstMonths": 36, "intervalMonths": 36,
                "variants": ["fixed": ["label": "固定式压力容器"], "mobile": ["label": "移动式压力容器"],
                             "oxygen_chamber": ["label": "氧舱"]],
                "grades": ["1": ["intervalMonths": 72], "2": ["intervalMonths": 72], "3": ["intervalMonths": 36],
                           "4": ["intervalMonths": 36], "5": ["usable": false]],
            ],
            "gas_cylinder": [
                "variants": ["corrosive": ["intervalMonths": 24, "label": "盛装腐蚀性气体的气瓶"],
                             "general": ["intervalMonths": 36, "label": "一般气体气瓶"],
                             "inert": ["intervalMonths": 60, "label": "惰性气体气瓶"],
                             "lpg": ["intervalMonths": 48, "label": "液化石油气钢瓶"]],
            ],
            "elevator": [
                "intervalMonths": 12,
                "variants": ["traction": ["label": "曳引与强制驱动电梯"], "hydraulic": ["label": "液压驱动电梯"],
                             "escalator": ["label": "自动扶梯"], "moving_walk": ["label": "自动人行道"],
                             "other": ["label": "其他类型电梯"]],
            ],
            "crane": [
                "intervalMonths": 24,
                "variants": ["bridge": ["label": "桥式起重机"], "gantry": ["label": "门式起重机"],
                             "tower": ["intervalMonths": 12, "label": "塔式起重机"],
                             "mobile": ["intervalMonths": 12, "label": "流动式起重机"],
                             "portal": ["label": "门座式起重机"],
                             "hoist": ["intervalMonths": 12, "label": "升降机"],
                             "cable": ["label": "缆索式起重机"], "mast": ["label": "桅杆式起重机"],
                             "mechanical_parking": ["label": "机械式停车设备"],
                             "molten_metal": ["intervalMonths": 12, "label": "吊运熔融金属的起重机"]],
            ],
            "field_vehicle": [
                "intervalMonths": 12,
                "variants": ["forklift": ["label": "叉车"], "sightseeing": ["label": "非公路用旅游观光车辆"]],
            ],
            "amusement_ride": ["intervalMonths": 12],
            "pressure_piping": [
                "firstMonths": 36, "intervalMonths": 36,
                "variants": ["long_distance": ["label": "长输管道"], "public": ["label": "公用管道"],
                             "industrial": ["label": "工业管道"]],
                "grades": ["1": ["intervalMonths": 72], "2": ["intervalMonths": 72], "3": ["intervalMonths": 36],
                           "4": ["usable": false]],
            ],
            "ropeway": ["intervalMonths": 12],
        ],
    ]

    /// `specDefaultsJSON`, validated.
    public static let specDefaults: EquipmentRules = {
        do { return try EquipmentRules(json: specDefaultsJSON) } catch { fatalError("built-in equipment rules: \(error)") }
    }()
}
