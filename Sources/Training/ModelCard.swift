import Foundation
import Sharding

/// `runs/<name>/model.json`: everything `eval` and `predict` need beside the weights in
/// `model.safetensors` — the model, the image it takes, and how raw files become that image.
///
///     { "format": "dsprep-model", "version": 1, "tool": "dsprep 0.1.0",
///       "model": { "layers": [...], "input_shape": [28, 28, 1], "classes": [...] },
///       "image": {...}, "preprocess": {...}, "normalize": {...},      (copied from the manifest)
///       "normalization": "standardize",
///       "training": { "epochs": 10, "best_epoch": 9, "val_loss": 0.03, "val_accuracy": 0.99, ... } }
public struct ModelCard: Codable, Equatable, Sendable {
    public static let fileName = "model.json"
    public static let weightsFileName = "model.safetensors"
    public static let formatName = "dsprep-model"

    /// How pixels are turned into network inputs.
    public enum Normalization: String, Codable, Sendable, CaseIterable {
        /// `x * scale`: 0...1.
        case scale
        /// `(x * scale - mean) / std`, per channel, with the training split's statistics.
        case standardize
    }

    public var format = ModelCard.formatName
    public var version = 1
    public var tool: String
    public var model: ModelDescription
    public var image: Manifest.Image
    public var preprocess: Manifest.Preprocess
    public var normalize: Manifest.Normalize
    public var normalization: Normalization
    /// What training found, for people (epochs run, best epoch and its metrics, options).
    public var training: [String: String]

    public init(tool: String, model: ModelDescription, image: Manifest.Image, preprocess: Manifest.Preprocess,
                normalize: Manifest.Normalize, normalization: Normalization, training: [String: String]) {
        self.tool = tool
        self.model = model
        self.image = image
        self.preprocess = preprocess
        self.normalize = normalize
        self.normalization = normalization
        self.training = training
    }

    /// Maps stored pixel values (as Float: 0...255 for U8 shards, 0...1 for float shards, that is
    /// values before `normalize.scale`) to network inputs, in place, channel by channel (NHWC).
    public func normalizeInPlace(_ values: inout [Float]) {
        let scale = Float(normalize.scale)
        let channels = max(1, image.channels)
        switch normalization {
        case .scale:
            for index in values.indices { values[index] *= scale }
        case .standardize:
            let mean = normalize.mean.map(Float.init), std = normalize.std.map { Float(max($0, 1e-12)) }
            values.withUnsafeMutableBufferPointer { values in
                // One channel at a time, so the loop has no division by the channel count.
                for channel in 0..<min(channels, values.count) {
                    let (channelMean, channelStd) = (mean[channel], std[channel])
                    for index in Swift.stride(from: channel, to: values.count, by: channels) {
                        values[index] = (values[index] * scale - channelMean) / channelStd
                    }
                }
            }
        }
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Reads `<run>/model.json`.
    /// - Throws: `TrainingError.invalidFile`-style errors with the path and the reason.
    public static func read(run folder: String) throws -> ModelCard {
        let path = folder + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelCardError(path: path, reason: "no model.json (is this a run folder written by 'dsprep train'?)")
        }
        do {
            let card = try JSONDecoder().decode(ModelCard.self, from: data)
            guard card.format == formatName else { throw ModelCardError(path: path, reason: "not a dsprep model (format \(card.format))") }
            return card
        } catch let error as ModelCardError {
            throw error
        } catch {
            throw ModelCardError(path: path, reason: "cannot read: \(error)")
        }
    }
}

/// A `model.json` that cannot be used: the path and the reason.
public struct ModelCardError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
