/// Applying an EXIF orientation (TIFF tag 0x0112), so that pixels are laid out as the image is
/// meant to be seen. Exactly Pillow's `ImageOps.exif_transpose`:
///
///     1  as stored                    5  transpose (mirror along the main diagonal)
///     2  mirror left-right            6  rotate 90° clockwise (Pillow's ROTATE_270)
///     3  rotate 180°                  7  transverse (mirror along the other diagonal)
///     4  mirror top-bottom            8  rotate 90° counter-clockwise (Pillow's ROTATE_90)
///
/// Orientations 5 to 8 swap width and height. A pure permutation of pixels: no sample changes.
extension Image {
    /// This image as displayed when its stored pixels carry EXIF orientation `orientation`
    /// (1...8; anything else is treated as 1).
    public func oriented(_ orientation: Int) -> Image {
        guard (2...8).contains(orientation) else { return self }
        let size = Orientation.displaySize(width: width, height: height, orientation: orientation)
        var output = Image(width: size.width, height: size.height, channels: channels)
        pixels.withUnsafeBufferPointer { source in
            output.pixels.withUnsafeMutableBufferPointer { destination in
                guard let source = source.baseAddress, let destination = destination.baseAddress else { return }
                let view = PixelView(pointer: UnsafeMutablePointer(mutating: source),
                                     width: width, height: height, channels: channels)
                Orientation.apply(orientation, from: view, into: destination)
            }
        }
        return output
    }
}

/// The pixel permutations behind `Image.oriented`, on raw buffers.
enum Orientation {
    /// The displayed size of a `width` x `height` image stored with `orientation`.
    static func displaySize(width: Int, height: Int, orientation: Int) -> (width: Int, height: Int) {
        (5...8).contains(orientation) ? (height, width) : (width, height)
    }

    /// Writes `source` (as stored) into `destination` (as displayed), which must hold as many
    /// samples and not overlap it.
    ///
    /// Each displayed row is read from the source along a row or a column, forwards or
    /// backwards: displayed pixel (x, y) is stored pixel `start(y) + x * step`.
    static func apply(_ orientation: Int, from source: PixelView, into destination: UnsafeMutablePointer<UInt8>) {
        let (width, height, channels) = (source.width, source.height, source.channels)
        let size = displaySize(width: width, height: height, orientation: orientation)
        // (stored pixel index of displayed (0, y)) = base + y * rowStep; then step per x.
        let (base, rowStep, step): (Int, Int, Int) = switch orientation {
        case 2: (width - 1, width, -1)
        case 3: ((height - 1) * width + width - 1, -width, -1)
        case 4: ((height - 1) * width, -width, 1)
        case 5: (0, 1, width)
        case 6: ((height - 1) * width, 1, -width)
        case 7: ((height - 1) * width + width - 1, -1, -width)
        case 8: (width - 1, -1, width)
        default: (0, width, 1)
        }
        let input = source.pointer
        var output = destination
        for y in 0..<size.height {
            var pixel = base + y * rowStep
            switch channels {
            case 1:
                for x in 0..<size.width {
                    output[x] = input[pixel]
                    pixel += step
                }
            case 3:
                for x in 0..<size.width {
                    let from = input + pixel * 3, to = output + x * 3
                    to[0] = from[0]
                    to[1] = from[1]
                    to[2] = from[2]
                    pixel += step
                }
            default:
                for x in 0..<size.width {
                    (output + x * channels).update(from: input + pixel * channels, count: channels)
                    pixel += step
                }
            }
            output += size.width * channels
        }
    }
}
