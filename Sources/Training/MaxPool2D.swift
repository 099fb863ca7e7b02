/// Max pooling over square windows: Keras's `MaxPooling2D` (stride defaults to the pool size,
/// padding to `valid`).
///
/// `input [batch, height, width, channels] -> output [batch, outHeight, outWidth, channels]`.
/// With `same` padding a window's maximum is over the pixels inside the image (TensorFlow's
/// rule). The backward pass sends each output's gradient to the input that won its window:
/// the first one equal to the maximum, scanning rows then columns. A training forward pass
/// records each winner's pixel offset in its image (a Float, exact below 2^24), so the
/// backward pass reads those and the gradient, not the much larger input again. When
/// windows do not overlap (stride >= pool size, Keras's default) each input pixel gets its
/// gradient by one store, with no zeroing and adding.
public final class MaxPool2D: Layer {
    public let kind = "MaxPooling2D"
    public let padding: Padding
    public let inputShape: [Int]
    public let outputShape: [Int]
    let windows: PoolingWindows
    /// The batch of the last training forward pass, whose winners are recorded; 0 when none.
    private var recordedBatch = 0
    /// Per output value, the offset `iy * width + ix` of its window's winner in the image.
    private let winners = ScratchBuffer()
    private var outputStorage = RecycledStorage()
    private var gradInputStorage = RecycledStorage()

    /// - Precondition: the window fits `inputShape` `[height, width, channels]` (see `Conv2D.geometry`).
    public init(inputShape: [Int], poolSize: Int, stride: Int? = nil, padding: Padding = .valid) {
        guard let windows = PoolingWindows(inputShape: inputShape, size: poolSize, stride: stride ?? poolSize, padding: padding)
        else { preconditionFailure("MaxPool2D: a \(poolSize)x\(poolSize) window does not fit input \(inputShape)") }
        self.windows = windows
        self.padding = padding
        self.inputShape = inputShape
        self.outputShape = windows.outputShape(channels: inputShape[2])
    }

    public var poolSize: Int { windows.size }
    public var stride: Int { windows.stride }
    var rows: WindowGeometry { windows.rows }
    var columns: WindowGeometry { windows.columns }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        checkInput(input)
        let batch = input.batch
        let (width, channels) = (inputShape[1], inputShape[2])
        let (outHeight, outWidth) = (rows.output, columns.output)
        let inPerImage = inputShape.reduce(1, *), outPerImage = outputShape.reduce(1, *)
        let won: UnsafeMutablePointer<Float>? = training ? winners.reserve(batch * outPerImage) : nil
        let output = outputStorage.tensor(shape: [batch] + outputShape) { out in
            input.data.withUnsafeBufferPointer { x in
                Threads.parallelFor(batch) { images in
                    for n in images {
                        let image = x.baseAddress! + n * inPerImage
                        for oy in 0..<outHeight {
                            for ox in 0..<outWidth {
                                let index = n * outPerImage + (oy * outWidth + ox) * channels
                                Self.poolWindow(image, window: windows.window(oy, ox), width: width, channels: channels,
                                                into: out.baseAddress! + index, winners: won.map { $0 + index })
                            }
                        }
                    }
                }
            }
        }
        recordedBatch = training ? batch : 0
        return output
    }

    /// Writes one window's maximum per channel into `target [channels]` and, when given, the
    /// offset of the first pixel (scanning rows then columns) that holds it into `winners`.
    @inline(__always)
    private static func poolWindow(_ image: UnsafePointer<Float>, window: (Range<Int>, Range<Int>), width: Int,
                                   channels: Int, into target: UnsafeMutablePointer<Float>,
                                   winners: UnsafeMutablePointer<Float>?) {
        typealias Lanes = Elementwise.Lanes
        let first = window.0.lowerBound * width + window.1.lowerBound
        var c = 0
        while c + 8 <= channels {
            var best = Elementwise.load(image + first * channels + c), winner = Lanes(repeating: Float(first))
            for iy in window.0 {
                for ix in window.1 {
                    let offset = iy * width + ix
                    let value = Elementwise.load(image + offset * channels + c), greater = value .> best
                    best.replace(with: value, where: greater)
                    winner.replace(with: Float(offset), where: greater)
                }
            }
            Elementwise.store(best, target + c)
            if let winners { Elementwise.store(winner, winners + c) }
            c += 8
        }
        while c < channels {
            var best = image[first * channels + c], winner = first
            for iy in window.0 {
                for ix in window.1 where image[(iy * width + ix) * channels + c] > best {
                    best = image[(iy * width + ix) * channels + c]
                    winner = iy * width + ix
                }
            }
            target[c] = best
            winners?[c] = Float(winner)
            c += 1
        }
    }

    /// Adds one output pixel's gradients `dy [channels]` to the pixel of its window recorded in
    /// `winners [channels]`; `storing` writes the gradient or zero to every pixel of the window
    /// instead of adding (windows that do not overlap).
    @inline(__always)
    private static func routeGradient(storing: Bool, _ dy: UnsafePointer<Float>, winners: UnsafePointer<Float>,
                                      gradImage: UnsafeMutablePointer<Float>, window: (Range<Int>, Range<Int>),
                                      width: Int, channels: Int) {
        typealias Lanes = Elementwise.Lanes
        var c = 0
        while c + 8 <= channels {
            let winner = Elementwise.load(winners + c), gradient = Elementwise.load(dy + c)
            for iy in window.0 {
                for ix in window.1 {
                    let offset = iy * width + ix
                    let target = gradImage + offset * channels + c
                    let routed = Lanes(repeating: 0).replacing(with: gradient, where: winner .== Float(offset))
                    Elementwise.store(storing ? routed : Elementwise.load(target) + routed, target)
                }
            }
            c += 8
        }
        while c < channels {
            for iy in window.0 {
                for ix in window.1 {
                    let offset = iy * width + ix, target = gradImage + offset * channels + c
                    if winners[c] == Float(offset) {
                        target.pointee = storing ? dy[c] : target.pointee + dy[c]
                    } else if storing {
                        target.pointee = 0
                    }
                }
            }
            c += 1
        }
    }

    /// - Precondition: the last forward pass was a training pass on the same batch.
    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor {
        let batch = recordedBatch
        precondition(batch > 0, "MaxPool2D.backward needs a training forward pass first")
        checkGradient(gradOutput, batch: batch)
        defer { recordedBatch = 0 }
        guard needsInputGradient else { return .empty }
        let (width, channels) = (inputShape[1], inputShape[2])
        let (outHeight, outWidth) = (rows.output, columns.output)
        let inPerImage = inputShape.reduce(1, *), outPerImage = outputShape.reduce(1, *)
        let won = winners.pointer
        // Without overlaps every covered pixel is stored once; only pixels no window covers
        // (a remainder row or column under `valid` padding) need zeros first.
        let storing = stride >= poolSize
        let covered = stride == poolSize && rows.output * stride - rows.padBefore >= inputShape[0]
            && columns.output * stride - columns.padBefore >= inputShape[1]
        return gradInputStorage.tensor(shape: [batch] + inputShape, zeroed: !(storing && covered)) { dx in
            gradOutput.data.withUnsafeBufferPointer { dy in
                Threads.parallelFor(batch) { images in
                    for n in images {
                        let gradImage = dx.baseAddress! + n * inPerImage
                        for oy in 0..<outHeight {
                            for ox in 0..<outWidth {
                                let index = n * outPerImage + (oy * outWidth + ox) * channels
                                Self.routeGradient(storing: storing, dy.baseAddress! + index, winners: won + index,
                                                   gradImage: gradImage, window: windows.window(oy, ox), width: width,
                                                   channels: channels)
                            }
                        }
                    }
                }
            }
        }
    }

    public func releaseCaches() {
        recordedBatch = 0
    }
}
