import Foundation
import Randomness
import Testing
@testable import Training

@Suite("Trainer: augmentation")
struct TrainerAugmentationTests {
    /// A 3x4 image with 2 channels whose values say where they are: 10 * y + x, and its negative.
    static let image = Tensor(shape: [1, 3, 4, 2], data: pixels { y, x in 10 * y + x })

    /// The 3x4x2 values `[f(y, x), -f(y, x)]`, row by row.
    static func pixels(_ value: (Int, Int) -> Int) -> [Float] {
        var values: [Float] = []
        for y in 0..<3 {
            for x in 0..<4 {
                let v = Float(value(y, x))
                values += [v, -v]
            }
        }
        return values
    }

    static func resampled(_ transform: Augmentation.Transform, _ image: Tensor = image) -> [Float] {
        let (height, width, channels) = (image.shape[1], image.shape[2], image.shape[3])
        var output = [Float](repeating: .nan, count: image.count)
        image.data.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                Augmentation.resample(input: input.baseAddress!, output: output.baseAddress!, height: height, width: width,
                                      channels: channels, transform: transform)
            }
        }
        return output
    }

    @Test("the identity, a mirror image and a whole-pixel shift are exact")
    func exactTransforms() {
        let identity = Augmentation.Transform(matrix: [1, 0, 0, 1], offset: (0, 0))
        #expect(Self.resampled(identity) == Self.image.data)
        let mirror = Augmentation.Transform(matrix: [-1, 0, 0, 1], offset: (0, 0))
        let mirrored = Self.pixels { y, x in 10 * y + 3 - x }
        #expect(Self.resampled(mirror) == mirrored)
        // Content moved one pixel right: output x reads input x - 1; x = 0 reads -1, reflected to 0.
        let shift = Augmentation.Transform(matrix: [1, 0, 0, 1], offset: (-1, 0))
        let shifted = Self.pixels { y, x in 10 * y + max(x - 1, 0) }
        #expect(Self.resampled(shift) == shifted)
    }

    @Test("a quarter turn of a square image is exact")
    func quarterTurn() {
        let square = Tensor(shape: [1, 3, 3, 1], data: (0..<9).map(Float.init))
        // Output (x, y) reads input (y', -x') about the centre: the content turns a quarter.
        let turned = Self.resampled(Augmentation.Transform(matrix: [0, 1, -1, 0], offset: (0, 0)), square)
        #expect(turned == [6, 3, 0, 7, 4, 1, 8, 5, 2])
    }

    @Test("half-way points are the mean of their neighbours (bilinear)")
    func bilinear() {
        let half = Augmentation.Transform(matrix: [1, 0, 0, 1], offset: (0.5, 0))
        let row0 = Array(Self.resampled(half).prefix(8))
        // x + 0.5 between x and x + 1; the last column reflects onto itself.
        #expect(row0 == [0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3, -3])
    }

    @Test("reflection folds indices back into the image: d c b a | a b c d | d c b a", arguments: [
        (-1, 0), (-2, 1), (-4, 3), (-5, 3), (0, 0), (3, 3), (4, 3), (5, 2), (8, 0), (9, 1), (12, 3),
    ])
    func reflection(index: Int, folded: Int) {
        #expect(Augmentation.reflect(index, 4) == folded)
    }

    @Test("the draws are seeded: same seed, same images; each image its own transform")
    func seeded() {
        let batch = Tensor(shape: [4, 8, 8, 1], data: (0..<256).map { Float($0 % 17) })
        var first = batch, second = batch
        var a = RandomGenerator(seed: 5, stream: Augmentation.augmentationStream)
        var b = RandomGenerator(seed: 5, stream: Augmentation.augmentationStream)
        Augmentation.standard.apply(to: &first, using: &a)
        Augmentation.standard.apply(to: &second, using: &b)
        #expect(first == second)
        #expect(first != batch)
        #expect(a == b)
        let images = (0..<4).map { Array(first.data[($0 * 64)..<(($0 + 1) * 64)]) }
        #expect(Set(images).count == 4)
        var none = batch
        Augmentation().apply(to: &none, using: &a)
        #expect(none == batch)
    }

    @Test("the drawn factors stay within Keras's ranges")
    func ranges() {
        var random = RandomGenerator(seed: 1)
        let augmentation = Augmentation(rotation: 0.1, zoom: 0.2)
        for _ in 0..<200 {
            let transform = augmentation.drawTransform(height: 10, width: 10, using: &random)!
            let m = transform.matrix
            let scale = (m[0] * m[0] + m[2] * m[2]).squareRoot()
            let angle = atan2(-m[2], m[0])
            #expect(scale >= 0.8 - 1e-5 && scale <= 1.2 + 1e-5)
            #expect(abs(angle) <= 0.1 * 2 * Float.pi + 1e-5)
            #expect(transform.offset == (0, 0))
        }
    }

    @Test("the list option parses, and bad items are named", arguments: [
        ("flip,rotation,translation,zoom", "flip,rotation:0.1,translation:0.1,zoom:0.1"),
        ("rotation:0.05, zoom", "rotation:0.05,zoom:0.1"),
        ("rotate,translate:0.2", "rotation:0.1,translation:0.2"),
    ])
    func parsing(text: String, canonical: String) throws {
        #expect(try Augmentation(parsing: text).description == canonical)
    }

    @Test func parsingErrors() {
        #expect(throws: TrainingError.invalidHyperparameter("Unknown augmentation `shear`: expected flip, rotation, translation or zoom, e.g. rotation:0.1,zoom.")) {
            try Augmentation(parsing: "flip,shear")
        }
        #expect(throws: TrainingError.invalidHyperparameter("`flip` takes no factor: a horizontal flip happens to half of the images.")) {
            try Augmentation(parsing: "flip:0.5")
        }
        #expect(throws: TrainingError.invalidHyperparameter("The zoom factor must be at least 0 and below 1 (got 1.5).")) {
            try Augmentation(parsing: "zoom:1.5")
        }
        #expect(throws: TrainingError.invalidHyperparameter("Cannot read augmentation `rotation:x`: expected a name and an optional factor, e.g. rotation:0.05.")) {
            try Augmentation(parsing: "rotation:x")
        }
    }
}
