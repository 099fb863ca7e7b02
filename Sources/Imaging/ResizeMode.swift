/// How an image is fitted to the target size when its aspect ratio differs.
///
/// - `stretch`: resize the whole image to the target size, distorting the aspect ratio (what
///   the tutorials do, and the default); Pillow's `Image.resize(size)`.
/// - `crop`: cut the largest centred rectangle with the target's aspect ratio, then resize it;
///   Pillow's `ImageOps.fit(image, size)`. Nothing is distorted; the edges are lost.
/// - `pad`: resize the whole image to fit inside the target, keeping its aspect ratio, and
///   centre it on a plain background (letterbox); Pillow's `ImageOps.pad(image, size)`.
///   The background is `PreprocessOptions.padValue`, black (0) by default.
public enum ResizeMode: String, Sendable, Codable, CaseIterable {
    case stretch, crop, pad
}

/// Where a resize reads from and writes to: the rectangle of the source that is resampled
/// (`box`, in source pixels, fractional as in Pillow's `resize(box=)`), and the rectangle of
/// the target it fills; the rest of the target (only with `pad`) is background.
struct ResizeLayout: Equatable {
    /// The source rectangle: x0, y0, x1, y1 (Pillow's `box`, single precision as Pillow keeps it).
    var box: (x0: Float, y0: Float, x1: Float, y1: Float)
    /// The filled rectangle of the target.
    var x: Int, y: Int, width: Int, height: Int

    static func == (lhs: ResizeLayout, rhs: ResizeLayout) -> Bool {
        lhs.box == rhs.box && (lhs.x, lhs.y, lhs.width, lhs.height) == (rhs.x, rhs.y, rhs.width, rhs.height)
    }
}

extension ResizeMode {
    /// The layout that fits a `sourceWidth` x `sourceHeight` image to `width` x `height`,
    /// computed as Pillow's `ImageOps` does (double precision, Python's round-half-to-even),
    /// so that results can be compared with Pillow's. Unlike Pillow, a fitted side is never
    /// rounded down to 0 pixels (Pillow returns an empty image for such extreme aspect ratios).
    func layout(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) -> ResizeLayout {
        let full = (x0: Float(0), y0: Float(0), x1: Float(sourceWidth), y1: Float(sourceHeight))
        let sourceRatio = Double(sourceWidth) / Double(sourceHeight)
        let targetRatio = Double(width) / Double(height)
        switch self {
        case .stretch:
            return ResizeLayout(box: full, x: 0, y: 0, width: width, height: height)
        case .crop:
            // ImageOps.fit with bleed 0 and centering (0.5, 0.5).
            var cropWidth = Double(sourceWidth), cropHeight = Double(sourceHeight)
            if sourceRatio == targetRatio {
                // already the target's aspect ratio
            } else if sourceRatio >= targetRatio {
                cropWidth = targetRatio * Double(sourceHeight)
            } else {
                cropHeight = Double(sourceWidth) / targetRatio
            }
            let left = (Double(sourceWidth) - cropWidth) * 0.5
            let top = (Double(sourceHeight) - cropHeight) * 0.5
            let box = (x0: Float(left), y0: Float(top), x1: Float(left + cropWidth), y1: Float(top + cropHeight))
            return ResizeLayout(box: box, x: 0, y: 0, width: width, height: height)
        case .pad:
            // ImageOps.contain, then ImageOps.pad's centring.
            var fitWidth = width, fitHeight = height
            if sourceRatio > targetRatio {
                let scaled = Double(sourceHeight) / Double(sourceWidth) * Double(width)
                fitHeight = max(1, Int(scaled.rounded(.toNearestOrEven)))
            } else if sourceRatio < targetRatio {
                let scaled = Double(sourceWidth) / Double(sourceHeight) * Double(height)
                fitWidth = max(1, Int(scaled.rounded(.toNearestOrEven)))
            }
            let x = Int((Double(width - fitWidth) * 0.5).rounded(.toNearestOrEven))
            let y = Int((Double(height - fitHeight) * 0.5).rounded(.toNearestOrEven))
            return ResizeLayout(box: full, x: x, y: y, width: fitWidth, height: fitHeight)
        }
    }
}
