/// An 8-bit image in memory: `height` rows of `width` pixels of `channels` samples each,
/// row-major and interleaved (HWC), with no padding between rows.
///
/// `channels` is 1 (gray) or 3 (RGB): what the preprocessing produces and what a shard stores,
/// `pixels[(y * width + x) * channels + c]` being sample `c` of the pixel in column `x`, row `y`.
public struct Image: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    /// An image holding `pixels`.
    ///
    /// - Precondition: `width` and `height` are positive, `channels` is 1 or 3, and `pixels`
    ///   holds exactly `width * height * channels` samples.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "image size \(width)x\(height) must be positive")
        precondition(channels == 1 || channels == 3, "an image has 1 or 3 channels, not \(channels)")
        precondition(pixels.count == width * height * channels,
                     "\(pixels.count) samples for a \(width)x\(height)x\(channels) image")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image of one colour: every sample is `value`.
    public init(width: Int, height: Int, channels: Int, filledWith value: UInt8 = 0) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: value, count: width * height * channels))
    }

    /// Sample `channel` of the pixel in column `x`, row `y`.
    public subscript(x: Int, y: Int, channel: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + channel] }
        set { pixels[(y * width + x) * channels + channel] = newValue }
    }

    /// The number of bytes in one row.
    public var rowBytes: Int { width * channels }
}
