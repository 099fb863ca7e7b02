/// Winograd's minimal filtering F(4x4, 3x3) (Lavin and Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016) for `Conv2D`'s 3x3, stride-1 kernels.
///
/// The output is cut into 4x4 tiles, each read from a 6x6 input tile (neighbouring tiles
/// overlap by two pixels). Per tile and channel, `V = Bᵀ d B` turns the 6x6 input tile `d` into
/// 36 values, one per position ξ; per filter and channel, `U = G g Gᵀ` turns the 3x3 kernel `g`
/// into 36. The convolution is then 36 independent GEMMs, `M_ξ [tiles, filters] = V_ξ [tiles,
/// channels] U_ξ [channels, filters]`, and each output tile is `Aᵀ m A`: 36 multiply-adds per
/// channel and filter for 16 outputs instead of 144. With
///
///     Bᵀ = [4  0 -5  0  1  0]    G = [ 1/4    0     0 ]    Aᵀ = [1  1  1  1  1  0]
///          [0 -4 -4  1  1  0]        [-1/6 -1/6  -1/6 ]         [0  1 -1  2 -2  0]
///          [0  4 -4 -1  1  0]        [-1/6  1/6  -1/6 ]         [0  1  1  4  4  0]
///          [0 -2 -1  2  1  0]        [1/24 1/12   1/6 ]         [0  1 -1  8 -8  1]
///          [0  2 -1 -2  1  0]        [1/24 -1/12  1/6 ]
///          [0  4  0 -5  0  1]        [ 0     0     1  ]
///
/// the backward pass is the same algebra transposed: `dM = A dZ Aᵀ` per output tile, then
/// `dU_ξ = V_ξᵀ dM_ξ` (so `dW = Gᵀ dU G`) and `dV_ξ = dM_ξ U_ξᵀ` (so `dX += B dV Bᵀ`, added
/// over the overlapping input tiles). All three GEMMs shrink by 144/36 = 4 (less the tiles'
/// overhang past an edge that is not a multiple of four); the transforms are additions and
/// small multiples, vectorised over channels. In Float32 the results differ from a direct
/// convolution's by rounding of the order of 1e-6 of a result's largest values (the transforms
/// mix a tile's values with factors up to 8), so a value that nearly cancels may differ by more
/// relative to itself; the kernel agreement tests hold every value to 1e-5 of the largest.
///
/// Buffers hold the 36 positions one after another, each a row-major matrix with one row per
/// tile (tiles ordered by image, tile row, tile column): position ξ of a region of `tiles`
/// tiles and `width` values per tile starts at `ξ * positionStride(tiles:width:)`.
struct Winograd {
    let height: Int, width: Int, channels: Int, filters: Int
    let outHeight: Int, outWidth: Int
    let padTop: Int, padLeft: Int
    let tileRows: Int, tileColumns: Int

    /// Positions per tile: the 6x6 transformed tile.
    static let positions = 36

    /// The fewest input channels for which `Conv2D` chooses Winograd: below that its GEMMs
    /// (`k` = channels) are too thin to gain from having fewer multiply-adds.
    static let minimumChannels = 8

    init(height: Int, width: Int, channels: Int, filters: Int, rows: WindowGeometry, columns: WindowGeometry) {
        precondition(rows.kernel == 3 && columns.kernel == 3 && rows.stride == 1 && columns.stride == 1,
                     "Winograd F(4x4, 3x3) needs a 3x3 kernel with stride 1")
        (self.height, self.width, self.channels, self.filters) = (height, width, channels, filters)
        (outHeight, outWidth) = (rows.output, columns.output)
        (padTop, padLeft) = (rows.padBefore, columns.padBefore)
        (tileRows, tileColumns) = ((outHeight + 3) / 4, (outWidth + 3) / 4)
    }

    var tilesPerImage: Int { tileRows * tileColumns }

    /// The distance between positions in a buffer: `tiles * width` rounded up to 4 KiB plus one
    /// cache line. The transforms read or write all 36 positions of a tile at once; at a
    /// multiple of 4 KiB apart those streams would share one set of the L1 cache and evict
    /// each other on every access, which made the transforms cost as much as the GEMMs.
    static func positionStride(tiles: Int, width: Int) -> Int {
        (tiles * width + 1023) / 1024 * 1024 + 16
    }

    /// Values in a buffer of all 36 positions for `tiles` tiles of `width` values.
    static func bufferSize(tiles: Int, width: Int) -> Int {
        positions * positionStride(tiles: tiles, width: width)
    }

    /// The distance between the positions of `U` (and of a weight gradient `dU`).
    var weightStride: Int { Self.positionStride(tiles: channels, width: filters) }

    typealias Lanes = Elementwise.Lanes
    typealias Six<T> = (T, T, T, T, T, T)

    /// `count` (at most 8) values from `pointer`, zeros in the other lanes.
    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>, _ count: Int) -> Lanes {
        if count == 8 { return Elementwise.load(pointer) }
        var lanes = Lanes(repeating: 0)
        for lane in 0..<count { lanes[lane] = pointer[lane] }
        return lanes
    }

    /// Stores the first `count` (at most 8) lanes of `value` at `pointer`.
    @inline(__always)
    private static func store(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
        if count == 8 { return Elementwise.store(value, pointer) }
        for lane in 0..<count { pointer[lane] = value[lane] }
    }

    // MARK: The one-dimensional transforms (the rows of the matrices above)

    /// `Bᵀ d`.
    @inline(__always)
    private static func bt(_ d: Six<Lanes>) -> Six<Lanes> {
        let four = Lanes(repeating: 4), five = Lanes(repeating: 5), two = Lanes(repeating: 2)
        let (d0, d1, d2, d3, d4, d5) = d
        return (four * d0 - five * d2 + d4,
                d3 + d4 - four * (d1 + d2),
                four * (d1 - d2) + d4 - d3,
                two * (d3 - d1) + d4 - d2,
                two * (d1 - d3) + d4 - d2,
                four * d1 - five * d3 + d5)
    }

    /// `B v` (the adjoint of `bt`).
    @inline(__always)
    private static func b(_ v: Six<Lanes>) -> Six<Lanes> {
        let four = Lanes(repeating: 4), five = Lanes(repeating: 5), two = Lanes(repeating: 2)
        let (v0, v1, v2, v3, v4, v5) = v
        return (four * v0,
                four * (v2 - v1 + v5) + two * (v4 - v3),
                Lanes(repeating: 0) - five * v0 - four * (v1 + v2) - v3 - v4,
                v1 - v2 + two * (v3 - v4) - five * v5,
                v0 + v1 + v2 + v3 + v4,
                v5)
    }

    /// `Aᵀ m`: six values become four.
    @inline(__always)
    private static func at(_ m: Six<Lanes>) -> (Lanes, Lanes, Lanes, Lanes) {
        let two = Lanes(repeating: 2), four = Lanes(repeating: 4), eight = Lanes(repeating: 8)
        let (m0, m1, m2, m3, m4, m5) = m
        let (sum12, difference12, sum34, difference34) = (m1 + m2, m1 - m2, m3 + m4, m3 - m4)
        return (m0 + sum12 + sum34, difference12 + two * difference34, sum12 + four * sum34,
                difference12 + eight * difference34 + m5)
    }

    /// `A z` (the adjoint of `at`): four values become six.
    @inline(__always)
    private static func a(_ z0: Lanes, _ z1: Lanes, _ z2: Lanes, _ z3: Lanes) -> Six<Lanes> {
        let two = Lanes(repeating: 2), four = Lanes(repeating: 4), eight = Lanes(repeating: 8)
        let (even1, odd1) = (z0 + z2, z1 + z3)
        let (even2, odd2) = (z0 + four * z2, two * z1 + eight * z3)
        return (z0, even1 + odd1, even1 - odd1, even2 + odd2, even2 - odd2, z3)
    }

    /// `G g`: three values become six (multiplied by the reciprocals, which need no division).
    @inline(__always)
    private static func g(_ g0: Float, _ g1: Float, _ g2: Float) -> Six<Float> {
        let (sixth, twelfth, twentyFourth): (Float, Float, Float) = (1.0 / 6, 1.0 / 12, 1.0 / 24)
        let (outer, middle) = (g0 + g2, g1)
        return (g0 * 0.25, -(outer + middle) * sixth, (middle - outer) * sixth,
                g0 * twentyFourth + g1 * twelfth + g2 * sixth, g0 * twentyFourth - g1 * twelfth + g2 * sixth, g2)
    }

    /// `Gᵀ u` (the adjoint of `g`): six values become three.
    @inline(__always)
    private static func gt(_ u: Six<Float>) -> (Float, Float, Float) {
        let (sixth, twelfth, twentyFourth): (Float, Float, Float) = (1.0 / 6, 1.0 / 12, 1.0 / 24)
        let (u0, u1, u2, u3, u4, u5) = u
        return (u0 * 0.25 - (u1 + u2) * sixth + (u3 + u4) * twentyFourth,
                (u2 - u1) * sixth + (u3 - u4) * twelfth,
                (u3 + u4 - u1 - u2) * sixth + u5)
    }

    // MARK: Weights

    /// `U_ξ [channels, filters]` for all 36 positions, `weightStride` apart, from `weight
    /// [filters, channels, 3, 3]` (PyTorch's layout): `U = G g Gᵀ` per filter and channel, for
    /// the input channels in `part` (all by default).
    func transformWeight(_ weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>, channels part: Range<Int>? = nil) {
        let stride = weightStride
        for c in part ?? 0..<channels {
            for f in 0..<filters {
                let kernel = weight + (f * channels + c) * 9
                let target = u + c * filters + f
                // G g, a column at a time; then each of its six rows times Gᵀ.
                let h0 = Self.g(kernel[0], kernel[3], kernel[6])
                let h1 = Self.g(kernel[1], kernel[4], kernel[7])
                let h2 = Self.g(kernel[2], kernel[5], kernel[8])
                @inline(__always) func put(_ i: Int, _ a: Float, _ b: Float, _ e: Float) {
                    let (u0, u1, u2, u3, u4, u5) = Self.g(a, b, e)
                    let row = target + 6 * i * stride
                    (row[0], row[stride], row[2 * stride]) = (u0, u1, u2)
                    (row[3 * stride], row[4 * stride], row[5 * stride]) = (u3, u4, u5)
                }
                put(0, h0.0, h1.0, h2.0)
                put(1, h0.1, h1.1, h2.1)
                put(2, h0.2, h1.2, h2.2)
                put(3, h0.3, h1.3, h2.3)
                put(4, h0.4, h1.4, h2.4)
                put(5, h0.5, h1.5, h2.5)
            }
        }
    }

    /// Adds `Gᵀ dU G` to `gradient [filters, channels, 3, 3]` for `dU_ξ [channels, filters]`,
    /// `weightStride` apart, for the input channels in `part` (all by default).
    func addWeightGradient(_ du: UnsafePointer<Float>, to gradient: UnsafeMutablePointer<Float>, channels part: Range<Int>? = nil) {
        let stride = weightStride
        for c in part ?? 0..<channels {
            for f in 0..<filters {
                let source = du + c * filters + f
                // Gᵀ dU, a column at a time; then each of its three rows times G.
                @inline(__always) func column(_ j: Int) -> (Float, Float, Float) {
                    Self.gt((source[j * stride], source[(6 + j) * stride], source[(12 + j) * stride],
                             source[(18 + j) * stride], source[(24 + j) * stride], source[(30 + j) * stride]))
                }
                let w0 = column(0), w1 = column(1), w2 = column(2), w3 = column(3), w4 = column(4), w5 = column(5)
                let target = gradient + (f * channels + c) * 9
                @inline(__always) func add(_ i: Int, _ row: Six<Float>) {
                    let (a, b, e) = Self.gt(row)
                    target[3 * i] += a
                    target[3 * i + 1] += b
                    target[3 * i + 2] += e
                }
                add(0, (w0.0, w1.0, w2.0, w3.0, w4.0, w5.0))
                add(1, (w0.1, w1.1, w2.1, w3.1, w4.1, w5.1))
                add(2, (w0.2, w1.2, w2.2, w3.2, w4.2, w5.2))
            }
        }
    }

    // MARK: The tile kernels, eight channels at a time (`count` lanes at the edge)

    /// `V = Bᵀ d B` for one tile: `d[r][k]` at `source + r * row + k * pixel`, position `6i + j`
    /// stored at `target + (6i + j) * stride`; `t` holds 36 lanes of scratch.
    @inline(__always)
    private static func inputTile(_ source: UnsafePointer<Float>, row: Int, pixel: Int,
                                  into target: UnsafeMutablePointer<Float>, stride: Int, count: Int,
                                  scratch t: UnsafeMutablePointer<Lanes>) {
        @inline(__always) func d(_ r: Int, _ k: Int) -> Lanes { load(source + (r &* row &+ k &* pixel), count) }
        // Bᵀ d, a column at a time, into t; then each row of t times B.
        for k in 0..<6 {
            let column = bt((d(0, k), d(1, k), d(2, k), d(3, k), d(4, k), d(5, k)))
            (t[k], t[6 + k], t[12 + k], t[18 + k], t[24 + k], t[30 + k]) = column
        }
        for i in 0..<6 {
            let v = bt((t[6 * i], t[6 * i + 1], t[6 * i + 2], t[6 * i + 3], t[6 * i + 4], t[6 * i + 5]))
            let first = target + (6 &* i) &* stride
            store(v.0, first, count)
            store(v.1, first + stride, count)
            store(v.2, first + 2 &* stride, count)
            store(v.3, first + 3 &* stride, count)
            store(v.4, first + 4 &* stride, count)
            store(v.5, first + 5 &* stride, count)
        }
    }

    /// Adds `B dV Bᵀ` for one tile, `dV` position `6i + j` at `source + (6i + j) * stride`, to
    /// `target + r * row + k * pixel`; `t` holds 36 lanes of scratch.
    @inline(__always)
    private static func addInputGradientTile(_ source: UnsafePointer<Float>, stride: Int,
                                             to target: UnsafeMutablePointer<Float>, row: Int, pixel: Int, count: Int,
                                             scratch t: UnsafeMutablePointer<Lanes>) {
        @inline(__always) func v(_ i: Int, _ j: Int) -> Lanes { load(source + (6 &* i &+ j) &* stride, count) }
        // B dV, a column at a time, into t; then each row of t times Bᵀ, added to the pixels.
        for k in 0..<6 {
            let column = b((v(0, k), v(1, k), v(2, k), v(3, k), v(4, k), v(5, k)))
            (t[k], t[6 + k], t[12 + k], t[18 + k], t[24 + k], t[30 + k]) = column
        }
        for r in 0..<6 {
            let values = b((t[6 * r], t[6 * r + 1], t[6 * r + 2], t[6 * r + 3], t[6 * r + 4], t[6 * r + 5]))
            let p = target + r &* row
            @inline(__always) func add(_ k: Int, _ value: Lanes) {
                let pixel = p + k &* pixel
                store(load(pixel, count) + value, pixel, count)
            }
            add(0, values.0)
            add(1, values.1)
            add(2, values.2)
            add(3, values.3)
            add(4, values.4)
            add(5, values.5)
        }
    }

    // MARK: Inputs

    /// Whether tile `(ty, tx)`'s 6x6 input window lies inside the image.
    @inline(__always)
    private func isInterior(_ ty: Int, _ tx: Int) -> Bool {
        let y0 = 4 * ty - padTop, x0 = 4 * tx - padLeft
        return y0 >= 0 && y0 + 6 <= height && x0 >= 0 && x0 + 6 <= width
    }

    /// Copies tile `(ty, tx)`'s 6x6 input window of `image` into `block [6, 6, channels]`, zeros
    /// where it hangs over the padding or past the image.
    private func gatherTile(_ image: UnsafePointer<Float>, _ ty: Int, _ tx: Int, into block: UnsafeMutablePointer<Float>) {
        let y0 = 4 * ty - padTop, x0 = 4 * tx - padLeft
        for r in 0..<6 {
            for k in 0..<6 {
                let (iy, ix) = (y0 + r, x0 + k), target = block + (6 * r + k) * channels
                if iy >= 0 && iy < height && ix >= 0 && ix < width {
                    target.update(from: image + (iy * width + ix) * channels, count: channels)
                } else {
                    target.update(repeating: 0, count: channels)
                }
            }
        }
    }

    /// Adds `block [6, 6, channels]` onto tile `(ty, tx)`'s input window of `image`, dropping
    /// what lands on the padding or past the image (`gatherTile`'s adjoint).
    private func scatterTile(_ block: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>, _ ty: Int, _ tx: Int) {
        let y0 = 4 * ty - padTop, x0 = 4 * tx - padLeft
        for r in 0..<6 {
            for k in 0..<6 {
                let (iy, ix) = (y0 + r, x0 + k)
                guard iy >= 0 && iy < height && ix >= 0 && ix < width else { continue }
                Elementwise.add(block + (6 * r + k) * channels, to: image + (iy * width + ix) * channels, count: channels)
            }
        }
    }

    /// Calls `body(image, ty, tx, tile)` for every tile of `images`, `tile` counting from 0 in
    /// buffer order (image, tile row, tile column). Inside, each transform runs its tile kernel
    /// over the channels eight lanes at a time, then once for the rest, as a plain loop around
    /// a local function: the constant 8 must reach the kernel for it to compile to whole-vector
    /// loads and stores (through a closure it did not, and the transforms were 15% slower).
    @inline(__always)
    private func forEachTile(of images: Range<Int>, _ body: (_ image: Int, _ ty: Int, _ tx: Int, _ tile: Int) -> Void) {
        var tile = 0
        for n in images {
            for ty in 0..<tileRows {
                for tx in 0..<tileColumns {
                    body(n, ty, tx, tile)
                    tile += 1
                }
            }
        }
    }

    /// `V_ξ [tiles, channels]`, `V = Bᵀ d B`, for the tiles of `images` of `x` (NHWC), zeros
    /// read where a tile hangs over the padding or past the image.
    func transformInput(_ x: UnsafePointer<Float>, images: Range<Int>, into v: UnsafeMutablePointer<Float>) {
        let stride = Self.positionStride(tiles: images.count * tilesPerImage, width: channels)
        let block = UnsafeMutablePointer<Float>.allocate(capacity: 36 * channels)
        let scratch = UnsafeMutablePointer<Lanes>.allocate(capacity: 36)
        defer { block.deallocate(); scratch.deallocate() }
        let (row, pixel) = (width * channels, channels)
        forEachTile(of: images) { n, ty, tx, tile in
            let image = x + n * height * width * channels, target = v + tile * channels
            let source: UnsafePointer<Float>, sourceRow: Int
            if isInterior(ty, tx) {
                (source, sourceRow) = (image + ((4 * ty - padTop) * width + 4 * tx - padLeft) * channels, row)
            } else {
                gatherTile(image, ty, tx, into: block)
                (source, sourceRow) = (UnsafePointer(block), 6 * pixel)
            }
            @inline(__always) func lanes(_ c: Int, _ count: Int) {
                Self.inputTile(source + c, row: sourceRow, pixel: pixel, into: target + c, stride: stride, count: count,
                               scratch: scratch)
            }
            var first = 0
            while first + 8 <= channels {
                lanes(first, 8)
                first += 8
            }
            if first < channels { lanes(first, channels - first) }
        }
    }

    /// Adds `B dV Bᵀ` of each tile of `images` to the input gradient `dx` (NHWC), for
    /// `dV_ξ [tiles, channels]`; values that land on the padding are dropped.
    func addInputGradient(_ dv: UnsafePointer<Float>, images: Range<Int>, to dx: UnsafeMutablePointer<Float>) {
        let stride = Self.positionStride(tiles: images.count * tilesPerImage, width: channels)
        let block = UnsafeMutablePointer<Float>.allocate(capacity: 36 * channels)
        let scratch = UnsafeMutablePointer<Lanes>.allocate(capacity: 36)
        defer { block.deallocate(); scratch.deallocate() }
        let (row, pixel) = (width * channels, channels)
        forEachTile(of: images) { n, ty, tx, tile in
            let image = dx + n * height * width * channels, source = dv + tile * channels
            // A tile hanging over an edge goes through `block`, then only its pixels inside are added.
            let interior = isInterior(ty, tx)
            let target = interior ? image + ((4 * ty - padTop) * width + 4 * tx - padLeft) * channels : block
            let targetRow = interior ? row : 6 * pixel
            if !interior { block.update(repeating: 0, count: 36 * channels) }
            @inline(__always) func lanes(_ c: Int, _ count: Int) {
                Self.addInputGradientTile(source + c, stride: stride, to: target + c, row: targetRow, pixel: pixel,
                                          count: count, scratch: scratch)
            }
            var first = 0
            while first + 8 <= channels {
                lanes(first, 8)
                first += 8
            }
            if first < channels { lanes(first, channels - first) }
            if !interior { scatterTile(block, into: image, ty, tx) }
        }
    }

    // MARK: Outputs

    /// Writes `Aᵀ m A` of each tile of `images`, plus `bias` and ReLU when asked, to the output
    /// `y` (NHWC), for `M_ξ [tiles, filters]`; the overhang of tiles past the edge is dropped.
    func transformOutput(_ m: UnsafePointer<Float>, images: Range<Int>, bias: UnsafePointer<Float>, relu: Bool,
                         into y: UnsafeMutablePointer<Float>) {
        let stride = Self.positionStride(tiles: images.count * tilesPerImage, width: filters)
        let t = UnsafeMutablePointer<Lanes>.allocate(capacity: 24)
        defer { t.deallocate() }
        let zero = Lanes(repeating: 0)
        forEachTile(of: images) { n, ty, tx, tile in
            let source = m + tile * filters
            let topLeft = y + ((n * outHeight + 4 * ty) * outWidth + 4 * tx) * filters
            let rowsInside = min(4, outHeight - 4 * ty), columnsInside = min(4, outWidth - 4 * tx)
            @inline(__always) func lanes(_ f: Int, _ count: Int) {
                @inline(__always) func value(_ i: Int, _ j: Int) -> Lanes {
                    Self.load(source + (6 &* i &+ j) &* stride + f, count)
                }
                // Aᵀ M, a column at a time, into t; then each of its four rows times A.
                for k in 0..<6 {
                    let column = Self.at((value(0, k), value(1, k), value(2, k), value(3, k), value(4, k), value(5, k)))
                    (t[k], t[6 + k], t[12 + k], t[18 + k]) = column
                }
                let b = Self.load(bias + f, count)
                for r in 0..<rowsInside {
                    let outputs = Self.at((t[6 * r], t[6 * r + 1], t[6 * r + 2], t[6 * r + 3], t[6 * r + 4], t[6 * r + 5]))
                    let p = topLeft + r * outWidth * filters + f
                    @inline(__always) func put(_ q: Int, _ value: Lanes) {
                        guard q < columnsInside else { return }
                        var value = value + b
                        if relu { value.replace(with: zero, where: value .< zero) }
                        Self.store(value, p + q * filters, count)
                    }
                    put(0, outputs.0)
                    put(1, outputs.1)
                    put(2, outputs.2)
                    put(3, outputs.3)
                }
            }
            var first = 0
            while first + 8 <= filters {
                lanes(first, 8)
                first += 8
            }
            if first < filters { lanes(first, filters - first) }
        }
    }

    /// `dM_ξ [tiles, filters]`, `dM = A dz Aᵀ`, from the gradient `dz` (NHWC) at the layer's
    /// output, zeros for the overhang of tiles past the edge.
    func transformOutputGradient(_ dz: UnsafePointer<Float>, images: Range<Int>, into dm: UnsafeMutablePointer<Float>) {
        let stride = Self.positionStride(tiles: images.count * tilesPerImage, width: filters)
        let t = UnsafeMutablePointer<Lanes>.allocate(capacity: 24)
        defer { t.deallocate() }
        let zero = Lanes(repeating: 0)
        forEachTile(of: images) { n, ty, tx, tile in
            let target = dm + tile * filters
            let topLeft = dz + ((n * outHeight + 4 * ty) * outWidth + 4 * tx) * filters
            let rowsInside = min(4, outHeight - 4 * ty), columnsInside = min(4, outWidth - 4 * tx)
            @inline(__always) func lanes(_ f: Int, _ count: Int) {
                @inline(__always) func z(_ r: Int, _ q: Int) -> Lanes {
                    r < rowsInside && q < columnsInside ? Self.load(topLeft + (r * outWidth + q) * filters + f, count) : zero
                }
                // A dZ, a column at a time, into t (six rows of four); then each row times Aᵀ.
                for q in 0..<4 {
                    let column = Self.a(z(0, q), z(1, q), z(2, q), z(3, q))
                    (t[q], t[4 + q], t[8 + q], t[12 + q], t[16 + q], t[20 + q]) = column
                }
                for i in 0..<6 {
                    let v = Self.a(t[4 * i], t[4 * i + 1], t[4 * i + 2], t[4 * i + 3])
                    let first = target + (6 &* i) &* stride + f
                    Self.store(v.0, first, count)
                    Self.store(v.1, first + stride, count)
                    Self.store(v.2, first + 2 &* stride, count)
                    Self.store(v.3, first + 3 &* stride, count)
                    Self.store(v.4, first + 4 &* stride, count)
                    Self.store(v.5, first + 5 &* stride, count)
                }
            }
            var first = 0
            while first + 8 <= filters {
                lanes(first, 8)
                first += 8
            }
            if first < filters { lanes(first, filters - first) }
        }
    }
}
