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
    /// How far the reader had to read to find the end of the header.
    var depth: ShapeReader.Depth = .firstRead

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

/// Reads image headers from files without decoding pixels, reading as little of each file
/// as its header needs.
///
/// `ImageInspector.readHeader` needs the bytes up to a JPEG's frame header or a PNG's first
/// IDAT chunk. The reader takes them in up to three steps, each only when the header runs
/// past the bytes held (`.truncated`) and the file is longer:
/// 1. one `pread` of the first 1 KiB, enough for the JPEGs that Pillow, libjpeg and most web
///    sites write (their headers take about 200 bytes) and for whole small PNGs, topped up to
///    4 KiB when the header runs past it (a 3 KiB sRGB ICC profile). After such a file the
///    reader takes 4 KiB at once for the next 64 files, since the files of one data set tend
///    to come from one source, and then tries 1 KiB again. Copying 1 KiB rather than 4 KiB
///    out of the page cache takes a twentieth less system time per file;
/// 2. a second `pread` up to 64 KiB: enough for camera photos, whose EXIF block (with its
///    thumbnail) and ICC profile come before the frame header;
/// 3. the whole file, memory-mapped, so that only the pages the parser touches are read.
/// A file truncated inside its header is truncated after all three. Reading 64 KiB at once
/// would copy whole 30 KB photos for nothing: on the 25,000-photo benchmark that took 40%
/// more CPU time.
///
/// Files are opened relative to their folder (`openat`), whose descriptor the reader keeps
/// while consecutive files share it, so the kernel looks up one name per file, not a path.
///
/// Not thread-safe: it owns a reusable buffer and a folder descriptor. Use one per thread.
final class ShapeReader {
    /// How far a header read went.
    enum Depth: Sendable, Equatable {
        case firstRead, secondRead, wholeFile
    }

    /// The sizes of the reads.
    struct ReadSizes: Sendable, Equatable {
        /// What the first read takes while the headers of the files before fitted in it.
        var small: Int
        /// What the first read takes in all, at once or topped up from `small`.
        var first: Int
        var second: Int

        /// Sizes with `small` at most 1 KiB.
        init(small: Int? = nil, first: Int, second: Int) {
            self.small = small ?? min(first, 1024)
            self.first = first
            self.second = second
        }

        static let standard = ReadSizes(small: 1024, first: 4 * 1024, second: 64 * 1024)
    }

    /// After a file whose header ran past the small read, how many files get the first read
    /// in full before the small one is tried again.
    static let smallReadRetry = 64

    /// The shortest first read: every format's magic bytes fit in it (BMP's check needs 26).
    static let minimumFirstRead = 32

    let sizes: ReadSizes
    private let buffer: UnsafeMutableRawBufferPointer
    /// What the first read takes now: `sizes.small`, or `sizes.first` for a while after a
    /// header ran past the small read.
    private(set) var firstRead: Int
    /// Files read since the first read was set to `sizes.first`.
    private var filesSinceLongHeader = 0
    /// The folder whose descriptor is open, and the descriptor (-1 when none).
    private var folder: (index: Int, descriptor: Int32) = (-1, -1)

    init(sizes: ReadSizes = .standard) {
        precondition(sizes.small >= Self.minimumFirstRead && sizes.first >= sizes.small && sizes.second >= sizes.first,
                     "the first read must hold every format's magic bytes, the later ones at least as much")
        self.sizes = sizes
        firstRead = sizes.small
        buffer = .allocate(byteCount: sizes.second, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        if folder.descriptor >= 0 { close(folder.descriptor) }
    }

    /// Reads the header of the file at `path`.
    func read(_ path: String) -> ShapeRead {
        read(path, relativeTo: AT_FDCWD)
    }

    /// Reads the header of the file `name` in the folder at `folderPath`, which callers
    /// number `folderIndex` (files of one folder should come one after another).
    func read(_ name: String, folderIndex: Int, folderPath: String) -> ShapeRead {
        if folder.index != folderIndex {
            if folder.descriptor >= 0 { close(folder.descriptor) }
            folder = (folderIndex, open(folderPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC))
        }
        // Without a folder descriptor (out of descriptors?) the whole path still works.
        return folder.descriptor >= 0 ? read(name, relativeTo: folder.descriptor) : read(folderPath + "/" + name)
    }

    /// Reads the header of the file at `path`, relative to the folder open as `base`.
    /// - Returns: the file's size and its header, or why there is none. Never throws: a file
    ///   that cannot be read is a result (`.cannotRead`), counted with the unreadable images.
    private func read(_ path: String, relativeTo base: Int32) -> ShapeRead {
        // Three or four system calls a file: openat, pread, lseek (the size; cheaper than
        // fstat, and the walk has already seen a regular file) unless the pread came back
        // short, which means it holds the whole file, and close. O_NONBLOCK keeps a FIFO put
        // in the file's place from blocking the open; reading it then fails.
        // withCString keeps a short name on the stack; passing the String itself made a heap
        // copy of it for every file.
        let descriptor = path.withCString { openat(base, $0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        guard descriptor >= 0 else { return Self.failed(.cannotRead(Self.errorText()), bytes: 0) }
        defer { close(descriptor) }
        let wanted = firstRead
        var count = readPrefix(descriptor, from: 0, to: wanted)
        guard count >= 0 else { return Self.failed(.cannotRead(Self.errorText()), bytes: 0) }
        let size: Int64
        if count < wanted {
            size = Int64(count)
        } else {
            let end = lseek(descriptor, 0, SEEK_END)
            guard end >= 0 else { return Self.failed(.cannotRead(Self.errorText()), bytes: 0) }
            size = Int64(end)
        }
        var result = header(count)
        if wanted < sizes.first, case .failure(.truncated) = result, Int64(count) < size {
            // The header runs past the small read: top it up, and read this much at once for
            // the next files.
            firstRead = sizes.first
            filesSinceLongHeader = 0
            count = readPrefix(descriptor, from: count, to: Int(min(size, Int64(sizes.first))))
            guard count >= 0 else { return Self.failed(.cannotRead(Self.errorText()), bytes: size) }
            result = header(count)
        } else if wanted > sizes.small {
            filesSinceLongHeader += 1
            if filesSinceLongHeader >= Self.smallReadRetry { firstRead = sizes.small }
        }
        guard case .failure(.truncated) = result, Int64(count) < size else {
            return ShapeRead(fileBytes: size, result: result.mapError { .problem($0) }, depth: .firstRead)
        }
        count = readPrefix(descriptor, from: count, to: Int(min(size, Int64(sizes.second))))
        guard count >= 0 else { return Self.failed(.cannotRead(Self.errorText()), bytes: size) }
        result = header(count)
        guard case .failure(.truncated) = result, Int64(count) < size else {
            return ShapeRead(fileBytes: size, result: result.mapError { .problem($0) }, depth: .secondRead)
        }
        return readWhole(descriptor, size: Int(size))
    }

    /// The header in the first `count` bytes of the buffer.
    private func header(_ count: Int) -> Result<ImageHeader, ImageProblem> {
        ImageInspector.readHeader(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }

    /// Fills the buffer from byte `start` of the file up to byte `end`.
    /// - Returns: the number of bytes now held from the start of the file (fewer than `end` if
    ///   the file shrank), or -1 with `errno` set.
    private func readPrefix(_ descriptor: Int32, from start: Int, to end: Int) -> Int {
        var count = start
        while count < end {
            let got = pread(descriptor, buffer.baseAddress.map { $0 + count }, end - count, off_t(count))
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
        return ShapeRead(fileBytes: Int64(size), result: result.mapError { .problem($0) }, depth: .wholeFile)
    }

    private static func failed(_ failure: ShapeReadFailure, bytes: Int64) -> ShapeRead {
        ShapeRead(fileBytes: bytes, result: .failure(failure))
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
