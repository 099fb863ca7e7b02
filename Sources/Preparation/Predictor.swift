import Dispatch
import Foundation
import Imaging
import Sharding
import Training

/// A model's answer for one image file.
public struct Prediction: Codable, Equatable, Sendable {
    /// One class and the probability the model gives it.
    public struct Ranked: Codable, Equatable, Sendable {
        public var label: Int
        public var name: String
        public var probability: Float
    }

    /// The file, as it was named.
    public var file: String
    /// Every class's probability (softmax of the logits), in class order.
    public var probabilities: [Float]
    /// The `k` most probable classes, most probable first (ties: lower class index first).
    public var top: [Ranked]
}

/// Classifies raw JPEG and PNG files with a trained model, preparing each file exactly as
/// `dsprep shard` prepared the model's training data.
///
/// The model card (`model.json`) records the manifest's `image`, `preprocess` and `normalize`
/// blocks; from them come the `PreprocessOptions` of `Imaging.Preprocessor`, the pipeline
/// `ShardBuilder` runs (header check, decode with DCT scaling, EXIF orientation, alpha on
/// white, gray from a JPEG's luma channel or as Pillow's `L` as the card's `gray` says,
/// `stretch`/`crop`/`pad` with Pillow's bilinear filter). The pixels are then stored as the
/// shards stored them (bytes for `uint8`; `x / 255` for `float32`, rounded to half precision
/// for `float16`) and normalised by the card, so that a file gives
/// the network the same input as its row in a shard. A JPEG whose decoder reports corrupt data
/// is refused (its pixels are partly made up), where `shard` keeps it with a warning.
///
/// Files are decoded on `threads` threads (one `Preprocessor` each) and classified in batches.
public final class Predictor {
    public let card: ModelCard
    public let model: Sequential
    /// What each file is turned into, from the card.
    public let options: PreprocessOptions
    /// Files per forward pass.
    public var batchSize = 32
    private let preprocessors: [Preprocessor]

    /// - Parameter maxPixels: files with more pixels are refused from their header (`--max-pixels`).
    /// - Throws: `FileError` naming `cardPath` when the card's preprocessing is not one
    ///   this version of dsprep can reproduce, or its model does not take its images.
    public init(card: ModelCard, model: Sequential, cardPath: String = ModelCard.fileName, threads: Int = ProcessInfoCores.count,
                maxPixels: Int = PreprocessOptions.defaultMaxPixels) throws {
        var options = try Self.preprocessOptions(for: card, cardPath: cardPath)
        options.maxPixels = max(1, maxPixels)
        guard card.model.inputShape.reduce(1, *) == options.outputByteCount else {
            throw FileError(path: cardPath, reason: "the model's input shape \(card.model.inputShape) does not hold "
                            + "\(card.image.width)x\(card.image.height)x\(card.image.channels) images")
        }
        self.card = card
        self.model = model
        self.options = options
        preprocessors = (0..<max(1, threads)).map { _ in Preprocessor(options: options) }
    }

    /// The model in a run folder: `model.json` and the weights in `model.safetensors`.
    /// - Throws: `ModelCardError`, `TrainingError` or `FileError`.
    public convenience init(run folder: String, threads: Int = ProcessInfoCores.count,
                            maxPixels: Int = PreprocessOptions.defaultMaxPixels) throws {
        let card = try ModelCard.read(run: folder)
        let model = try Sequential.load(card.model, weightsFrom: folder + "/" + ModelCard.weightsFileName)
        try self.init(card: card, model: model, cardPath: folder + "/" + ModelCard.fileName, threads: threads, maxPixels: maxPixels)
    }

    /// The preprocessing a model card records, as `Preprocessor` options.
    /// - Throws: `FileError` for a colour, resize mode, filter, EXIF setting or background
    ///   that `Preprocessor` does not implement, or a colour that contradicts the channels.
    public static func preprocessOptions(for card: ModelCard, cardPath: String = ModelCard.fileName) throws -> PreprocessOptions {
        let recorded = card.preprocess, image = card.image
        func refuse(_ reason: String) -> FileError {
            FileError(path: cardPath, reason: reason + ": this version of dsprep cannot prepare images the same way")
        }
        guard image.height > 0, image.width > 0 else { throw refuse("the image size \(image.width)x\(image.height) is not positive") }
        let gray: Bool
        switch (recorded.color, image.channels) {
        case ("gray", 1): gray = true
        case ("rgb", 3): gray = false
        default: throw refuse("colour '\(recorded.color)' with \(image.channels) channels")
        }
        // Manifests written before `gray` was recorded were made from the luma channel.
        let recordedGray = recorded.gray ?? GrayMethod.luma.rawValue
        guard let grayMethod = GrayMethod(rawValue: recordedGray) else { throw refuse("unknown gray conversion '\(recordedGray)'") }
        guard let resize = ResizeMode(rawValue: recorded.resize) else { throw refuse("unknown resize mode '\(recorded.resize)'") }
        guard recorded.filter == PreprocessOptions.filterName else { throw refuse("unknown resize filter '\(recorded.filter)'") }
        guard recorded.exif else { throw refuse("the training images were not turned by their EXIF orientation") }
        let background: UInt8
        switch recorded.background ?? "white" {
        case "white": background = 255
        case "black": background = 0
        default: throw refuse("unknown background '\(recorded.background ?? "")'")
        }
        return PreprocessOptions(width: image.width, height: image.height, gray: gray, grayMethod: grayMethod,
                                 resize: resize, background: background)
    }

    /// The network input for the file at `path`: its pixels preprocessed, stored as the shards
    /// store them and normalised, `[height * width * channels]` in NHWC order.
    public func input(fileAt path: String) -> Result<[Float], FileError> {
        var pixels = [UInt8](repeating: 0, count: options.outputByteCount)
        if let failure = Self.preprocess(path, preprocessors[0], into: &pixels) { return .failure(failure) }
        var values = [Float](repeating: 0, count: pixels.count)
        store(pixels, into: &values[...])
        card.normalizeInPlace(&values)
        return .success(values)
    }

    /// Classifies each file; a file that cannot be read or decoded gets its failure, the others
    /// their predictions, in the order given.
    /// - Parameter topK: how many classes to rank (at most the number of classes).
    public func predict(_ files: [String], topK: Int) -> [Result<Prediction, FileError>] {
        var results: [Result<Prediction, FileError>] = []
        results.reserveCapacity(files.count)
        let size = options.outputByteCount
        var start = 0
        while start < files.count {
            let chunk = Array(files[start..<min(start + max(batchSize, 1), files.count)])
            let (pixels, failures) = decode(chunk)
            let good = chunk.indices.filter { failures[$0] == nil }
            var probabilities = Tensor(zeros: [0, card.model.classes.count])
            if !good.isEmpty {
                var values = [Float](repeating: 0, count: good.count * size)
                for (slot, index) in good.enumerated() {
                    store(pixels[(index * size)..<((index + 1) * size)], into: &values[(slot * size)..<((slot + 1) * size)])
                }
                card.normalizeInPlace(&values)
                let inputs = Tensor(shape: [good.count] + card.model.inputShape, data: values)
                probabilities = SoftmaxCrossEntropy.probabilities(model.forward(batch: inputs, training: false))
            }
            var slot = 0
            for (index, file) in chunk.enumerated() {
                if let failure = failures[index] {
                    results.append(.failure(failure))
                    continue
                }
                let classes = card.model.classes.count
                let row = Array(probabilities.data[(slot * classes)..<((slot + 1) * classes)])
                results.append(.success(Prediction(file: file, probabilities: row, top: ranked(row, topK))))
                slot += 1
            }
            start += chunk.count
        }
        return results
    }

    /// The `k` most probable classes of `probabilities`.
    private func ranked(_ probabilities: [Float], _ k: Int) -> [Prediction.Ranked] {
        let order = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
        return order.prefix(max(0, k)).map { Prediction.Ranked(label: $0, name: card.model.classes[$0], probability: probabilities[$0]) }
    }

    /// Preprocesses `files` on all preprocessors: their pixels one after another, and a failure
    /// (or nil) for each.
    private func decode(_ files: [String]) -> (pixels: [UInt8], failures: [FileError?]) {
        let size = options.outputByteCount
        var pixels = [UInt8](repeating: 0, count: files.count * size)
        var failures = [FileError?](repeating: nil, count: files.count)
        let workers = min(preprocessors.count, files.count)
        pixels.withUnsafeMutableBufferPointer { pixels in
            failures.withUnsafeMutableBufferPointer { failures in
                // Each worker owns its preprocessor and the files whose index falls to it.
                let shared = UncheckedBox((pixels, failures, preprocessors))
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let (pixels, failures, preprocessors) = shared.value
                    var row = [UInt8](repeating: 0, count: size)
                    for index in stride(from: worker, to: files.count, by: workers) {
                        let failure = Self.preprocess(files[index], preprocessors[worker], into: &row)
                        failures[index] = failure
                        if failure == nil {
                            _ = UnsafeMutableBufferPointer(rebasing: pixels[(index * size)..<((index + 1) * size)])
                                .update(fromContentsOf: row)
                        }
                    }
                }
            }
        }
        return (pixels, failures)
    }

    /// Preprocesses the file at `path` into `pixels`, or says why it cannot be.
    private static func preprocess(_ path: String, _ preprocessor: Preprocessor, into pixels: inout [UInt8]) -> FileError? {
        do {
            let result = try pixels.withUnsafeMutableBytes { try preprocessor.process(fileAt: path, into: $0) }
            if case .failure(let error) = result { return FileError(path: path, reason: error.description) }
            return nil
        } catch let error as POSIXError {
            return FileError(path: path, reason: "cannot read: \(String(cString: strerror(error.code.rawValue)))")
        } catch {
            return FileError(path: path, reason: "cannot read: \(error)")
        }
    }

    /// Writes pixel bytes as the shards' dtype stores them (before normalisation).
    private func store<Pixels: Collection<UInt8>>(_ pixels: Pixels, into values: inout ArraySlice<Float>) {
        var index = values.startIndex
        for pixel in pixels {
            switch card.image.dtype {
            case .uint8: values[index] = Float(pixel)
            case .float32: values[index] = Float(pixel) / 255
            case .float16: values[index] = Float16Conversion.float(fromBits: Float16Conversion.bits(from: Float(pixel) / 255))
            }
            index += 1
        }
    }
}

/// Buffers handed to worker threads, each of which writes only the indices it owns.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
