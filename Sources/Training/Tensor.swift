/// A dense Float32 tensor: row-major values and their shape.
///
/// Activations are NHWC, `[batch, height, width, channels]`, the layout of dsprep's shards,
/// or `[batch, features]` after `Flatten`. Tensors are values (copy-on-write arrays); layers
/// read and write them through `withUnsafe…` pointers in their kernels.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Float]

    /// - Precondition: `data` holds exactly the product of `shape` values.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == data.count, "Tensor: \(data.count) values do not fill shape \(shape)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// A tensor whose values the caller's `fill` writes: every one of the `count` values must
    /// be written (the memory is not zeroed first).
    init(shape: [Int], fill: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        self.shape = shape
        self.data = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer)
            initialized = count
        }
    }

    /// The number of values.
    public var count: Int { data.count }

    /// The first dimension (the batch for activations).
    public var batch: Int { shape.first ?? 0 }

    /// The same values under another shape with the same count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    /// The index of the largest value in each row of a `[rows, columns]` tensor
    /// (the first one on ties), e.g. the predicted class for each row of logits.
    public func argmaxRows() -> [Int] {
        precondition(shape.count == 2, "argmaxRows needs a [rows, columns] tensor, got \(shape)")
        let columns = shape[1]
        return (0..<shape[0]).map { row in
            var best = 0
            for column in 1..<max(columns, 1) where data[row * columns + column] > data[row * columns + best] {
                best = column
            }
            return best
        }
    }
}
