import Foundation

/// Runs one job per index on a fixed number of threads and returns the results in index
/// order, so that what is built from them does not depend on the thread count.
///
/// Threads take chunks of consecutive indices from a shared counter (a slow file on one thread
/// does not hold up the others). The calling thread only waits, reporting progress about ten
/// times a second, so progress closures always run on the caller's thread.
enum SurveyWorkers {
    /// Indices handed out at a time.
    static let chunk = 64

    /// The result of `job(i)` for every i in `0..<count`.
    ///
    /// - Parameters:
    ///   - count: the number of jobs.
    ///   - threads: how many threads run them (at least 1).
    ///   - makeJob: called once on each thread; returns the job for that thread, which may
    ///     keep state that is not thread-safe (a reusable buffer).
    ///   - onProgress: called on the calling thread with the number of jobs done so far, at
    ///     most about ten times a second and once at the end.
    static func map<Output: Sendable>(_ count: Int, threads: Int,
                                      makeJob: @escaping @Sendable () -> (Int) -> Output,
                                      onProgress: (Int) -> Void = { _ in }) -> [Output] {
        precondition(threads >= 1, "at least one thread is needed")
        let state = SharedState<Output>(count: count)
        let group = DispatchGroup()
        for _ in 0..<min(threads, max(1, (count + chunk - 1) / chunk)) {
            group.enter()
            let thread = Thread {
                let job = makeJob()
                while let range = state.claim() {
                    for index in range { state.store(job(index), at: index) }
                    state.finished(range.count)
                }
                group.leave()
            }
            thread.start()
        }
        while group.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            onProgress(state.done)
        }
        onProgress(count)
        return state.results()
    }
}

/// The counter, the result slots and the progress count that the threads share. Each slot is
/// written by exactly one thread, and read only after every thread has finished.
private final class SharedState<Output>: @unchecked Sendable {
    private let count: Int
    private let lock = NSLock()
    private var next = 0
    private var doneCount = 0
    private let slots: UnsafeMutableBufferPointer<Output?>

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// The next chunk of indices to work on, or nil when all are taken.
    func claim() -> Range<Int>? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        let start = next
        next = min(count, next + SurveyWorkers.chunk)
        return start..<next
    }

    func store(_ output: Output, at index: Int) {
        slots[index] = output
    }

    func finished(_ jobs: Int) {
        lock.lock()
        doneCount += jobs
        lock.unlock()
    }

    var done: Int {
        lock.lock()
        defer { lock.unlock() }
        return doneCount
    }

    /// Every result, in index order; call after all threads have finished.
    func results() -> [Output] {
        slots.map { slot in
            guard let slot else { preconditionFailure("a job was not run") }
            return slot
        }
    }
}
