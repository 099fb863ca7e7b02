import Checksum
import Dispatch
import Foundation

/// SHA-256 of many files on several threads. Each result is stored at its file's index, so the
/// output is the same whatever the thread count and whichever thread finishes first.
enum SplitHashing {
    /// The hash of each file (hex), or why it could not be read.
    /// - Parameters:
    ///   - threads: how many threads read and hash; 0 means one per core.
    ///   - progress: called now and then with the number of files done, from one thread at a time.
    static func hash(_ paths: [String], threads: Int,
                     progress: @escaping (Int) -> Void = { _ in }) -> [Result<String, SplitError>] {
        let workers = max(1, min(threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount, paths.count))
        let work = Work(count: paths.count, progress: progress)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            while let index = work.claim() {
                let result: Result<String, SplitError>
                do {
                    result = .success(try SHA256.hash(fileAt: paths[index]))
                } catch {
                    result = .failure(.io(paths[index], "cannot read: \(String(cString: strerror((error as? POSIXError)?.code.rawValue ?? EIO)))"))
                }
                let done = work.store(result, at: index)
                if worker == 0 { work.progress(done) }
            }
        }
        work.progress(paths.count)
        return work.results.map { $0 ?? .failure(.io("", "not hashed")) }
    }

    /// The shared queue of indices and the results, behind a lock.
    private final class Work: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private var done = 0
        private(set) var results: [Result<String, SplitError>?]
        /// Called by worker 0 only, so never from two threads at once.
        let progress: (Int) -> Void

        init(count: Int, progress: @escaping (Int) -> Void) {
            results = Array(repeating: nil, count: count)
            self.progress = progress
        }

        func claim() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard next < results.count else { return nil }
            next += 1
            return next - 1
        }

        func store(_ result: Result<String, SplitError>, at index: Int) -> Int {
            lock.lock()
            defer { lock.unlock() }
            results[index] = result
            done += 1
            return done
        }
    }
}
