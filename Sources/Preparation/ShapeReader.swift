#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Imaging

/// Why a file gave no header.
enum ShapeReadFailure: Error, Sendable, Equatable {
    /// The content is not an acceptable image: empty, not an image, an unsupported format,
    /// truncated inside its header, or damaged.
    case problem(ImageProblem)
    /// The file could not be opened or read; the system's message.
    case cannotRead(String)

    /// The reason a user sees, e.g. "empty file" or "cannot read: Permission denied".
    var reason: String {
        switch self {
        case .problem(let problem): problem.description
        case .cannotRead(let message): "cannot read: \(message)"
        }
    }
}

/// What reading one file's header found.
struct ShapeRead: Sendable, Equatable {
    /// The file's size in bytes.
    var fileBytes: Int64
    var result: Result<ImageHeader, ShapeReadFailure>
    /// Whether the first bytes ended inside the header, so that the whole file was read.
    var readWholeFile = false

    /// The format the content is in, whether or not its header could be read.
    var format: ImageFormat? {
        switch result {
        case .success(let header): header.format
        case .failure(.problem(.unsupportedFormat(let format))), .failure(.problem(.truncated(let format))),
             .failure(.problem(.damaged(let format, _))): format
        case .failure: nil
        }
    }
}

/// Reads image headers from files without decoding pixels: one `pread` of the first bytes,
/// and the whole file only when the header runs past them.
///
/// `ImageInspector.readHeader` needs the bytes up to a JPEG's frame header or a PNG's first
/// IDAT chunk. For almost every file they lie in the first few KiB, but a camera's EXIF
/// thumbnail or an ICC profile can push a JPEG's frame header past 64 KiB; then the prefix
/// gives `.truncated`, and the file, if it is longer than the prefix, is memory-mapped and
/// read again. A file that is truncated inside its header is truncated either way.
///
/// Not thread-safe: it owns one reusable buffer. Use one reader per thread.
final class ShapeReader {
    /// How many bytes the first read takes: enough for the headers of nearly all files.
    static let defaultPrefixBytes = 64 * 1024

    let prefixBytes: Int
    private let buffer: UnsafeMutableRawBufferPointer

    init(prefixBytes: Int = ShapeReader.defaultPrefixBytes) {
        precondition(prefixBytes > 0, "the prefix must hold at least one byte")
        self.prefixBytes = prefixBytes
        buffer = .allocate(byteCount: prefixBytes, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    /// Reads the header of the file at `path`.
    /// - Returns: the file's size and its header, or why there is none. Never throws: a file
    ///   that cannot be read is a result (`.cannotRead`), counted with the unreadable images.
    func read(_ path: String) -> ShapeRead {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return Self.failed(.cannotRead(Self.errorText()), bytes: 0) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return Self.failed(.cannotRead(Self.errorText()), bytes: 0) }
        let size = Int64(info.st_size)
        guard info.st_mode & S_IFMT == S_IFREG else { return Self.failed(.cannotRead("not a regular file"), bytes: size) }

        let count = readPrefix(descriptor, wanted: Int(min(size, Int64(prefixBytes))))
        guard count >= 0 else { return Self.failed(.cannotRead(Self.errorText()), bytes: size) }
        let result = ImageInspector.readHeader(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        guard case .failure(.truncated) = result, Int64(count) < size else {
            return ShapeRead(fileBytes: size, result: result.mapError { .problem($0) })
        }
        return readWhole(descriptor, size: Int(size))
    }

    /// Fills the buffer with up to `wanted` bytes from the start of the file.
    /// - Returns: the number of bytes read (fewer if the file shrank), or -1 with `errno` set.
    private func readPrefix(_ descriptor: Int32, wanted: Int) -> Int {
        var count = 0
        while count < wanted {
            let got = pread(descriptor, buffer.baseAddress.map { $0 + count }, wanted - count, off_t(count))
            if got == 0 { break }
            if got < 0 {
                if errno == EINTR { continue }
                return -1
            }
            count += got
        }
        return count
    }

    /// Reads the header from the whole file, memory-mapped, so that only the pages the parser
    /// touches are read.
    private func readWhole(_ descriptor: Int32, size: Int) -> ShapeRead {
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            return Self.failed(.cannotRead(Self.errorText()), bytes: Int64(size))
        }
        defer { munmap(base, size) }
        let result = ImageInspector.readHeader(UnsafeRawBufferPointer(start: base, count: size))
        return ShapeRead(fileBytes: Int64(size), result: result.mapError { .problem($0) },
                         readWholeFile: true)
    }

    private static func failed(_ failure: ShapeReadFailure, bytes: Int64) -> ShapeRead {
        ShapeRead(fileBytes: bytes, result: .failure(failure))
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
