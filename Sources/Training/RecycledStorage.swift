/// The storage a layer writes one of its results into, reused from batch to batch.
///
/// Allocating a fresh multi-megabyte array for every activation and gradient costs page faults
/// (the kernel maps and zeroes every page again), which took longer than the GEMMs at MNIST
/// sizes. Instead each layer keeps the storage of what it produced and writes the next batch's
/// result into it. That is free of copies when nothing else still holds the previous result:
/// layers drop what they cached for the backward pass once it has run (`Layer.backward`), and
/// `Sequential` drops the caches after an inference pass. If a caller does keep a result,
/// copy-on-write gives the layer a fresh array and the caller's tensor stays intact.
struct RecycledStorage {
    private var storage: [Float] = []

    /// A tensor of `shape` in the kept storage; `fill` must write every value (or set
    /// `zeroed`, and then it may add to them).
    mutating func tensor(shape: [Int], zeroed: Bool = false, fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        let count = shape.reduce(1, *)
        if storage.count != count {
            storage = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                buffer.initialize(repeating: 0)
                initialized = count
            }
        } else if zeroed {
            storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        storage.withUnsafeMutableBufferPointer { fill($0) }
        return Tensor(shape: shape, data: storage)
    }
}

extension Tensor {
    /// A tensor with no values, for caches that hold nothing.
    static let empty = Tensor(shape: [0], data: [])
}
