/// The elementwise loops of the layers, eight lanes at a time (`SIMD8<Float>`, AVX on x86-64,
/// two NEON registers on arm64), with a scalar tail. Plain scalar loops with a condition
/// compile to branches here, which mispredict on ReLU masks and cost more than the GEMMs.
enum Elementwise {
    typealias Lanes = SIMD8<Float>

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    static func store(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }

    /// `out[k] = y[k] > 0 ? g[k] : 0`: ReLU's backward pass given its output `y`.
    static func reluMask(_ g: UnsafePointer<Float>, by y: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        var k = 0
        let zero = Lanes(repeating: 0)
        while k + 8 <= count {
            store(zero.replacing(with: load(g + k), where: load(y + k) .> zero), out + k)
            k += 8
        }
        while k < count {
            out[k] = y[k] > 0 ? g[k] : 0
            k += 1
        }
    }

    /// `reluMask` over `g [rows, columns]` that also adds each masked row to `sum [columns]`,
    /// rows in order (the same sums as `addRows` on the output, in one pass).
    static func reluMask(_ g: UnsafePointer<Float>, by y: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                         rows: Int, columns: Int, addingRowsInto sum: UnsafeMutablePointer<Float>) {
        let zero = Lanes(repeating: 0)
        for row in 0..<rows {
            let offset = row * columns
            var j = 0
            while j + 8 <= columns {
                let masked = zero.replacing(with: load(g + offset + j), where: load(y + offset + j) .> zero)
                store(masked, out + offset + j)
                store(load(sum + j) + masked, sum + j)
                j += 8
            }
            while j < columns {
                let masked = y[offset + j] > 0 ? g[offset + j] : 0
                out[offset + j] = masked
                sum[j] += masked
                j += 1
            }
        }
    }

    /// `out[k] = max(x[k], 0)`; `out` may be `x`.
    static func relu(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        var k = 0
        let zero = Lanes(repeating: 0)
        while k + 8 <= count {
            store(load(x + k).replacing(with: zero, where: load(x + k) .< zero), out + k)
            k += 8
        }
        while k < count {
            out[k] = max(x[k], 0)
            k += 1
        }
    }

    /// `out[k] = a[k] * b[k]`.
    static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        var k = 0
        while k + 8 <= count {
            store(load(a + k) * load(b + k), out + k)
            k += 8
        }
        while k < count {
            out[k] = a[k] * b[k]
            k += 1
        }
    }

    /// Adds `bias [columns]` to each of `rows` rows of `x` (rows `stride` values apart,
    /// `columns` by default), then applies ReLU when asked.
    static func addBias(_ bias: UnsafePointer<Float>, to x: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                        stride: Int? = nil, relu: Bool) {
        let zero = Lanes(repeating: 0)
        for row in 0..<rows {
            let y = x + row * (stride ?? columns)
            var j = 0
            while j + 8 <= columns {
                var value = load(y + j) + load(bias + j)
                if relu { value.replace(with: zero, where: value .< zero) }
                store(value, y + j)
                j += 8
            }
            while j < columns {
                let value = y[j] + bias[j]
                y[j] = relu ? max(value, 0) : value
                j += 1
            }
        }
    }

    /// `sum[j] += x[row, j]` over `rows` rows of `x [rows, columns]`, rows in order.
    static func addRows(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into sum: UnsafeMutablePointer<Float>) {
        for row in 0..<rows {
            let source = x + row * columns
            var j = 0
            while j + 8 <= columns {
                store(load(sum + j) + load(source + j), sum + j)
                j += 8
            }
            while j < columns {
                sum[j] += source[j]
                j += 1
            }
        }
    }

    /// `target[k] += source[k]`.
    static func add(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var k = 0
        while k + 8 <= count {
            store(load(target + k) + load(source + k), target + k)
            k += 8
        }
        while k < count {
            target[k] += source[k]
            k += 1
        }
    }

    /// `target[k] = max(target[k], source[k])`.
    static func maximum(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        var k = 0
        while k + 8 <= count {
            let a = load(target + k), b = load(source + k)
            store(a.replacing(with: b, where: b .> a), target + k)
            k += 8
        }
        while k < count {
            if source[k] > target[k] { target[k] = source[k] }
            k += 1
        }
    }
}
