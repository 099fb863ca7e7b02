import Foundation

/// How many threads training uses (all cores by default).
///
/// Each layer splits its own work into `Threads.count` contiguous parts (fewer when there is
/// little work) and runs them at once: a convolution splits the batch, and each thread runs
/// im2col, a single-threaded GEMM, bias and activation on its images; a dense layer splits
/// its outputs (forward, weight gradient) and inputs (input gradient); elementwise loops split
/// the values. A layer thus costs one fork and join per pass (on `WorkerTeam`, whose workers
/// stay awake between passes), and OpenBLAS's own thread pool, whose idle threads spin and
/// compete with the layers', is kept at one thread.
///
/// Every value is written by exactly one part, except a convolution's weight gradient, which
/// is summed per part and the parts then added in part order; bias gradients and BatchNorm
/// statistics are summed per image and then in image order. A seed and a thread count
/// therefore fix every bit of a run (another count splits the convolution sums differently).
public enum Threads {
    private static let storage = ThreadCountStorage()

    /// The thread count in use.
    public static var count: Int { storage.value }

    /// Uses `count` threads from now on (process-wide).
    /// - Precondition: `count` is at least 1.
    public static func set(_ count: Int) {
        precondition(count >= 1, "Threads.set needs at least one thread")
        storage.value = count
    }

    /// The number of parts `0..<count` is split into: `min(Threads.count, count)`.
    static func partCount(_ count: Int, grain: Int = 1) -> Int {
        max(1, min(Threads.count, count / max(grain, 1)))
    }

    /// Part `part` of `0..<count` split into `parts` contiguous ranges of near-equal size.
    static func partRange(_ part: Int, of count: Int, parts: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }

    /// Runs `body(part, range)` for each part of `0..<count` (see `partCount`), in parallel.
    /// Each index is in exactly one range; `body` must write only what its part owns.
    static func parallelParts(_ count: Int, grain: Int = 1, _ body: (_ part: Int, _ range: Range<Int>) -> Void) {
        let parts = partCount(count, grain: grain)
        if parts == 1 {
            if count > 0 { body(0, 0..<count) }
            return
        }
        WorkerTeam.shared.run(parts: parts) { part in
            body(part, partRange(part, of: count, parts: parts))
        }
    }

    /// Runs `body` on the parts of `0..<count`, in parallel (`parallelParts` without the index).
    static func parallelFor(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        parallelParts(count, grain: grain) { _, range in body(range) }
    }
}

private final class ThreadCountStorage: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = ProcessInfo.processInfo.activeProcessorCount

    var value: Int {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
