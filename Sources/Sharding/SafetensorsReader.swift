import Foundation

/// A safetensors file mapped into memory and checked, tensor by tensor, before anything is read.
///
/// The whole file is mapped read-only (`mmap`), so opening costs the header parse whatever the
/// file's size, and tensor bytes are paged in as they are touched. Every rule in
/// `SafetensorsHeader.swift` is checked on open; afterwards each tensor's bytes are known to lie
/// inside the file. The buffers handed out stay valid as long as the reader lives. (As with any
/// mapping, a file truncated by another process while mapped makes later reads fault.)
public final class SafetensorsReader: @unchecked Sendable {
    // Immutable after init; the mapping is read-only: safe to share between threads.
    public let path: String
    /// The file's size in bytes.
    public let fileSize: Int
    public let header: SafetensorsHeader
    /// The offset of the data area: 8 + the header length.
    public let dataStart: Int
    private let mapping: UnsafeRawBufferPointer

    /// Maps and checks the file at `path`.
    /// - Throws: `ShardError.io` if it cannot be opened or mapped; otherwise the first broken rule.
    public init(path: String) throws(ShardError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)   // a FIFO must not block the open
        guard fd >= 0 else { throw .io(path: path, reason: "cannot open: \(Self.systemError())") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .io(path: path, reason: "cannot stat: \(Self.systemError())") }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .io(path: path, reason: "not a regular file") }
        let size = Int(status.st_size)
        guard size >= 8 else { throw .truncated(path: path, size: size) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .io(path: path, reason: "cannot map: \(Self.systemError())")
        }
        let mapping = UnsafeRawBufferPointer(start: base, count: size)
        do {
            let parsed = try SafetensorsHeader.parse(file: mapping, path: path)
            header = parsed.header
            dataStart = parsed.dataStart
        } catch {
            munmap(base, size)
            throw error
        }
        self.mapping = mapping
        fileSize = size
    }

    deinit {
        if let base = mapping.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), mapping.count) }
    }

    /// `header.metadata`.
    public var metadata: [String: String] { header.metadata }

    /// The tensor called `name`, if the file holds one.
    public func tensor(named name: String) -> TensorInfo? { header.tensor(named: name) }

    /// The bytes of `tensor` (one of `header.tensors`), valid while the reader lives.
    public func bytes(of tensor: TensorInfo) -> UnsafeRawBufferPointer {
        precondition(tensor.dataOffsets.upperBound <= fileSize - dataStart, "tensor '\(tensor.name)' is not in \(path)")
        return UnsafeRawBufferPointer(rebasing: mapping[(dataStart + tensor.dataOffsets.lowerBound)..<(dataStart + tensor.dataOffsets.upperBound)])
    }

    /// The whole file's bytes, valid while the reader lives.
    public var fileBytes: UnsafeRawBufferPointer { mapping }

    static func systemError() -> String { String(cString: strerror(errno)) }
}
