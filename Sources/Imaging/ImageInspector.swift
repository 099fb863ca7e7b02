#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads what an image file says about itself — format, size, channels, colour model, bit
/// depth, transparency, EXIF orientation, progressive/interlaced — from its header, and checks
/// cheaply that the file is not cut short. Never decodes pixels.
///
/// It runs on every file of an archive before anything is decoded, so it touches only the
/// header and the last 64 KiB, and treats every byte as hostile: every length and offset is
/// checked against the bytes held, and no input makes it trap.
///
/// - The format comes from the magic bytes (`ImageFormat.sniff`), never from the name.
/// - JPEG: `JPEGHeaderParser` walks the marker segments to the first frame header (SOFn).
/// - PNG: `PNGHeaderParser` reads IHDR and the chunks before the first IDAT.
/// - GIF, BMP, WebP and TIFF are recognised and reported as unsupported, unchecked.
///
/// The end-of-file check (`inspect` only):
/// - JPEG: OK when the end-of-image marker `FF D9` occurs after the frame header and within
///   the last 64 KiB of the file. Bytes after EOI are allowed, since cameras and editors
///   append data there (a second preview image, a vendor trailer, padding). Entropy-coded data
///   cannot contain `FF D9` (a data byte `FF` is always followed by `00` or a restart marker),
///   so a file cut inside its scans fails the check.
/// - PNG: OK when the 12 bytes of an empty IEND chunk, `00 00 00 00 49 45 4E 44 AE 42 60 82`,
///   occur within the last 64 KiB.
/// Otherwise the result is `.truncated(format)`.
public enum ImageInspector {
    /// How far from the end of a file the end-of-file check looks for the end marker.
    static let endSearchWindow = 64 * 1024

    /// Inspects a whole image file held in memory: its header and its end.
    ///
    /// - Parameter bytes: the complete file.
    /// - Returns: the header; or `.empty`, `.notAnImage`, `.unsupportedFormat`, `.truncated`
    ///   (no end marker, or a header that runs past the end) or `.damaged`.
    public static func inspect(_ bytes: UnsafeRawBufferPointer) -> Result<ImageHeader, ImageProblem> {
        examine(bytes, checkingEnd: true)
    }

    /// Reads only the header, for callers that hold just the first bytes of a file; the end of
    /// the file is not judged.
    ///
    /// The bytes must reach the JPEG frame header or the PNG chunk before the first IDAT;
    /// 64 KiB is enough for most files, but EXIF thumbnails and ICC profiles can push the JPEG
    /// frame header further. When the bytes end inside the header the result is
    /// `.truncated(format)`, exactly as for a file that is really cut short; a caller that
    /// holds only a prefix should then retry with the whole file.
    /// - Parameter bytes: the file, or a prefix of it.
    /// - Returns: as `inspect(_:)`, except that a missing end marker is not an error.
    public static func readHeader(_ bytes: UnsafeRawBufferPointer) -> Result<ImageHeader, ImageProblem> {
        examine(bytes, checkingEnd: false)
    }

    /// Reads the file at `path` and inspects it as `inspect(_:)` does.
    ///
    /// Regular files are memory-mapped, so only the pages holding the header and the last
    /// 64 KiB are read from disk; anything else (a pipe, a device) is read to its end. A file
    /// that shrinks while it is mapped can raise SIGBUS, as with any mmap reader.
    /// - Parameter path: the file to inspect.
    /// - Returns: the header or the problem with the file's content.
    /// - Throws: `POSIXError` when the file cannot be opened or read (`ENOENT`, `EACCES`,
    ///   `EISDIR` for a directory, ...), so that the caller can say "cannot read".
    public static func inspect(fileAt path: String) throws -> Result<ImageHeader, ImageProblem> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw lastPOSIXError() }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw lastPOSIXError() }
        let kind = status.st_mode & S_IFMT
        guard kind != S_IFDIR else { throw POSIXError(.EISDIR) }

        let size = Int(status.st_size)
        if kind == S_IFREG, size > 0,
           let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED {
            defer { munmap(base, size) }
            return inspect(UnsafeRawBufferPointer(start: base, count: size))
        }
        let bytes = try readToEnd(descriptor)
        return bytes.withUnsafeBytes { inspect($0) }
    }

    /// Sniffs the format, hands the bytes to its parser and, when asked, checks the end.
    private static func examine(_ bytes: UnsafeRawBufferPointer, checkingEnd: Bool) -> Result<ImageHeader, ImageProblem> {
        guard !bytes.isEmpty else { return .failure(.empty) }
        guard let format = ImageFormat.sniff(bytes) else { return .failure(.notAnImage) }
        let parsed: Result<ParsedHeader, ImageProblem>
        let hasEnd: (UnsafeRawBufferPointer, Int) -> Bool
        switch format {
        case .jpeg:
            parsed = JPEGHeaderParser.readHeader(bytes)
            hasEnd = JPEGHeaderParser.hasEndOfImage
        case .png:
            parsed = PNGHeaderParser.readHeader(bytes)
            hasEnd = PNGHeaderParser.hasEndChunk
        case .gif, .bmp, .webp, .tiff:
            return .failure(.unsupportedFormat(format))
        }
        return parsed.flatMap { parsed in
            guard checkingEnd else { return .success(parsed.header) }
            let searchStart = max(parsed.endOffset, bytes.count - endSearchWindow)
            return hasEnd(bytes, searchStart) ? .success(parsed.header) : .failure(.truncated(format))
        }
    }

    /// Reads everything left in `descriptor`, retrying reads interrupted by a signal.
    private static func readToEnd(_ descriptor: Int32) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw lastPOSIXError()
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// The POSIX error that `errno` holds now.
    private static func lastPOSIXError() -> POSIXError {
        POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
}

/// A parser's answer: the header, and the offset just past the header segments it read,
/// before which the end-of-file check must not look (EXIF thumbnails hold end markers too).
struct ParsedHeader {
    var header: ImageHeader
    var endOffset: Int
}

/// Bounds-checked reads for the parsers: each returns nil (or false) rather than trapping
/// when the bytes asked for are not all inside the buffer. Offsets may come straight from the
/// file, so they are checked without arithmetic that could overflow.
extension UnsafeRawBufferPointer {
    /// The byte at `offset`, or nil when it is outside the buffer.
    func byte(at offset: Int) -> UInt8? {
        offset >= 0 && offset < count ? self[offset] : nil
    }

    /// The 16-bit unsigned integer at `offset`, big-endian unless told otherwise.
    func uint16(at offset: Int, bigEndian: Bool = true) -> Int? {
        guard offset >= 0, count >= 2, offset <= count - 2 else { return nil }
        let (first, second) = (Int(self[offset]), Int(self[offset + 1]))
        return bigEndian ? first << 8 | second : second << 8 | first
    }

    /// The 32-bit unsigned integer at `offset`, big-endian unless told otherwise.
    func uint32(at offset: Int, bigEndian: Bool = true) -> Int? {
        guard offset >= 0, count >= 4, offset <= count - 4 else { return nil }
        var value = 0
        for index in 0..<4 {
            value = value << 8 | Int(self[bigEndian ? offset + index : offset + 3 - index])
        }
        return value
    }

    /// Whether the bytes at `offset` are `pattern`.
    func starts(with pattern: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, count >= pattern.count, offset <= count - pattern.count else { return false }
        for (index, byte) in pattern.enumerated() where self[offset + index] != byte { return false }
        return true
    }

    /// Whether `pattern` occurs in the bytes from `start` to the end; searched from the end,
    /// where end markers usually are.
    func contains(_ pattern: [UInt8], from start: Int) -> Bool {
        guard let first = pattern.first, count >= pattern.count else { return false }
        var offset = count - pattern.count
        let lowest = Swift.max(start, 0)
        while offset >= lowest {
            if self[offset] == first && starts(with: pattern, at: offset) { return true }
            offset -= 1
        }
        return false
    }
}
