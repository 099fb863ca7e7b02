import Randomness
import Testing
@testable import Training

@Suite("Trainer: epoch order")
struct TrainerBatchOrderTests {
    static let layouts: [([Int], Int)] = [([10], 4), ([3, 0, 7, 5], 4), ([25, 25, 25, 7], 16), ([100], 1), ([5, 5], 1000)]

    @Test("every sample exactly once per epoch", arguments: layouts)
    func permutation(shardSizes: [Int], bufferSize: Int) {
        let order = BatchOrder(shardSizes: shardSizes, bufferSize: bufferSize, seed: 1337)
        for epoch in 0..<5 {
            #expect(order.indices(epoch: epoch).sorted() == Array(0..<shardSizes.reduce(0, +)))
        }
    }

    @Test("a different order every epoch, the same for the same seed, another for another seed")
    func reshuffled() {
        let order = BatchOrder(shardSizes: [30, 30, 40], bufferSize: 16, seed: 1337)
        let epochs = (0..<4).map { order.indices(epoch: $0) }
        #expect(Set(epochs).count == 4)
        #expect(BatchOrder(shardSizes: [30, 30, 40], bufferSize: 16, seed: 1337).indices(epoch: 2) == epochs[2])
        #expect(BatchOrder(shardSizes: [30, 30, 40], bufferSize: 16, seed: 1338).indices(epoch: 2) != epochs[2])
    }

    @Test("pinned: the order is part of what makes a run reproducible")
    func pinned() {
        #expect(BatchOrder(shardSizes: [4, 4], bufferSize: 3, seed: 1337).indices(epoch: 0) == [6, 5, 7, 4, 1, 3, 0, 2])
    }

    @Test("with a buffer of 1 the shards are read whole, in a shuffled order")
    func shardOrder() {
        let order = BatchOrder(shardSizes: [3, 4, 2], bufferSize: 1, seed: 9)
        var orders = Set<[Int]>()
        for epoch in 0..<12 {
            let indices = order.indices(epoch: epoch)
            // Cut where the index does not follow its predecessor: whole shards, in some order.
            let shards = [[0, 1, 2], [3, 4, 5, 6], [7, 8]]
            let permutations = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
            #expect(permutations.map { $0.flatMap { shards[$0] } }.contains(indices))
            #expect(indices.sorted() == Array(0..<9))
            orders.insert(indices)
        }
        #expect(orders.count > 1)
    }

    @Test("no sample comes out more than bufferSize places before its place in the shard stream")
    func locality() {
        let sizes = [50, 50, 50, 50]
        let bufferSize = 8
        let order = BatchOrder(shardSizes: sizes, bufferSize: bufferSize, seed: 3)
        for epoch in 0..<3 {
            let indices = order.indices(epoch: epoch)
            // Stream position of each index: its shard's place in the epoch's shard order.
            var random = RandomGenerator(seed: 3, stream: BatchOrder.orderStream + UInt64(epoch))
            var shardOrder = [0, 1, 2, 3]
            random.shuffle(&shardOrder)
            let streamPosition = Dictionary(uniqueKeysWithValues: (0..<200).map { index in
                (index, (shardOrder.firstIndex(of: index / 50) ?? 0) * 50 + index % 50)
            })
            for (position, index) in indices.enumerated() {
                #expect(position >= streamPosition[index]! - bufferSize)
            }
        }
    }
}
