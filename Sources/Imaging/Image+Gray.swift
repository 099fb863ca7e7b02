/// Grayscale as Pillow's `L` mode computes it (`Image.convert("L")`, `ImageOps.grayscale`):
/// the ITU-R 601-2 luma of the gamma-encoded samples, L = R * 299/1000 + G * 587/1000 +
/// B * 114/1000, in Pillow's 16-bit fixed point with rounding (the `L24` macro of Pillow's
/// `Convert.c`):
///
///     L = (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16
///
/// The weights sum to 65536, so a gray pixel keeps its value. Equal to Pillow for every input.
///
/// JPEGs asked for gray are not converted here: TurboJPEG decodes their luma channel Y
/// directly (`TJPF_GRAY`), which the encoder computed with the same 601 weights, so it is within
/// 1 of `convert("L")` on the decoded RGB pixels (the tests measure it).
extension Image {
    /// This image in gray: itself when it is already gray, else the luma of each pixel.
    public func grayscale() -> Image {
        guard channels == 3 else { return self }
        var output = Image(width: width, height: height, channels: 1)
        pixels.withUnsafeBufferPointer { source in
            output.pixels.withUnsafeMutableBufferPointer { destination in
                guard let source = source.baseAddress, let destination = destination.baseAddress else { return }
                ColorConversion.rgbToGray(source, into: destination, pixels: width * height)
            }
        }
        return output
    }
}

extension ColorConversion {
    /// Pillow's `L24`: the luma of one RGB pixel.
    @inline(__always)
    static func luma(_ red: UInt8, _ green: UInt8, _ blue: UInt8) -> UInt8 {
        let sum = UInt32(red) &* 19595 &+ UInt32(green) &* 38470 &+ UInt32(blue) &* 7471 &+ 0x8000
        return UInt8(truncatingIfNeeded: sum >> 16)
    }

    /// RGB pixels to gray. `destination` may be `source` itself (each pixel is read before
    /// it is overwritten).
    static func rgbToGray(_ source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>, pixels: Int) {
        for index in 0..<pixels {
            let pixel = source + index * 3
            destination[index] = luma(pixel[0], pixel[1], pixel[2])
        }
    }
}
