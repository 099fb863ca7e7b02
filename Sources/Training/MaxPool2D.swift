/// Max pooling over square windows: Keras's `MaxPooling2D` (stride defaults to the pool size,
/// padding to `valid`).
///
/// `input [batch, height, width, channels] -> output [batch, outHeight, outWidth, channels]`.
/// With `same` padding a window's maximum is over the pixels inside the image (TensorFlow's
/// rule). The backward pass sends each output's gradient to the input that won its window:
/// the first one equal to the maximum, scanning rows then columns (found again from the
/// saved input rather than stored, so the forward pass is a plain vectorised maximum). When
/// windows do not overlap (stride >= pool size, Keras's default) each input pixel gets its
/// gradient by one store, with no zeroing and adding.
public final class MaxPool2D: Layer {
    public let kind = "MaxPooling2D"
    public let poolSize: Int
    public let stride: Int
    public let padding: Padding
    public let inputShape: [Int]
    public let outputShape: [Int]
    let rows: WindowGeometry
    let columns: WindowGeometry
    private var input = Tensor.empty
    private var output = Tensor.empty
    private var outputStorage = RecycledStorage()
    private var gradInputStorage = RecycledStorage()

    /// - Precondition: the window fits `inputShape` `[height, width, channels]` (see `Conv2D.geometry`).
    public init(inputShape: [Int], poolSize: Int, stride: Int? = nil, padding: Padding = .valid) {
        let stride = stride ?? poolSize
        guard let (rows, columns) = Conv2D.geometry(inputShape: inputShape, kernelHeight: poolSize,
                                                    kernelWidth: poolSize, stride: stride, padding: padding)
        else { preconditionFailure("MaxPool2D: a \(poolSize)x\(poolSize) window does not fit input \(inputShape)") }
        self.poolSize = poolSize
        self.stride = stride
        self.padding = padding
        self.inputShape = inputShape
        self.rows = rows
        self.columns = columns
        self.outputShape = [rows.output, columns.output, inputShape[2]]
    }

    /// The rows and columns of the window for output `(oy, ox)`, clipped to the image.
    private func window(_ oy: Int, _ ox: Int) -> (Range<Int>, Range<Int>) {
        let y0 = oy * stride - rows.padBefore, x0 = ox * stride - columns.padBefore
        return (max(y0, 0)..<min(y0 + poolSize, inputShape[0]), max(x0, 0)..<min(x0 + poolSize, inputShape[1]))
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        checkInput(input)
        let batch = input.batch
        let (width, channels) = (inputShape[1], inputShape[2])
        let (outHeight, outWidth) = (rows.output, columns.output)
        let inPerImage = inputShape.reduce(1, *), outPerImage = outputShape.reduce(1, *)
        let output = outputStorage.tensor(shape: [batch] + outputShape) { out in
            input.data.withUnsafeBufferPointer { x in
                Threads.parallelFor(batch) { images in
                    for n in images {
                        let image = x.baseAddress! + n * inPerImage
                        for oy in 0..<outHeight {
                            for ox in 0..<outWidth {
                                let (ys, xs) = window(oy, ox)
                                let target = out.baseAddress! + n * outPerImage + (oy * outWidth + ox) * channels
                                target.update(from: image + (ys.lowerBound * width + xs.lowerBound) * channels, count: channels)
                                for iy in ys {
                                    for ix in xs {
                                        Elementwise.maximum(image + (iy * width + ix) * channels, into: target, count: channels)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        self.input = input
        self.output = output
        return output
    }

    /// Adds one output pixel's gradients `dy [channels]` to the first input pixel in the
    /// window, per channel, whose value equals the output `winners [channels]`; eight channels
    /// at a time with a mask of the channels still unrouted. `storing` writes the gradient or
    /// zero to every pixel of the window instead of adding (windows that do not overlap).
    @inline(__always)
    private static func routeGradient(storing: Bool, _ dy: UnsafePointer<Float>, winners: UnsafePointer<Float>, image: UnsafePointer<Float>,
                                      gradImage: UnsafeMutablePointer<Float>, window: (Range<Int>, Range<Int>),
                                      width: Int, channels: Int) {
        typealias Lanes = Elementwise.Lanes
        var c = 0
        while c + 8 <= channels {
            let best = Elementwise.load(winners + c), gradient = Elementwise.load(dy + c)
            var open = SIMDMask<SIMD8<Int32>>(repeating: true)
            for iy in window.0 {
                for ix in window.1 {
                    let offset = (iy * width + ix) * channels + c
                    let hit = open .& (Elementwise.load(image + offset) .== best)
                    let target = gradImage + offset, routed = Lanes(repeating: 0).replacing(with: gradient, where: hit)
                    Elementwise.store(storing ? routed : Elementwise.load(target) + routed, target)
                    open = open .& .!hit
                }
            }
            c += 8
        }
        while c < channels {
            var open = true
            for iy in window.0 {
                for ix in window.1 {
                    let offset = (iy * width + ix) * channels + c
                    let hit = open && image[offset] == winners[c]
                    if hit {
                        gradImage[offset] = storing ? dy[c] : gradImage[offset] + dy[c]
                        open = false
                    } else if storing {
                        gradImage[offset] = 0
                    }
                }
            }
            c += 1
        }
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor {
        let batch = input.batch
        checkGradient(gradOutput, batch: batch)
        defer { (input, output) = (.empty, .empty) }
        guard needsInputGradient else { return .empty }
        let (width, channels) = (inputShape[1], inputShape[2])
        let (outHeight, outWidth) = (rows.output, columns.output)
        let inPerImage = inputShape.reduce(1, *), outPerImage = outputShape.reduce(1, *)
        // Without overlaps every covered pixel is stored once; only pixels no window covers
        // (a remainder row or column under `valid` padding) need zeros first.
        let storing = stride >= poolSize
        let covered = stride == poolSize && rows.output * stride - rows.padBefore >= inputShape[0]
            && columns.output * stride - columns.padBefore >= inputShape[1]
        return gradInputStorage.tensor(shape: [batch] + inputShape, zeroed: !(storing && covered)) { dx in
            gradOutput.data.withUnsafeBufferPointer { dy in
                input.data.withUnsafeBufferPointer { x in
                    output.data.withUnsafeBufferPointer { y in
                        Threads.parallelFor(batch) { images in
                            for n in images {
                                let image = x.baseAddress! + n * inPerImage, gradImage = dx.baseAddress! + n * inPerImage
                                for oy in 0..<outHeight {
                                    for ox in 0..<outWidth {
                                        let (ys, xs) = window(oy, ox)
                                        let index = n * outPerImage + (oy * outWidth + ox) * channels
                                        Self.routeGradient(storing: storing, dy.baseAddress! + index, winners: y.baseAddress! + index,
                                                           image: image, gradImage: gradImage, window: (ys, xs),
                                                           width: width, channels: channels)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public func releaseCaches() {
        (input, output) = (.empty, .empty)
    }
}
