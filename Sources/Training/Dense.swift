import Randomness

/// A fully connected layer, `y = activation(x W^T + b)`: Keras's `Dense`, PyTorch's `Linear`.
///
/// `input [batch, inputs] -> output [batch, outputs]`. Parameters in PyTorch's layout:
/// `weight [outputs, inputs]`, `bias [outputs]`; Glorot-uniform weight, zero bias.
public final class Dense: Layer {
    public let kind = "Dense"
    public let inputs: Int
    public let outputs: Int
    public let activation: Activation
    public let weight: Parameter
    public let bias: Parameter

    public var inputShape: [Int] { [inputs] }
    public var outputShape: [Int] { [outputs] }
    public var parameters: [Parameter] { [weight, bias] }

    private var input = Tensor.empty
    private var output = Tensor.empty
    private var outputStorage = RecycledStorage()
    private var gradZStorage = RecycledStorage()
    private var gradInputStorage = RecycledStorage()

    /// Features per part at least, when each costs `work` multiply-adds: enough (2^17) to be
    /// worth a thread.
    static func grain(_ work: Int) -> Int { max(1, (1 << 17) / max(work, 1)) }

    /// - Parameters:
    ///   - name: the parameters' prefix, `layers.<index>`.
    ///   - random: draws the initial weight.
    public init(inputs: Int, outputs: Int, activation: Activation, name: String = "dense",
                random: inout RandomGenerator) {
        precondition(inputs >= 1 && outputs >= 1, "Dense needs at least one input and one output")
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
        weight = Parameter(name: "\(name).weight", kind: .kernel,
                           value: Initializers.glorotUniform(shape: [outputs, inputs], fanIn: inputs, fanOut: outputs,
                                                             random: &random))
        bias = Parameter(name: "\(name).bias", kind: .bias, value: Tensor(zeros: [outputs]))
    }

    /// `[batch, inputs] x [outputs, inputs]^T`, then bias and activation. Parallel over the
    /// outputs (`Threads`): each part multiplies by its rows of the weight, so at small batches
    /// no thread reads the whole weight.
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        checkInput(input)
        let batch = input.batch
        let (inputs, outputs, relu) = (inputs, outputs, activation == .relu)
        let output = outputStorage.tensor(shape: [batch, outputs]) { out in
            input.data.withUnsafeBufferPointer { x in
                weight.value.data.withUnsafeBufferPointer { w in
                    bias.value.data.withUnsafeBufferPointer { b in
                        Threads.parallelFor(outputs, grain: Self.grain(batch * inputs)) { units in
                            let y = out.baseAddress! + units.lowerBound
                            BLAS.sgemm(transposeB: true, m: batch, n: units.count, k: inputs,
                                       a: x.baseAddress!, lda: inputs, b: w.baseAddress! + units.lowerBound * inputs, ldb: inputs,
                                       c: y, ldc: outputs)
                            Elementwise.addBias(b.baseAddress! + units.lowerBound, to: y, rows: batch, columns: units.count,
                                                stride: outputs, relu: relu)
                        }
                    }
                }
            }
        }
        self.input = input
        self.output = output
        return output
    }

    /// `dZ = dY * activation'`; `dW += dZ^T x` in parts of the outputs, `dX = dZ W` in parts of
    /// the inputs, `db += sum over rows of dZ` in row order. Every value is computed by one
    /// part, so the result does not depend on the thread count.
    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor {
        let batch = input.batch
        checkGradient(gradOutput, batch: batch)
        defer { (input, output) = (.empty, .empty) }
        let gradZ = activation == .relu ? reluMasked(gradOutput, by: output, into: &gradZStorage) : gradOutput
        let (inputs, outputs) = (inputs, outputs)
        gradZ.data.withUnsafeBufferPointer { dz in
            input.data.withUnsafeBufferPointer { x in
                weight.gradient.data.withUnsafeMutableBufferPointer { dw in
                    Threads.parallelFor(outputs, grain: Self.grain(batch * inputs)) { units in
                        BLAS.sgemm(transposeA: true, m: units.count, n: inputs, k: batch,
                                   a: dz.baseAddress! + units.lowerBound, lda: outputs, b: x.baseAddress!, ldb: inputs,
                                   beta: 1, c: dw.baseAddress! + units.lowerBound * inputs, ldc: inputs)
                    }
                }
            }
            bias.gradient.data.withUnsafeMutableBufferPointer { db in
                Elementwise.addRows(dz.baseAddress!, rows: batch, columns: outputs, into: db.baseAddress!)
            }
        }
        guard needsInputGradient else { return .empty }
        return gradInputStorage.tensor(shape: [batch, inputs]) { dx in
            gradZ.data.withUnsafeBufferPointer { dz in
                weight.value.data.withUnsafeBufferPointer { w in
                    Threads.parallelFor(inputs, grain: Self.grain(batch * outputs)) { features in
                        BLAS.sgemm(m: batch, n: features.count, k: outputs,
                                   a: dz.baseAddress!, lda: outputs, b: w.baseAddress! + features.lowerBound, ldb: inputs,
                                   c: dx.baseAddress! + features.lowerBound, ldc: inputs)
                    }
                }
            }
        }
    }

    public func releaseCaches() {
        (input, output) = (.empty, .empty)
    }

    // MARK: The reference kernels: plain loops, the specification the GEMMs must match.

    /// `y[n, o] = activation(b[o] + sum_i x[n, i] * W[o, i])`, summed in Double.
    public func forwardNaive(_ input: Tensor) -> Tensor {
        checkInput(input)
        let batch = input.batch
        var y = [Float](repeating: 0, count: batch * outputs)
        for n in 0..<batch {
            for o in 0..<outputs {
                var sum = Double(bias.value.data[o])
                for i in 0..<inputs {
                    sum += Double(input.data[n * inputs + i]) * Double(weight.value.data[o * inputs + i])
                }
                y[n * outputs + o] = activation == .relu ? Float(max(sum, 0)) : Float(sum)
            }
        }
        return Tensor(shape: [batch, outputs], data: y)
    }

    /// The gradients for `input` and `gradOutput` by plain loops (nothing accumulated):
    /// `dX[n, i] = sum_o dZ[n, o] W[o, i]`, `dW[o, i] = sum_n dZ[n, o] x[n, i]`, `db[o] = sum_n dZ[n, o]`.
    public func backwardNaive(_ gradOutput: Tensor, input: Tensor) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let batch = input.batch
        let y = forwardNaive(input)
        var dz = gradOutput.data
        if activation == .relu { for k in dz.indices where y.data[k] <= 0 { dz[k] = 0 } }
        var dx = [Double](repeating: 0, count: batch * inputs)
        var dw = [Double](repeating: 0, count: outputs * inputs)
        var db = [Double](repeating: 0, count: outputs)
        for n in 0..<batch {
            for o in 0..<outputs {
                let g = Double(dz[n * outputs + o])
                db[o] += g
                for i in 0..<inputs {
                    dx[n * inputs + i] += g * Double(weight.value.data[o * inputs + i])
                    dw[o * inputs + i] += g * Double(input.data[n * inputs + i])
                }
            }
        }
        return (Tensor(shape: [batch, inputs], data: dx.map(Float.init)),
                Tensor(shape: [outputs, inputs], data: dw.map(Float.init)),
                Tensor(shape: [outputs], data: db.map(Float.init)))
    }
}

/// `gradient * (output > 0)`: ReLU's backward pass, given the ReLU's output.
func reluMasked(_ gradient: Tensor, by output: Tensor, into storage: inout RecycledStorage) -> Tensor {
    precondition(gradient.shape == output.shape, "ReLU gradient \(gradient.shape) does not match output \(output.shape)")
    return storage.tensor(shape: gradient.shape) { result in
        gradient.data.withUnsafeBufferPointer { g in
            output.data.withUnsafeBufferPointer { y in
                Threads.parallelFor(g.count, grain: 1 << 15) { range in
                    Elementwise.reluMask(g.baseAddress! + range.lowerBound, by: y.baseAddress! + range.lowerBound,
                                         into: result.baseAddress! + range.lowerBound, count: range.count)
                }
            }
        }
    }
}
