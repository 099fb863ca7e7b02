/// Conversions between the pixel layouts decoders give and the gray or RGB that the
/// preprocessing produces, each equal to Pillow's for every input (checked exhaustively
/// against Pillow when the rules were written; the tests pin sample values).
///
/// Every function works on raw buffers and may run in place (destination == source), since
/// each writes a pixel no later in memory than the one it reads.
enum ColorConversion {
    /// Pillow's `MULDIV255`: a * b / 255, rounded, without a division.
    @inline(__always)
    static func mulDiv255(_ a: Int32, _ b: Int32) -> Int32 {
        let product = a &* b &+ 128
        return ((product >> 8) &+ product) >> 8
    }

    /// CMYK as libjpeg decodes it from a CMYK or YCCK JPEG, to RGB.
    ///
    /// Photoshop, and nearly every writer since, stores CMYK JPEGs inverted (0 means full
    /// ink, "Adobe polarity"); Pillow always assumes so (raw mode `CMYK;I`). With the stored
    /// samples c' = 255 - C and k' = 255 - K, Pillow's `cmyk2rgb` is
    ///
    ///     R = clip(k' - MULDIV255(255 - c', k'))     and likewise for G (m') and B (y')
    ///
    /// a naive conversion with no colour management, like Pillow's `convert("RGB")`.
    static func cmykToRGB(_ source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>, pixels: Int) {
        for index in 0..<pixels {
            let pixel = source + index * 4, output = destination + index * 3
            let notBlack = Int32(pixel[3])
            for channel in 0..<3 {
                let value = notBlack - mulDiv255(255 - Int32(pixel[channel]), notBlack)
                output[channel] = UInt8(clamping: value)
            }
        }
    }

    /// Pillow's `Image.alpha_composite` of one sample with alpha `alpha` over an opaque
    /// background sample: (s * a + b * (255 - a)) / 255 in Pillow's fixed point (7 extra bits,
    /// `SHIFTFORDIV255` rounding), and exactly `background` when the pixel is transparent.
    @inline(__always)
    static func composite(_ sample: UInt8, alpha: UInt8, over background: UInt8) -> UInt8 {
        guard alpha != 0 else { return background }
        let a = UInt32(alpha)
        let blended = (UInt32(sample) &* a &+ UInt32(background) &* (255 &- a)) &* 128 &+ (0x80 << 7)
        return UInt8(truncatingIfNeeded: (((blended >> 8) &+ blended) >> 8) >> 7)
    }

    /// RGBA pixels composited over an opaque gray-level `background`, to RGB.
    static func compositeRGBA(_ source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>,
                              pixels: Int, background: UInt8) {
        for index in 0..<pixels {
            let pixel = source + index * 4, output = destination + index * 3
            let alpha = pixel[3]
            output[0] = composite(pixel[0], alpha: alpha, over: background)
            output[1] = composite(pixel[1], alpha: alpha, over: background)
            output[2] = composite(pixel[2], alpha: alpha, over: background)
        }
    }

    /// Gray+alpha pixels composited over an opaque gray-level `background`, to gray.
    static func compositeGrayAlpha(_ source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>,
                                   pixels: Int, background: UInt8) {
        for index in 0..<pixels {
            destination[index] = composite(source[index * 2], alpha: source[index * 2 + 1], over: background)
        }
    }

    /// Gray pixels to RGB, each sample repeated. Not in place: `destination` is 3 times larger.
    static func grayToRGB(_ source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>, pixels: Int) {
        for index in 0..<pixels {
            let value = source[index], output = destination + index * 3
            output[0] = value
            output[1] = value
            output[2] = value
        }
    }
}
