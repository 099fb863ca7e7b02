/// Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016) for `Conv2D`'s 3x3, stride-1 kernels.
///
/// The output is cut into 2x2 tiles, each read from a 4x4 input tile (tiles overlap by two
/// pixels). Per tile and channel, `V = Bᵀ d B` turns the 4x4 input tile `d` into 16 values, one
/// per position ξ; per filter and channel, `U = G g Gᵀ` turns the 3x3 kernel `g` into 16. The
/// convolution is then 16 independent GEMMs, `M_ξ [tiles, filters] = V_ξ [tiles, channels]
/// U_ξ [channels, filters]`, and each output tile is `Aᵀ m A`: 16 multiply-adds per channel and
/// filter for four outputs instead of 36. With
///
///     Bᵀ = [1  0 -1  0]    G = [ 1    0    0 ]    Aᵀ = [1  1  1  0]
///          [0  1  1  0]        [1/2  1/2  1/2]         [0  1 -1 -1]
///          [0 -1  1  0]        [1/2 -1/2  1/2]
///          [0  1  0 -1]        [ 0    0    1 ]
///
/// the backward pass is the same algebra transposed: `dM = A dZ Aᵀ` per output tile, then
/// `dU_ξ = V_ξᵀ dM_ξ` (so `dW = Gᵀ dU G`) and `dV_ξ = dM_ξ U_ξᵀ` (so `dX += B dV Bᵀ`, added
/// over the overlapping input tiles). All three GEMMs shrink by 36/16 = 2.25 (less the tiles'
/// overhang past an odd output edge); the transforms are additions, vectorised over channels.
///
/// Buffers hold the 16 positions one after another, each a row-major matrix with one row per
/// tile (tiles ordered by image, tile row, tile column): position ξ of a region of `tiles`
/// tiles and `width` values per tile starts at `ξ * positionStride(tiles:width:)`.
struct Winograd {
    let height: Int, width: Int, channels: Int, filters: Int
    let outHeight: Int, outWidth: Int
    let padTop: Int, padLeft: Int
    let tileRows: Int, tileColumns: Int

    /// Positions per tile: the 4x4 transformed tile.
    static let positions = 16

    /// The fewest input channels for which `Conv2D` chooses Winograd: below that its GEMMs
    /// (`k` = channels) are too thin to gain from having fewer multiply-adds.
    static let minimumChannels = 8

    init(height: Int, width: Int, channels: Int, filters: Int, rows: WindowGeometry, columns: WindowGeometry) {
        precondition(rows.kernel == 3 && columns.kernel == 3 && rows.stride == 1 && columns.stride == 1,
                     "Winograd F(2x2, 3x3) needs a 3x3 kernel with stride 1")
        (self.height, self.width, self.channels, self.filters) = (height, width, channels, filters)
        (outHeight, outWidth) = (rows.output, columns.output)
        (padTop, padLeft) = (rows.padBefore, columns.padBefore)
        (tileRows, tileColumns) = ((outHeight + 1) / 2, (outWidth + 1) / 2)
    }

    var tilesPerImage: Int { tileRows * tileColumns }

    /// The distance between positions in a buffer: `tiles * width` rounded up to 4 KiB plus one
    /// cache line. The transforms read or write all 16 positions of a tile at once; at a
    /// multiple of 4 KiB apart those 16 streams would share one set of the 8-way L1 cache and
    /// evict each other on every access, which made the transforms cost as much as the GEMMs.
    static func positionStride(tiles: Int, width: Int) -> Int {
        (tiles * width + 1023) / 1024 * 1024 + 16
    }

    /// Values in a buffer of all 16 positions for `tiles` tiles of `width` values.
    static func bufferSize(tiles: Int, width: Int) -> Int {
        positions * positionStride(tiles: tiles, width: width)
    }

    typealias Lanes = Elementwise.Lanes

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

    // MARK: Weights

    /// The distance between the positions of `U` (and of a weight gradient `dU`).
    var weightStride: Int { Self.positionStride(tiles: channels, width: filters) }

    /// `U_ξ [channels, filters]` for all 16 positions, `weightStride` apart, from `weight
    /// [filters, channels, 3, 3]` (PyTorch's layout): `U = G g Gᵀ` per filter and channel.
    func transformWeight(_ weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        let stride = weightStride
        for c in 0..<channels {
            for f in 0..<filters {
                let g = weight + (f * channels + c) * 9
                let target = u + c * filters + f
                // G g: four rows of three, a column at a time.
                @inline(__always) func column(_ k: Int) -> (Float, Float, Float, Float) {
                    let (g0, g1, g2) = (g[k], g[3 + k], g[6 + k])
                    return (g0, (g0 + g1 + g2) * 0.5, (g0 - g1 + g2) * 0.5, g2)
                }
                let h0 = column(0), h1 = column(1), h2 = column(2)
                // (G g) Gᵀ: each row of three becomes four.
                @inline(__always) func put(_ i: Int, _ a: Float, _ b: Float, _ e: Float) {
                    let row = target + 4 * i * stride
                    row[0] = a
                    row[stride] = (a + b + e) * 0.5
                    row[2 * stride] = (a - b + e) * 0.5
                    row[3 * stride] = e
                }
                put(0, h0.0, h1.0, h2.0)
                put(1, h0.1, h1.1, h2.1)
                put(2, h0.2, h1.2, h2.2)
                put(3, h0.3, h1.3, h2.3)
            }
        }
    }

    /// Adds `Gᵀ dU G` to `gradient [filters, channels, 3, 3]` for `dU_ξ [channels, filters]`,
    /// `weightStride` apart.
    func addWeightGradient(_ du: UnsafePointer<Float>, to gradient: UnsafeMutablePointer<Float>) {
        let stride = weightStride
        for c in 0..<channels {
            for f in 0..<filters {
                let source = du + c * filters + f
                // Gᵀ u: four rows of four become three, a column at a time.
                @inline(__always) func column(_ j: Int) -> (Float, Float, Float) {
                    let u0 = source[j * stride], u1 = source[(4 + j) * stride]
                    let u2 = source[(8 + j) * stride], u3 = source[(12 + j) * stride]
                    return (u0 + (u1 + u2) * 0.5, (u1 - u2) * 0.5, (u1 + u2) * 0.5 + u3)
                }
                let w0 = column(0), w1 = column(1), w2 = column(2), w3 = column(3)
                // (Gᵀ u) G: each row of four becomes three.
                let target = gradient + (f * channels + c) * 9
                @inline(__always) func add(_ i: Int, _ a: Float, _ b: Float, _ e: Float, _ g: Float) {
                    target[3 * i] += a + (b + e) * 0.5
                    target[3 * i + 1] += (b - e) * 0.5
                    target[3 * i + 2] += (b + e) * 0.5 + g
                }
                add(0, w0.0, w1.0, w2.0, w3.0)
                add(1, w0.1, w1.1, w2.1, w3.1)
                add(2, w0.2, w1.2, w2.2, w3.2)
            }
        }
    }

    // MARK: The tile kernels, eight channels at a time (`count` lanes at the edge)

    /// `(a - c, b + c, c - b, b - d)`: `Bᵀ` applied to four values.
    @inline(__always)
    private static func bt(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes) -> (Lanes, Lanes, Lanes, Lanes) {
        (a - c, b + c, c - b, b - d)
    }

    /// `(a, b - c + d, b + c - a, -d)`: `B` applied to four values.
    @inline(__always)
    private static func b(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes) -> (Lanes, Lanes, Lanes, Lanes) {
        (a, b - c + d, b + c - a, Lanes(repeating: 0) - d)
    }

    /// `(a + b + c, b - c - d)`: `Aᵀ` applied to four values.
    @inline(__always)
    private static func at(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes) -> (Lanes, Lanes) {
        (a + b + c, b - c - d)
    }

    /// `(a, a + b, a - b, -b)`: `A` applied to two values.
    @inline(__always)
    private static func a(_ a: Lanes, _ b: Lanes) -> (Lanes, Lanes, Lanes, Lanes) {
        (a, a + b, a - b, Lanes(repeating: 0) - b)
    }

    /// `V = Bᵀ d B` for one tile: `d[r][k]` at `source + r * row + k * pixel`, position `4i + j`
    /// stored at `target + (4i + j) * stride`.
    @inline(__always)
    private static func inputTile(_ source: UnsafePointer<Float>, row: Int, pixel: Int,
                                  into target: UnsafeMutablePointer<Float>, stride: Int, count: Int) {
        @inline(__always) func d(_ r: Int, _ k: Int) -> Lanes { load(source + (r &* row &+ k &* pixel), count) }
        @inline(__always) func put(_ i: Int, _ v: (Lanes, Lanes, Lanes, Lanes)) {
            store(v.0, target + (4 &* i) &* stride, count)
            store(v.1, target + (4 &* i &+ 1) &* stride, count)
            store(v.2, target + (4 &* i &+ 2) &* stride, count)
            store(v.3, target + (4 &* i &+ 3) &* stride, count)
        }
        // Bᵀ d, a column at a time; then each row of it times B.
        let c0 = bt(d(0, 0), d(1, 0), d(2, 0), d(3, 0)), c1 = bt(d(0, 1), d(1, 1), d(2, 1), d(3, 1))
        let c2 = bt(d(0, 2), d(1, 2), d(2, 2), d(3, 2)), c3 = bt(d(0, 3), d(1, 3), d(2, 3), d(3, 3))
        put(0, bt(c0.0, c1.0, c2.0, c3.0))
        put(1, bt(c0.1, c1.1, c2.1, c3.1))
        put(2, bt(c0.2, c1.2, c2.2, c3.2))
        put(3, bt(c0.3, c1.3, c2.3, c3.3))
    }

    /// Adds `B dV Bᵀ` for one tile, `dV` position `4i + j` at `source + (4i + j) * stride`, to
    /// `target + r * row + k * pixel`.
    @inline(__always)
    private static func addInputGradientTile(_ source: UnsafePointer<Float>, stride: Int,
                                             to target: UnsafeMutablePointer<Float>, row: Int, pixel: Int, count: Int) {
        @inline(__always) func v(_ i: Int, _ j: Int) -> Lanes { load(source + (4 &* i &+ j) &* stride, count) }
        @inline(__always) func add(_ r: Int, _ values: (Lanes, Lanes, Lanes, Lanes)) {
            let p = target + r &* row
            store(load(p, count) + values.0, p, count)
            store(load(p + pixel, count) + values.1, p + pixel, count)
            store(load(p + 2 &* pixel, count) + values.2, p + 2 &* pixel, count)
            store(load(p + 3 &* pixel, count) + values.3, p + 3 &* pixel, count)
        }
        // B dV, a column at a time; then each row of it times Bᵀ.
        let c0 = b(v(0, 0), v(1, 0), v(2, 0), v(3, 0)), c1 = b(v(0, 1), v(1, 1), v(2, 1), v(3, 1))
        let c2 = b(v(0, 2), v(1, 2), v(2, 2), v(3, 2)), c3 = b(v(0, 3), v(1, 3), v(2, 3), v(3, 3))
        add(0, b(c0.0, c1.0, c2.0, c3.0))
        add(1, b(c0.1, c1.1, c2.1, c3.1))
        add(2, b(c0.2, c1.2, c2.2, c3.2))
        add(3, b(c0.3, c1.3, c2.3, c3.3))
    }

    /// `Aᵀ M A` for one tile, position `4i + j` at `source + (4i + j) * stride`: the 2x2 outputs.
    @inline(__always)
    private static func outputTile(_ source: UnsafePointer<Float>, stride: Int, count: Int)
        -> (Lanes, Lanes, Lanes, Lanes) {
        @inline(__always) func m(_ i: Int, _ j: Int) -> Lanes { load(source + (4 &* i &+ j) &* stride, count) }
        // Aᵀ M, a column at a time; then each of its two rows times A.
        let c0 = at(m(0, 0), m(1, 0), m(2, 0), m(3, 0)), c1 = at(m(0, 1), m(1, 1), m(2, 1), m(3, 1))
        let c2 = at(m(0, 2), m(1, 2), m(2, 2), m(3, 2)), c3 = at(m(0, 3), m(1, 3), m(2, 3), m(3, 3))
        let top = at(c0.0, c1.0, c2.0, c3.0), bottom = at(c0.1, c1.1, c2.1, c3.1)
        return (top.0, top.1, bottom.0, bottom.1)
    }

    /// `dM = A dZ Aᵀ` for one tile from its 2x2 gradients `(z00, z01, z10, z11)`, position
    /// `4i + j` stored at `target + (4i + j) * stride`.
    @inline(__always)
    private static func outputGradientTile(_ z: (Lanes, Lanes, Lanes, Lanes),
                                           into target: UnsafeMutablePointer<Float>, stride: Int, count: Int) {
        @inline(__always) func put(_ i: Int, _ v: (Lanes, Lanes, Lanes, Lanes)) {
            store(v.0, target + (4 &* i) &* stride, count)
            store(v.1, target + (4 &* i &+ 1) &* stride, count)
            store(v.2, target + (4 &* i &+ 2) &* stride, count)
            store(v.3, target + (4 &* i &+ 3) &* stride, count)
        }
        // A dZ, a column at a time; then each row of it times Aᵀ.
        let c0 = a(z.0, z.2), c1 = a(z.1, z.3)
        put(0, a(c0.0, c1.0))
        put(1, a(c0.1, c1.1))
        put(2, a(c0.2, c1.2))
        put(3, a(c0.3, c1.3))
    }

    // MARK: Inputs

    /// Whether tile `(ty, tx)`'s 4x4 input window lies inside the image.
    @inline(__always)
    private func isInterior(_ ty: Int, _ tx: Int) -> Bool {
        let y0 = 2 * ty - padTop, x0 = 2 * tx - padLeft
        return y0 >= 0 && y0 + 4 <= height && x0 >= 0 && x0 + 4 <= width
    }

    /// Copies tile `(ty, tx)`'s 4x4 input window of `image` into `block [4, 4, channels]`, zeros
    /// where it hangs over the padding or past the image.
    private func gatherTile(_ image: UnsafePointer<Float>, _ ty: Int, _ tx: Int, into block: UnsafeMutablePointer<Float>) {
        let y0 = 2 * ty - padTop, x0 = 2 * tx - padLeft
        for r in 0..<4 {
            for k in 0..<4 {
                let (iy, ix) = (y0 + r, x0 + k), target = block + (4 * r + k) * channels
                if iy >= 0 && iy < height && ix >= 0 && ix < width {
                    target.update(from: image + (iy * width + ix) * channels, count: channels)
                } else {
                    target.update(repeating: 0, count: channels)
                }
            }
        }
    }

    /// `V_ξ [tiles, channels]`, `V = Bᵀ d B`, for the tiles of `images` of `x` (NHWC), zeros
    /// read where a tile hangs over the padding or past the image.
    func transformInput(_ x: UnsafePointer<Float>, images: Range<Int>, into v: UnsafeMutablePointer<Float>) {
        let stride = Self.positionStride(tiles: images.count * tilesPerImage, width: channels)
        let block = UnsafeMutablePointer<Float>.allocate(capacity: 16 * channels)
        defer { block.deallocate() }
        let (row, pixel) = (width * channels, channels)
        var tile = 0
        for n in images {
            let image = x + n * height * width * channels
            for ty in 0..<tileRows {
                for tx in 0..<tileColumns {
                    let target = v + tile * channels
                    let source: UnsafePointer<Float>, sourceRow: Int
                    if isInterior(ty, tx) {
                        (source, sourceRow) = (image + ((2 * ty - padTop) * width + 2 * tx - padLeft) * channels, row)
                    } else {
                        gatherTile(image, ty, tx, into: block)
                        (source, sourceRow) = (UnsafePointer(block), 4 * pixel)
                    }
                    var c = 0
                    while c + 8 <= channels {
                        Self.inputTile(source + c, row: sourceRow, pixel: pixel, into: target + c, stride: stride, count: 8)
                        c += 8
                    }
                    if c < channels {
                        Self.inputTile(source + c, row: sourceRow, pixel: pixel, into: target + c, stride: stride,
                                       count: channels - c)
                    }
                    tile += 1
                }
            }
        }
    }

    /// Adds `B dV Bᵀ` of each tile of `images` to the input gradient `dx` (NHWC), for
    /// `dV_ξ [tiles, channels]`; values that land on the padding are dropped.
    func addInputGradient(_ dv: UnsafePointer<Float>, images: Range<Int>, to dx: UnsafeMutablePointer<Float>) {
        let stride = Self.positionStride(tiles: images.count * tilesPerImage, width: channels)
        let block = UnsafeMutablePointer<Float>.allocate(capacity: 16 * channels)
        defer { block.deallocate() }
        let (row, pixel) = (width * channels, channels)
        var tile = 0
        for n in images {
            let image = dx + n * height * width * channels
            for ty in 0..<tileRows {
                for tx in 0..<tileColumns {
                    let source = dv + tile * channels
                    let interior = isInterior(ty, tx)
                    let target = interior ? image + ((2 * ty - padTop) * width + 2 * tx - padLeft) * channels : block
                    let targetRow = interior ? row : 4 * pixel
                    if !interior { block.update(repeating: 0, count: 16 * channels) }
                    var c = 0
                    while c + 8 <= channels {
                        Self.addInputGradientTile(source + c, stride: stride, to: target + c, row: targetRow, pixel: pixel,
                                                  count: 8)
                        c += 8
                    }
                    if c < channels {
                        Self.addInputGradientTile(source + c, stride: stride, to: target + c, row: targetRow, pixel: pixel,
                                                  count: channels - c)
                    }
                    if !interior { scatterTile(block, into: image, ty, tx) }
                    tile += 1
                }
            }
        }
    }

    /// Adds `block [4, 4, channels]` onto tile `(ty, tx)`'s input window of `image`, dropping
    /// what lands on the padding or past the image (`gatherTile`'s adjoint).
    private func scatterTile(_ block: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>, _ ty: Int, _ tx: Int) {
        let y0 = 2 * ty - padTop, x0 = 2 * tx - padLeft
        for r in 0..<4 {
            for k in 0..<4 {
                let (iy, ix) = (y0 + r, x0 + k)
                guard iy >= 0 && iy < height && ix >= 0 && ix < width else { continue }
                Elementwise.add(block + (4 * r + k) * channels, to: image + (iy * width + ix) * channels, count: channels)
            }
        }
    }

    // MARK: Outputs

    /// Writes `Aᵀ m A` of each tile of `images`, plus `bias` and ReLU when asked, to the output
    /// `y` (NHWC), for `M_ξ [tiles, filters]`; the overhang of tiles past an odd edge is dropped.
    func transformOutput(_ m: UnsafePointer<Float>, images: Range<Int>, bias: UnsafePointer<Float>, relu: Bool,
                         into y: UnsafeMutablePointer<Float>) {
        let stride = Self.positionStride(tiles: images.count * tilesPerImage, width: filters)
        let zero = Lanes(repeating: 0)
        var tile = 0
        for n in images {
            let image = y + n * outHeight * outWidth * filters
            for ty in 0..<tileRows {
                for tx in 0..<tileColumns {
                    let source = m + tile * filters
                    let topLeft = image + (2 * ty * outWidth + 2 * tx) * filters
                    let bottom = 2 * ty + 1 < outHeight, right = 2 * tx + 1 < outWidth
                    @inline(__always) func write(_ f: Int, _ count: Int) {
                        let outputs = Self.outputTile(source + f, stride: stride, count: count)
                        let b = Self.load(bias + f, count)
                        @inline(__always) func put(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
                            var value = value + b
                            if relu { value.replace(with: zero, where: value .< zero) }
                            Self.store(value, pointer, count)
                        }
                        let p = topLeft + f
                        put(outputs.0, p)
                        if right { put(outputs.1, p + filters) }
                        if bottom { put(outputs.2, p + outWidth * filters) }
                        if bottom && right { put(outputs.3, p + (outWidth + 1) * filters) }
                    }
                    var f = 0
                    while f + 8 <= filters {
                        write(f, 8)
                        f += 8
                    }
                    if f < filters { write(f, filters - f) }
                    tile += 1
                }
            }
        }
    }

    /// `dM_ξ [tiles, filters]`, `dM = A dz Aᵀ`, from the gradient `dz` (NHWC) at the layer's
    /// output, zeros for the overhang of tiles past an odd edge.
    func transformOutputGradient(_ dz: UnsafePointer<Float>, images: Range<Int>, into dm: UnsafeMutablePointer<Float>) {
        let stride = Self.positionStride(tiles: images.count * tilesPerImage, width: filters)
        let zero = Lanes(repeating: 0)
        var tile = 0
        for n in images {
            let image = dz + n * outHeight * outWidth * filters
            for ty in 0..<tileRows {
                for tx in 0..<tileColumns {
                    let target = dm + tile * filters
                    let topLeft = image + (2 * ty * outWidth + 2 * tx) * filters
                    let bottom = 2 * ty + 1 < outHeight, right = 2 * tx + 1 < outWidth
                    @inline(__always) func read(_ f: Int, _ count: Int) {
                        let p = topLeft + f
                        let z = (Self.load(p, count),
                                 right ? Self.load(p + filters, count) : zero,
                                 bottom ? Self.load(p + outWidth * filters, count) : zero,
                                 bottom && right ? Self.load(p + (outWidth + 1) * filters, count) : zero)
                        Self.outputGradientTile(z, into: target + f, stride: stride, count: count)
                    }
                    var f = 0
                    while f + 8 <= filters {
                        read(f, 8)
                        f += 8
                    }
                    if f < filters { read(f, filters - f) }
                    tile += 1
                }
            }
        }
    }
}
