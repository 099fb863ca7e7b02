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
        var testDescription: String {
            "\(input) k\(kernel.0)x\(kernel.1) s\(stride) \(padding) \(activation)" + (columnBudget < 1000 ? " chunked" : "")
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
        ConvCase(input: [8, 7, 3], filters: 4, kernel: (3, 3), stride: 1, padding: .same, activation: .relu, columnBudget: 100),
    ])
    func conv(_ c: ConvCase) {
        var random = RandomGenerator(seed: 31)
        let layer = Conv2D(inputShape: c.input, filters: c.filters, kernelHeight: c.kernel.0, kernelWidth: c.kernel.1,
                           stride: c.stride, padding: c.padding, activation: c.activation, random: &random)
        layer.columnBudget = c.columnBudget
        layer.bias.value = randomTensor([c.filters], seed: 32, in: -0.3...0.3)
        let input = randomTensor([c.batch] + c.input, seed: 33)
        let fast = layer.forward(input, training: true)
        expectClose(fast, layer.forwardNaive(input), absolute: 1e-5, relative: 1e-4, "forward")

        let upstream = randomTensor(fast.shape, seed: 34)
        layer.weight.zeroGradient()
        layer.bias.zeroGradient()
        let gradInput = layer.backward(upstream, needsInputGradient: true)
        let naive = layer.backwardNaive(upstream, input: input)
        expectClose(gradInput, naive.input, absolute: 1e-5, relative: 1e-4, "input gradient")
        expectClose(layer.weight.gradient, naive.weight, absolute: 1e-5, relative: 1e-4, "weight gradient")
        expectClose(layer.bias.gradient, naive.bias, absolute: 1e-5, relative: 1e-4, "bias gradient")
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
}
