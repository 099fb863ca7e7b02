/// Reads the orientation tag from an EXIF block, the TIFF structure that a JPEG carries in
/// its APP1 "Exif" segment and a PNG in its eXIf chunk.
///
/// Byte layout (TIFF 6.0 §2; EXIF 2.32 §4.5.4), offsets relative to the start of the TIFF
/// header, every multi-byte value in the header's byte order:
///
///     0  "II" (little-endian) or "MM" (big-endian)
///     2  42
///     4  offset of IFD0 (UInt32)
///     IFD0: entry count n (UInt16), then n entries of 12 bytes:
///         tag (UInt16), type (UInt16), count (UInt32), value or offset (4 bytes)
///
/// Orientation is tag 0x0112, type SHORT (3), count 1, its value left-justified in the 4-byte
/// field. The block is treated as hostile: every offset is checked against the bytes held, and
/// anything unexpected (a bad byte order, an IFD outside the block, a value outside 1...8)
/// gives 1, "as stored", never an error: a wrong orientation tag must not cost a sample.
enum ExifOrientation {
    /// The orientation that shows the image as stored.
    static let normal = 1

    /// The EXIF Orientation tag number.
    static let tag = 0x0112

    /// The signature that starts the payload of a JPEG APP1 segment holding EXIF.
    static let app1Signature: [UInt8] = Array("Exif".utf8) + [0, 0]

    /// The orientation 1...8 recorded in IFD0 of `tiff`, or 1 when it is absent or invalid.
    ///
    /// - Parameter tiff: the EXIF block starting at its TIFF header ("II"/"MM"); a leading
    ///   "Exif\0\0" signature, which some PNG writers leave in eXIf, is skipped.
    /// - Returns: the orientation, always in 1...8.
    static func read(_ tiff: UnsafeRawBufferPointer) -> Int {
        guard !tiff.isEmpty else { return normal }
        if tiff.starts(with: app1Signature, at: 0) {
            return read(UnsafeRawBufferPointer(rebasing: tiff[app1Signature.count...]))
        }
        let bigEndian: Bool
        switch (tiff.byte(at: 0), tiff.byte(at: 1)) {
        case (0x49, 0x49): bigEndian = false
        case (0x4D, 0x4D): bigEndian = true
        default: return normal
        }
        guard tiff.uint16(at: 2, bigEndian: bigEndian) == 42,
              let ifd = tiff.uint32(at: 4, bigEndian: bigEndian),
              let entryCount = tiff.uint16(at: ifd, bigEndian: bigEndian)
        else { return normal }

        for index in 0..<entryCount {
            let entry = ifd + 2 + 12 * index
            guard let tag = tiff.uint16(at: entry, bigEndian: bigEndian),
                  let type = tiff.uint16(at: entry + 2, bigEndian: bigEndian)
            else { return normal }  // the IFD runs past the end of the block
            guard tag == Self.tag else { continue }
            let value: Int? = switch type {
            case 3: tiff.uint16(at: entry + 8, bigEndian: bigEndian)  // SHORT, as the standard says
            case 4: tiff.uint32(at: entry + 8, bigEndian: bigEndian)  // LONG, written by a few tools
            default: nil
            }
            guard let value, (1...8).contains(value) else { return normal }
            return value
        }
        return normal
    }
}
