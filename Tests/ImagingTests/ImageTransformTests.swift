import Testing
@testable import Imaging

@Suite("Image: orientation and gray on hand-made pixels")
struct ImageTransformTests {
    /// A 3x2 gray image with samples 0...5:  0 1 2 / 3 4 5.
    let image = Image(width: 3, height: 2, channels: 1, pixels: [0, 1, 2, 3, 4, 5])

    @Test("each orientation's pixel layout (Pillow's exif_transpose)", arguments: [
        (1, 3, [0, 1, 2, 3, 4, 5]),
        (2, 3, [2, 1, 0, 5, 4, 3]),     // mirror left-right
        (3, 3, [5, 4, 3, 2, 1, 0]),     // rotate 180
        (4, 3, [3, 4, 5, 0, 1, 2]),     // mirror top-bottom
        (5, 2, [0, 3, 1, 4, 2, 5]),     // transpose
        (6, 2, [3, 0, 4, 1, 5, 2]),     // rotate 90 clockwise
        (7, 2, [5, 2, 4, 1, 3, 0]),     // transverse
        (8, 2, [2, 5, 1, 4, 0, 3]),     // rotate 90 counter-clockwise
        (9, 3, [0, 1, 2, 3, 4, 5]),     // out of range: as stored
    ])
    func orientations(_ orientation: Int, _ width: Int, _ pixels: [UInt8]) {
        let oriented = image.oriented(orientation)
        #expect(oriented.width == width && oriented.height == 6 / width)
        #expect(oriented.pixels == pixels)
    }

    @Test("orientation moves RGB pixels whole")
    func orientationKeepsChannelsTogether() {
        let rgb = Image(width: 2, height: 1, channels: 3, pixels: [1, 2, 3, 4, 5, 6])
        #expect(rgb.oriented(6).pixels == [1, 2, 3, 4, 5, 6])  // 1x2 now
        #expect(rgb.oriented(2).pixels == [4, 5, 6, 1, 2, 3])
    }

    @Test("Pillow's L: (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16", arguments: [
        ([0, 0, 0], 0), ([255, 255, 255], 255), ([255, 0, 0], 76), ([0, 255, 0], 150), ([0, 0, 255], 29),
        ([100, 150, 200], 141), ([37, 37, 37], 37), ([1, 0, 0], 0), ([2, 0, 0], 1),
    ] as [([UInt8], UInt8)])
    func luma(_ rgb: [UInt8], _ expected: UInt8) {
        #expect(Image(width: 1, height: 1, channels: 3, pixels: rgb).grayscale().pixels == [expected])
    }

    @Test("Pillow's CMYK -> RGB with Adobe's inverted samples", arguments: [
        // stored (inverted) c', m', y', k' -> R, G, B
        ([255, 255, 255, 255], [255, 255, 255]),  // no ink: white
        ([255, 255, 255, 0], [0, 0, 0]),          // full black
        ([0, 255, 255, 255], [0, 255, 255]),      // full cyan
        ([128, 64, 200, 180], [90, 45, 141]),
    ] as [([UInt8], [UInt8])])
    func cmyk(_ stored: [UInt8], _ rgb: [UInt8]) {
        var output = [UInt8](repeating: 0, count: 3)
        ColorConversion.cmykToRGB(stored, into: &output, pixels: 1)
        #expect(output == rgb)
    }

    @Test("Pillow's alpha_composite over an opaque background", arguments: [
        (200, 255, 0, 200), (200, 0, 255, 255), (200, 128, 0, 100), (0, 200, 255, 55), (10, 0, 255, 255),
    ] as [(UInt8, UInt8, UInt8, UInt8)])
    func composite(_ sample: UInt8, _ alpha: UInt8, _ background: UInt8, _ expected: UInt8) {
        #expect(ColorConversion.composite(sample, alpha: alpha, over: background) == expected)
    }
}
