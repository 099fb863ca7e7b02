/// What an image's header says about it, read without decoding any pixels.
public struct ImageHeader: Sendable, Equatable, Codable {
    public var format: ImageFormat
    /// Width and height as stored in the file (before EXIF orientation).
    public var width: Int
    public var height: Int
    /// Number of colour channels as stored: 1 (gray), 2 (gray+alpha), 3, or 4 (RGBA or CMYK).
    public var channels: Int
    public var colorModel: ColorModel
    /// Bits per sample: 8 for JPEG (12 for rare 12-bit JPEGs); 1, 2, 4, 8 or 16 for PNG.
    public var bitDepth: Int
    /// Whether the image has transparency (PNG alpha channel or tRNS chunk).
    public var hasAlpha: Bool
    /// EXIF orientation 1...8 (1 when absent or invalid).
    public var orientation: Int
    /// Progressive JPEG (SOF2/SOF6/SOF10/SOF14) or interlaced (Adam7) PNG.
    public var isProgressive: Bool

    public init(format: ImageFormat, width: Int, height: Int, channels: Int, colorModel: ColorModel,
                bitDepth: Int, hasAlpha: Bool, orientation: Int, isProgressive: Bool) {
        self.format = format
        self.width = width
        self.height = height
        self.channels = channels
        self.colorModel = colorModel
        self.bitDepth = bitDepth
        self.hasAlpha = hasAlpha
        self.orientation = orientation
        self.isProgressive = isProgressive
    }

    /// Width and height as displayed, after applying the EXIF orientation
    /// (orientations 5...8 swap the two).
    public var displaySize: (width: Int, height: Int) {
        orientation >= 5 ? (height, width) : (width, height)
    }
}

/// The colour model an image is stored in.
public enum ColorModel: String, Sendable, Codable, CaseIterable {
    case gray, grayAlpha = "gray+alpha", rgb, rgba, palette, cmyk, ycck
}
