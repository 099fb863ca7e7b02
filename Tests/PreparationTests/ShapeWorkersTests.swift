import Testing
@testable import Preparation

@Suite("SurveyWorkers: jobs on threads while items are still produced, each thread with its own worker")
struct ShapeWorkersTests {
    private struct Failure: Error, Equatable {}

    @Test("every item once, on one of the threads' workers, whatever the thread count and batches",
          arguments: [1, 2, 3, 8])
    func everyItemOnce(threads: Int) throws {
        let workers = try SurveyWorkers.run(threads: threads, produce: { publish in
            var next = 0
            for size in [1, 0, 63, 64, 65, 500, 7] {  // batches smaller and larger than a chunk
                publish(Array(next..<(next + size)))
                next += size
            }
        }, makeWorker: { [Int]() }, process: { done, item in done.append(item * item) })
        #expect(workers.count == threads)
        #expect(workers.flatMap { $0 }.sorted() == (0..<700).map { $0 * $0 })
    }

    @Test("nothing produced: nothing run")
    func empty() throws {
        let workers = try SurveyWorkers.run(threads: 4, produce: { _ in }, makeWorker: { [Int]() },
                                            process: { done, item in done.append(item) })
        #expect(workers.count == 4 && workers.allSatisfy(\.isEmpty))
    }

    @Test("an error from the producer is rethrown once the workers have stopped")
    func producerError() {
        #expect(throws: Failure()) {
            _ = try SurveyWorkers.run(threads: 3, produce: { publish in
                publish(Array(0..<200))
                throw Failure()
            }, makeWorker: { 0 }, process: { count, _ in count += 1 })
        }
    }

    @Test("progress ends with every item done")
    func progress() throws {
        var last = (done: -1, total: -1)
        _ = try SurveyWorkers.run(threads: 2, produce: { publish in publish(Array(0..<1000)) },
                                  makeWorker: { 0 }, process: { count, _ in count += 1 },
                                  onProgress: { last = ($0, $1) })
        #expect(last.done == 1000 && last.total == 1000)
    }
}
