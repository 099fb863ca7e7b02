/// The shares of train, validation and test, as integer weights (`80/10/10` is 80, 10, 10;
/// `0.8/0.1/0.1` is 8, 1, 1). Integers keep the rounding exact: no 0.1 + 0.2 surprises.
public struct SplitRatios: Sendable, Equatable, Codable, CustomStringConvertible {
    public var train: Int
    public var validation: Int
    public var test: Int

    /// - Precondition: no weight is negative, and train's is above 0.
    public init(train: Int, validation: Int, test: Int) {
        precondition(train > 0 && validation >= 0 && test >= 0, "split weights must be >= 0, train's > 0")
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// 80/10/10, the default.
    public static let `default` = SplitRatios(train: 80, validation: 10, test: 10)

    public var total: Int { train + validation + test }

    public func weight(_ split: Split) -> Int {
        switch split {
        case .train: train
        case .validation: validation
        case .test: test
        }
    }

    /// The splits with a share above 0, in order.
    public var active: [Split] { Split.allCases.filter { weight($0) > 0 } }

    /// These ratios with the shares of `kept` splits set to 0: the rest divide what is pooled
    /// in proportion (80/10/10 keeping test is 80:10, so 1/9 of the pool goes to validation).
    public func without(_ kept: Set<Split>) -> SplitRatios {
        SplitRatios(train: train,
                    validation: kept.contains(.validation) ? 0 : validation,
                    test: kept.contains(.test) ? 0 : test)
    }

    /// A split's share in percent.
    public func percent(_ split: Split) -> Double {
        Double(weight(split)) * 100 / Double(total)
    }

    /// The shares as percentages, `80/10/10`, without a test part when its share is 0
    /// (`90/10`), and with up to two decimals where needed (`33.33/33.33/33.33`).
    public var description: String {
        let splits: [Split] = test == 0 ? [.train, .validation] : Split.allCases
        return splits.map { Self.format(percent($0)) }.joined(separator: "/")
    }

    /// A percentage with up to two decimals: 80, 88.89, 12.5.
    public static func format(_ value: Double) -> String {
        let hundredths = (value * 100).rounded()
        let whole = Int(hundredths / 100)
        let fraction = Int(hundredths) % 100
        if fraction == 0 { return "\(whole)" }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10)" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
