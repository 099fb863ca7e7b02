import Randomness

/// Keras's default initialisers, drawn from dsprep's own seeded generator.
enum Initializers {
    /// Glorot (Xavier) uniform, Keras's default kernel initialiser: uniform in
    /// `[-limit, limit)` with `limit = sqrt(6 / (fanIn + fanOut))`. Keras computes the fans of
    /// a convolution kernel as `kh * kw * inChannels` and `kh * kw * filters`, of a dense
    /// kernel as its inputs and outputs. Values are drawn in the tensor's storage order.
    static func glorotUniform(shape: [Int], fanIn: Int, fanOut: Int, random: inout RandomGenerator) -> Tensor {
        let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, data: (0..<count).map { _ in random.uniform(-limit, limit) })
    }
}
