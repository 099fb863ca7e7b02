/// Average pooling over square windows: Keras's `AveragePooling2D` (stride defaults to the
/// pool size, padding to `valid`).
///
/// `input [batch, height, width, channels] -> output [batch, outHeight, outWidth, channels]`.
/// With `same` padding a window averages only the pixels inside the image (TensorFlow's
/// rule; PyTorch's `count_include_pad=False`).
public final class AvgPool2D: Layer {
    public let kind = "AveragePooling2D"
    public let padding: Padding
    public let inputShape: [Int]
    public let outputShape: [Int]
    let windows: PoolingWindows
    private var batch = 0
    private var outputStorage = RecycledStorage()
    private var gradInputStorage = RecycledStorage()

    /// - Precondition: the window fits `inputShape` `[height, width, channels]` (see `Conv2D.geometry`).
    public init(inputShape: [Int], poolSize: Int, stride: Int? = nil, padding: Padding = .valid) {
        guard let windows = PoolingWindows(inputShape: inputShape, size: poolSize, stride: stride ?? poolSize, padding: padding)
        else { preconditionFailure("AvgPool2D: a \(poolSize)x\(poolSize) window does not fit input \(inputShape)") }
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
        let output = outputStorage.tensor(shape: [batch] + outputShape) { out in
            input.data.withUnsafeBufferPointer { x in
                Threads.parallelFor(batch) { images in
                    for n in images {
                        let image = x.baseAddress! + n * inPerImage
                        for oy in 0..<outHeight {
                            for ox in 0..<outWidth {
                                let (ys, xs) = windows.window(oy, ox)
                                let target = out.baseAddress! + n * outPerImage + (oy * outWidth + ox) * channels
                                target.update(repeating: 0, count: channels)
                                for iy in ys {
                                    for ix in xs {
                                        let source = image + (iy * width + ix) * channels
                                        for c in 0..<channels { target[c] += source[c] }
                                    }
                                }
                                let scale = 1 / Float(ys.count * xs.count)
                                for c in 0..<channels { target[c] *= scale }
                            }
                        }
                    }
                }
            }
        }
        self.batch = batch
        return output
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor {
        checkGradient(gradOutput, batch: batch)
        guard needsInputGradient else { return .empty }
        let (width, channels) = (inputShape[1], inputShape[2])
        let (outHeight, outWidth) = (rows.output, columns.output)
        let inPerImage = inputShape.reduce(1, *), outPerImage = outputShape.reduce(1, *)
        return gradInputStorage.tensor(shape: [batch] + inputShape, zeroed: true) { dx in
            gradOutput.data.withUnsafeBufferPointer { dy in
                Threads.parallelFor(batch) { images in
                    for n in images {
                        let image = dx.baseAddress! + n * inPerImage
                        for oy in 0..<outHeight {
                            for ox in 0..<outWidth {
                                let (ys, xs) = windows.window(oy, ox)
                                let source = dy.baseAddress! + n * outPerImage + (oy * outWidth + ox) * channels
                                let scale = 1 / Float(ys.count * xs.count)
                                for iy in ys {
                                    for ix in xs {
                                        let target = image + (iy * width + ix) * channels
                                        for c in 0..<channels { target[c] += source[c] * scale }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
