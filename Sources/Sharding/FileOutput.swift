import Foundation

/// A file written through a 1 MiB buffer with POSIX calls, for writers that stream: bounded
/// memory, one system call per megabyte, and errors reported as `ShardError.io` naming the file.
final class FileOutput {
    let path: String
    private var fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    /// Bytes written so far, through the buffer or not.
    private(set) var size = 0

    /// Creates (or truncates) the file at `path`.
    init(creating path: String, bufferSize: Int = 1 << 20) throws(ShardError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: "cannot create: \(SafetensorsReader.systemError())") }
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit {
        if fd >= 0 { Foundation.close(fd) }
        buffer.deallocate()
    }

    /// Appends `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(ShardError) {
        if used + bytes.count > buffer.count { try flush() }
        if bytes.count >= buffer.count {
            try writeAll(bytes, at: size)
        } else if let source = bytes.baseAddress, let target = buffer.baseAddress {
            (target + used).copyMemory(from: source, byteCount: bytes.count)
            used += bytes.count
        }
        size += bytes.count
    }

    /// Appends `bytes`.
    func write(_ bytes: [UInt8]) throws(ShardError) {
        try withBytes(of: bytes) { (raw) throws(ShardError) in try write(raw) }
    }

    /// Appends `count` zero bytes.
    func writeZeros(_ count: Int) throws(ShardError) {
        try withBytes(of: [UInt8](repeating: 0, count: count)) { (raw) throws(ShardError) in try write(raw) }
    }

    /// Overwrites bytes already written, at `offset`.
    func overwrite(_ bytes: [UInt8], at offset: Int) throws(ShardError) {
        precondition(offset + bytes.count <= size, "overwrite past the end of \(path)")
        try flush()
        try withBytes(of: bytes) { (raw) throws(ShardError) in try writeAll(raw, at: offset) }
    }

    /// Writes the buffer out.
    func flush() throws(ShardError) {
        guard used > 0 else { return }
        try writeAll(UnsafeRawBufferPointer(rebasing: buffer[0..<used]), at: size - used)
        used = 0
    }

    /// Flushes, fsyncs when `durable`, and closes.
    func close(durable: Bool) throws(ShardError) {
        try flush()
        if durable && fsync(fd) != 0 { throw .io(path: path, reason: "cannot sync: \(SafetensorsReader.systemError())") }
        let status = Foundation.close(fd)
        fd = -1
        if status != 0 { throw .io(path: path, reason: "cannot close: \(SafetensorsReader.systemError())") }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(ShardError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let count = pwrite(fd, base + done, bytes.count - done, off_t(offset + done))
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: "cannot write: \(SafetensorsReader.systemError())")
            }
            done += count
        }
    }
}

/// `body` applied to the bytes of `array`, keeping its typed error (`withUnsafeBytes` rethrows untyped).
func withBytes<Value>(of array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(ShardError) -> Value) throws(ShardError) -> Value {
    let result: Result<Value, ShardError> = array.withUnsafeBytes { raw in
        do throws(ShardError) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// Crash-safe file replacement: write under a temporary name, fsync, rename, fsync the folder.
enum AtomicFile {
    /// The temporary name `ShardWriter` and friends use for `name` in `folder`.
    static func temporaryPath(folder: String, name: String) -> String { folder + "/" + name + ".tmp" }

    /// Writes `bytes` to `folder/name` by way of a temporary file, durably.
    static func write(_ bytes: [UInt8], folder: String, name: String) throws(ShardError) {
        let temporary = temporaryPath(folder: folder, name: name)
        do {
            let output = try FileOutput(creating: temporary)
            try output.write(bytes)
            try output.close(durable: true)
            try commit(temporary, to: folder + "/" + name, durable: true)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Renames `temporary` to `final` and, when `durable`, fsyncs the folder so the rename survives a power cut.
    static func commit(_ temporary: String, to final: String, durable: Bool) throws(ShardError) {
        guard rename(temporary, final) == 0 else {
            throw .io(path: final, reason: "cannot rename \(temporary) into place: \(SafetensorsReader.systemError())")
        }
        if durable { try syncFolder(of: final) }
    }

    /// fsyncs the folder holding `path`.
    static func syncFolder(of path: String) throws(ShardError) {
        let folder = (path as NSString).deletingLastPathComponent
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: folder, reason: "cannot open folder to sync: \(SafetensorsReader.systemError())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(path: folder, reason: "cannot sync folder: \(SafetensorsReader.systemError())") }
    }
}
