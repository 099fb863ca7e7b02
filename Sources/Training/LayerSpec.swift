import Foundation

/// One layer of a model, as written in a readable spec such as the Keras MNIST CNN's
/// `conv32k3,pool2,drop.25,conv64k3,pool2,drop.25,flatten,dense128,dense`.
///
/// The grammar, one token per layer, commas between:
///
///     conv<filters>k<size>[x<width>][s<stride>][same|valid][relu|linear]
///                                  Conv2D; stride 1, `valid` padding (Keras's defaults)
///     pool<size>[s<stride>][same|valid]   MaxPool2D (also `maxpool…`); stride = size
///     avgpool<size>[s<stride>][same|valid] AvgPool2D
///     gap                          GlobalAveragePooling
///     drop<rate>                   Dropout, rate as `.25` or `0.25`
///     flatten                      Flatten
///     dense[<units>][relu|linear]  Dense; without units it is sized to the classes
///     bn                           BatchNorm (momentum 0.99, epsilon 1e-3)
///     relu                         ReLU
///
/// Activations: a `conv` or `dense` layer applies ReLU unless `linear` is written, as the
/// tutorials' hidden layers all do ("Conv 32 3x3 relu", "Dense 128 relu"); the last layer of a
/// model is always linear, because its outputs are the logits that the loss passes through
/// softmax ("Dense classes softmax" is `dense` last plus `SoftmaxCrossEntropy`). For a
/// conv-BatchNorm-ReLU block write `conv32k3linear,bn,relu`.
public enum LayerSpec: Equatable, Sendable, Codable, CustomStringConvertible {
    case conv(filters: Int, kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Padding, activation: Activation?)
    case maxPool(size: Int, stride: Int, padding: Padding)
    case avgPool(size: Int, stride: Int, padding: Padding)
    case globalAveragePool
    case dropout(rate: Float)
    case flatten
    /// `units` nil: as many as there are classes (the output layer).
    case dense(units: Int?, activation: Activation?)
    case batchNorm
    case relu

    /// The layers of a comma-separated spec.
    /// - Throws: `TrainingError.invalidLayerSpec` naming the first token that does not parse.
    public static func parseList(_ text: String) throws -> [LayerSpec] {
        let tokens = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !(tokens.count == 1 && tokens[0].isEmpty) else {
            throw TrainingError.invalidLayerSpec("The layer spec is empty: list layers such as `flatten,dense128,dense`.")
        }
        return try tokens.enumerated().map { index, token in
            guard !token.isEmpty else {
                throw TrainingError.invalidLayerSpec("Layer \(index + 1) of the spec is empty: remove the extra comma.")
            }
            return try LayerSpec(parsing: token)
        }
    }

    /// One layer from its token, e.g. `conv32k3s2same`.
    /// - Throws: `TrainingError.invalidLayerSpec` with what was expected.
    public init(parsing token: String) throws {
        var scanner = SpecScanner(token.lowercased())
        let unknown = TrainingError.invalidLayerSpec(
            "Unknown layer `\(token)`: expected conv<filters>k<size>, pool<size>, avgpool<size>, gap, drop<rate>, flatten, dense[<units>], bn or relu.")
        if scanner.take("conv") {
            guard let filters = scanner.number() else { throw Self.expected("conv<filters>k<size>, e.g. conv32k3", token) }
            guard scanner.take("k"), let height = scanner.number() else { throw Self.expected("a kernel size after the filters, e.g. conv32k3", token) }
            var width = height
            if scanner.take("x") {
                guard let value = scanner.number() else { throw Self.expected("a kernel width after `x`, e.g. conv32k3x5", token) }
                width = value
            }
            let stride = scanner.stride() ?? 1
            let padding = scanner.padding()
            let activation = scanner.activation()
            guard scanner.isAtEnd else { throw Self.expected("conv<filters>k<size>[s<stride>][same|valid][relu|linear]", token) }
            guard filters >= 1, height >= 1, width >= 1, stride >= 1 else {
                throw TrainingError.invalidLayerSpec("`\(token)`: filters, kernel size and stride must be at least 1.")
            }
            self = .conv(filters: filters, kernelHeight: height, kernelWidth: width, stride: stride, padding: padding,
                         activation: activation)
        } else if scanner.take("avgpool") || scanner.take("maxpool") || scanner.take("pool") {
            let average = token.lowercased().hasPrefix("avgpool")
            guard let size = scanner.number(), size >= 1 else { throw Self.expected("a pool size of at least 1, e.g. pool2", token) }
            let stride = scanner.stride() ?? size
            let padding = scanner.padding()
            guard scanner.isAtEnd, stride >= 1 else { throw Self.expected("pool<size>[s<stride>][same|valid]", token) }
            self = average ? .avgPool(size: size, stride: stride, padding: padding) : .maxPool(size: size, stride: stride, padding: padding)
        } else if scanner.take("drop") {
            guard let rate = Float(scanner.rest), rate >= 0, rate < 1 else {
                throw Self.expected("a dropout rate of at least 0 and below 1, e.g. drop.25", token)
            }
            self = .dropout(rate: rate)
        } else if scanner.take("dense") {
            let units = scanner.number()
            let activation = scanner.activation()
            guard scanner.isAtEnd else { throw Self.expected("dense[<units>][relu|linear], e.g. dense128", token) }
            if let units, units < 1 { throw TrainingError.invalidLayerSpec("`\(token)`: a dense layer needs at least 1 unit.") }
            self = .dense(units: units, activation: activation)
        } else {
            switch scanner.rest {
            case "flatten": self = .flatten
            case "gap", "globalavgpool": self = .globalAveragePool
            case "bn", "batchnorm": self = .batchNorm
            case "relu": self = .relu
            default: throw unknown
            }
        }
    }

    private static func expected(_ what: String, _ token: String) -> TrainingError {
        .invalidLayerSpec("Cannot read layer `\(token)`: expected \(what).")
    }

    /// The canonical token: `conv32k3`, `pool2`, `drop.25`, `dense128`, `dense`.
    public var description: String {
        switch self {
        case let .conv(filters, kernelHeight, kernelWidth, stride, padding, activation):
            "conv\(filters)k\(kernelHeight)" + (kernelWidth != kernelHeight ? "x\(kernelWidth)" : "")
                + (stride != 1 ? "s\(stride)" : "") + (padding == .same ? "same" : "") + (activation.map(\.rawValue) ?? "")
        case let .maxPool(size, stride, padding):
            "pool\(size)" + (stride != size ? "s\(stride)" : "") + (padding == .same ? "same" : "")
        case let .avgPool(size, stride, padding):
            "avgpool\(size)" + (stride != size ? "s\(stride)" : "") + (padding == .same ? "same" : "")
        case .globalAveragePool: "gap"
        case .dropout(let rate): "drop" + Self.rateText(rate)
        case .flatten: "flatten"
        case let .dense(units, activation): "dense" + (units.map(String.init) ?? "") + (activation.map(\.rawValue) ?? "")
        case .batchNorm: "bn"
        case .relu: "relu"
        }
    }

    /// `.25` for 0.25, `.5` for 0.5, `0` for 0.
    private static func rateText(_ rate: Float) -> String {
        let text = "\(rate)"
        return text.hasPrefix("0.") ? String(text.dropFirst()) : text
    }

    /// Specs are stored in `model.json` as their tokens.
    public init(from decoder: any Decoder) throws {
        let token = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try LayerSpec(parsing: token)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Reads a spec token left to right.
private struct SpecScanner {
    private let characters: [Character]
    private var position = 0

    init(_ text: String) { characters = Array(text) }

    var isAtEnd: Bool { position == characters.count }
    var rest: String { String(characters[position...]) }

    /// Consumes `prefix` if the text continues with it.
    mutating func take(_ prefix: String) -> Bool {
        let wanted = Array(prefix)
        guard characters.count - position >= wanted.count,
              Array(characters[position..<(position + wanted.count)]) == wanted else { return false }
        position += wanted.count
        return true
    }

    /// A decimal integer, if one follows.
    mutating func number() -> Int? {
        let start = position
        while position < characters.count, characters[position].isASCII, characters[position].isNumber { position += 1 }
        guard position > start, position - start <= 9 else { position = start; return nil }
        return Int(String(characters[start..<position]))
    }

    /// `s<stride>` if it follows (and is not the start of `same`).
    mutating func stride() -> Int? {
        guard position < characters.count, characters[position] == "s",
              position + 1 < characters.count, characters[position + 1].isNumber else { return nil }
        position += 1
        return number()
    }

    mutating func padding() -> Padding {
        if take("same") { return .same }
        _ = take("valid")
        return .valid
    }

    mutating func activation() -> Activation? {
        if take("relu") { return .relu }
        if take("linear") { return .linear }
        return nil
    }
}
