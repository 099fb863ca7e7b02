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

/// Reads whole files into a reused buffer: one `open`, `fstat` and (usually) one `read` per
/// file, with no allocation once the buffer has grown to the largest file. For a stream of
/// small photos this is cheaper than mapping each file (no page faults, no `munmap`).
enum FileReader {
    /// Reads the file at `path` into `buffer` and returns the number of bytes read.
    ///
    /// - Throws: `POSIXError` when the file cannot be opened or read (`ENOENT`, `EACCES`,
    ///   `EISDIR` for a directory, ...).
    static func contents(of path: String, into buffer: ScratchBuffer) throws -> Int {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw lastError() }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw lastError() }
        guard status.st_mode & S_IFMT != S_IFDIR else { throw POSIXError(.EISDIR) }
        // The size is a hint (a pipe has none, a file can grow): read until end of file.
        var capacity = max(Int(status.st_size) + 1, 64 * 1024)
        var count = 0
        buffer.reserve(capacity)
        while true {
            if count == capacity {
                // Grow, keeping what was read.
                let kept = [UInt8](UnsafeBufferPointer(start: buffer.pointer, count: count))
                capacity *= 2
                buffer.reserve(capacity).update(from: kept, count: count)
            }
            let got = read(descriptor, buffer.pointer + count, capacity - count)
            if got == 0 { return count }
            if got < 0 {
                if errno == EINTR { continue }
                throw lastError()
            }
            count += got
        }
    }

    /// The POSIX error that `errno` holds now.
    private static func lastError() -> POSIXError {
        POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
}
