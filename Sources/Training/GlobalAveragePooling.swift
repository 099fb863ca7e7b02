/// The mean of each channel over all pixels: Keras's `GlobalAveragePooling2D`.
///
/// `input [batch, height, width, channels] -> output [batch, channels]`.
public final class GlobalAveragePooling: Layer {
    public let kind = "GlobalAveragePooling2D"
    public let inputShape: [Int]
    public var outputShape: [Int] { [inputShape[2]] }
    private var batch = 0
    private var outputStorage = RecycledStorage()
    private var gradInputStorage = RecycledStorage()

    /// - Precondition: `inputShape` is `[height, width, channels]`.
    public init(inputShape: [Int]) {
        precondition(inputShape.count == 3, "GlobalAveragePooling needs [height, width, channels] input, got \(inputShape)")
        self.inputShape = inputShape
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        checkInput(input)
        let batch = input.batch
        let pixels = inputShape[0] * inputShape[1], channels = inputShape[2]
        let output = outputStorage.tensor(shape: [batch, channels]) { out in
            input.data.withUnsafeBufferPointer { x in
                Threads.parallelFor(batch) { images in
                    for n in images {
                        let target = out.baseAddress! + n * channels
                        target.update(repeating: 0, count: channels)
                        for p in 0..<pixels {
                            let source = x.baseAddress! + (n * pixels + p) * channels
                            for c in 0..<channels { target[c] += source[c] }
                        }
                        for c in 0..<channels { target[c] /= Float(pixels) }
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
        let pixels = inputShape[0] * inputShape[1], channels = inputShape[2]
        return gradInputStorage.tensor(shape: [batch] + inputShape) { dx in
            gradOutput.data.withUnsafeBufferPointer { dy in
                Threads.parallelFor(batch) { images in
                    for n in images {
                        for p in 0..<pixels {
                            for c in 0..<channels { dx[(n * pixels + p) * channels + c] = dy[n * channels + c] / Float(pixels) }
                        }
                    }
                }
            }
        }
    }
}
