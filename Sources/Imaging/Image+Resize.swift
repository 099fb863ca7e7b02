/// Resizing with Pillow's antialiased bilinear filter, reproduced exactly.
///
/// The filter is Pillow's `Image.resize(size, Image.Resampling.BILINEAR, box)` (the algorithm
/// of `ImagingResample` in Pillow's `src/libImaging/Resample.c`), named "pillow-bilinear" in
/// manifests. It is the filter torchvision's `Resize` applies to PIL images, and the one Keras
/// names "bilinear". Being Pillow's, it is antialiased: when shrinking, the triangle filter's
/// support grows with the scale factor, so every source pixel contributes (a plain bilinear
/// interpolation would skip pixels and alias).
///
/// The algorithm, for 8-bit samples:
/// 1. Per axis, for each output index `i`: the centre `c = in0 + (i + 0.5) * scale` in source
///    coordinates, with `scale = (in1 - in0) / outSize` and `in0...in1` the box on that axis;
///    the support `s = max(scale, 1)`; the source range `[Int(c - s + 0.5), Int(c + s + 0.5))`
///    clamped to the image; weights `max(0, 1 - |(j - c + 0.5) / max(scale, 1)|)` for each
///    source index `j` in that range, normalised to sum to 1, then rounded to fixed point with
///    22 fractional bits (`PRECISION_BITS = 32 - 8 - 2`).
/// 2. A horizontal pass over only the source rows the vertical pass will read, then a
///    vertical pass; each output sample is `clip8((2^21 + sum(sample * weight)) >> 22)`, so the
///    intermediate image is rounded to 8 bits, as in Pillow.
/// 3. A pass is skipped when its axis keeps its size and the box covers that axis exactly.
///
/// Coefficients depend only on (source size, box, output size), so `Resampler` computes them
/// once per distinct geometry and reuses them: photos come in few distinct sizes.
/// The passes are integer loops over raw pointers with no allocation per image once the
/// scratch buffers have grown.
extension Image {
    /// This image resized to `width` x `height` with Pillow's bilinear filter, stretching it:
    /// `Image.resize((width, height), Image.Resampling.BILINEAR)`.
    public func resized(width: Int, height: Int) -> Image {
        resized(width: width, height: height, mode: .stretch)
    }

    /// This image fitted to `width` x `height` as `mode` says, with Pillow's bilinear filter.
    ///
    /// - Parameters:
    ///   - mode: stretch (`Image.resize`), crop (`ImageOps.fit`) or pad (`ImageOps.pad`).
    ///   - padValue: the background sample value for `pad` (every channel); 0 is black.
    public func resized(width: Int, height: Int, mode: ResizeMode, padValue: UInt8 = 0) -> Image {
        var output = Image(width: width, height: height, channels: channels, filledWith: padValue)
        let layout = mode.layout(sourceWidth: self.width, sourceHeight: self.height, width: width, height: height)
        pixels.withUnsafeBufferPointer { sourceBuffer in
            output.pixels.withUnsafeMutableBufferPointer { outputBuffer in
                guard let sourceBase = sourceBuffer.baseAddress, let outputBase = outputBuffer.baseAddress else { return }
                // The resampler only reads its source.
                let view = PixelView(pointer: UnsafeMutablePointer(mutating: sourceBase),
                                     width: self.width, height: self.height, channels: channels)
                Resampler().resample(view, box: layout.box,
                                     into: outputBase + (layout.y * width + layout.x) * channels,
                                     width: layout.width, height: layout.height, rowStride: width * channels)
            }
        }
        return output
    }
}

/// Pillow's resampling coefficients for one axis: for each output index, the first source
/// index, the number of source samples it reads, and their fixed-point weights.
struct ResampleCoefficients {
    /// Fractional bits of the fixed-point weights (Pillow's `PRECISION_BITS`).
    static let precisionBits: Int32 = 32 - 8 - 2

    /// The number of output samples.
    let outSize: Int
    /// Weights per output index (Pillow's `ksize`); entries past `counts[i]` are 0.
    let taps: Int
    /// The first source index read for each output index.
    let starts: [Int32]
    /// The number of source samples read for each output index.
    let counts: [Int32]
    /// `outSize * taps` weights, with `1 << precisionBits` meaning 1.
    let weights: [Int32]
    /// The same sums with exactly `fixedTaps` samples read for every output index: the start
    /// moved left where the range would run past the end, the weights moved right by as much
    /// and zeros elsewhere (adding 0 * sample changes no sum). Lets the hot loop run a fixed
    /// number of taps. Empty when the source has fewer than `fixedTaps` samples.
    let fixedStarts: [Int32]
    /// `outSize * fixedTaps` weights.
    let fixedWeights: [Int32]
    /// The most samples any output index reads (`counts.max()`): often one less than `taps`
    /// (a 1.96x reduction reads at most 4 samples, where Pillow's `ksize` is 5).
    let fixedTaps: Int

    /// Pillow's `precompute_coeffs` with the bilinear filter (support 1), then
    /// `normalize_coeffs_8bpc`.
    ///
    /// - Parameters:
    ///   - inSize: the number of source samples on this axis.
    ///   - in0, in1: the box on this axis, in source coordinates (may be fractional).
    ///   - outSize: the number of output samples.
    init(inSize: Int, from in0: Float, to in1: Float, outSize: Int) {
        precondition(inSize > 0 && outSize > 0, "resampling \(inSize) samples to \(outSize)")
        let scale = Double(in1 - in0) / Double(outSize)
        let filterScale = max(scale, 1.0)
        let support = 1.0 * filterScale  // the bilinear filter's support is 1
        let taps = Int(support.rounded(.up)) * 2 + 1
        var starts = [Int32](repeating: 0, count: outSize)
        var counts = [Int32](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * taps)
        var kernel = [Double](repeating: 0, count: taps)
        let one = Double(1 << Self.precisionBits)
        for index in 0..<outSize {
            let center = Double(in0) + (Double(index) + 0.5) * scale
            let inverse = 1.0 / filterScale
            let first = max(Int(center - support + 0.5), 0)
            let end = min(Int(center + support + 0.5), inSize)
            let count = max(end - first, 0)
            var total = 0.0
            for tap in 0..<count {
                var x = (Double(tap + first) - center + 0.5) * inverse
                if x < 0 { x = -x }
                let weight = x < 1 ? 1 - x : 0
                kernel[tap] = weight
                total += weight
            }
            for tap in 0..<count {
                let weight = total != 0 ? kernel[tap] / total : kernel[tap]
                weights[index * taps + tap] = Int32(weight < 0 ? -0.5 + weight * one : 0.5 + weight * one)
            }
            starts[index] = Int32(first)
            counts[index] = Int32(count)
        }
        self.outSize = outSize
        self.taps = taps
        self.starts = starts
        self.counts = counts
        self.weights = weights
        let fixedTaps = max(Int(counts.max() ?? 1), 1)
        self.fixedTaps = fixedTaps
        guard inSize >= fixedTaps else {
            fixedStarts = []
            fixedWeights = []
            return
        }
        var fixedStarts = [Int32](repeating: 0, count: outSize)
        var fixedWeights = [Int32](repeating: 0, count: outSize * fixedTaps)
        for index in 0..<outSize {
            let start = min(Int(starts[index]), inSize - fixedTaps)
            let shift = Int(starts[index]) - start
            for tap in 0..<Int(counts[index]) {
                fixedWeights[index * fixedTaps + shift + tap] = weights[index * taps + tap]
            }
            fixedStarts[index] = Int32(start)
        }
        self.fixedStarts = fixedStarts
        self.fixedWeights = fixedWeights
    }

    /// The first source index read by any output index.
    var firstSource: Int { Int(starts[0]) }
    /// One past the last source index read by any output index.
    var endSource: Int { Int(starts[outSize - 1] + counts[outSize - 1]) }
}

/// Resizes 8-bit images with Pillow's bilinear filter (see `Image.resized`), caching
/// coefficients per geometry and reusing its scratch buffers. One per thread.
final class Resampler {
    private struct Key: Hashable {
        var inSize: Int, in0: UInt32, in1: UInt32, outSize: Int
    }

    /// Coefficient tables by geometry; cleared when it holds `cacheLimit` of them.
    private var cache: [Key: ResampleCoefficients] = [:]
    private static let cacheLimit = 512
    /// The output of the horizontal pass.
    private let intermediate = ScratchBuffer()
    /// One row of vertical-pass sums.
    private var sums = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    private var sumsCapacity = 1

    deinit { sums.deallocate() }

    /// The coefficients for one axis, from the cache when this geometry was seen before.
    func coefficients(inSize: Int, from in0: Float, to in1: Float, outSize: Int) -> ResampleCoefficients {
        let key = Key(inSize: inSize, in0: in0.bitPattern, in1: in1.bitPattern, outSize: outSize)
        if let cached = cache[key] { return cached }
        if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
        let computed = ResampleCoefficients(inSize: inSize, from: in0, to: in1, outSize: outSize)
        cache[key] = computed
        return computed
    }

    /// Resamples the `box` of `source` to `width` x `height`, writing rows `rowStride` bytes
    /// apart from `destination` (so that the output can be a rectangle inside a larger image).
    ///
    /// `source [height, width, channels] -> destination [height, width, channels]`, as
    /// Pillow's `resize((width, height), BILINEAR, box)`; `channels` is 1 to 4.
    func resample(_ source: PixelView, box: (x0: Float, y0: Float, x1: Float, y1: Float),
                  into destination: UnsafeMutablePointer<UInt8>, width: Int, height: Int, rowStride: Int) {
        let channels = source.channels
        precondition((1...4).contains(channels) && width > 0 && height > 0 && rowStride >= width * channels)
        // Pillow's tests, including its comparison of box[2] with the output width.
        let needHorizontal = width != source.width || box.x0 != 0 || box.x1 != Float(width)
        let needVertical = height != source.height || box.y0 != 0 || box.y1 != Float(height)
        let vertical = coefficients(inSize: source.height, from: box.y0, to: box.y1, outSize: height)

        var input = source.pointer
        var inputStride = source.width * channels
        var rowOffset = 0  // the source row that row 0 of `input` holds
        if needHorizontal {
            let horizontal = coefficients(inSize: source.width, from: box.x0, to: box.x1, outSize: width)
            let firstRow = vertical.firstSource, rowCount = vertical.endSource - vertical.firstSource
            let stride = width * channels
            // Without a vertical pass the horizontal one writes straight to the destination.
            let target = needVertical ? intermediate.reserve(rowCount * stride) : destination
            let targetStride = needVertical ? stride : rowStride
            Self.horizontalPass(source.pointer + firstRow * inputStride, stride: inputStride, rows: rowCount,
                                channels: channels, coefficients: horizontal,
                                into: target, stride: targetStride)
            guard needVertical else { return }
            input = target
            inputStride = stride
            rowOffset = firstRow
        }
        if needVertical {
            let rowBytes = width * channels
            if sumsCapacity < rowBytes {
                sums.deallocate()
                sums = .allocate(capacity: rowBytes)
                sumsCapacity = rowBytes
            }
            Self.verticalPass(input, stride: inputStride, rowOffset: rowOffset, rowBytes: rowBytes,
                              coefficients: vertical, sums: sums, into: destination, stride: rowStride)
        } else if !needHorizontal {
            let rowBytes = width * channels
            for row in 0..<height {
                (destination + row * rowStride).update(from: source.pointer + row * inputStride, count: rowBytes)
            }
        }
    }

    /// The horizontal pass: `rows` rows from `source`, each resampled to
    /// `coefficients.outSize` pixels (Pillow's `ImagingResampleHorizontal_8bpc`), with a loop
    /// specialised for gray and RGB that reads a fixed number of taps (`fixedWeights`).
    private static func horizontalPass(_ source: UnsafePointer<UInt8>, stride: Int, rows: Int, channels: Int,
                                       coefficients: ResampleCoefficients,
                                       into destination: UnsafeMutablePointer<UInt8>, stride outStride: Int) {
        let outSize = coefficients.outSize
        let half: Int32 = 1 << (ResampleCoefficients.precisionBits - 1)
        let fixed = !coefficients.fixedStarts.isEmpty
        let taps = fixed ? coefficients.fixedTaps : coefficients.taps
        let starts = fixed ? coefficients.fixedStarts : coefficients.starts
        let weights = fixed ? coefficients.fixedWeights : coefficients.weights
        starts.withUnsafeBufferPointer { starts in
        coefficients.counts.withUnsafeBufferPointer { counts in
        weights.withUnsafeBufferPointer { weights in
            guard let weights = weights.baseAddress else { return }
            switch (channels, fixed) {
            case (1, true):
                // The tap counts of shrinking by up to about 3x get loops the compiler unrolls.
                switch taps {
                case 2: grayRows(taps: 2, source, stride, rows, starts, weights, outSize, destination, outStride)
                case 3: grayRows(taps: 3, source, stride, rows, starts, weights, outSize, destination, outStride)
                case 4: grayRows(taps: 4, source, stride, rows, starts, weights, outSize, destination, outStride)
                case 5: grayRows(taps: 5, source, stride, rows, starts, weights, outSize, destination, outStride)
                case 6: grayRows(taps: 6, source, stride, rows, starts, weights, outSize, destination, outStride)
                case 7: grayRows(taps: 7, source, stride, rows, starts, weights, outSize, destination, outStride)
                default: grayRows(taps: taps, source, stride, rows, starts, weights, outSize, destination, outStride)
                }
            case (3, true):
                for row in 0..<rows {
                    let input = source + row * stride, output = destination + row * outStride
                    for index in 0..<outSize {
                        let pixel = input + Int(starts[index]) * 3, kernel = weights + index * taps
                        var red = half, green = half, blue = half
                        for tap in 0..<taps {
                            let weight = kernel[tap], sample = pixel + tap * 3
                            red &+= Int32(sample[0]) &* weight
                            green &+= Int32(sample[1]) &* weight
                            blue &+= Int32(sample[2]) &* weight
                        }
                        output[index * 3] = clip8(red)
                        output[index * 3 + 1] = clip8(green)
                        output[index * 3 + 2] = clip8(blue)
                    }
                }
            default:
                for row in 0..<rows {
                    let input = source + row * stride, output = destination + row * outStride
                    for index in 0..<outSize {
                        let count = fixed ? taps : Int(counts[index])
                        let pixel = input + Int(starts[index]) * channels, kernel = weights + index * taps
                        for channel in 0..<channels {
                            var sum = half
                            for tap in 0..<count { sum &+= Int32(pixel[tap * channels + channel]) &* kernel[tap] }
                            output[index * channels + channel] = clip8(sum)
                        }
                    }
                }
            }
        }}}
    }

    /// The horizontal pass on gray rows with exactly `taps` samples per output (`fixedWeights`).
    /// Inlined into each call so that a constant `taps` gives a fully unrolled inner loop; the
    /// sums are the same integers in the same order as the generic loop's.
    @inline(__always)
    private static func grayRows(taps: Int, _ source: UnsafePointer<UInt8>, _ stride: Int, _ rows: Int,
                                 _ starts: UnsafeBufferPointer<Int32>, _ weights: UnsafePointer<Int32>, _ outSize: Int,
                                 _ destination: UnsafeMutablePointer<UInt8>, _ outStride: Int) {
        let half: Int32 = 1 << (ResampleCoefficients.precisionBits - 1)
        // Column by column: one output index's start and weights stay in registers while the
        // loop runs down the rows.
        for index in 0..<outSize {
            let kernel = weights + index * taps
            var pixel = source + Int(starts[index]), output = destination + index
            for _ in 0..<rows {
                var sum = half
                for tap in 0..<taps { sum &+= Int32(pixel[tap]) &* kernel[tap] }
                output.pointee = clip8(sum)
                pixel += stride
                output += outStride
            }
        }
    }

    /// The vertical pass (Pillow's `ImagingResampleVertical_8bpc`): each output row is a
    /// weighted sum of input rows. Sums run row by row over a whole row of accumulators, which
    /// gives Pillow's integers exactly (integer addition is associative) and vectorises.
    private static func verticalPass(_ source: UnsafePointer<UInt8>, stride: Int, rowOffset: Int, rowBytes: Int,
                                     coefficients: ResampleCoefficients, sums: UnsafeMutablePointer<Int32>,
                                     into destination: UnsafeMutablePointer<UInt8>, stride outStride: Int) {
        let taps = coefficients.taps
        let half: Int32 = 1 << (ResampleCoefficients.precisionBits - 1)
        coefficients.starts.withUnsafeBufferPointer { starts in
        coefficients.counts.withUnsafeBufferPointer { counts in
        coefficients.weights.withUnsafeBufferPointer { weights in
            guard let weights = weights.baseAddress else { return }
            for index in 0..<coefficients.outSize {
                let first = Int(starts[index]) - rowOffset
                let kernel = weights + index * taps
                // The first tap starts the sums (with the rounding half), the others add to them.
                let count = Int(counts[index])
                if count > 0 {
                    let weight = kernel[0], row = source + first * stride
                    for sample in 0..<rowBytes { sums[sample] = half &+ Int32(row[sample]) &* weight }
                } else {
                    sums.update(repeating: half, count: rowBytes)
                }
                for tap in 1..<max(count, 1) {
                    let weight = kernel[tap]
                    let row = source + (first + tap) * stride
                    for sample in 0..<rowBytes { sums[sample] &+= Int32(row[sample]) &* weight }
                }
                let output = destination + index * outStride
                for sample in 0..<rowBytes { output[sample] = clip8(sums[sample]) }
            }
        }}}
    }

    /// Pillow's `clip8`: the fixed-point sum as a sample, clamped to 0...255.
    @inline(__always)
    private static func clip8(_ sum: Int32) -> UInt8 {
        let value = sum >> ResampleCoefficients.precisionBits
        return value < 0 ? 0 : value > 255 ? 255 : UInt8(truncatingIfNeeded: value)
    }
}

extension Resampler {
    /// The specification: Pillow's `ImagingResampleInner` written as plainly as possible, on
    /// arrays, loop for loop. Slow; tests check that `resample` gives exactly its output.
    static func resampleNaive(_ image: Image, box: (x0: Float, y0: Float, x1: Float, y1: Float),
                              width: Int, height: Int) -> Image {
        let channels = image.channels
        let one = 1 << Int(ResampleCoefficients.precisionBits)
        func clip8(_ sum: Int) -> UInt8 { UInt8(min(max(sum / one, 0), 255)) }  // sums are never negative here
        let needHorizontal = width != image.width || box.x0 != 0 || box.x1 != Float(width)
        let needVertical = height != image.height || box.y0 != 0 || box.y1 != Float(height)
        let vertical = ResampleCoefficients(inSize: image.height, from: box.y0, to: box.y1, outSize: height)
        var current = image
        var rowOffset = 0
        if needHorizontal {
            let horizontal = ResampleCoefficients(inSize: image.width, from: box.x0, to: box.x1, outSize: width)
            let rows = vertical.endSource - vertical.firstSource
            var pass = [UInt8](repeating: 0, count: width * rows * channels)
            for y in 0..<rows {
                for x in 0..<width {
                    for c in 0..<channels {
                        var sum = one / 2
                        for tap in 0..<Int(horizontal.counts[x]) {
                            let sample = image[Int(horizontal.starts[x]) + tap, y + vertical.firstSource, c]
                            sum += Int(sample) * Int(horizontal.weights[x * horizontal.taps + tap])
                        }
                        pass[(y * width + x) * channels + c] = clip8(sum)
                    }
                }
            }
            current = Image(width: width, height: rows, channels: channels, pixels: pass)
            rowOffset = vertical.firstSource
        }
        guard needVertical else { return current }
        var output = Image(width: current.width, height: height, channels: channels)
        for y in 0..<height {
            for x in 0..<current.width {
                for c in 0..<channels {
                    var sum = one / 2
                    for tap in 0..<Int(vertical.counts[y]) {
                        let sample = current[x, Int(vertical.starts[y]) - rowOffset + tap, c]
                        sum += Int(sample) * Int(vertical.weights[y * vertical.taps + tap])
                    }
                    output[x, y, c] = clip8(sum)
                }
            }
        }
        return output
    }
}
