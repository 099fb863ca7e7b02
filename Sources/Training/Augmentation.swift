import Foundation
import Randomness

/// Random image transformations applied to each training batch on the fly: the tutorials'
/// Keras preprocessing layers `RandomFlip("horizontal")`, `RandomRotation(0.1)`,
/// `RandomTranslation(0.1, 0.1)` and `RandomZoom(0.1)`, in that order.
///
/// For each image of a batch `[batch, height, width, channels]` (NHWC), in batch order, the
/// enabled transformations draw their numbers from the epoch's augmentation stream:
/// - flip: a mirror image left to right with probability 1/2;
/// - rotation: an angle uniform in `[-rotation, rotation] * 2 pi` (Keras's factor is a fraction
///   of a full turn: 0.1 is up to 36 degrees either way), about the image centre;
/// - translation: a shift uniform in `[-translation, translation]` times the height, and
///   another times the width;
/// - zoom: a factor `z` uniform in `[1 - zoom, 1 + zoom]` for both axes (Keras's `RandomZoom`
///   with `width_factor=None` keeps the aspect); `z > 1` zooms out (the content shrinks).
///
/// The transformations are composed into one affine map and each output pixel is read from the
/// input by bilinear interpolation (Keras's default `interpolation="bilinear"`), so an image is
/// resampled once, not four times. Points outside the image are filled by reflection
/// (Keras's default `fill_mode="reflect"`: `d c b a | a b c d | d c b a`, about the edge of the
/// last pixel). Pixel centres are at integer coordinates and the centre of the image is
/// `((width - 1) / 2, (height - 1) / 2)`. Images with no transformation drawn (all factors 0)
/// are left untouched. The values are transformed after normalisation; with reflection, which
/// invents no value, that equals transforming the raw pixels first.
///
/// Deterministic: the numbers are drawn one image after another from a generator seeded with
/// `(seed, stream: augmentationStream + epoch)`, and images are then transformed in parallel,
/// each by one thread, so neither the thread count nor a resumed run changes the result.
public struct Augmentation: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Epoch `e`'s generator uses stream `augmentationStream + e`.
    public static let augmentationStream: UInt64 = 0x6175_676D_0000_0000  // "augm"

    public var flip: Bool
    /// A fraction of a full turn (Keras's `RandomRotation` factor).
    public var rotation: Float
    /// A fraction of the height and of the width (Keras's `RandomTranslation` factors).
    public var translation: Float
    /// A fraction of the size (Keras's `RandomZoom` factor).
    public var zoom: Float

    /// The tutorials' set: flip, rotation 0.1, translation 0.1, zoom 0.1.
    public static let standard = Augmentation(flip: true, rotation: 0.1, translation: 0.1, zoom: 0.1)

    public init(flip: Bool = false, rotation: Float = 0, translation: Float = 0, zoom: Float = 0) {
        self.flip = flip
        self.rotation = rotation
        self.translation = translation
        self.zoom = zoom
    }

    /// Parses a comma-separated list of `flip`, `rotation[:F]`, `translation[:F]`, `zoom[:F]`
    /// (factors default to 0.1), e.g. `rotation:0.05,zoom` for digits, which must not be mirrored.
    /// - Throws: `TrainingError.invalidHyperparameter` naming the item that does not parse.
    public init(parsing text: String) throws {
        self.init()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.trimmingCharacters(in: .whitespaces).lowercased().split(separator: ":", omittingEmptySubsequences: false)
            let name = String(parts[0])
            var factor: Float = 0.1
            if parts.count == 2, let value = Float(parts[1]) {
                factor = value
            } else if parts.count != 1 {
                throw TrainingError.invalidHyperparameter("Cannot read augmentation `\(item)`: expected a name and an optional factor, e.g. rotation:0.05.")
            }
            switch name {
            case "flip":
                guard parts.count == 1 else {
                    throw TrainingError.invalidHyperparameter("`flip` takes no factor: a horizontal flip happens to half of the images.")
                }
                flip = true
            case "rotation", "rotate": rotation = factor
            case "translation", "translate": translation = factor
            case "zoom": zoom = factor
            default:
                throw TrainingError.invalidHyperparameter("Unknown augmentation `\(item)`: expected flip, rotation, translation or zoom, e.g. rotation:0.1,zoom.")
            }
        }
        try validate()
    }

    /// - Throws: `TrainingError.invalidHyperparameter` for a factor outside `[0, 1)` (a zoom of
    ///   1 could shrink an image to a point) or a rotation above 0.5 (half a turn).
    public func validate() throws {
        for (name, value) in [("rotation", rotation), ("translation", translation), ("zoom", zoom)] {
            guard value.isFinite, value >= 0, value < 1 else {
                throw TrainingError.invalidHyperparameter("The \(name) factor must be at least 0 and below 1 (got \(value)).")
            }
        }
        guard rotation <= 0.5 else {
            throw TrainingError.invalidHyperparameter("The rotation factor is a fraction of a full turn and must be at most 0.5 (got \(rotation)).")
        }
    }

    /// Whether any transformation is enabled.
    public var isEnabled: Bool { flip || rotation > 0 || translation > 0 || zoom > 0 }

    /// `flip,rotation:0.1,translation:0.1,zoom:0.1`, or `none`.
    public var description: String {
        var items: [String] = []
        if flip { items.append("flip") }
        if rotation > 0 { items.append("rotation:\(rotation)") }
        if translation > 0 { items.append("translation:\(translation)") }
        if zoom > 0 { items.append("zoom:\(zoom)") }
        return items.isEmpty ? "none" : items.joined(separator: ",")
    }

    /// One image's transformation: output pixel `p` reads input point `matrix * (p - centre) + offset`.
    struct Transform: Equatable {
        /// Row-major 2x2: `[a, b, c, d]` maps `(x, y)` to `(a x + b y, c x + d y)`.
        var matrix: [Float]
        var offset: (x: Float, y: Float)

        static func == (lhs: Transform, rhs: Transform) -> Bool {
            lhs.matrix == rhs.matrix && lhs.offset == rhs.offset
        }
    }

    /// Draws one image's transformation, or nil when no transformation is enabled.
    func drawTransform(height: Int, width: Int, using random: inout RandomGenerator) -> Transform? {
        guard isEnabled else { return nil }
        let flipped = flip && random.next() >> 63 == 1
        let angle = rotation > 0 ? random.uniform(-rotation, rotation) * 2 * Float.pi : 0
        let shiftY = translation > 0 ? random.uniform(-translation, translation) * Float(height) : 0
        let shiftX = translation > 0 ? random.uniform(-translation, translation) * Float(width) : 0
        let scale = zoom > 0 ? random.uniform(1 - zoom, 1 + zoom) : 1
        // Undo the layers from the last to the first, on coordinates relative to the centre:
        // zoom q1 = z q0; translation q2 = q1 - t; rotation q3 = R(-angle) q2; flip x4 = -x3.
        let cosine = cos(angle), sine = sin(angle)
        // R(-angle) = [[cos, sin], [-sin, cos]] (y down, so a positive angle turns the content
        // counter-clockwise on screen, as Keras's does).
        var matrix = [cosine * scale, sine * scale, -sine * scale, cosine * scale]
        var offsetX = -(cosine * shiftX + sine * shiftY), offsetY = sine * shiftX - cosine * shiftY
        if flipped {
            matrix[0] = -matrix[0]
            matrix[1] = -matrix[1]
            offsetX = -offsetX
        }
        return Transform(matrix: matrix, offset: (offsetX, offsetY))
    }

    /// Transforms every image of `batch [n, height, width, channels]` in place, drawing from
    /// `random` (one image after another).
    public func apply(to batch: inout Tensor, using random: inout RandomGenerator) {
        guard isEnabled else { return }
        precondition(batch.shape.count == 4, "Augmentation needs images [batch, height, width, channels], got \(batch.shape)")
        let (count, height, width, channels) = (batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3])
        let transforms = (0..<count).map { _ in drawTransform(height: height, width: width, using: &random) }
        let source = batch.data
        let perImage = height * width * channels
        batch.data.withUnsafeMutableBufferPointer { output in
            source.withUnsafeBufferPointer { input in
                Threads.parallelFor(count) { images in
                    for image in images {
                        guard let transform = transforms[image] else { continue }
                        let base = image * perImage
                        Self.resample(input: input.baseAddress! + base, output: output.baseAddress! + base,
                                      height: height, width: width, channels: channels, transform: transform)
                    }
                }
            }
        }
    }

    /// Bilinear resampling of one image through `transform`, reflecting at the edges.
    static func resample(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, height: Int, width: Int,
                         channels: Int, transform: Transform) {
        let centreX = Float(width - 1) / 2, centreY = Float(height - 1) / 2
        let m = transform.matrix
        for y in 0..<height {
            let dy = Float(y) - centreY
            for x in 0..<width {
                let dx = Float(x) - centreX
                let sourceX = m[0] * dx + m[1] * dy + transform.offset.x + centreX
                let sourceY = m[2] * dx + m[3] * dy + transform.offset.y + centreY
                let x0 = Int(sourceX.rounded(.down)), y0 = Int(sourceY.rounded(.down))
                let fx = sourceX - Float(x0), fy = sourceY - Float(y0)
                let left = reflect(x0, width), right = reflect(x0 + 1, width)
                let top = reflect(y0, height), bottom = reflect(y0 + 1, height)
                let out = output + (y * width + x) * channels
                for c in 0..<channels {
                    let topValue = input[(top * width + left) * channels + c] * (1 - fx) + input[(top * width + right) * channels + c] * fx
                    let bottomValue = input[(bottom * width + left) * channels + c] * (1 - fx)
                        + input[(bottom * width + right) * channels + c] * fx
                    out[c] = topValue * (1 - fy) + bottomValue * fy
                }
            }
        }
    }

    /// `index` reflected into `0..<size`: `... 1 0 | 0 1 ... n-1 | n-1 n-2 ...`.
    static func reflect(_ index: Int, _ size: Int) -> Int {
        guard index < 0 || index >= size else { return index }
        let period = 2 * size
        var folded = index % period
        if folded < 0 { folded += period }
        return folded < size ? folded : period - 1 - folded
    }
}
