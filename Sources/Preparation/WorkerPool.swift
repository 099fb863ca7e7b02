import Foundation
import Imaging

/// Rows of preprocessed pixels for one chunk of images, filled by the workers at their slots.
final class ChunkBuffer: @unchecked Sendable {
    let rowBytes: Int
    let capacity: Int
    private let storage: UnsafeMutableRawBufferPointer

    init(capacity: Int, rowBytes: Int) {
        self.capacity = capacity
        self.rowBytes = rowBytes
        storage = .allocate(byteCount: capacity * rowBytes, alignment: 64)
    }

    deinit { storage.deallocate() }

    func row(_ slot: Int) -> UnsafeMutableRawBufferPointer {
        precondition(slot < capacity)
        return UnsafeMutableRawBufferPointer(rebasing: storage[slot * rowBytes ..< (slot + 1) * rowBytes])
    }
}

/// What preprocessing one image gave.
enum ImageOutcome: Sendable {
    /// Pixels are in the chunk; a decoder warning (corrupt data, kept) when there was one.
    case decoded(warning: String?)
    /// The image cannot be used; the reason.
    case failed(String)
}

/// One `Preprocessor` per thread, fed image paths from a shared counter. Each image's result
/// lands at its own slot, so the order of the output never depends on which thread did what.
final class WorkerPool: @unchecked Sendable {
    private let preprocessors: [Preprocessor]
    private let lock = NSLock()
    private var next = 0

    init(count: Int, options: PreprocessOptions, keepsCorrupt: Bool) {
        preprocessors = (0..<max(1, count)).map { _ in
            let preprocessor = Preprocessor(options: options)
            preprocessor.keepsCorruptImages = keepsCorrupt
            return preprocessor
        }
    }

    /// Preprocesses `paths[i]` into `chunk.row(i)` for every i, on all workers.
    func process(_ paths: [String], into chunk: ChunkBuffer) -> [ImageOutcome] {
        precondition(paths.count <= chunk.capacity)
        let outcomes = Slots(count: paths.count)
        next = 0
        DispatchQueue.concurrentPerform(iterations: preprocessors.count) { worker in
            let preprocessor = preprocessors[worker]
            while let index = claim(below: paths.count) {
                outcomes.set(index, Self.outcome(of: paths[index], preprocessor, chunk.row(index)))
            }
        }
        return outcomes.values
    }

    /// One outcome per image, each written by exactly one worker.
    private final class Slots: @unchecked Sendable {
        private let storage: UnsafeMutableBufferPointer<ImageOutcome>

        init(count: Int) {
            storage = .allocate(capacity: count)
            storage.initialize(repeating: .failed("not processed"))
        }

        deinit {
            storage.deinitialize()
            storage.deallocate()
        }

        func set(_ index: Int, _ outcome: ImageOutcome) { storage[index] = outcome }
        var values: [ImageOutcome] { Array(storage) }
    }

    private func claim(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }

    private static func outcome(of path: String, _ preprocessor: Preprocessor, _ row: UnsafeMutableRawBufferPointer) -> ImageOutcome {
        do {
            switch try preprocessor.process(fileAt: path, into: row) {
            case .success:
                return .decoded(warning: preprocessor.lastWarning.map(\.description))
            case .failure(let error):
                return .failed(error.description)
            }
        } catch {
            return .failed("cannot read: \(String(describing: error))")
        }
    }
}
