/// What can go wrong in `Training` because of what a user asked for or what is on disk.
/// Each `description` is one sentence that says what to do; programmer errors are
/// preconditions instead.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A hyperparameter out of its range: the sentence names it, its range and the value.
    case invalidHyperparameter(String)
    /// A layer spec that does not parse: the offending text and what was expected.
    case invalidLayerSpec(String)
    /// Layers that do not fit together or with the input and classes.
    case invalidModel(String)
    /// A model or checkpoint file that cannot be used: its path and the reason.
    case unreadableFile(path: String, reason: String)
    /// A model or checkpoint file that could not be written.
    case unwritableFile(path: String, reason: String)
    /// A shared library training needs (OpenBLAS) that could not be loaded: which and why.
    case libraryUnavailable(String)

    public var description: String {
        switch self {
        case .invalidHyperparameter(let sentence), .invalidLayerSpec(let sentence), .invalidModel(let sentence),
             .libraryUnavailable(let sentence):
            sentence
        case .unreadableFile(let path, let reason), .unwritableFile(let path, let reason):
            "\(path): \(reason)"
        }
    }
}
