/// Why an image file could not be turned into pixels.
///
/// `Preprocessor` returns one of these instead of an `Image`. Every case is a problem of the
/// file, not of the environment (a file that cannot be read is a thrown POSIX error), so the
/// caller reports it, counts it and skips the file. `description` is the reason a user sees
/// after `dsprep: <path>: `, one line starting in lower case.
public enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The header check (`ImageInspector.inspect`) refused the file: empty, not an image, an
    /// unsupported format, truncated or damaged.
    case problem(ImageProblem)
    /// The header claims more pixels than the limit (a decompression bomb, or just a huge
    /// image); nothing was allocated or decoded.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// The decoder warned that the data is corrupt (libjpeg's "Corrupt JPEG data: ...",
    /// "Premature end of JPEG file", ...): the pixels it would give are partly made up (grey
    /// fill), so they are not returned. The string is the decoder's message, starting in
    /// lower case, without libjpeg's "Corrupt JPEG data: " prefix.
    case corruptData(String)
    /// The decoder stopped with an error; the string is its message, starting in lower case.
    case decodeFailed(String)
    /// A valid image of a kind dsprep does not decode, e.g. "12-bit JPEG".
    case unsupported(String)

    /// The one-line reason, e.g.
    /// "image has 100000x100000 pixels, more than the limit of 89478485 (see --max-pixels)".
    public var description: String {
        switch self {
        case .problem(let problem):
            problem.description
        case .tooManyPixels(let width, let height, let limit):
            "image has \(width)x\(height) pixels, more than the limit of \(limit) (see --max-pixels)"
        case .corruptData(let message):
            "corrupt data: \(message)"
        case .decodeFailed(let message):
            "cannot decode: \(message)"
        case .unsupported(let what):
            "unsupported \(what)"
        }
    }

    /// Whether this is a decoder warning (`corruptData`) rather than an outright failure: the
    /// file decodes, but not cleanly. `--strict` skips such files; otherwise they are reported.
    public var isWarning: Bool {
        if case .corruptData = self { true } else { false }
    }

    /// A C library's message as a reason: without trailing white space and a trailing full
    /// stop, the first letter in lower case unless the first word is an acronym ("JPEG").
    static func reason(fromLibraryMessage message: String) -> String {
        var text = Substring(message)
        while let last = text.last, last.isWhitespace || last == "." { text = text.dropLast() }
        let firstWord = text.prefix { !$0.isWhitespace }
        guard let first = text.first, firstWord.dropFirst().allSatisfy({ !$0.isUppercase }) else {
            return String(text)
        }
        return first.lowercased() + text.dropFirst()
    }
}
