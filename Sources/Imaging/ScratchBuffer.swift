/// A growable block of bytes that a `Preprocessor` reuses from image to image, so that
/// decoding and resizing a stream of images allocates only when an image is bigger than any
/// before it. Not thread-safe: each worker owns its own.
final class ScratchBuffer {
    /// The start of the block; valid until the next `reserve` that grows it.
    private(set) var pointer: UnsafeMutablePointer<UInt8>
    /// The number of bytes the block holds.
    private(set) var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        pointer = .allocate(capacity: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Makes the block hold at least `count` bytes and returns its start. The contents are
    /// not kept when the block grows.
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        if count > capacity {
            pointer.deallocate()
            capacity = count
            pointer = .allocate(capacity: count)
        }
        return pointer
    }
}

/// Pixels held in a scratch buffer (or borrowed from the caller): a view, not an owner.
struct PixelView {
    var pointer: UnsafeMutablePointer<UInt8>
    var width: Int
    var height: Int
    var channels: Int

    var count: Int { width * height * channels }
}
