/// The `--size` and `--resize` that `dsprep shapes` suggests for `dsprep shard`, and what
/// each of several sizes would do to the data.
///
/// The rule, over the displayed sizes of the readable images:
/// 1. Uniform data: when one size W x H holds at least 90% of the images, recommend W x H with
///    `stretch` (those images are not resized at all; the rest are few). If its longer side
///    is over `maxSide`, it is scaled down, keeping its aspect, until that side is `maxSide`.
/// 2. Varied data: a square S x S, where S is the largest of 32, 48, 64, 96, 128, 160, 192,
///    224, 256, 320, 384, 448, 512 that is at most `maxSide` and at most the 10th percentile
///    of the short sides, so at most 10% of the images are enlarged. (When that bound is
///    under 32, S is the bound itself.)
/// 3. The mode for the square, from the mean fraction m that a centre crop to 1:1 would cut,
///    `1 - short / long` averaged over the images: `stretch` when m <= 0.10 (nearly square
///    images, barely distorted); else `crop` when m <= 1/3 (photos up to 3:2, whose subject is
///    usually in the middle); else `pad` (long, narrow images that a crop would cut badly).
///
/// For a target of aspect t and an image of aspect a (width / height), the three modes cost
/// the same fraction r = 1 - min(a, t) / max(a, t): `crop` cuts r of the image's pixels,
/// `pad` leaves r of the output as padding, and `stretch` changes the aspect ratio by
/// max(a, t) / min(a, t) - 1. Which cost is acceptable is the user's choice; `options` lists
/// them for several sizes.
public struct SizeRecommendation: Codable, Sendable, Equatable {
    /// How `shard --resize` fits an image to the size.
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// Resize both sides to the target, ignoring the aspect ratio (shard's default).
        case stretch
        /// Cut the centre to the target's aspect ratio, then resize.
        case crop
        /// Resize to fit inside the target, then fill the rest (letterbox).
        case pad
    }

    /// Which step of the rule decided.
    public enum Basis: String, Codable, Sendable {
        case uniform, varied
    }

    /// What one size would do to the images. Percentages are of the images, or means over
    /// them, rounded to 2 decimals.
    public struct Option: Codable, Sendable, Equatable {
        public var width: Int
        public var height: Int
        /// Images narrower or lower than the target, which stretch and crop enlarge.
        public var upscaledPercent: Double
        /// Images both narrower and lower than the target, which pad enlarges.
        public var upscaledByPadPercent: Double
        /// Images whose aspect ratio differs from the target's by more than 1%: those that
        /// stretch distorts, crop cuts and pad pads.
        public var offAspectPercent: Double
        /// stretch: the mean and largest change of aspect ratio, max(a, t) / min(a, t) - 1.
        public var meanStretchPercent: Double
        public var maxStretchPercent: Double
        /// crop: the mean share of each image's pixels that the centre crop cuts away.
        public var meanCropPercent: Double
        /// pad: the mean share of the output that is padding.
        public var meanPadPercent: Double
    }

    public var width: Int
    public var height: Int
    public var resize: Mode
    public var basis: Basis
    /// Why, in one or two sentences.
    public var reason: String
    /// The `maxSide` the rule was run with.
    public var maxSide: Int
    /// The recommended size and other common choices, smallest first.
    public var options: [Option]

    /// Share of the images that one size must hold for step 1.
    static let uniformShare = 0.9
    /// Square sizes step 2 chooses from.
    static let ladder = [32, 48, 64, 96, 128, 160, 192, 224, 256, 320, 384, 448, 512]
    /// Mean crop fractions up to which step 3 picks stretch and crop.
    static let stretchLimit = 0.10
    static let cropLimit = 1.0 / 3.0
    /// Squares always listed in `options`: CIFAR's 32, 64, the tutorials' 96, 128, ImageNet's 224.
    static let commonSquares = [32, 64, 96, 128, 224]

    /// The recommendation for images of these displayed sizes, or nil when there are none.
    /// - Parameters:
    ///   - sizes: displayed (width, height) of every image.
    ///   - maxSide: the largest side the recommended size may have.
    static func recommend(_ sizes: [ShapeTally.Size], maxSide: Int) -> SizeRecommendation? {
        var counts: [ShapeTally.Size: Int] = [:]
        for size in sizes { counts[size, default: 0] += 1 }
        return recommend(counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, maxSide: maxSide)
    }

    /// The recommendation for images of these displayed sizes, each with its count, sorted by
    /// size (the order of the floating-point sums); nil when there are none.
    static func recommend(_ sizes: [(size: ShapeTally.Size, count: Int)], maxSide: Int) -> SizeRecommendation? {
        precondition(maxSide >= 1, "maxSide must be positive")
        let count = sizes.reduce(0) { $0 + $1.count }
        guard count > 0,
              let (common, commonCount) = sizes.max(by: { $0.count != $1.count ? $0.count < $1.count : $0.size > $1.size })
        else { return nil }
        let commonShare = Double(commonCount) / Double(count)
        let commonText = "\(formatPercent(percent(commonCount, of: count))) of images are \(common.width)x\(common.height)"

        var recommendation: SizeRecommendation
        if commonShare >= uniformShare {
            let target = fit(common, maxSide: maxSide)
            let size = "\(common.width)x\(common.height)"
            let reason = switch (target == common, commonCount == count) {
            case (true, true): "All images are \(size), so that size needs no resizing."
            case (false, true): "All images are \(size): that size, scaled to fit --max-side \(maxSide) (keeping the aspect ratio)."
            case (true, false): "\(commonText) (at least 90%): that size; the other "
                + "\(formatPercent(percent(count - commonCount, of: count))) are stretched to it."
            case (false, false): "\(commonText) (at least 90%): that size, scaled to fit --max-side \(maxSide) (keeping the "
                + "aspect ratio); the other \(formatPercent(percent(count - commonCount, of: count))) are stretched to it."
            }
            recommendation = SizeRecommendation(width: target.width, height: target.height, resize: .stretch,
                                                basis: .uniform, reason: reason, maxSide: maxSide, options: [])
        } else {
            let shorts = ShapeTally.merged(sizes.map { (min($0.size.width, $0.size.height), $0.count) })
            let tenthShort = ShapeTally.value(at: (count - 1) / 10, in: shorts)
            let bound = min(maxSide, tenthShort)
            let side = ladder.last { $0 <= bound } ?? bound
            let square = evaluate(sizes, target: ShapeTally.Size(width: side, height: side))
            let mean = square.meanCropPercent / 100
            let (mode, why): (Mode, String) =
                if mean <= stretchLimit {
                    (.stretch, "images are nearly square (a centre crop would cut \(formatPercent(square.meanCropPercent)) on average), so stretching barely distorts them")
                } else if mean <= cropLimit {
                    (.crop, "a centre crop cuts \(formatPercent(square.meanCropPercent)) of the pixels on average (at most a third, as for 4:3 and 3:2 photos)")
                } else {
                    (.pad, "a centre crop would cut \(formatPercent(square.meanCropPercent)) on average (over a third), so padding keeps whole images")
                }
            let sideWhy = side == bound && !ladder.contains(side)
                ? "\(side) is the 10th-percentile short side"
                : "\(side) is the largest usual size within --max-side \(maxSide) and the 10th-percentile short side (\(tenthShort))"
            recommendation = SizeRecommendation(
                width: side, height: side, resize: mode, basis: .varied,
                reason: "Sizes vary (\(commonText)); \(sideWhy), so \(formatPercent(square.upscaledPercent)) are enlarged; \(why).",
                maxSide: maxSide, options: [])
        }
        recommendation.options = candidates(recommended: ShapeTally.Size(width: recommendation.width, height: recommendation.height),
                                            common: common).map { evaluate(sizes, target: $0) }
        return recommendation
    }

    /// The sizes `options` lists: the recommendation, the common squares, and the most common
    /// size at the scales TurboJPEG decodes to directly (1, 1/2, 1/4, 1/8, rounded up as it
    /// rounds) with a longer side of 16 to 256; smallest first.
    static func candidates(recommended: ShapeTally.Size, common: ShapeTally.Size) -> [ShapeTally.Size] {
        var sizes: Set<ShapeTally.Size> = [recommended]
        for side in commonSquares { sizes.insert(ShapeTally.Size(width: side, height: side)) }
        for divisor in [1, 2, 4, 8] {
            let scaled = ShapeTally.Size(width: (common.width + divisor - 1) / divisor,
                                         height: (common.height + divisor - 1) / divisor)
            if (16...256).contains(max(scaled.width, scaled.height)) { sizes.insert(scaled) }
        }
        return sizes.sorted { ($0.width * $0.height, $0.width) < ($1.width * $1.height, $1.width) }
    }

    /// `size` scaled down, keeping its aspect, so that its longer side is at most `maxSide`.
    static func fit(_ size: ShapeTally.Size, maxSide: Int) -> ShapeTally.Size {
        let longer = max(size.width, size.height)
        guard longer > maxSide else { return size }
        let scale = Double(maxSide) / Double(longer)
        return ShapeTally.Size(width: max(1, Int((Double(size.width) * scale).rounded())),
                               height: max(1, Int((Double(size.height) * scale).rounded())))
    }

    /// What resizing every image to `target` would do.
    static func evaluate(_ sizes: [ShapeTally.Size], target: ShapeTally.Size) -> Option {
        evaluate(sizes.map { ($0, 1) }, target: target)
    }

    /// What resizing every image to `target` would do, for sizes with their counts.
    static func evaluate(_ sizes: [(size: ShapeTally.Size, count: Int)], target: ShapeTally.Size) -> Option {
        var upscaled = 0, upscaledByPad = 0, offAspect = 0, total = 0
        var stretchSum = 0.0, stretchMax = 0.0, cutSum = 0.0
        for (size, count) in sizes where count > 0 {
            total += count
            if size.width < target.width || size.height < target.height { upscaled += count }
            if size.width < target.width && size.height < target.height { upscaledByPad += count }
            // a / t = (w / h) / (W / H) = (w * H) / (h * W)
            let relative = Double(size.width * target.height) / Double(size.height * target.width)
            let change = max(relative, 1 / relative)  // max(a, t) / min(a, t)
            if change > 1.01 { offAspect += count }
            stretchSum += (change - 1) * Double(count)
            stretchMax = max(stretchMax, change - 1)
            cutSum += (1 - 1 / change) * Double(count)
        }
        let images = Double(max(total, 1))
        let meanCut = rounded2(cutSum / images * 100)
        return Option(width: target.width, height: target.height,
                      upscaledPercent: percent(upscaled, of: total),
                      upscaledByPadPercent: percent(upscaledByPad, of: total),
                      offAspectPercent: percent(offAspect, of: total),
                      meanStretchPercent: rounded2(stretchSum / images * 100),
                      maxStretchPercent: rounded2(stretchMax * 100),
                      meanCropPercent: meanCut, meanPadPercent: meanCut)
    }
}

/// A percentage for a sentence: "45%", "22.31%".
func formatPercent(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value))%" : "\(value)%"
}
