/// Per-channel mean and standard deviation of 8-bit pixels, exact and independent of order.
///
/// Keeps integer sums of x and x² per channel, so adding images in any order, on any number of
/// threads whose accumulators are then merged, gives the same sums and so the same mean and std,
/// bit for bit. UInt64 sums hold ~2.8e14 pixels per channel before overflowing (far beyond
/// ImageNet's ~6e10). The std is the population one (NumPy's default `std()`, ddof 0).
public struct ChannelStatistics: Sendable, Equatable, Codable {
    public let channels: Int
    /// Pixels seen per channel.
    public private(set) var pixels: UInt64
    /// Σx per channel, x in 0...255.
    public private(set) var sum: [UInt64]
    /// Σx² per channel.
    public private(set) var sumSquares: [UInt64]

    enum CodingKeys: String, CodingKey {
        case channels, pixels, sum
        case sumSquares = "sum_squares"
    }

    public init(channels: Int) {
        precondition(channels > 0, "an image has at least one channel")
        self.channels = channels
        pixels = 0
        sum = Array(repeating: 0, count: channels)
        sumSquares = Array(repeating: 0, count: channels)
    }

    /// Adds one image's interleaved pixels (`[H, W, C]`, any H and W).
    /// - Precondition: `values.count` is a multiple of `channels`.
    public mutating func add(_ values: UnsafeBufferPointer<UInt8>) {
        precondition(values.count % channels == 0, "\(values.count) values do not split into \(channels) channels")
        if channels == 1 {
            // In blocks of 65,536 values, whose squares (at most 255 * 255 each) sum to less
            // than 2^32: 32-bit sums of 16-bit squares, which the compiler vectorises.
            var s: UInt64 = 0, q: UInt64 = 0, start = 0
            while start < values.count {
                let end = min(start + 65_536, values.count)
                var blockSum: UInt32 = 0, blockSquares: UInt32 = 0
                for index in start..<end {
                    let x = UInt16(values[index])
                    blockSum &+= UInt32(x)
                    blockSquares &+= UInt32(x &* x)
                }
                s += UInt64(blockSum)
                q += UInt64(blockSquares)
                start = end
            }
            sum[0] += s
            sumSquares[0] += q
        } else if channels == 3 {
            var s0: UInt64 = 0, s1: UInt64 = 0, s2: UInt64 = 0, q0: UInt64 = 0, q1: UInt64 = 0, q2: UInt64 = 0
            var index = 0
            while index < values.count {
                let r = UInt64(values[index]), g = UInt64(values[index + 1]), b = UInt64(values[index + 2])
                s0 &+= r; s1 &+= g; s2 &+= b
                q0 &+= r &* r; q1 &+= g &* g; q2 &+= b &* b
                index += 3
            }
            for (c, (s, q)) in [(s0, q0), (s1, q1), (s2, q2)].enumerated() {
                sum[c] += s
                sumSquares[c] += q
            }
        } else {
            var s = Array(repeating: UInt64(0), count: channels), q = s
            var channel = 0
            for value in values {
                let x = UInt64(value)
                s[channel] &+= x
                q[channel] &+= x &* x
                channel += 1
                if channel == channels { channel = 0 }
            }
            for c in 0..<channels {
                sum[c] += s[c]
                sumSquares[c] += q[c]
            }
        }
        pixels += UInt64(values.count / channels)
    }

    /// Adds one image's interleaved pixels.
    public mutating func add(_ values: [UInt8]) {
        values.withUnsafeBufferPointer { add($0) }
    }

    /// Adds what `other` has seen (another thread's or another part's accumulator).
    public mutating func merge(_ other: ChannelStatistics) {
        precondition(other.channels == channels, "cannot merge statistics of \(other.channels) and \(channels) channels")
        pixels += other.pixels
        for c in 0..<channels {
            sum[c] += other.sum[c]
            sumSquares[c] += other.sumSquares[c]
        }
    }

    /// The mean of `x * scale` per channel (0 when nothing was seen).
    public func mean(scale: Double = 1.0 / 255.0) -> [Double] {
        guard pixels > 0 else { return Array(repeating: 0, count: channels) }
        return sum.map { Double($0) / Double(pixels) * scale }
    }

    /// The population standard deviation of `x * scale` per channel (0 when nothing was seen).
    ///
    /// The variance's numerator `n·Σx² − (Σx)²` is computed exactly in 128 bits, then divided by n² in Double.
    public func std(scale: Double = 1.0 / 255.0) -> [Double] {
        guard pixels > 0 else { return Array(repeating: 0, count: channels) }
        let n = Double(pixels)
        return (0..<channels).map { c in
            let a = pixels.multipliedFullWidth(by: sumSquares[c])
            let b = sum[c].multipliedFullWidth(by: sum[c])
            // a - b, as (high, low); a >= b by Cauchy-Schwarz.
            let (low, borrow) = a.low.subtractingReportingOverflow(b.low)
            let high = a.high - b.high - (borrow ? 1 : 0)
            let numerator = Double(high) * 0x1p64 + Double(low)
            return (numerator / n / n).squareRoot() * scale
        }
    }
}
