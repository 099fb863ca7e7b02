import Testing
@testable import Imaging

@Suite("PNGEncoder")
struct PNGEncoderTests {
    @Test("encode then decode gives the same pixels", arguments: [(1, 1, 1), (1, 37, 5), (3, 1, 1), (3, 64, 48), (3, 301, 7)])
    func roundTrip(_ channels: Int, _ width: Int, _ height: Int) throws {
        var generator = SplitMix64(state: UInt64(channels * 7919 + width))
        let pixels = (0..<width * height * channels).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let image = Image(width: width, height: height, channels: channels, pixels: pixels)
        let png = try PNGEncoder.encode(image)
        let header = try png.withUnsafeBytes { try ImageInspector.inspect($0).get() }
        #expect((header.width, header.height, header.channels, header.bitDepth) == (width, height, channels, 8))
        let options = PreprocessOptions(width: width, height: height, gray: channels == 1)
        let decoded = try png.withUnsafeBytes { try Preprocessor(options: options).process($0).get() }
        #expect(decoded == image)
    }

    @Test("the same image encodes to the same bytes")
    func deterministic() throws {
        let image = try preprocess("photo_200x150_q85.jpg", PreprocessOptions(width: 50, height: 40)).get()
        #expect(try PNGEncoder.encode(image) == PNGEncoder.encode(image))
    }

    @Test("a smooth image compresses; incompressible noise still fits")
    func sizes() throws {
        let flat = Image(width: 200, height: 100, channels: 3, filledWith: 90)
        #expect(try PNGEncoder.encode(flat).count < 1000)
        var generator = SplitMix64(state: 42)
        let noise = Image(width: 256, height: 256, channels: 3,
                          pixels: (0..<256 * 256 * 3).map { _ in UInt8.random(in: 0...255, using: &generator) })
        #expect(try PNGEncoder.encode(noise).count > 256 * 256 * 3)
    }
}
