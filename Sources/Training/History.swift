import Foundation

/// One epoch's results: what Keras's `History` holds, plus the learning rate and the time.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// From 1.
    public var epoch: Int
    /// The mean training loss over the epoch's samples, as the batches saw it (dropout on,
    /// the weights changing), class weights included: Keras's `loss`.
    public var loss: Double
    /// The fraction of training samples the batches classified right: Keras's `accuracy`.
    public var accuracy: Double
    /// The validation split's mean loss (no class weights, label smoothing as in training), or
    /// nil without a validation split.
    public var valLoss: Double?
    public var valAccuracy: Double?
    /// The learning rate of the epoch's last step.
    public var learningRate: Float
    /// Wall-clock seconds for the epoch, validation included.
    public var seconds: Double

    public init(epoch: Int, loss: Double, accuracy: Double, valLoss: Double?, valAccuracy: Double?, learningRate: Float,
                seconds: Double) {
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
        self.valLoss = valLoss
        self.valAccuracy = valAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case epoch, loss, accuracy, seconds
        case valLoss = "val_loss"
        case valAccuracy = "val_accuracy"
        case learningRate = "lr"
    }
}

/// `runs/<name>/history.csv`: one row per epoch, as Keras's `CSVLogger` writes it.
///
///     epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds
///     1,0.912345678,0.7011,0.301234,0.9121,0.001,4.21
///
/// Losses and accuracies are written in the shortest form that reads back as the same Double
/// (so two runs can be compared exactly), the learning rate as the shortest Float, seconds with
/// two decimals; the validation columns are empty without a validation split.
public enum History {
    public static let fileName = "history.csv"
    public static let header = "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds"

    /// The file's text for `records`.
    public static func csv(_ records: [EpochRecord]) -> String {
        var lines = [header]
        for record in records {
            lines.append([String(record.epoch), "\(record.loss)", "\(record.accuracy)",
                          record.valLoss.map { "\($0)" } ?? "", record.valAccuracy.map { "\($0)" } ?? "",
                          "\(record.learningRate)", String(format: "%.2f", record.seconds)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
