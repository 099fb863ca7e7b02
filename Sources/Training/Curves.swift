import Foundation

/// `runs/<name>/curves.svg`: training and validation loss (left) and accuracy (right) per
/// epoch, the two plots the tutorials draw with matplotlib after `model.fit`.
///
/// Hand-written SVG 1.1, no script or external reference: two 380x260 panels, axes with
/// "nice" ticks (1, 2 or 5 times a power of ten), training in blue and validation in orange
/// (matplotlib's first two colours), a dot per epoch, a legend. Loss axes start at 0;
/// accuracy axes end at 1 and start at a tick at or below the lowest value. Deterministic: the
/// same history gives the same bytes.
public enum Curves {
    public static let fileName = "curves.svg"

    static let panelWidth = 380.0, panelHeight = 260.0
    static let margin = (left: 56.0, right: 16.0, top: 34.0, bottom: 42.0)
    static let trainingColor = "#1f77b4", validationColor = "#ff7f0e"

    /// The SVG text for `records` (epochs in order).
    public static func svg(_ records: [EpochRecord]) -> String {
        let epochs = records.map(\.epoch)
        let loss = panel(title: "Loss", x: 0, epochs: epochs,
                         training: records.map(\.loss), validation: records.map(\.valLoss), kind: .loss)
        let accuracy = panel(title: "Accuracy", x: panelWidth, epochs: epochs,
                             training: records.map(\.accuracy), validation: records.map(\.valAccuracy), kind: .accuracy)
        let width = Int(panelWidth * 2), height = Int(panelHeight)
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            font-family="Helvetica, Arial, sans-serif" font-size="11">
            <rect width="\(width)" height="\(height)" fill="white"/>

            """ + loss + accuracy + "</svg>\n"
    }

    enum Kind { case loss, accuracy }

    static func panel(title: String, x originX: Double, epochs: [Int], training: [Double], validation: [Double?],
                      kind: Kind) -> String {
        let plotLeft = originX + margin.left, plotRight = originX + panelWidth - margin.right
        let plotTop = margin.top, plotBottom = panelHeight - margin.bottom
        let values = (training + validation.compactMap { $0 }).filter(\.isFinite)
        let (low, high, step): (Double, Double, Double)
        switch kind {
        case .loss:
            let top = max(values.max() ?? 1, 1e-6)
            let tick = niceStep(top / 5)
            (low, high, step) = (0, (top / tick).rounded(.up) * tick, tick)
        case .accuracy:
            let bottom = min(values.min() ?? 0, 0.999)
            let tick = niceStep((1 - bottom) / 5)
            (low, high, step) = (max(0, (bottom / tick).rounded(.down) * tick), 1, tick)
        }
        let lastEpoch = max(epochs.last ?? 1, 1), firstEpoch = min(epochs.first ?? 1, lastEpoch)
        func px(_ epoch: Int) -> Double {
            lastEpoch == firstEpoch ? (plotLeft + plotRight) / 2
                : plotLeft + (plotRight - plotLeft) * Double(epoch - firstEpoch) / Double(lastEpoch - firstEpoch)
        }
        func py(_ value: Double) -> Double {
            let clamped = min(max(value.isFinite ? value : high, low), high)
            return plotBottom - (plotBottom - plotTop) * (clamped - low) / max(high - low, 1e-12)
        }
        var svg = "<g>\n"
        svg += "<text x=\"\(f(originX + panelWidth / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(title)</text>\n"
        // Grid and y ticks.
        var tick = low
        while tick <= high + step / 1000 {
            let y = py(tick)
            svg += "<line x1=\"\(f(plotLeft))\" y1=\"\(f(y))\" x2=\"\(f(plotRight))\" y2=\"\(f(y))\" stroke=\"#e0e0e0\"/>\n"
            svg += "<text x=\"\(f(plotLeft - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(label(tick, step: step))</text>\n"
            tick += step
        }
        // x ticks: every epoch up to 10, else nice steps.
        let epochStep = max(1, Int(niceStep(Double(lastEpoch - firstEpoch) / 8)))
        var epoch = firstEpoch
        while epoch <= lastEpoch {
            svg += "<text x=\"\(f(px(epoch)))\" y=\"\(f(plotBottom + 16))\" text-anchor=\"middle\">\(epoch)</text>\n"
            epoch += epochStep
        }
        svg += "<line x1=\"\(f(plotLeft))\" y1=\"\(f(plotBottom))\" x2=\"\(f(plotRight))\" y2=\"\(f(plotBottom))\" stroke=\"black\"/>\n"
        svg += "<line x1=\"\(f(plotLeft))\" y1=\"\(f(plotTop))\" x2=\"\(f(plotLeft))\" y2=\"\(f(plotBottom))\" stroke=\"black\"/>\n"
        svg += "<text x=\"\(f((plotLeft + plotRight) / 2))\" y=\"\(f(panelHeight - 8))\" text-anchor=\"middle\">epoch</text>\n"
        // Series.
        let series: [(String, String, [Double?])] = [("training", trainingColor, training.map { $0 }),
                                                     ("validation", validationColor, validation)]
        for (name, color, points) in series {
            let shown = zip(epochs, points).compactMap { epoch, value in value.map { (px(epoch), py($0)) } }
            guard !shown.isEmpty else { continue }
            if shown.count > 1 {
                let path = shown.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"><title>\(name)</title></polyline>\n"
            }
            for (x, y) in shown {
                svg += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"2.5\" fill=\"\(color)\"/>\n"
            }
        }
        // Legend, top right inside the plot (bottom right for accuracy, whose curves rise).
        let legendY = kind == .loss ? plotTop + 8 : plotBottom - 30
        for (row, (name, color, points)) in series.enumerated() where points.contains(where: { $0 != nil }) {
            let y = legendY + Double(row) * 15
            svg += "<line x1=\"\(f(plotRight - 96))\" y1=\"\(f(y))\" x2=\"\(f(plotRight - 76))\" y2=\"\(f(y))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            svg += "<text x=\"\(f(plotRight - 70))\" y=\"\(f(y + 4))\">\(name)</text>\n"
        }
        return svg + "</g>\n"
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        for factor in [1.0, 2.0, 5.0, 10.0] where factor * power >= raw * (1 - 1e-9) { return factor * power }
        return 10 * power
    }

    /// A tick label with as many decimals as the step needs.
    static func label(_ value: Double, step: Double) -> String {
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return String(format: "%.\(decimals)f", value)
    }

    /// A coordinate with at most one decimal.
    static func f(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }
}
