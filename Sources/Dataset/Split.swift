/// The three splits of a data set, named as the output folders are named.
public enum Split: String, Sendable, Codable, CaseIterable, Comparable {
    case train, validation, test

    /// The split a folder name stands for, or nil.
    ///
    /// Recognised (any case, `_`, `-` and spaces ignored, a trailing "set" dropped):
    /// train/training, val/valid/validation, test/testing, so `training_set`, `trainingSet`,
    /// `test-set` and `Validation` all count; `test1` (Kaggle's unlabelled folder) does not.
    public static func recognise(_ folderName: String) -> Split? {
        var name = folderName.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " }
        if name.hasSuffix("set") && name.count > 3 { name.removeLast(3) }
        switch name {
        case "train", "training": return .train
        case "val", "valid", "validation": return .validation
        case "test", "testing": return .test
        default: return nil
        }
    }

    public static func < (lhs: Split, rhs: Split) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .train: 0
        case .validation: 1
        case .test: 2
        }
    }
}
