import Randomness

/// The order in which one epoch visits the training samples: the shards in a seeded order,
/// each read front to back, through a seeded shuffle buffer (tf.data's `shuffle(buffer_size)`).
///
/// For epoch `e` a generator is seeded with `(seed, stream: orderStream + e)`: it first permutes
/// the shards (Fisher-Yates), then streams their samples through a buffer of `bufferSize`
/// places. While the buffer is filling, samples are added; once it is full, each new sample
/// takes the place of one drawn uniformly from the buffer, which is emitted. At the end the
/// buffer is emptied in a shuffled order. Every sample is therefore emitted exactly once per
/// epoch, a sample moves at most `bufferSize` places ahead of where its shard put it, and reads
/// stay inside about `bufferSize` consecutive rows of a few shards — so the memory-mapped
/// shards are read nearly sequentially and the page cache needs only those pages, however
/// large the data set. (The shards were already shuffled once when written, so the buffer
/// only has to make every epoch different.)
///
/// The order depends only on the seed, the epoch and the shard sizes, so a resumed run
/// recomputes it and needs no state for it. It is a list of 8-byte indices per epoch (0.5 MB
/// for 60,000 samples), not samples.
public struct BatchOrder: Sendable, Equatable {
    /// The stream number of epoch 0's generator; epoch `e` uses `orderStream + e`.
    public static let orderStream: UInt64 = 0x6F72_6465_7200_0000  // "order"
    /// The default buffer: 4,096 samples, as the tf.data guides suggest for image data sets.
    public static let defaultBufferSize = 4096

    /// Samples per shard, in the order the shards are listed (shard `i`'s samples are indices
    /// `shardSizes[0..<i].sum ..< shardSizes[0...i].sum`).
    public let shardSizes: [Int]
    public let bufferSize: Int
    public let seed: UInt64

    /// - Precondition: `bufferSize >= 1` and no negative shard size.
    public init(shardSizes: [Int], bufferSize: Int = BatchOrder.defaultBufferSize, seed: UInt64) {
        precondition(bufferSize >= 1, "BatchOrder needs a buffer of at least 1 sample")
        precondition(shardSizes.allSatisfy { $0 >= 0 }, "BatchOrder: negative shard size")
        self.shardSizes = shardSizes
        self.bufferSize = bufferSize
        self.seed = seed
    }

    /// The number of samples in an epoch.
    public var count: Int { shardSizes.reduce(0, +) }

    /// The sample indices of epoch `epoch` (from 0), in visiting order: a permutation of
    /// `0..<count`.
    public func indices(epoch: Int) -> [Int] {
        precondition(epoch >= 0, "BatchOrder: negative epoch")
        var random = RandomGenerator(seed: seed, stream: Self.orderStream &+ UInt64(epoch))
        var starts = [Int](), start = 0
        for size in shardSizes {
            starts.append(start)
            start += size
        }
        var shards = Array(shardSizes.indices)
        random.shuffle(&shards)
        var order = [Int]()
        order.reserveCapacity(count)
        var buffer = [Int]()
        buffer.reserveCapacity(min(bufferSize, count))
        for shard in shards {
            for index in starts[shard]..<(starts[shard] + shardSizes[shard]) {
                if buffer.count < bufferSize {
                    buffer.append(index)
                } else {
                    let place = random.below(bufferSize)
                    order.append(buffer[place])
                    buffer[place] = index
                }
            }
        }
        random.shuffle(&buffer)
        order += buffer
        return order
    }
}
