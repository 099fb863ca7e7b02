/// What `Preprocessor` makes of each image: its size, colour and fitting.
///
/// Recorded in the shard manifest's `preprocess` block, and read back by `predict`, so that a
/// model sees new images exactly as it saw its training data.
public struct PreprocessOptions: Sendable, Equatable, Codable {
    /// The output width and height in pixels (`--size 96` or `--size 96x128`, width first).
    public var width: Int
    public var height: Int
    /// One channel (Pillow's `L` luma) instead of three (RGB).
    public var gray: Bool
    /// How colour JPEGs become gray when `gray` is set: their luma channel (`--gray`) or
    /// Pillow's `convert("L")` of their RGB (`--exact-gray`). Ignored for RGB output.
    public var grayMethod: GrayMethod
    /// How the image is fitted to the size when the aspect ratios differ.
    public var resize: ResizeMode
    /// The most pixels (stored width x stored height) an image may have; larger ones are
    /// refused from their header, before anything is allocated (`--max-pixels`).
    public var maxPixels: Int
    /// The opaque gray level that transparent pixels are composited over: 255, white, by
    /// default (as a browser shows a transparent PNG on a white page). Every channel.
    public var background: UInt8
    /// The sample value of the bars that `pad` adds: 0, black, by default. Every channel.
    public var padValue: UInt8

    /// Pillow's default `Image.MAX_IMAGE_PIXELS`: 1024 * 1024 * 1024 / 4 / 3, the pixels of a
    /// 256 MiB RGB image. Pillow warns above it and refuses above twice it; dsprep refuses.
    public static let defaultMaxPixels = 89_478_485

    /// The resampling filter, as recorded in manifests: Pillow's `Image.resize` with
    /// `Image.Resampling.BILINEAR`, reproduced exactly (see `Image.resized`).
    public static var filterName: String { "pillow-bilinear" }

    public init(width: Int = 96, height: Int = 96, gray: Bool = false, grayMethod: GrayMethod = .luma,
                resize: ResizeMode = .stretch, maxPixels: Int = PreprocessOptions.defaultMaxPixels,
                background: UInt8 = 255, padValue: UInt8 = 0) {
        self.width = width
        self.height = height
        self.gray = gray
        self.grayMethod = grayMethod
        self.resize = resize
        self.maxPixels = maxPixels
        self.background = background
        self.padValue = padValue
    }

    /// Samples per output pixel: 1 for gray, 3 for RGB.
    public var channels: Int { gray ? 1 : 3 }

    /// The number of bytes of one output image: width * height * channels.
    public var outputByteCount: Int { width * height * channels }
}
