import Randomness

/// A 2-D convolution (cross-correlation, as every framework computes it) with a fused
/// activation: Keras's `Conv2D`.
///
/// `input [batch, height, width, inChannels] -> output [batch, outHeight, outWidth, filters]`,
/// NHWC like the shards. Parameters in PyTorch's layout: `weight [filters, inChannels,
/// kernelHeight, kernelWidth]`, `bias [filters]`; Glorot-uniform weight with Keras's fans
/// (`kh * kw * inChannels`, `kh * kw * filters`), zero bias. Output sizes and padding follow
/// Keras (`Padding`).
///
/// The fast path lowers the convolution to GEMMs over many images at once: im2col writes each
/// output pixel's receptive field as a row `[ky][kx][channel]` (contiguous runs of NHWC
/// input), and the weight is repacked on each forward pass into the matching
/// `[filters, kh, kw, inChannels]` order, so stored parameters stay in PyTorch's layout and
/// need no conversion when saved. The batch is split into one part per thread (`Threads`);
/// each part runs im2col and one GEMM per chunk of its images, a chunk being as many whole
/// images as fit the part's share of `columnBudget` values, which bounds memory for large
/// images (at MNIST sizes a part is one chunk, and its columns are kept for the backward pass).
///
/// A 3x3 kernel with stride 1 over eight or more channels is lowered by Winograd's F(4x4, 3x3)
/// instead (`Winograd`, `lowering`): 36 thinner GEMMs with a quarter of the multiply-adds, in
/// the same parts and chunks, for the forward pass and both gradients.
public final class Conv2D: Layer {
    public let kind = "Conv2D"
    public let filters: Int
    public let inChannels: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let stride: Int
    public let padding: Padding
    public let activation: Activation
    public let weight: Parameter
    public let bias: Parameter
    /// The most values the im2col (or Winograd) buffers of all parts may hold together
    /// (default 8 Mi floats, 32 MiB); each part still takes at least one whole image.
    public var columnBudget = 8 << 20

    /// How the convolution becomes GEMMs.
    public enum Lowering: String, Sendable {
        /// Each output pixel's receptive field as a row (any kernel, stride and padding).
        case im2col
        /// Winograd F(4x4, 3x3): 3x3 kernels with stride 1 only (`Winograd`).
        case winograd
    }

    /// `.winograd` for 3x3, stride-1 kernels over at least `Winograd.minimumChannels` input
    /// channels (a first layer over one or three channels gains nothing: its GEMMs are too
    /// thin), `.im2col` otherwise. Both compute the same convolution; either may be chosen
    /// where Winograd applies.
    /// - Precondition: `.winograd` only for a 3x3 kernel with stride 1.
    public var lowering: Lowering {
        didSet { precondition(lowering == .im2col || winogradGeometry != nil, "Winograd needs a 3x3 kernel with stride 1") }
    }

    /// The tile geometry when the kernel is 3x3 with stride 1 (whatever `lowering` says).
    let winogradGeometry: Winograd?

    /// The tile geometry when `lowering` is `.winograd`, else nil.
    var winograd: Winograd? { lowering == .winograd ? winogradGeometry : nil }

    public let inputShape: [Int]
    public let outputShape: [Int]
    public var parameters: [Parameter] { [weight, bias] }

    let rows: WindowGeometry
    let columns: WindowGeometry
    /// The weight in the GEMM's `[filters, kh, kw, inChannels]` order, or Winograd's `U_ξ`.
    private let packed = ScratchBuffer()
    /// im2col columns (or Winograd's `V` and `M`), one region per part; in the backward pass
    /// the spent columns hold dCols (the spent `V`, dV).
    private let columnScratch = ScratchBuffer()
    /// The batch and part count whose columns `columnScratch` still holds, one chunk per part.
    private var cachedColumns: (batch: Int, parts: Int)?
    /// dZ, the gradient before the activation, `[batch] + outputShape`.
    private let gradZ = ScratchBuffer()
    /// One weight gradient `[filters, patchSize]` per part, added in part order.
    private let partialGradients = ScratchBuffer()
    private var input = Tensor.empty
    private var output = Tensor.empty
    private var outputStorage = RecycledStorage()
    private var gradInputStorage = RecycledStorage()

    /// The output geometry, or nil when the kernel does not fit the input with this padding.
    static func geometry(inputShape: [Int], kernelHeight: Int, kernelWidth: Int, stride: Int,
                         padding: Padding) -> (rows: WindowGeometry, columns: WindowGeometry)? {
        guard inputShape.count == 3,
              let rows = WindowGeometry(input: inputShape[0], kernel: kernelHeight, stride: stride, padding: padding),
              let columns = WindowGeometry(input: inputShape[1], kernel: kernelWidth, stride: stride, padding: padding)
        else { return nil }
        return (rows, columns)
    }

    /// - Parameters:
    ///   - inputShape: `[height, width, inChannels]`.
    ///   - name: the parameters' prefix, `layers.<index>`.
    ///   - random: draws the initial weight.
    /// - Precondition: the kernel fits the input (see `geometry`).
    public init(inputShape: [Int], filters: Int, kernelHeight: Int, kernelWidth: Int, stride: Int = 1,
                padding: Padding = .valid, activation: Activation, name: String = "conv2d",
                random: inout RandomGenerator) {
        guard filters >= 1,
              let (rows, columns) = Self.geometry(inputShape: inputShape, kernelHeight: kernelHeight,
                                                  kernelWidth: kernelWidth, stride: stride, padding: padding)
        else { preconditionFailure("Conv2D: a \(kernelHeight)x\(kernelWidth) kernel does not fit input \(inputShape)") }
        self.filters = filters
        self.inChannels = inputShape[2]
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
        self.activation = activation
        self.inputShape = inputShape
        self.rows = rows
        self.columns = columns
        self.outputShape = [rows.output, columns.output, filters]
        let area = kernelHeight * kernelWidth
        weight = Parameter(name: "\(name).weight", kind: .kernel,
                           value: Initializers.glorotUniform(shape: [filters, inputShape[2], kernelHeight, kernelWidth],
                                                             fanIn: area * inputShape[2], fanOut: area * filters,
                                                             random: &random))
        bias = Parameter(name: "\(name).bias", kind: .bias, value: Tensor(zeros: [filters]))
        winogradGeometry = kernelHeight == 3 && kernelWidth == 3 && stride == 1
            ? Winograd(height: inputShape[0], width: inputShape[1], channels: inputShape[2], filters: filters,
                       rows: rows, columns: columns)
            : nil
        lowering = winogradGeometry != nil && inputShape[2] >= Winograd.minimumChannels ? .winograd : .im2col
    }

    /// Values in one im2col row: `kh * kw * inChannels`.
    var patchSize: Int { kernelHeight * kernelWidth * inChannels }
    var pixelsPerImage: Int { rows.output * columns.output }

    /// Working values per image in a part's region: im2col's columns, or Winograd's `V` and `M`.
    var valuesPerImage: Int {
        guard let winograd else { return pixelsPerImage * patchSize }
        return Winograd.positions * winograd.tilesPerImage * (inChannels + filters)
    }

    /// The size of one part's region for chunks of `chunk` images.
    func partValues(chunk: Int) -> Int {
        guard let winograd else { return chunk * pixelsPerImage * patchSize }
        let tiles = chunk * winograd.tilesPerImage
        return Winograd.bufferSize(tiles: tiles, width: inChannels) + Winograd.bufferSize(tiles: tiles, width: filters)
    }

    /// Values in one part's weight gradient: `[F, kh, kw, C]`, or Winograd's `dU_ξ [C, F]`.
    var weightGradientValues: Int {
        guard let winograd else { return filters * patchSize }
        return Winograd.positions * winograd.weightStride
    }

    /// Images per part at least: enough multiply-adds (2^17) to be worth a thread.
    var grain: Int { max(1, (1 << 17) / max(pixelsPerImage * patchSize * filters, 1)) }

    /// How a batch is split: `parts` parts (one per thread), GEMMs of at most `chunk` images.
    func plan(batch: Int) -> (parts: Int, chunk: Int) {
        let parts = Threads.partCount(batch, grain: grain)
        let largestPart = (batch + parts - 1) / parts
        let fit = columnBudget / parts / max(valuesPerImage, 1)
        return (parts, max(1, min(largestPart, fit)))
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        checkInput(input)
        let batch = input.batch
        let winograd = winograd
        if let winograd {
            let u = packed.reserve(Winograd.positions * winograd.weightStride)
            weight.value.data.withUnsafeBufferPointer { w in
                Threads.parallelFor(inChannels, grain: 8) { winograd.transformWeight(w.baseAddress!, into: u, channels: $0) }
            }
        } else {
            packWeight()
        }
        let (parts, chunk) = plan(batch: batch)
        let partValues = partValues(chunk: chunk)
        let scratch = columnScratch.reserve(parts * partValues)
        let relu = activation == .relu
        let output = outputStorage.tensor(shape: [batch] + outputShape) { out in
            input.data.withUnsafeBufferPointer { x in
                bias.value.data.withUnsafeBufferPointer { b in
                    Threads.parallelParts(batch, grain: grain) { part, images in
                        for start in Swift.stride(from: images.lowerBound, to: images.upperBound, by: chunk) {
                            let chunkImages = start..<min(start + chunk, images.upperBound)
                            let region = scratch + part * partValues
                            if let winograd {
                                forwardWinograd(winograd, x.baseAddress!, images: chunkImages, region: region, chunk: chunk,
                                                bias: b.baseAddress!, relu: relu, into: out.baseAddress!)
                            } else {
                                forwardIm2col(x.baseAddress!, images: chunkImages, columns: region,
                                              bias: b.baseAddress!, relu: relu, into: out.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        let largestPart = (batch + parts - 1) / parts
        cachedColumns = chunk >= largestPart ? (batch, parts) : nil
        self.input = input
        self.output = output
        return output
    }

    /// One chunk by im2col: its columns, one GEMM with the packed weight, bias and activation.
    private func forwardIm2col(_ x: UnsafePointer<Float>, images: Range<Int>, columns cols: UnsafeMutablePointer<Float>,
                               bias: UnsafePointer<Float>, relu: Bool, into out: UnsafeMutablePointer<Float>) {
        let rows = images.count * pixelsPerImage
        let y = out + images.lowerBound * pixelsPerImage * filters
        im2col(x, images: images, into: cols)
        BLAS.sgemm(transposeB: true, m: rows, n: filters, k: patchSize,
                   a: cols, lda: patchSize, b: packed.pointer, ldb: patchSize, c: y, ldc: filters)
        Elementwise.addBias(bias, to: y, rows: rows, columns: filters, relu: relu)
    }

    /// One chunk by Winograd: `V` in the region's start, `M` after room for `chunk` images' `V`;
    /// one GEMM per position with the transformed weight `U`, then `Aᵀ M A`, bias and activation.
    private func forwardWinograd(_ winograd: Winograd, _ x: UnsafePointer<Float>, images: Range<Int>,
                                 region: UnsafeMutablePointer<Float>, chunk: Int,
                                 bias: UnsafePointer<Float>, relu: Bool, into out: UnsafeMutablePointer<Float>) {
        let tiles = images.count * winograd.tilesPerImage, (c, f) = (inChannels, filters)
        let (vStride, mStride) = (Winograd.positionStride(tiles: tiles, width: c), Winograd.positionStride(tiles: tiles, width: f))
        let v = region, m = region + Winograd.bufferSize(tiles: chunk * winograd.tilesPerImage, width: c), u = packed.pointer
        winograd.transformInput(x, images: images, into: v)
        for position in 0..<Winograd.positions {
            BLAS.sgemm(m: tiles, n: f, k: c, a: v + position * vStride, lda: c, b: u + position * winograd.weightStride, ldb: f,
                       c: m + position * mStride, ldc: f)
        }
        winograd.transformOutput(m, images: images, bias: bias, relu: relu, into: out)
    }

    /// Per part: `dZ = dY * activation'` and `db` partial sums per image; then per chunk the
    /// part's weight gradient (`dW_part`) and, when asked, the input gradient added into `dX`
    /// (`backwardIm2col` or `backwardWinograd`); then `dW += sum of dW_part` in part order and
    /// `db += sum of the image sums` in image order.
    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor {
        let batch = input.batch
        checkGradient(gradOutput, batch: batch)
        defer { (input, output, cachedColumns) = (.empty, .empty, nil) }
        let winograd = winograd
        let (parts, chunk) = plan(batch: batch)
        let pixels = pixelsPerImage, filters = filters
        let partValues = partValues(chunk: chunk), partGradient = weightGradientValues
        let reuse = cachedColumns.map { $0 == (batch, parts) } ?? false
        let scratch = columnScratch.reserve(parts * partValues)
        let dz = gradZ.reserve(gradOutput.count)
        let partial = partialGradients.reserve(parts * partGradient)
        let relu = activation == .relu
        var imageBiasSums = [Float](repeating: 0, count: batch * filters)

        // Everything per part; `dx`, when given, receives the input gradient.
        func run(_ dx: UnsafeMutablePointer<Float>?) {
            input.data.withUnsafeBufferPointer { x in
                gradOutput.data.withUnsafeBufferPointer { dy in
                    output.data.withUnsafeBufferPointer { y in
                        imageBiasSums.withUnsafeMutableBufferPointer { biasSums in
                            Threads.parallelParts(batch, grain: grain) { part, images in
                                // dZ for the part's images (ReLU's mask), and their bias sums.
                                for n in images {
                                    let first = n * pixels * filters, sums = biasSums.baseAddress! + n * filters
                                    if relu {
                                        Elementwise.reluMask(dy.baseAddress! + first, by: y.baseAddress! + first, into: dz + first,
                                                             rows: pixels, columns: filters, addingRowsInto: sums)
                                    } else {
                                        (dz + first).update(from: dy.baseAddress! + first, count: pixels * filters)
                                        Elementwise.addRows(dz + first, rows: pixels, columns: filters, into: sums)
                                    }
                                }
                                let region = scratch + part * partValues, dw = partial + part * partGradient
                                for start in Swift.stride(from: images.lowerBound, to: images.upperBound, by: chunk) {
                                    let chunkImages = start..<min(start + chunk, images.upperBound)
                                    let first = start == images.lowerBound
                                    if let winograd {
                                        backwardWinograd(winograd, x.baseAddress!, dz: dz, images: chunkImages, region: region,
                                                         chunk: chunk, reuse: reuse, first: first, weightGradient: dw, into: dx)
                                    } else {
                                        backwardIm2col(x.baseAddress!, dz: dz, images: chunkImages, columns: region,
                                                       reuse: reuse, first: first, weightGradient: dw, into: dx)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let gradInput: Tensor
        if needsInputGradient {
            gradInput = gradInputStorage.tensor(shape: [batch] + inputShape, zeroed: true) { run($0.baseAddress!) }
        } else {
            run(nil)
            gradInput = .empty
        }
        bias.gradient.data.withUnsafeMutableBufferPointer { db in
            imageBiasSums.withUnsafeBufferPointer { sums in
                Elementwise.addRows(sums.baseAddress!, rows: batch, columns: filters, into: db.baseAddress!)
            }
        }
        let total = partialGradients.pointer
        for part in 1..<max(parts, 1) { Elementwise.add(total + part * partGradient, to: total, count: partGradient) }
        weight.gradient.data.withUnsafeMutableBufferPointer { target in
            if let winograd {
                Threads.parallelFor(inChannels, grain: 8) { winograd.addWeightGradient(total, to: target.baseAddress!, channels: $0) }
            } else {
                addPackedWeightGradient(total, to: target.baseAddress!)
            }
        }
        return gradInput
    }

    /// One chunk by im2col: `dW_part (+)= dZᵀ cols`; when `dx` is given, `dCols = dZ W` (in the
    /// spent columns' buffer) scattered back by col2im.
    private func backwardIm2col(_ x: UnsafePointer<Float>, dz: UnsafePointer<Float>, images: Range<Int>,
                                columns cols: UnsafeMutablePointer<Float>, reuse: Bool, first: Bool,
                                weightGradient dw: UnsafeMutablePointer<Float>, into dx: UnsafeMutablePointer<Float>?) {
        let rows = images.count * pixelsPerImage, patch = patchSize
        let dzChunk = dz + images.lowerBound * pixelsPerImage * filters
        if !reuse { im2col(x, images: images, into: cols) }
        BLAS.sgemm(transposeA: true, m: filters, n: patch, k: rows, a: dzChunk, lda: filters, b: cols, ldb: patch,
                   beta: first ? 0 : 1, c: dw, ldc: patch)
        guard let dx else { return }
        BLAS.sgemm(m: rows, n: patch, k: filters, a: dzChunk, lda: filters, b: packed.pointer, ldb: patch,
                   c: cols, ldc: patch)
        col2im(cols, images: images, into: dx)
    }

    /// One chunk by Winograd: `dM = A dZ Aᵀ` (in the region's second half), `dU_ξ (+)= V_ξᵀ
    /// dM_ξ`; when `dx` is given, `dV_ξ = dM_ξ U_ξᵀ` (in the spent `V`'s place) and `B dV Bᵀ`
    /// added into `dx`.
    private func backwardWinograd(_ winograd: Winograd, _ x: UnsafePointer<Float>, dz: UnsafePointer<Float>,
                                  images: Range<Int>, region: UnsafeMutablePointer<Float>, chunk: Int, reuse: Bool,
                                  first: Bool, weightGradient du: UnsafeMutablePointer<Float>,
                                  into dx: UnsafeMutablePointer<Float>?) {
        let tiles = images.count * winograd.tilesPerImage, (c, f) = (inChannels, filters)
        let (vStride, mStride) = (Winograd.positionStride(tiles: tiles, width: c), Winograd.positionStride(tiles: tiles, width: f))
        let v = region, dm = region + Winograd.bufferSize(tiles: chunk * winograd.tilesPerImage, width: c), u = packed.pointer
        if !reuse { winograd.transformInput(x, images: images, into: v) }
        winograd.transformOutputGradient(dz, images: images, into: dm)
        for position in 0..<Winograd.positions {
            BLAS.sgemm(transposeA: true, m: c, n: f, k: tiles, a: v + position * vStride, lda: c,
                       b: dm + position * mStride, ldb: f, beta: first ? 0 : 1, c: du + position * winograd.weightStride, ldc: f)
        }
        guard let dx else { return }
        for position in 0..<Winograd.positions {
            BLAS.sgemm(transposeB: true, m: tiles, n: c, k: f, a: dm + position * mStride, lda: f,
                       b: u + position * winograd.weightStride, ldb: f, c: v + position * vStride, ldc: c)
        }
        winograd.addInputGradient(v, images: images, to: dx)
    }

    public func releaseCaches() {
        (input, output, cachedColumns) = (.empty, .empty, nil)
    }

    // MARK: Packing between PyTorch's [F, C, kh, kw] and the GEMM's [F, kh, kw, C]

    private func packWeight() {
        let (c, kh, kw) = (inChannels, kernelHeight, kernelWidth)
        let target = packed.reserve(weight.value.count)
        weight.value.data.withUnsafeBufferPointer { source in
            for f in 0..<filters {
                for channel in 0..<c {
                    for ky in 0..<kh {
                        for kx in 0..<kw {
                            target[((f * kh + ky) * kw + kx) * c + channel] = source[((f * c + channel) * kh + ky) * kw + kx]
                        }
                    }
                }
            }
        }
    }

    /// Adds `total [F, kh, kw, C]` (the GEMM's order) to `target`, PyTorch's `[F, C, kh, kw]`.
    private func addPackedWeightGradient(_ total: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>) {
        let (c, kh, kw) = (inChannels, kernelHeight, kernelWidth)
        for f in 0..<filters {
            for channel in 0..<c {
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        target[((f * c + channel) * kh + ky) * kw + kx] += total[((f * kh + ky) * kw + kx) * c + channel]
                    }
                }
            }
        }
    }

    // MARK: im2col and col2im over NHWC

    /// Writes the receptive fields of `images` as rows `[ky][kx][channel]` of `cols`, zeros
    /// where the window hangs over the padding (on the calling thread).
    func im2col(_ x: UnsafePointer<Float>, images: Range<Int>, into cols: UnsafeMutablePointer<Float>) {
        if kernelWidth * inChannels < 16 { return im2colNarrow(x, images: images, into: cols) }
        let (height, width, c) = (inputShape[0], inputShape[1], inChannels)
        let (kh, kw, s) = (kernelHeight, kernelWidth, stride)
        let (outHeight, outWidth) = (rows.output, columns.output)
        let (padTop, padLeft) = (rows.padBefore, columns.padBefore)
        let patch = patchSize
        for local in 0..<images.count {
            let image = x + (images.lowerBound + local) * height * width * c
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    var target = cols + ((local * outHeight + oy) * outWidth + ox) * patch
                    let x0 = ox * s - padLeft
                    // The kernel columns that land inside the image: one contiguous run.
                    let kxStart = max(0, -x0), kxEnd = min(kw, width - x0)
                    for ky in 0..<kh {
                        let iy = oy * s - padTop + ky
                        if iy < 0 || iy >= height || kxStart >= kxEnd {
                            target.update(repeating: 0, count: kw * c)
                        } else {
                            if kxStart > 0 { target.update(repeating: 0, count: kxStart * c) }
                            target.advanced(by: kxStart * c)
                                .update(from: image + (iy * width + x0 + kxStart) * c, count: (kxEnd - kxStart) * c)
                            if kxEnd < kw { target.advanced(by: kxEnd * c).update(repeating: 0, count: (kw - kxEnd) * c) }
                        }
                        target += kw * c
                    }
                }
            }
        }
    }

    /// `im2col` for windows whose rows are a few values (a first layer's 3x3 over one or three
    /// channels), where a copy call per window row would cost more than it moves: one column
    /// `(ky, kx, channel)` at a time, along each output row, zeros where it hangs over the padding.
    private func im2colNarrow(_ x: UnsafePointer<Float>, images: Range<Int>, into cols: UnsafeMutablePointer<Float>) {
        let (height, width, c) = (inputShape[0], inputShape[1], inChannels)
        let (kh, kw, s) = (kernelHeight, kernelWidth, stride)
        let (outHeight, outWidth) = (rows.output, columns.output)
        let (padTop, padLeft) = (rows.padBefore, columns.padBefore)
        let patch = patchSize
        for (local, n) in images.enumerated() {
            let image = x + n * height * width * c
            let block = cols + local * outHeight * outWidth * patch
            for kx in 0..<kw {
                // The output columns whose input column ox * s - padLeft + kx is inside the image.
                let firstInside = min(outWidth, max(0, (padLeft - kx + s - 1) / s))
                let lastColumn = width - 1 + padLeft - kx   // ox * s <= lastColumn
                let endInside = lastColumn < 0 ? firstInside : max(firstInside, min(outWidth, lastColumn / s + 1))
                for ky in 0..<kh {
                    for channel in 0..<c {
                        let column = (ky * kw + kx) * c + channel
                        for oy in 0..<outHeight {
                            let row = block + oy * outWidth * patch + column
                            let iy = oy * s - padTop + ky
                            guard iy >= 0 && iy < height else {
                                for ox in 0..<outWidth { row[ox * patch] = 0 }
                                continue
                            }
                            let source = image + iy * width * c + channel
                            for ox in 0..<firstInside { row[ox * patch] = 0 }
                            for ox in firstInside..<endInside { row[ox * patch] = source[(ox * s - padLeft + kx) * c] }
                            for ox in endInside..<outWidth { row[ox * patch] = 0 }
                        }
                    }
                }
            }
        }
    }

    /// Adds each row of `cols` back onto the input pixels it was read from (im2col's adjoint,
    /// on the calling thread).
    func col2im(_ cols: UnsafePointer<Float>, images: Range<Int>, into dx: UnsafeMutablePointer<Float>) {
        let (height, width, c) = (inputShape[0], inputShape[1], inChannels)
        let (kh, kw, s) = (kernelHeight, kernelWidth, stride)
        let (outHeight, outWidth) = (rows.output, columns.output)
        let (padTop, padLeft) = (rows.padBefore, columns.padBefore)
        let patch = patchSize
        for local in 0..<images.count {
            let image = dx + (images.lowerBound + local) * height * width * c
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    let source = cols + ((local * outHeight + oy) * outWidth + ox) * patch
                    let x0 = ox * s - padLeft
                    let kxStart = max(0, -x0), kxEnd = min(kw, width - x0)
                    guard kxStart < kxEnd else { continue }
                    for ky in 0..<kh {
                        let iy = oy * s - padTop + ky
                        guard iy >= 0 && iy < height else { continue }
                        Elementwise.add(source + (ky * kw + kxStart) * c, to: image + (iy * width + x0 + kxStart) * c,
                                        count: (kxEnd - kxStart) * c)
                    }
                }
            }
        }
    }

    // MARK: The reference kernels: plain loops over PyTorch's layout, the specification

    /// `y[n, oy, ox, f] = activation(b[f] + sum_{c, ky, kx} x[n, oy*s - padTop + ky,
    /// ox*s - padLeft + kx, c] * W[f, c, ky, kx])`, with zeros outside the image, summed in Double.
    public func forwardNaive(_ input: Tensor) -> Tensor {
        checkInput(input)
        let batch = input.batch
        let (height, width, c) = (inputShape[0], inputShape[1], inChannels)
        let (outHeight, outWidth) = (rows.output, columns.output)
        var y = [Float](repeating: 0, count: batch * outHeight * outWidth * filters)
        for n in 0..<batch {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    for f in 0..<filters {
                        var sum = Double(bias.value.data[f])
                        for channel in 0..<c {
                            for ky in 0..<kernelHeight {
                                for kx in 0..<kernelWidth {
                                    let iy = oy * stride - rows.padBefore + ky
                                    let ix = ox * stride - columns.padBefore + kx
                                    guard iy >= 0 && iy < height && ix >= 0 && ix < width else { continue }
                                    sum += Double(input.data[((n * height + iy) * width + ix) * c + channel])
                                        * Double(weight.value.data[((f * c + channel) * kernelHeight + ky) * kernelWidth + kx])
                                }
                            }
                        }
                        y[((n * outHeight + oy) * outWidth + ox) * filters + f] = activation == .relu ? Float(max(sum, 0)) : Float(sum)
                    }
                }
            }
        }
        return Tensor(shape: [batch] + outputShape, data: y)
    }

    /// The gradients for `input` and `gradOutput` by plain loops (nothing accumulated).
    public func backwardNaive(_ gradOutput: Tensor, input: Tensor) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let batch = input.batch
        let (height, width, c) = (inputShape[0], inputShape[1], inChannels)
        let (outHeight, outWidth) = (rows.output, columns.output)
        let y = forwardNaive(input)
        var dx = [Double](repeating: 0, count: input.count)
        var dw = [Double](repeating: 0, count: weight.value.count)
        var db = [Double](repeating: 0, count: filters)
        for n in 0..<batch {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    for f in 0..<filters {
                        let index = ((n * outHeight + oy) * outWidth + ox) * filters + f
                        if activation == .relu && y.data[index] <= 0 { continue }
                        let g = Double(gradOutput.data[index])
                        db[f] += g
                        for channel in 0..<c {
                            for ky in 0..<kernelHeight {
                                for kx in 0..<kernelWidth {
                                    let iy = oy * stride - rows.padBefore + ky
                                    let ix = ox * stride - columns.padBefore + kx
                                    guard iy >= 0 && iy < height && ix >= 0 && ix < width else { continue }
                                    let xi = ((n * height + iy) * width + ix) * c + channel
                                    let wi = ((f * c + channel) * kernelHeight + ky) * kernelWidth + kx
                                    dx[xi] += g * Double(weight.value.data[wi])
                                    dw[wi] += g * Double(input.data[xi])
                                }
                            }
                        }
                    }
                }
            }
        }
        return (Tensor(shape: input.shape, data: dx.map(Float.init)),
                Tensor(shape: weight.value.shape, data: dw.map(Float.init)),
                Tensor(shape: [filters], data: db.map(Float.init)))
    }
}
