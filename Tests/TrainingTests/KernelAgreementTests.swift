import Randomness
import Testing
@testable import Training

/// The GEMM kernels against the plain-loop references beside them (`forwardNaive`,
/// `backwardNaive`, summed in Double): Float32 GEMMs agree to rounding, 1e-5 + 1e-4 relative.
@Suite("Fast kernels agree with the naive references")
struct KernelAgreementTests {
    struct ConvCase: CustomTestStringConvertible, Sendable {
        var input: [Int]
        var filters: Int
        var kernel: (Int, Int)
        var stride: Int
        var padding: Padding
        var activation: Activation
        var batch = 3
        var columnBudget = 8 << 20
        /// nil: the layer's own choice.
        var lowering: Conv2D.Lowering? = nil
        var testDescription: String {
            "\(input) k\(kernel.0)x\(kernel.1) s\(stride) \(padding) \(activation)" + (columnBudget < 1000 ? " chunked" : "")
                + (lowering.map { " \($0)" } ?? "")
        }
    }

    @Test("Conv2D forward and backward", arguments: [
        ConvCase(input: [8, 7, 3], filters: 4, kernel: (3, 3), stride: 1, padding: .valid, activation: .relu),
        ConvCase(input: [8, 7, 3], filters: 4, kernel: (3, 3), stride: 1, padding: .same, activation: .relu),
        ConvCase(input: [8, 7, 3], filters: 4, kernel: (3, 3), stride: 2, padding: .same, activation: .linear),
        ConvCase(input: [8, 7, 3], filters: 4, kernel: (3, 3), stride: 2, padding: .valid, activation: .relu),
        ConvCase(input: [9, 9, 1], filters: 5, kernel: (4, 2), stride: 2, padding: .same, activation: .relu),
        ConvCase(input: [6, 6, 2], filters: 3, kernel: (5, 5), stride: 1, padding: .same, activation: .linear),
        ConvCase(input: [5, 6, 2], filters: 2, kernel: (1, 1), stride: 3, padding: .same, activation: .linear),
        ConvCase(input: [28, 28, 1], filters: 8, kernel: (3, 3), stride: 1, padding: .valid, activation: .relu, batch: 2),
        ConvCase(input: [2, 1, 1], filters: 2, kernel: (3, 3), stride: 1, padding: .same, activation: .linear),
        ConvCase(input: [7, 2, 1], filters: 2, kernel: (5, 5), stride: 2, padding: .same, activation: .relu),
        ConvCase(input: [8, 7, 3], filters: 4, kernel: (3, 3), stride: 1, padding: .same, activation: .relu, columnBudget: 100),
        // Winograd F(4x4, 3x3): odd and even sizes, channel and filter counts off the 8 lanes,
        // an image smaller than a tile, chunks of one image, and the cnn preset's second layer.
        ConvCase(input: [8, 7, 3], filters: 4, kernel: (3, 3), stride: 1, padding: .valid, activation: .relu, lowering: .winograd),
        ConvCase(input: [8, 7, 3], filters: 4, kernel: (3, 3), stride: 1, padding: .same, activation: .relu, lowering: .winograd),
        ConvCase(input: [6, 9, 10], filters: 12, kernel: (3, 3), stride: 1, padding: .same, activation: .linear),
        ConvCase(input: [7, 6, 16], filters: 9, kernel: (3, 3), stride: 1, padding: .valid, activation: .relu),
        ConvCase(input: [2, 1, 1], filters: 2, kernel: (3, 3), stride: 1, padding: .same, activation: .linear, lowering: .winograd),
        ConvCase(input: [8, 7, 3], filters: 4, kernel: (3, 3), stride: 1, padding: .same, activation: .relu, columnBudget: 100,
                 lowering: .winograd),
        ConvCase(input: [13, 13, 32], filters: 64, kernel: (3, 3), stride: 1, padding: .valid, activation: .relu, batch: 2),
        ConvCase(input: [13, 13, 32], filters: 64, kernel: (3, 3), stride: 1, padding: .valid, activation: .relu, batch: 2,
                 lowering: .im2col),
    ])
    func conv(_ c: ConvCase) {
        var random = RandomGenerator(seed: 31)
        let layer = Conv2D(inputShape: c.input, filters: c.filters, kernelHeight: c.kernel.0, kernelWidth: c.kernel.1,
                           stride: c.stride, padding: c.padding, activation: c.activation, random: &random)
        layer.columnBudget = c.columnBudget
        if let lowering = c.lowering { layer.lowering = lowering }
        layer.bias.value = randomTensor([c.filters], seed: 32, in: -0.3...0.3)
        // A first pass with other values, so stale values left in reused buffers would show.
        let warmUp = layer.forward(randomTensor([c.batch] + c.input, seed: 30), training: true)
        _ = layer.backward(randomTensor(warmUp.shape, seed: 29, in: 5...9), needsInputGradient: true)
        // Winograd's rounding is bounded relative to the largest values of a result (its
        // transforms mix a tile's values with factors up to 8), not to each value: a sum that
        // nearly cancels may keep an error of a few 1e-6 of the largest sum.
        func absolute(_ expected: Tensor) -> Float {
            layer.lowering == .winograd ? 1e-5 * max(1, expected.data.map(abs).max() ?? 0) : 1e-5
        }
        let input = randomTensor([c.batch] + c.input, seed: 33)
        let fast = layer.forward(input, training: true)
        let naiveOutput = layer.forwardNaive(input)
        expectClose(fast, naiveOutput, absolute: absolute(naiveOutput), relative: 1e-4, "forward")

        let upstream = randomTensor(fast.shape, seed: 34)
        layer.weight.zeroGradient()
        layer.bias.zeroGradient()
        let gradInput = layer.backward(upstream, needsInputGradient: true)
        let naive = layer.backwardNaive(upstream, input: input)
        expectClose(gradInput, naive.input, absolute: absolute(naive.input), relative: 1e-4, "input gradient")
        expectClose(layer.weight.gradient, naive.weight, absolute: absolute(naive.weight), relative: 1e-4, "weight gradient")
        expectClose(layer.bias.gradient, naive.bias, absolute: 1e-5, relative: 1e-4, "bias gradient")
    }

    @Test("Conv2D lowers 3x3 stride-1 kernels over eight or more channels by Winograd, others by im2col")
    func convLowering() {
        var random = RandomGenerator(seed: 45)
        func lowering(_ input: [Int], _ kernel: Int, _ stride: Int) -> Conv2D.Lowering {
            Conv2D(inputShape: input, filters: 4, kernelHeight: kernel, kernelWidth: kernel, stride: stride,
                   padding: .same, activation: .relu, random: &random).lowering
        }
        #expect(lowering([13, 13, 32], 3, 1) == .winograd)
        #expect(lowering([13, 13, 8], 3, 1) == .winograd)
        #expect(lowering([28, 28, 1], 3, 1) == .im2col)
        #expect(lowering([28, 28, 3], 3, 1) == .im2col)
        #expect(lowering([13, 13, 32], 3, 2) == .im2col)
        #expect(lowering([13, 13, 32], 5, 1) == .im2col)
    }

    @Test("Conv2D accumulates gradients over two batches and skips the input gradient when asked")
    func convAccumulates() {
        var random = RandomGenerator(seed: 35)
        let layer = Conv2D(inputShape: [5, 5, 2], filters: 3, kernelHeight: 3, kernelWidth: 3, activation: .relu, random: &random)
        let first = randomTensor([2, 5, 5, 2], seed: 36), second = randomTensor([2, 5, 5, 2], seed: 37)
        let upstream = randomTensor([2, 3, 3, 3], seed: 38)
        _ = layer.forward(first, training: true)
        _ = layer.backward(upstream, needsInputGradient: true)
        _ = layer.forward(second, training: true)
        let skipped = layer.backward(upstream, needsInputGradient: false)
        #expect(skipped.count == 0)
        let a = layer.backwardNaive(upstream, input: first), b = layer.backwardNaive(upstream, input: second)
        expectClose(layer.weight.gradient.data, zip(a.weight.data, b.weight.data).map(+), absolute: 1e-5, relative: 1e-4, "weight")
    }

    @Test("Dense forward and backward", arguments: [(Activation.relu, 7, 13, 5), (.linear, 1, 4, 3), (.relu, 32, 100, 10)])
    func dense(_ activation: Activation, _ batch: Int, _ inputs: Int, _ outputs: Int) {
        var random = RandomGenerator(seed: 39)
        let layer = Dense(inputs: inputs, outputs: outputs, activation: activation, random: &random)
        layer.bias.value = randomTensor([outputs], seed: 40, in: -0.3...0.3)
        let input = randomTensor([batch, inputs], seed: 41)
        let fast = layer.forward(input, training: true)
        expectClose(fast, layer.forwardNaive(input), absolute: 1e-5, relative: 1e-4, "forward")
        let upstream = randomTensor(fast.shape, seed: 42)
        let gradInput = layer.backward(upstream, needsInputGradient: true)
        let naive = layer.backwardNaive(upstream, input: input)
        expectClose(gradInput, naive.input, absolute: 1e-5, relative: 1e-4, "input gradient")
        expectClose(layer.weight.gradient, naive.weight, absolute: 1e-5, relative: 1e-4, "weight gradient")
        expectClose(layer.bias.gradient, naive.bias, absolute: 1e-5, relative: 1e-4, "bias gradient")
    }

    /// The max-pooling gradient by plain loops: each output's gradient goes to the first input
    /// of its window (rows, then columns) equal to the window's maximum.
    static func maxPoolGradient(_ layer: MaxPool2D, input: Tensor, upstream: Tensor) -> [Float] {
        let (height, width, channels) = (layer.inputShape[0], layer.inputShape[1], layer.inputShape[2])
        let (outHeight, outWidth) = (layer.outputShape[0], layer.outputShape[1])
        let pad = (layer.rows.padBefore, layer.columns.padBefore)
        var dx = [Float](repeating: 0, count: input.count)
        for n in 0..<input.batch {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    for c in 0..<channels {
                        var best: (value: Float, index: Int)?
                        for iy in max(0, oy * layer.stride - pad.0)..<min(height, oy * layer.stride - pad.0 + layer.poolSize) {
                            for ix in max(0, ox * layer.stride - pad.1)..<min(width, ox * layer.stride - pad.1 + layer.poolSize) {
                                let index = ((n * height + iy) * width + ix) * channels + c
                                if best == nil || input.data[index] > best!.value { best = (input.data[index], index) }
                            }
                        }
                        dx[best!.index] += upstream.data[((n * outHeight + oy) * outWidth + ox) * channels + c]
                    }
                }
            }
        }
        return dx
    }

    @Test("MaxPool2D routes each gradient to its window's first maximum, also on a reused layer",
          arguments: [(2, 2, Padding.valid), (2, 2, .same), (3, 2, .same), (2, 3, .valid), (3, 1, .valid)])
    func maxPool(_ size: Int, _ stride: Int, _ padding: Padding) {
        // 12 channels: eight vector lanes and four scalar ones; 5x7 leaves a remainder under `valid`.
        let layer = MaxPool2D(inputShape: [5, 7, 12], poolSize: size, stride: stride, padding: padding)
        let first = spacedTensor([2, 5, 7, 12], seed: 43), second = spacedTensor([2, 5, 7, 12], seed: 44)
        _ = layer.forward(first, training: true)
        _ = layer.backward(randomTensor([2] + layer.outputShape, seed: 45), needsInputGradient: true)
        _ = layer.forward(second, training: true)
        let upstream = randomTensor([2] + layer.outputShape, seed: 46)
        let gradInput = layer.backward(upstream, needsInputGradient: true)
        #expect(gradInput.data == Self.maxPoolGradient(layer, input: second, upstream: upstream))
    }
}
