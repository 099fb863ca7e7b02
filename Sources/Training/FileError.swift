/// A file or folder dsprep cannot use (a run folder, a shard set that does not fit a model, an
/// image `predict` cannot read): its path and the one-line reason, printed as
/// `dsprep: <path>: <reason>`.
public struct FileError: Error, Equatable, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
