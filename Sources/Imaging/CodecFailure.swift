/// A C codec library's failure: the function that failed and the library's own message.
///
/// Thrown by `PNGEncoder` (images dsprep writes itself, so a failure is a bug or an
/// exhausted machine, not a problem of the user's data).
public struct CodecFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The C function that reported the failure, e.g. "png_image_write_to_memory".
    public var function: String
    /// The library's message, e.g. "png_image_write_to_memory: invalid argument".
    public var reason: String

    public init(function: String, reason: String) {
        self.function = function
        self.reason = reason
    }

    /// "<function> failed: <reason>".
    public var description: String { "\(function) failed: \(reason)" }
}
