import Testing
@testable import Preparation

@Suite("SurveyWorkers: jobs on threads while items are still produced, results in order")
struct ShapeWorkersTests {
    private struct Failure: Error, Equatable {}

    @Test("every item once, results in publishing order, whatever the thread count and batches",
          arguments: [1, 2, 3, 8])
    func order(threads: Int) throws {
        let (items, outputs) = try SurveyWorkers.run(threads: threads, produce: { publish in
            var next = 0
            for size in [1, 0, 63, 64, 65, 500, 7] {  // batches smaller and larger than a chunk
                publish(Array(next..<(next + size)))
                next += size
            }
        }, makeJob: { { (item: Int) in item * item } })
        #expect(items == Array(0..<700))
        #expect(outputs == (0..<700).map { $0 * $0 })
    }

    @Test("nothing produced: nothing run")
    func empty() throws {
        let (items, outputs) = try SurveyWorkers.run(threads: 4, produce: { _ in }, makeJob: { { (item: Int) in item } })
        #expect(items.isEmpty && outputs.isEmpty)
    }

    @Test("an error from the producer is rethrown once the workers have stopped")
    func producerError() {
        #expect(throws: Failure()) {
            _ = try SurveyWorkers.run(threads: 3, produce: { publish in
                publish(Array(0..<200))
                throw Failure()
            }, makeJob: { { (item: Int) in item } })
        }
    }

    @Test("progress ends with every item done")
    func progress() throws {
        var last = (done: -1, total: -1)
        _ = try SurveyWorkers.run(threads: 2, produce: { publish in publish(Array(0..<1000)) },
                                  makeJob: { { (item: Int) in item } },
                                  onProgress: { last = ($0, $1) })
        #expect(last.done == 1000 && last.total == 1000)
    }
}
