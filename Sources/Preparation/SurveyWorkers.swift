import Foundation

/// Runs a job on every item on a fixed number of threads while the items are still being
/// produced. Each thread keeps its own state (its worker), which gathers what the jobs find
/// without locks or shared results; the caller merges the workers' states at the end, so what
/// it builds must not depend on which thread handled which item (counts, and lists it sorts).
///
/// The producer (the folder walk) runs on the calling thread and publishes items in batches;
/// `threads - 1` worker threads take chunks of consecutive items as soon as they are
/// published, so reading headers overlaps walking folders, and when the producer is done the
/// calling thread becomes a worker too: `threads` threads in all, never more runnable threads
/// than that. A slow file on one thread does not hold up the others. Progress is reported by
/// the calling thread, after each chunk it finishes.
///
/// Items are never copied: a published batch is kept as it is and chunks are handed out as
/// ranges of it.
enum SurveyWorkers {
    /// Items handed out at a time (fewer at the end of a batch).
    static let chunk = 64

    /// Runs `process(&worker, item)` for every item that `produce` publishes, exactly once, on
    /// some thread's worker.
    ///
    /// - Parameters:
    ///   - threads: how many threads run the jobs (at least 1), the calling thread included.
    ///   - produce: called once on the calling thread; publishes items through the function it
    ///     is given, in as many batches as it likes. When it throws, the workers finish what
    ///     was published and the error is rethrown.
    ///   - makeWorker: called once on each thread; returns that thread's state, which may hold
    ///     things that are not thread-safe (a reusable buffer, an open folder).
    ///   - process: the job, run on the thread that owns `worker`.
    ///   - onProgress: called on the calling thread with the jobs done and the items published,
    ///     once it has finished producing: after each chunk it runs, and at the end.
    /// - Returns: the workers, one per thread; the calling thread's first.
    static func run<Item: Sendable, Worker>(
        threads: Int,
        produce: (_ publish: ([Item]) -> Void) throws -> Void,
        makeWorker: @escaping @Sendable () -> Worker,
        process: @escaping @Sendable (inout Worker, Item) -> Void,
        onProgress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws -> [Worker] {
        precondition(threads >= 1, "at least one thread is needed")
        let queue = WorkQueue<Item>()
        let finished = Finished<Worker>()
        let group = DispatchGroup()
        var started = false
        // The threads start once there is work for them, so that none begins by going to
        // sleep and being woken beside the walk: on a 2-vCPU VM the scheduler often left a
        // new thread sharing the walk's core for tens of milliseconds while the other idled.
        func startThreads() {
            started = true
            for _ in 1..<threads {
                group.enter()
                let thread = Thread {
                    var worker = makeWorker()
                    var claimed = 0
                    while let (batch, range) = queue.claim(afterDoing: claimed) {
                        for index in range { process(&worker, batch[index]) }
                        claimed = range.count
                    }
                    finished.add(worker)
                    group.leave()
                }
                thread.start()
            }
        }
        do {
            try produce { batch in
                queue.publish(batch)
                if !started && !batch.isEmpty { startThreads() }
            }
        } catch {
            queue.finish()
            group.wait()
            throw error
        }
        queue.finish()
        if !started { startThreads() }
        var worker = makeWorker()
        var claimed = 0
        while let (batch, range) = queue.claim(afterDoing: claimed) {
            for index in range { process(&worker, batch[index]) }
            claimed = range.count
            let (done, total) = queue.progress
            onProgress(done + claimed, total)
        }
        group.wait()
        let (done, total) = queue.progress
        onProgress(done, total)
        return [worker] + finished.workers
    }
}

/// The batches published so far, the next item to hand out, and how many are done, shared by
/// the producer and the workers under one lock. Workers wait on the condition when they have
/// taken everything published and the producer has not finished.
private final class WorkQueue<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Published batches; those before `current` have been handed out and emptied.
    private var batches: [[Item]] = []
    private var current = 0
    /// The next item of `batches[current]` to hand out.
    private var next = 0
    private var published = 0
    private var done = 0
    private var finished = false

    func publish(_ batch: [Item]) {
        guard !batch.isEmpty else { return }
        condition.lock()
        batches.append(batch)
        published += batch.count
        condition.signal()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Counts `count` items as done, then hands out the next chunk: a batch and the range of
    /// it to run. Waits while nothing is left and the producer has not finished; nil when
    /// everything has been handed out.
    func claim(afterDoing count: Int) -> ([Item], Range<Int>)? {
        condition.lock()
        defer { condition.unlock() }
        done += count
        while current == batches.count {
            if finished { return nil }
            condition.wait()
        }
        let batch = batches[current]
        let range = next..<min(next + SurveyWorkers.chunk, batch.count)
        next = range.upperBound
        if next == batch.count {  // the claimers of its chunks hold the batch as long as they need it
            batches[current] = []
            current += 1
            next = 0
        }
        return (batch, range)
    }

    var progress: (done: Int, total: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (done, published)
    }
}

/// The workers of the threads that have finished.
private final class Finished<Worker>: @unchecked Sendable {
    private let lock = NSLock()
    private var finished: [Worker] = []

    func add(_ worker: Worker) {
        lock.lock()
        finished.append(worker)
        lock.unlock()
    }

    /// Read after every thread has finished.
    var workers: [Worker] {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }
}
