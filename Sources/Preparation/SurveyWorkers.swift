import Foundation

/// Runs one job per item on a fixed number of threads while the items are still being
/// produced, and returns the results in the order the items were produced, so that what is
/// built from them does not depend on the thread count or on timing.
///
/// The producer (the folder walk) runs on the calling thread and publishes items in batches;
/// `threads - 1` worker threads take chunks of consecutive items as soon as they are
/// published, so reading headers overlaps walking folders, and when the producer is done the
/// calling thread becomes a worker too: `threads` threads in all, never more runnable threads
/// than that. A slow file on one thread does not hold up the others. Progress is reported by
/// the calling thread, after each chunk it finishes.
enum SurveyWorkers {
    /// Items handed out at a time.
    static let chunk = 64

    /// Every item that `produce` publishes and the result of `job(item)` for each, in
    /// publishing order.
    ///
    /// - Parameters:
    ///   - threads: how many threads run the jobs (at least 1), the calling thread included.
    ///   - produce: called once on the calling thread; publishes items through the function it
    ///     is given, in as many batches as it likes. When it throws, the workers finish what
    ///     was published and the error is rethrown.
    ///   - makeJob: called once on each thread; returns the job for that thread, which may
    ///     keep state that is not thread-safe (a reusable buffer, an open folder).
    ///   - onProgress: called on the calling thread with the jobs done and the items published,
    ///     once it has finished producing: after each chunk it runs, and at the end.
    static func run<Item: Sendable, Output: Sendable>(
        threads: Int,
        produce: (_ publish: ([Item]) -> Void) throws -> Void,
        makeJob: @escaping @Sendable () -> (Item) -> Output,
        onProgress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws -> (items: [Item], outputs: [Output]) {
        precondition(threads >= 1, "at least one thread is needed")
        let queue = WorkQueue<Item, Output>()
        let group = DispatchGroup()
        for _ in 1..<threads {
            group.enter()
            let thread = Thread {
                let job = makeJob()
                while let (start, items) = queue.claim() {
                    queue.store(items.map(job), at: start)
                }
                group.leave()
            }
            thread.start()
        }
        do {
            try produce { queue.publish($0) }
        } catch {
            queue.finish()
            group.wait()
            throw error
        }
        queue.finish()
        let job = makeJob()
        while let (start, items) = queue.claim() {
            queue.store(items.map(job), at: start)
            let (done, total) = queue.progress
            onProgress(done, total)
        }
        group.wait()
        let (done, total) = queue.progress
        onProgress(done, total)
        return queue.results()
    }
}

/// The items published so far, the next one to hand out, and the results by chunk, shared by
/// the producer and the workers under one lock. Workers wait on the condition when they have
/// taken everything published and the producer has not finished.
private final class WorkQueue<Item, Output>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var next = 0
    private var finished = false
    private var done = 0
    /// Results of each chunk, by the index of its first item.
    private var chunks: [Int: [Output]] = [:]

    func publish(_ batch: [Item]) {
        guard !batch.isEmpty else { return }
        condition.lock()
        items.append(contentsOf: batch)
        condition.broadcast()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk of items and the index of its first, waiting for a full chunk until the
    /// producer has finished; nil when everything has been handed out.
    func claim() -> (Int, [Item])? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            let available = items.count - next
            if available >= SurveyWorkers.chunk || (finished && available > 0) {
                let start = next
                next += min(available, SurveyWorkers.chunk)
                return (start, Array(items[start..<next]))  // a copy: later appends never copy `items`
            }
            if finished { return nil }
            condition.wait()
        }
    }

    func store(_ outputs: [Output], at start: Int) {
        condition.lock()
        chunks[start] = outputs
        done += outputs.count
        condition.unlock()
    }

    var progress: (done: Int, total: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (done, items.count)
    }

    /// Every item and result in publishing order; call after all workers have finished.
    func results() -> (items: [Item], outputs: [Output]) {
        condition.lock()
        defer { condition.unlock() }
        var outputs: [Output] = []
        outputs.reserveCapacity(done)
        for start in chunks.keys.sorted() { outputs += chunks[start] ?? [] }
        chunks = [:]
        let items = self.items
        self.items = []
        return (items, outputs)
    }
}
