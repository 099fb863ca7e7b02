/// Working memory a layer keeps between batches (im2col columns, per-part weight
/// gradients): raw Float storage that grows on demand and is never copied, so kernels running
/// on several threads can each write their own region through `pointer`.
final class ScratchBuffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init() {
        capacity = 0
        pointer = .allocate(capacity: 1)
    }

    deinit { pointer.deallocate() }

    /// Makes room for `count` values (their contents are then undefined) and returns the start.
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            pointer = .allocate(capacity: count)
            capacity = count
        }
        return pointer
    }
}
