import Testing
@testable import Imaging

@Suite("ExifOrientation on TIFF blocks")
struct ExifOrientationTests {
    /// A TIFF block with IFD0 at offset 8 holding `entries` (tag, type, value) in `order`.
    static func tiff(bigEndian: Bool, entries: [(tag: Int, type: Int, value: Int)]) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] {
            let bytes = [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
            return bigEndian ? bytes : bytes.reversed()
        }
        func u32(_ v: Int) -> [UInt8] { bigEndian ? u16(v >> 16) + u16(v) : u16(v) + u16(v >> 16) }
        var block = (bigEndian ? Array("MM".utf8) : Array("II".utf8)) + u16(42) + u32(8) + u16(entries.count)
        for entry in entries {
            let value = entry.type == 3 ? u16(entry.value) + [0, 0] : u32(entry.value)
            block += u16(entry.tag) + u16(entry.type) + u32(1) + value
        }
        return block + u32(0)
    }

    static func read(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { ExifOrientation.read($0) }
    }

    @Test("orientation after other tags, in both byte orders", arguments: [true, false], 1...8)
    func bothByteOrders(_ bigEndian: Bool, _ orientation: Int) {
        let block = Self.tiff(bigEndian: bigEndian, entries: [(0x010F, 2, 0), (0x0112, 3, orientation)])
        #expect(Self.read(block) == orientation)
        #expect(Self.read(ExifOrientation.app1Signature + block) == orientation)
    }

    @Test("absent, out-of-range or mistyped orientation gives 1", arguments: [
        [(0x010F, 2, 0)], [(0x0112, 3, 0)], [(0x0112, 3, 9)], [(0x0112, 3, 0xFFFF)], [(0x0112, 2, 6)],
    ] as [[(tag: Int, type: Int, value: Int)]])
    func invalid(_ entries: [(tag: Int, type: Int, value: Int)]) {
        #expect(Self.read(Self.tiff(bigEndian: true, entries: entries)) == 1)
    }

    @Test("every prefix of a valid block reads without trapping, and gives 1 until complete")
    func prefixes() {
        let block = Self.tiff(bigEndian: false, entries: [(0x0112, 3, 6)])
        for length in 0..<block.count {
            let orientation = Self.read(Array(block[0..<length]))
            #expect(orientation == (length >= 20 ? 6 : 1), "prefix \(length)")
        }
    }
}
