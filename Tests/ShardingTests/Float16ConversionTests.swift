import Testing
@testable import Sharding

/// The bit-pattern conversions against Swift's own `Float16` (present on Linux and arm64), on
/// every half and on the rounding boundaries between them.
@Suite("Float16Conversion")
struct Float16ConversionTests {
    @Test("every half widens exactly and narrows back to itself")
    func everyHalfRoundTrips() {
        for bits in UInt16.min...UInt16.max {
            let value = Float16Conversion.float(fromBits: bits)
            #if !(os(macOS) && arch(x86_64))
            let expected = Float(Float16(bitPattern: bits))
            #expect(value.bitPattern == expected.bitPattern || (value.isNaN && expected.isNaN), "bits \(bits)")
            #endif
            if value.isNaN {
                #expect(Float16Conversion.bits(from: value) & 0x7E00 == 0x7E00)
            } else {
                #expect(Float16Conversion.bits(from: value) == bits, "bits \(bits)")
            }
        }
    }

    #if !(os(macOS) && arch(x86_64))
    @Test("midpoints between halves, and one float either side, round as Float16(_:) does")
    func roundingMatchesFloat16() {
        var checked = 0
        for bits in UInt16(0)..<UInt16(0x7C00) {   // every finite non-negative half and the next one up
            let low = Float16Conversion.float(fromBits: bits)
            let high = Float16Conversion.float(fromBits: bits + 1)
            let middle = (low + high) / 2       // exact: a half has 11 significant bits, a float 24
            for value in [middle, middle.nextDown, middle.nextUp, -middle, -middle.nextUp] {
                let expected = Float16(value).bitPattern
                #expect(Float16Conversion.bits(from: value) == expected, "value \(value)")
                checked += 1
            }
        }
        #expect(checked == 0x7C00 * 5)
    }

    @Test("pseudo-random floats of every magnitude round as Float16(_:) does")
    func randomFloatsMatchFloat16() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<200_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: state >> 32))
            let expected = Float16(value)
            let bits = Float16Conversion.bits(from: value)
            if value.isNaN {
                #expect(Float16Conversion.float(fromBits: bits).isNaN)
            } else {
                #expect(bits == expected.bitPattern, "value \(value)")
            }
        }
    }
    #endif

    @Test("named cases", arguments: [
        (Float(0), UInt16(0x0000)), (-0.0, 0x8000), (1, 0x3C00), (-2, 0xC000), (65504, 0x7BFF),
        (65519.99, 0x7BFF), (65520, 0x7C00), (.infinity, 0x7C00), (-.infinity, 0xFC00),
        (0x1p-24, 0x0001), (0x1p-25, 0x0000), (0x1.000002p-25, 0x0001), (0x1.8p-24, 0x0002),
        (0x1p-14, 0x0400), (1.0 / 255.0, 0x1C04), (0.5, 0x3800), (1 + 0x1p-11, 0x3C00), (1 + 0x1.8p-11, 0x3C01), (1 + 0x1.8p-10, 0x3C02),
    ] as [(Float, UInt16)])
    func namedCases(value: Float, bits: UInt16) {
        #expect(Float16Conversion.bits(from: value) == bits)
    }
}
