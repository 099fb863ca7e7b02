/// Turns the bytes of a JPEG or PNG file into the fixed-size gray or RGB image a network
/// takes: the preprocessing of `dsprep shard`, reused by `predict` so that a model sees new
/// images exactly as it saw its training data.
///
/// The pipeline, for each file:
/// 1. Header check (`ImageInspector.inspect`): format by content, not name; truncated or
///    damaged headers refused. Then the decompression-bomb guard: more than
///    `options.maxPixels` pixels (stored width x height) is refused before any allocation.
/// 2. Decode. JPEG (TurboJPEG): straight at the smallest DCT scale whose output still covers
///    what the resize needs (e.g. 3/8 for a 500x375 photo going to 96x96: 188x141), gray
///    straight from the luma channel when gray is asked (`GrayMethod.luma`), or as RGB then
///    Pillow's `convert("L")` at the decoded size (`GrayMethod.rgb601`, `--exact-gray`),
///    CMYK/YCCK as CMYK then converted like Pillow. PNG (libpng): every colour type and depth
///    to 8-bit gray, gray+alpha, RGB or RGBA; alpha composited over `options.background` (white) as Pillow's
///    `Image.alpha_composite`, then gray as Pillow's `convert("L")`.
/// 3. EXIF orientation (JPEG APP1, PNG eXIf), all 8 values, as `ImageOps.exif_transpose`.
/// 4. Resize to `options.width` x `options.height` as `options.resize` says, with Pillow's
///    bilinear filter reproduced exactly (`Image.resized`). The geometry (crop box, padded
///    rectangle) is computed on the full-size image as displayed, so that it does not depend on
///    the DCT scale; the box is then mapped onto the pixels decoded.
///
/// Compared with Pillow's pipeline (`open` -> `exif_transpose` -> `alpha_composite` on white ->
/// `convert` -> `resize(size, BILINEAR)`, `ImageOps.fit` or `ImageOps.pad`):
/// - PNGs, and JPEGs decoded at full size, give exactly Pillow's samples, except gray from a
///   colour JPEG with `GrayMethod.luma`: its luma channel equals Pillow's `L` wherever the
///   colour decode does not clip (R, G and B inside 1...254) and drifts from it where it does
///   (Pillow computes `L` from the clipped samples), by up to 12 levels on the saturated test
///   blocks, tens on single pixels of photos. `GrayMethod.rgb601` gives Pillow's `L` exactly.
/// - A JPEG decoded at DCT scale 1/2, 1/4 or 1/8 gives exactly what Pillow gives after
///   `draft()` picked the same scale, with `resize` or `ImageOps.pad` (and `ImageOps.fit`
///   when the scale divides the size exactly). Against Pillow's full-size decode, DCT
///   scaling moves samples: by 1 to 3 levels on average, tens of levels at hard edges (the
///   tests state the bounds measured).
///
/// A decoder warning about corrupt JPEG data (libjpeg's "Corrupt JPEG data: ...",
/// "Premature end of JPEG file") stops decoding and gives `.corruptData`: the caller reports
/// the file and, under `--strict`, skips it. With `keepsCorruptImages` set, decoding goes on
/// to the end instead, the image (partly grey fill) is returned, and the warning is left in
/// `lastWarning` for the caller to report.
///
/// Not thread-safe: it owns a TurboJPEG handle, coefficient tables and scratch buffers that it
/// reuses from image to image (so that a stream of images allocates nothing once they have
/// grown). Create one per worker thread.
public final class Preprocessor {
    /// What every image is turned into.
    public let options: PreprocessOptions
    /// Whether an image whose decoder warned about corrupt data is still returned (with the
    /// warning in `lastWarning`) instead of failing with `.corruptData`. Off by default.
    public var keepsCorruptImages = false
    /// The decoder's warning about the last image processed, when `keepsCorruptImages` let it
    /// through; nil after a clean decode.
    public private(set) var lastWarning: DecodeError?
    /// Whether JPEGs are decoded at a reduced DCT scale when the target is smaller (on by
    /// default; the tests turn it off to compare with Pillow's full-size decode).
    var usesDCTScaling = true

    private var jpegDecoder: JPEGDecoder?
    private let resampler = Resampler()
    private let fileBytes = ScratchBuffer()
    /// Ping-pong buffers for the decoded, converted and oriented pixels.
    private let first = ScratchBuffer(), second = ScratchBuffer()

    /// A preprocessor for `options`.
    ///
    /// - Precondition: the size is positive and `maxPixels` is at least 1.
    public init(options: PreprocessOptions) {
        precondition(options.width > 0 && options.height > 0, "output size \(options.width)x\(options.height)")
        precondition(options.maxPixels > 0, "maxPixels \(options.maxPixels)")
        self.options = options
    }

    /// Decodes `bytes` (a JPEG or PNG file), applies EXIF orientation, colour conversion and
    /// resize.
    ///
    /// `bytes [file] -> Image [options.height, options.width, options.channels]`
    /// - Returns: the image, or why the file cannot be used (including `.corruptData`).
    public func process(_ bytes: UnsafeRawBufferPointer) -> Result<Image, DecodeError> {
        var pixels = [UInt8](repeating: 0, count: options.outputByteCount)
        let result = pixels.withUnsafeMutableBytes { process(bytes, into: $0) }
        return result.map { Image(width: options.width, height: options.height, channels: options.channels, pixels: pixels) }
    }

    /// Reads the file at `path` and processes it as `process(_:)` does.
    ///
    /// - Throws: `POSIXError` only when the file cannot be read; problems with its content
    ///   are the `.failure` of the result.
    public func process(fileAt path: String) throws -> Result<Image, DecodeError> {
        let count = try FileReader.contents(of: path, into: fileBytes)
        return process(UnsafeRawBufferPointer(start: fileBytes.pointer, count: count))
    }

    /// Reads the file at `path` and processes it into `output`, as `process(_:into:)` does.
    ///
    /// - Throws: `POSIXError` only when the file cannot be read.
    public func process(fileAt path: String, into output: UnsafeMutableRawBufferPointer) throws -> Result<Void, DecodeError> {
        let count = try FileReader.contents(of: path, into: fileBytes)
        return process(UnsafeRawBufferPointer(start: fileBytes.pointer, count: count), into: output)
    }

    /// Writes the processed pixels directly into `output` (HWC, rows packed), to avoid a copy:
    /// e.g. into the next row of a shard's `images` tensor. On failure `output` may have been
    /// written to.
    ///
    /// - Precondition: `output.count == options.outputByteCount`.
    public func process(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Result<Void, DecodeError> {
        precondition(output.count == options.outputByteCount,
                     "output holds \(output.count) bytes, not \(options.outputByteCount)")
        lastWarning = nil
        let header: ImageHeader
        switch ImageInspector.inspect(bytes) {
        case .failure(let problem): return .failure(.problem(problem))
        case .success(let parsed): header = parsed
        }
        let (pixelCount, overflow) = header.width.multipliedReportingOverflow(by: header.height)
        guard !overflow, pixelCount <= options.maxPixels else {
            return .failure(.tooManyPixels(width: header.width, height: header.height, limit: options.maxPixels))
        }
        let display = header.displaySize
        let layout = options.resize.layout(sourceWidth: display.width, sourceHeight: display.height,
                                           width: options.width, height: options.height)
        let decoded: Result<PixelView, DecodeError>
        switch header.format {
        case .jpeg:
            // What the resize reads must not be smaller than what it writes.
            var needed = (layout.width, layout.height)
            if header.orientation >= 5 { needed = (needed.1, needed.0) }
            decoded = decodeJPEG(bytes, header: header, minimumWidth: needed.0, minimumHeight: needed.1)
        case .png:
            decoded = decodePNG(bytes)
        case .gif, .bmp, .webp, .tiff:
            return .failure(.problem(.unsupportedFormat(header.format)))
        }
        return decoded.map { pixels in
            let shown = orient(pixels, header.orientation)
            resize(shown, layout: layout, fullWidth: display.width, fullHeight: display.height, into: output)
        }
    }

    // MARK: - Decoding

    /// Decodes a JPEG at the smallest DCT scale that covers `minimumWidth` x `minimumHeight`
    /// (stored orientation), in the output's colour.
    private func decodeJPEG(_ bytes: UnsafeRawBufferPointer, header: ImageHeader,
                            minimumWidth: Int, minimumHeight: Int) -> Result<PixelView, DecodeError> {
        guard header.bitDepth == 8 else { return .failure(.unsupported("\(header.bitDepth)-bit JPEG")) }
        let decoder: JPEGDecoder
        if let existing = jpegDecoder {
            decoder = existing
        } else {
            do throws(DecodeError) {
                decoder = try JPEGDecoder()
            } catch {
                return .failure(error)
            }
            jpegDecoder = decoder
        }
        let jpeg: JPEGDecoder.Header
        switch decoder.readHeader(bytes) {
        case .failure(let failure): return .failure(failure)
        case .success(let read): jpeg = read
        }
        // Gray from the luma channel (`--gray`), or from RGB as Pillow's convert("L") computes
        // it (`--exact-gray`, converted below at the decoded size, before the resize).
        let lumaDirect = options.gray && options.grayMethod == .luma
        let format: JPEGDecoder.PixelFormat = jpeg.isCMYK ? .cmyk : lumaDirect ? .gray : .rgb
        let scale = usesDCTScaling
            ? JPEGDecoder.smallestScale(width: jpeg.width, height: jpeg.height,
                                        minimumWidth: minimumWidth, minimumHeight: minimumHeight)
            : .one
        let width = scale.scaled(jpeg.width), height = scale.scaled(jpeg.height)
        let pointer = first.reserve(width * height * format.channels)
        switch decoder.decode(bytes, header: jpeg, scale: scale, format: format,
                              stopOnWarning: !keepsCorruptImages, into: pointer) {
        case .failure(let failure): return .failure(failure)
        case .success(let warning): lastWarning = warning
        }
        if format == .cmyk { ColorConversion.cmykToRGB(pointer, into: pointer, pixels: width * height) }
        if format != .gray && options.gray { ColorConversion.rgbToGray(pointer, into: pointer, pixels: width * height) }
        return .success(PixelView(pointer: pointer, width: width, height: height, channels: options.channels))
    }

    /// Decodes a PNG, composites any alpha over the background and converts to the output's
    /// colour.
    private func decodePNG(_ bytes: UnsafeRawBufferPointer) -> Result<PixelView, DecodeError> {
        PNGDecoder.decode(bytes, into: first).map { decoded, layout in
            let pointer = decoded.pointer, pixels = decoded.width * decoded.height
            let background = options.background
            var channels = layout.channels
            switch layout {
            case .gray, .rgb:
                break
            case .grayAlpha:
                ColorConversion.compositeGrayAlpha(pointer, into: pointer, pixels: pixels, background: background)
                channels = 1
            case .rgba:
                ColorConversion.compositeRGBA(pointer, into: pointer, pixels: pixels, background: background)
                channels = 3
            }
            var result = PixelView(pointer: pointer, width: decoded.width, height: decoded.height, channels: options.channels)
            switch (channels, options.gray) {
            case (3, true):
                ColorConversion.rgbToGray(pointer, into: pointer, pixels: pixels)
            case (1, false):
                result.pointer = second.reserve(pixels * 3)
                ColorConversion.grayToRGB(pointer, into: result.pointer, pixels: pixels)
            default:
                break
            }
            return result
        }
    }

    // MARK: - Orientation and resize

    /// `pixels` as displayed: itself for orientation 1, else a transposed copy in the other
    /// scratch buffer.
    private func orient(_ pixels: PixelView, _ orientation: Int) -> PixelView {
        guard (2...8).contains(orientation) else { return pixels }
        let target = pixels.pointer == first.pointer ? second : first
        let size = Orientation.displaySize(width: pixels.width, height: pixels.height, orientation: orientation)
        let pointer = target.reserve(pixels.count)
        Orientation.apply(orientation, from: pixels, into: pointer)
        return PixelView(pointer: pointer, width: size.width, height: size.height, channels: pixels.channels)
    }

    /// Resizes the displayed pixels into `output` following `layout`, which was computed for
    /// the full-size image (`fullWidth` x `fullHeight`, as displayed): the filled rectangle is
    /// used as it is, so that the output's geometry does not depend on the DCT scale; the box
    /// is scaled to the pixels decoded (whose size is the full size times the scale, rounded
    /// up, as libjpeg and Pillow's `draft()` round it).
    private func resize(_ pixels: PixelView, layout: ResizeLayout, fullWidth: Int, fullHeight: Int,
                        into output: UnsafeMutableRawBufferPointer) {
        guard let base = output.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let channels = options.channels, rowStride = options.width * channels
        var box = layout.box
        if pixels.width != fullWidth || pixels.height != fullHeight {
            let scaleX = Double(pixels.width) / Double(fullWidth)
            let scaleY = Double(pixels.height) / Double(fullHeight)
            box = (Float(Double(box.x0) * scaleX), Float(Double(box.y0) * scaleY),
                   Float(Double(box.x1) * scaleX), Float(Double(box.y1) * scaleY))
        }
        if layout.width != options.width || layout.height != options.height {
            base.update(repeating: options.padValue, count: options.outputByteCount)
        }
        resampler.resample(pixels, box: box, into: base + layout.y * rowStride + layout.x * channels,
                           width: layout.width, height: layout.height, rowStride: rowStride)
    }
}
