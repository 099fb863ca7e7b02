/// IEEE 754 half-precision conversions done on bit patterns, so they behave the same on every
/// platform (Swift's `Float16` is missing on macOS x86_64) and need no compiler support.
///
/// `Float` to half rounds to nearest, ties to even, as `Float16(_:)` and NumPy's `astype` do:
/// magnitudes of 65520 and above become infinity, those at or below 2^-25 become zero, and
/// NaN stays NaN (quiet, with the top payload bits kept).
public enum Float16Conversion {
    /// The half-precision bit pattern nearest to `value`.
    @inlinable
    public static func bits(from value: Float) -> UInt16 {
        let x = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (x >> 16) & 0x8000)
        let magnitude = x & 0x7FFF_FFFF
        if magnitude >= 0x7F80_0000 {                       // infinity or NaN
            guard magnitude > 0x7F80_0000 else { return sign | 0x7C00 }
            return sign | 0x7E00 | UInt16(truncatingIfNeeded: (magnitude >> 13) & 0x03FF)
        }
        if magnitude >= 0x477F_F000 { return sign | 0x7C00 } // >= 65520 rounds to infinity
        if magnitude < 0x3880_0000 {                       // below 2^-14: a half subnormal or zero
            if magnitude <= 0x3300_0000 { return sign }     // <= 2^-25 rounds to zero (the tie to even)
            let exponent = magnitude >> 23
            let mantissa = (magnitude & 0x007F_FFFF) | 0x0080_0000
            let shift = 126 - exponent                       // 14...24
            var half = mantissa >> shift
            let remainder = mantissa & ((1 << shift) - 1)
            let halfway: UInt32 = 1 << (shift - 1)
            if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(truncatingIfNeeded: half)
        }
        var half = (magnitude - 0x3800_0000) >> 13          // rebias the exponent by 127 - 15
        let remainder = magnitude & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 } // may carry into the exponent
        return sign | UInt16(truncatingIfNeeded: half)
    }

    /// The `Float` whose half-precision bit pattern is `bits` (exact: every half is a float).
    @inlinable
    public static func float(fromBits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa * 2^-24, exact in a Float.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }
}
