import CPNG

/// PNG decoding and encoding with libpng's simplified API (`png_image_*`), the only Swift file
/// that calls libpng. The simplified API reports errors in `png_image.warning_or_error` and
/// `png_image.message` instead of `longjmp`, which Swift cannot survive.

/// The layout of decoded PNG pixels: always 8 bits per sample, alpha kept when the file has
/// any (an alpha channel or a tRNS chunk), so that the caller composites it as it chooses.
enum PNGLayout {
    case gray, grayAlpha, rgb, rgba

    /// Samples per pixel.
    var channels: Int {
        switch self {
        case .gray: 1
        case .grayAlpha: 2
        case .rgb: 3
        case .rgba: 4
        }
    }

    fileprivate var format: png_uint_32 {
        switch self {
        case .gray: dsprep_png_format_gray
        case .grayAlpha: dsprep_png_format_ga
        case .rgb: dsprep_png_format_rgb
        case .rgba: dsprep_png_format_rgba
        }
    }
}

/// Decodes PNGs of every colour type and bit depth, interlaced or not, to 8-bit samples.
///
/// - Palette images become RGB, or RGBA when tRNS gives some entries transparency; gray images
///   with tRNS become gray+alpha; bit depths 1, 2 and 4 are expanded to 0...255.
/// - 16-bit samples are reduced to 8 bits by libpng (round(v * 255 / 65535)). They are taken
///   as sRGB-encoded, like 8-bit ones (`PNG_IMAGE_FLAG_16BIT_sRGB`; the simplified API would
///   otherwise assume 16-bit data is linear and gamma-encode it). Pillow differs here: it
///   keeps the high byte of 16-bit RGB (within 1 of this) but clips 16-bit gray (mode `I;16`)
///   to 255 in `convert("L")`, which whitens the image; dsprep scales instead.
/// - libpng applies the file's gAMA chunk when it differs from sRGB's (about 1/2.2), so a PNG
///   that declares an unusual gamma looks as its gAMA says; Pillow ignores gAMA. Colour
///   profiles (iCCP) are ignored, as Pillow's `convert` ignores them.
/// - libpng's warnings (about ancillary chunks: a bad iCCP profile, a CRC error in a text
///   chunk) do not stop decoding and are ignored; errors in the image data fail.
enum PNGDecoder {
    /// Decodes the PNG in `bytes` into `buffer`, grown to fit.
    ///
    /// `bytes [PNG file] -> [height, width, layout.channels]`, rows packed.
    /// - Returns: the pixels (a view into `buffer`) and their layout; or `.decodeFailed` with
    ///   libpng's message. The corresponding C functions are `png_image_begin_read_from_memory`
    ///   and `png_image_finish_read`.
    static func decode(_ bytes: UnsafeRawBufferPointer, into buffer: ScratchBuffer)
        -> Result<(pixels: PixelView, layout: PNGLayout), DecodeError> {
        guard let base = bytes.baseAddress else { return .failure(.decodeFailed("empty PNG")) }
        var image = png_image()
        image.version = dsprep_png_image_version
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_memory(&image, base, bytes.count) != 0 else {
            return .failure(failure(image))
        }
        let hasColor = image.format & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0
        let hasAlpha = image.format & png_uint_32(PNG_FORMAT_FLAG_ALPHA) != 0
        let layout: PNGLayout = switch (hasColor, hasAlpha) {
        case (false, false): .gray
        case (false, true): .grayAlpha
        case (true, false): .rgb
        case (true, true): .rgba
        }
        image.format = layout.format
        image.flags |= dsprep_png_image_flag_16bit_srgb
        let width = Int(image.width), height = Int(image.height)
        let pointer = buffer.reserve(dsprep_png_image_size(&image))
        guard png_image_finish_read(&image, nil, pointer, 0, nil) != 0 else {
            return .failure(failure(image))
        }
        return .success((PixelView(pointer: pointer, width: width, height: height, channels: layout.channels), layout))
    }

    /// libpng's message in `image` as a `.decodeFailed` reason.
    private static func failure(_ image: png_image) -> DecodeError {
        .decodeFailed(DecodeError.reason(fromLibraryMessage: message(image)))
    }
}

/// Encodes 8-bit gray or RGB images as PNG (for contact sheets and tests).
public enum PNGEncoder {
    /// The PNG file holding `image`: colour type 0 (gray) or 2 (RGB), 8 bits, not interlaced,
    /// with the sRGB chunk the simplified API writes.
    ///
    /// - Throws: `CodecFailure` with libpng's message if libpng fails. The corresponding C
    ///   function is `png_image_write_to_memory`.
    public static func encode(_ image: Image) throws(CodecFailure) -> [UInt8] {
        var header = png_image()
        header.version = dsprep_png_image_version
        header.width = png_uint_32(image.width)
        header.height = png_uint_32(image.height)
        header.format = image.channels == 1 ? dsprep_png_format_gray : dsprep_png_format_rgb
        // Room for incompressible pixels: filter bytes, deflate's stored-block overhead and the
        // chunks; libpng says how much it needs if this is not enough, and the write is redone.
        let raw = image.height * (image.rowBytes + 1)
        var capacity = raw + raw / 64 + 1024
        for _ in 0..<2 {
            var output = [UInt8](repeating: 0, count: capacity)
            var size = png_alloc_size_t(capacity)
            let written = output.withUnsafeMutableBytes { memory in
                image.pixels.withUnsafeBytes { pixels in
                    png_image_write_to_memory(&header, memory.baseAddress, &size, 0, pixels.baseAddress, 0, nil)
                }
            }
            if written != 0 {
                output.removeSubrange(Int(size)...)
                return output
            }
            guard Int(size) > capacity else { break }  // not a matter of room
            capacity = Int(size)
            png_image_free(&header)
            header.warning_or_error = 0
        }
        defer { png_image_free(&header) }
        throw CodecFailure(function: "png_image_write_to_memory", reason: message(header))
    }
}

/// The '\0'-terminated message that libpng left in `image`.
private func message(_ image: png_image) -> String {
    var text = image.message
    let string = withUnsafeBytes(of: &text) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
    return string.isEmpty ? "unknown libpng error" : string
}
