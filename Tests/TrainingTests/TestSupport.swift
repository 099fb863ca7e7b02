import Foundation
import Randomness
import Testing
@testable import Training

/// Values drawn uniformly from `[low, high)` by a seeded generator.
func randomTensor(_ shape: [Int], seed: UInt64, in range: ClosedRange<Float> = -1...1) -> Tensor {
    var random = RandomGenerator(seed: seed, stream: 99)
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, data: (0..<count).map { _ in random.uniform(range.lowerBound, range.upperBound) })
}

/// A tensor whose values are distinct and at least `spacing` apart (a shuffled ramp), so that
/// no finite-difference step moves a max-pool winner or crosses a ReLU kink at 0.
func spacedTensor(_ shape: [Int], seed: UInt64, spacing: Float = 0.05) -> Tensor {
    let count = shape.reduce(1, *)
    var values = (0..<count).map { (Float($0) - Float(count) / 2 + 0.5) * spacing }
    var random = RandomGenerator(seed: seed, stream: 98)
    for index in stride(from: count - 1, to: 0, by: -1) { values.swapAt(index, random.below(index + 1)) }
    return Tensor(shape: shape, data: values)
}

/// Expects `actual` to match `expected` elementwise within `absolute + relative * |expected|`,
/// recording the first five mismatches (index, both values, the difference) in one issue.
func expectClose(_ actual: [Float], _ expected: [Float], absolute: Float, relative: Float, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    var mismatches: [String] = []
    var count = 0
    for index in actual.indices {
        let difference = abs(actual[index] - expected[index])
        if !(difference <= absolute + relative * abs(expected[index])) {
            count += 1
            if mismatches.count < 5 {
                mismatches.append("[\(index)] \(actual[index]) vs \(expected[index]) (diff \(difference))")
            }
        }
    }
    if count > 0 {
        let text = "\(what): \(count) of \(actual.count) values differ beyond \(absolute) + \(relative) * |expected|; first: "
            + mismatches.joined(separator: ", ")
        Issue.record(Comment(rawValue: text), sourceLocation: sourceLocation)
    }
}

func expectClose(_ actual: Tensor, _ expected: Tensor, absolute: Float, relative: Float, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
    expectClose(actual.data, expected.data, absolute: absolute, relative: relative, what, sourceLocation: sourceLocation)
}

/// The reference numbers Keras computed (`reference/optimizers.py` wrote the JSON), read from
/// beside this file so that the tests need no bundle resources and CI no Python.
enum Reference {
    nonisolated(unsafe) static let json: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("reference/optimizers.json")
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { fatalError("cannot read \(url.path)") }
        return object
    }()

    static func section(_ name: String) -> Any { json[name] ?? [] }
}

extension Dictionary where Key == String, Value == Any {
    func floats(_ key: String) -> [Float] { (self[key] as? [Double] ?? []).map(Float.init) }
    func ints(_ key: String) -> [Int] { self[key] as? [Int] ?? [] }
    func double(_ key: String) -> Double { self[key] as? Double ?? .nan }
    func int(_ key: String) -> Int { self[key] as? Int ?? -1 }
    func string(_ key: String) -> String { self[key] as? String ?? "" }
    func object(_ key: String) -> [String: Any] { self[key] as? [String: Any] ?? [:] }
    func objects(_ key: String) -> [[String: Any]] { self[key] as? [[String: Any]] ?? [] }
}

/// A finite-difference check of one layer's backward pass.
///
/// The scalar is `L = sum(forward(x) * r)` for a fixed random `r`, summed in Double; the
/// analytical gradients come from `backward(r)`. Each input value and each trainable parameter
/// value is moved by `±step` and `(L(+) - L(-)) / (2 step)` compared with the analytical
/// value: they must agree within `absolute + relative * |numerical|`, 3e-4 + 1e-3. In Float32
/// with `step = 1e-2` the rounding in L contributes a few 1e-5 and the truncation error
/// (`O(step^2)` for BatchNorm and softmax, none for piecewise-linear layers) less; all checks
/// also pass at 1e-4 + 5e-4, and a gradient 1% off fails them.
///
/// ReLU is not differentiable at 0: a value whose `±step` moves any output across 0 (the set
/// of outputs that are exactly 0 changes) is skipped, and at most a tenth may be.
/// `prepare` runs before every forward pass (to restore a dropout stream, say).
struct GradientCheck {
    var step: Float = 1e-2
    var absolute: Float = 3e-4
    var relative: Float = 1e-3
    var training = true
    var prepare: () -> Void = {}

    func run(_ layer: some Layer, input: Tensor, sourceLocation: SourceLocation = #_sourceLocation) {
        prepare()
        let output = layer.forward(input, training: training)
        let upstream = randomTensor(output.shape, seed: 4242)
        let zeros = output.data.map { $0 == 0 }
        var skipped = 0, checked = 0
        func objective(_ x: Tensor) -> Double {
            prepare()
            let y = layer.forward(x, training: training)
            if y.data.map({ $0 == 0 }) != zeros { crossed = true }
            return zip(y.data, upstream.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        var crossed = false
        /// The central difference, or nil when the step crossed a kink.
        func difference(_ plus: () -> Double, _ minus: () -> Double) -> Float? {
            crossed = false
            let value = Float((plus() - minus()) / Double(2 * step))
            checked += 1
            if crossed { skipped += 1; return nil }
            return value
        }
        for parameter in layer.parameters { parameter.zeroGradient() }
        prepare()
        _ = layer.forward(input, training: training)
        let inputGradient = layer.backward(upstream, needsInputGradient: true)

        var numerical = inputGradient.data
        for index in input.data.indices {
            var plus = input, minus = input
            plus.data[index] += step
            minus.data[index] -= step
            if let value = difference({ objective(plus) }, { objective(minus) }) { numerical[index] = value }
        }
        expectClose(inputGradient.data, numerical, absolute: absolute, relative: relative,
                    "\(layer.kind) input gradient", sourceLocation: sourceLocation)

        for parameter in layer.parameters where parameter.isTrainable {
            let analytical = parameter.gradient.data
            var numerical = analytical
            for index in parameter.value.data.indices {
                let saved = parameter.value.data[index]
                let value = difference({
                    parameter.value.data[index] = saved + step
                    return objective(input)
                }, {
                    parameter.value.data[index] = saved - step
                    return objective(input)
                })
                parameter.value.data[index] = saved
                if let value { numerical[index] = value }
            }
            expectClose(analytical, numerical, absolute: absolute, relative: relative,
                        "\(layer.kind) \(parameter.name) gradient", sourceLocation: sourceLocation)
        }
        #expect(skipped * 10 <= checked, "\(layer.kind): \(skipped) of \(checked) finite differences crossed a ReLU kink",
                sourceLocation: sourceLocation)
    }
}
