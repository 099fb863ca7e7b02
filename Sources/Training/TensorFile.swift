import Foundation
import Sharding

#if _endian(big)
#error("safetensors data is little-endian; TensorFile writes Float32 values as they are in memory")
#endif

/// Named Float32 tensors in a safetensors file: what `model.safetensors` and checkpoints are.
///
/// The byte layout, header rules and checks are `Sharding`'s (`SafetensorsHeader`,
/// `SafetensorsReader`): an 8-byte little-endian header length, the JSON header (dtype `F32`,
/// shape, data offsets; `__metadata__` strings), then each tensor's values, row-major and
/// little-endian, in the order given. Files are written crash-safely: to `<name>.tmp` in the
/// same folder, fsynced, renamed over the target, and the folder fsynced, so a reader sees the
/// old file or the new one, never a mix.
enum TensorFile {
    /// Writes `tensors` (in this order) and `metadata` to `path` atomically.
    /// - Throws: `TrainingError.unwritableFile` naming the step that failed.
    static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String], to path: String) throws {
        var offset = 0
        let infos = tensors.map { entry in
            let size = entry.tensor.count * MemoryLayout<Float>.size
            defer { offset += size }
            return TensorInfo(name: entry.name, dtype: .float32, shape: entry.tensor.shape, dataOffsets: offset..<(offset + size))
        }
        let header = SafetensorsHeader(metadata: metadata, tensors: infos).encoded()
        let temporary = path + ".tmp"
        func failure(_ what: String) -> TrainingError {
            .unwritableFile(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create \(temporary)") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            try header.withUnsafeBytes { try writeAll(fd, $0, failure) }
            for entry in tensors {
                try entry.tensor.data.withUnsafeBytes { try writeAll(fd, $0, failure) }
            }
            guard fsync(fd) == 0 else { throw failure("cannot sync \(temporary)") }
            closed = true
            guard close(fd) == 0 else { throw failure("cannot close \(temporary)") }
            guard rename(temporary, path) == 0 else { throw failure("cannot rename \(temporary) into place") }
        } catch {
            unlink(temporary)
            throw error
        }
        let folder = (path as NSString).deletingLastPathComponent
        let folderFD = open(folder.isEmpty ? "." : folder, O_RDONLY | O_CLOEXEC)
        guard folderFD >= 0 else { throw failure("cannot open the folder to sync it") }
        defer { close(folderFD) }
        guard fsync(folderFD) == 0 else { throw failure("cannot sync the folder") }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ failure: (String) -> TrainingError) throws {
        guard var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let count = Foundation.write(fd, next, left)
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write")
            }
            next += count
            left -= count
        }
    }

    /// A checked, memory-mapped safetensors file whose tensors are read as Float32.
    struct Reader {
        let path: String
        let file: SafetensorsReader

        /// - Throws: `TrainingError.unreadableFile` with the reader's reason (missing, not
        ///   safetensors, a header rule broken).
        init(path: String) throws {
            self.path = path
            do {
                file = try SafetensorsReader(path: path)
            } catch {
                throw TrainingError.unreadableFile(path: path, reason: error.reason)
            }
        }

        var metadata: [String: String] { file.metadata }
        var names: [String] { file.header.tensors.map(\.name) }

        /// The tensor `name`, which must be F32 of `shape`.
        /// - Throws: `TrainingError.unreadableFile` when it is missing or has another dtype or shape.
        func tensor(_ name: String, shape: [Int]) throws -> Tensor {
            guard let info = file.tensor(named: name) else {
                throw TrainingError.unreadableFile(path: path, reason: "no tensor '\(name)'")
            }
            guard info.dtype == .float32 else {
                throw TrainingError.unreadableFile(path: path, reason: "tensor '\(name)' is \(info.dtype.rawValue), not F32")
            }
            guard info.shape == shape else {
                throw TrainingError.unreadableFile(path: path, reason: "tensor '\(name)' has shape \(info.shape), the model needs \(shape)")
            }
            let bytes = file.bytes(of: info)
            return Tensor(shape: shape) { values in
                UnsafeMutableRawBufferPointer(values).copyMemory(from: bytes)
            }
        }

        /// The metadata string `key`.
        /// - Throws: `TrainingError.unreadableFile` when it is missing.
        func metadata(_ key: String) throws -> String {
            guard let value = file.metadata[key] else {
                throw TrainingError.unreadableFile(path: path, reason: "no '\(key)' in __metadata__")
            }
            return value
        }
    }
}
