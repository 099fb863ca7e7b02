import CTurboJPEG

/// Decodes JPEGs with TurboJPEG (libjpeg-turbo's TurboJPEG API, version 2.1 on Debian 12),
/// optionally scaled down in the DCT domain. The only Swift file that calls TurboJPEG.
///
/// - Scaling: libjpeg can compute the image at a fraction num/8 of its size straight from the
///   DCT coefficients (smaller inverse DCTs), much faster than decoding everything and
///   shrinking afterwards. `smallestScale` picks the smallest factor whose output still covers
///   a required size. The output of factor f is `TJSCALED(size, f)` = ceil(size * f).
/// - Pixel formats: gray (`TJPF_GRAY`: the luma channel of a YCbCr JPEG, as is, or libjpeg's
///   RGB -> gray), RGB (`TJPF_RGB`, gray JPEGs repeated) and, for CMYK and YCCK JPEGs, which
///   libjpeg cannot turn into gray or RGB, CMYK as stored (`TJPF_CMYK`; see
///   `ColorConversion.cmykToRGB`).
/// - Flags: `TJFLAG_LIMITSCANS` refuses progressive JPEGs with more than 500 scans (a
///   denial-of-service pattern: each scan makes the decoder revisit every coefficient);
///   `TJFLAG_STOPONWARNING`, when asked, stops at the first warning. libjpeg's defaults
///   otherwise: the accurate integer inverse DCT and smooth ("fancy") chroma upsampling, as
///   Pillow decodes.
/// - Errors: a call returning -1 is a warning (`tjGetErrorCode` = `TJERR_WARNING`: corrupt
///   data; libjpeg went on and filled what it could not decode) or a fatal error, with the
///   message `tjGetErrorStr2` gives.
///
/// A TurboJPEG handle is not thread-safe, so this is a class that owns one and is not
/// `Sendable`: each worker thread creates its own.
final class JPEGDecoder {
    /// The pixel layout asked of the decoder.
    enum PixelFormat {
        case gray, rgb, cmyk

        /// Samples per pixel.
        var channels: Int {
            switch self {
            case .gray: 1
            case .rgb: 3
            case .cmyk: 4
            }
        }

        fileprivate var turboJPEG: Int32 {
            switch self {
            case .gray: Int32(TJPF_GRAY.rawValue)
            case .rgb: Int32(TJPF_RGB.rawValue)
            case .cmyk: Int32(TJPF_CMYK.rawValue)
            }
        }
    }

    /// A DCT scaling factor, `numerator / denominator`.
    struct Scale: Equatable, CustomStringConvertible {
        var numerator: Int
        var denominator: Int

        static let one = Scale(numerator: 1, denominator: 1)

        /// The scaled size of `dimension`: ceil(dimension * numerator / denominator), as
        /// TurboJPEG computes it (`TJSCALED`).
        func scaled(_ dimension: Int) -> Int {
            Int(dsprep_tj_scaled(Int32(dimension), tjscalingfactor(num: Int32(numerator), denom: Int32(denominator))))
        }

        var description: String { "\(numerator)/\(denominator)" }
    }

    /// What the frame header says, as TurboJPEG reads it.
    struct Header: Equatable {
        var width: Int
        var height: Int
        /// Whether the pixels are CMYK or YCCK (4 components), which decode only to CMYK.
        var isCMYK: Bool
    }

    /// The scaling factors no larger than 1 that this TurboJPEG offers, largest first
    /// (1/1, 7/8, 3/4, ..., 1/8 in version 2.1).
    static let downscales: [Scale] = {
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count), count > 0 else { return [.one] }
        let scales = (0..<Int(count)).map { Scale(numerator: Int(factors[$0].num), denominator: Int(factors[$0].denom)) }
        let downscales = scales.filter { $0.numerator <= $0.denominator }
        return downscales.sorted { $0.numerator * $1.denominator > $1.numerator * $0.denominator }
    }()

    /// The smallest scale whose output of a `width` x `height` JPEG is at least
    /// `minimumWidth` x `minimumHeight`, or 1/1 when none is (or the minimum is larger than the
    /// image: TurboJPEG never enlarges here).
    static func smallestScale(width: Int, height: Int, minimumWidth: Int, minimumHeight: Int) -> Scale {
        downscales.last { $0.scaled(width) >= minimumWidth && $0.scaled(height) >= minimumHeight } ?? .one
    }

    private let handle: tjhandle

    /// A decoder with its own TurboJPEG handle.
    ///
    /// - Throws: `DecodeError.decodeFailed` when TurboJPEG cannot create a handle (out of
    ///   memory). The corresponding C function is `tjInitDecompress`.
    init() throws(DecodeError) {
        guard let handle = tjInitDecompress() else {
            throw .decodeFailed("cannot create a TurboJPEG decompressor: " + Self.message(nil))
        }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    /// Reads the frame header: size and colour space.
    ///
    /// - Returns: the header, or the decoder's failure. The corresponding C function is
    ///   `tjDecompressHeader3`.
    func readHeader(_ bytes: UnsafeRawBufferPointer) -> Result<Header, DecodeError> {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return .failure(.decodeFailed("empty JPEG"))
        }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = tjDecompressHeader3(handle, base, UInt(bytes.count), &width, &height, &subsampling, &colorspace)
        // A warning here (e.g. about a marker) leaves the header read; `decode` reads the
        // header again and reports the warning then.
        if status != 0, let failure = failure(), !(failure.isWarning && width > 0 && height > 0) {
            return .failure(failure)
        }
        let cmyk = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        return .success(Header(width: Int(width), height: Int(height), isCMYK: cmyk))
    }

    /// Decodes the JPEG in `bytes` at `scale` into `destination`, which must hold
    /// `scale.scaled(width) * scale.scaled(height) * format.channels` bytes; rows are packed.
    ///
    /// `bytes [JPEG file] -> destination [scaledHeight, scaledWidth, format.channels]`
    /// - Parameters:
    ///   - header: what `readHeader` returned for these bytes.
    ///   - stopOnWarning: stop at the first warning about corrupt data (`TJFLAG_STOPONWARNING`)
    ///     and fail with `.corruptData`; when false, decode to the end and return the warning.
    /// - Returns: nil, or the warning that the decoder gave while completing the image
    ///   (only when `stopOnWarning` is false); or the failure. The corresponding C function
    ///   is `tjDecompress2`.
    func decode(_ bytes: UnsafeRawBufferPointer, header: Header, scale: Scale, format: PixelFormat,
                stopOnWarning: Bool, into destination: UnsafeMutablePointer<UInt8>) -> Result<DecodeError?, DecodeError> {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return .failure(.decodeFailed("empty JPEG"))
        }
        let width = scale.scaled(header.width), height = scale.scaled(header.height)
        var flags = TJFLAG_LIMITSCANS
        if stopOnWarning { flags |= TJFLAG_STOPONWARNING }
        let status = tjDecompress2(handle, base, UInt(bytes.count), destination, Int32(width),
                                   Int32(width * format.channels), Int32(height), format.turboJPEG, flags)
        guard status != 0, let failure = failure() else { return .success(nil) }
        if failure.isWarning && !stopOnWarning { return .success(failure) }
        return .failure(failure)
    }

    /// The failure that the last call on the handle reported: `.corruptData` for a warning,
    /// `.decodeFailed` for an error; nil if TurboJPEG reports nothing.
    private func failure() -> DecodeError? {
        let text = Self.message(handle)
        guard tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) else {
            return .decodeFailed(DecodeError.reason(fromLibraryMessage: text))
        }
        // libjpeg's warnings about the data start "Corrupt JPEG data: "; the outcome says so.
        let prefix = "Corrupt JPEG data: "
        let detail = text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
        return .corruptData(DecodeError.reason(fromLibraryMessage: detail))
    }

    /// TurboJPEG's message for the last failure on `handle` (or of `tjInitDecompress`).
    private static func message(_ handle: tjhandle?) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: text)
    }
}
