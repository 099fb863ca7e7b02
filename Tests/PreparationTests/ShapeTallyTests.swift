import Imaging
import Testing
@testable import Preparation

@Suite("ShapeTally: the median by selection, and tallies added together")
struct ShapeTallyTests {
    /// Lists that are hard on a quickselect: sorted, reversed, all equal, few distinct values,
    /// organ pipe, and seeded random ones of every small length.
    static let lists: [[Int64]] = {
        var lists: [[Int64]] = [[7], [2, 1], [1, 2], [3, 3], [5, 1, 3], Array(0..<1000), Array((0..<1000).reversed()),
                                [Int64](repeating: 42, count: 999), (0..<1001).map { $0 % 3 },
                                (0..<500).map { $0 } + (0..<500).reversed().map { $0 }]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for length in 1...64 {
            lists.append((0..<length).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int64(state >> 58)  // 0...63: many repeats
            })
        }
        return lists
    }()

    @Test("select gives the value a sort puts at every index")
    func select() {
        for list in Self.lists {
            let sorted = list.sorted()
            for index in list.indices {
                var values = list
                let selected = values.withUnsafeMutableBufferPointer { ShapeTally.select(index, in: $0) }
                #expect(selected == sorted[index], "index \(index) of \(list)")
                #expect(values.sorted() == sorted, "select only reorders")
            }
        }
    }

    @Test("the spread of unsorted values is min, lower median and max")
    func spread() {
        #expect(ShapeTally.spread(unsorted: []) == nil)
        #expect(ShapeTally.spread(unsorted: [30, 10, 40, 20]) == .init(min: 10, median: 20, max: 40))
        #expect(ShapeTally.spread(unsorted: [5]) == .init(min: 5, median: 5, max: 5))
    }

    @Test("size counts agree with a dictionary, through growth and for extreme sizes")
    func sizeCounts() {
        var counts = ShapeTally.SizeCounts()
        var reference: [ShapeTally.Size: Int] = [:]
        var state: UInt64 = 42
        for index in 0..<5000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let size = ShapeTally.Size(width: 1 + Int(state >> 54), height: 1 + Int((state >> 20) & 0xFF))
            let number = 1 + index % 3
            counts.add(size, number)
            reference[size, default: 0] += number
        }
        for size in [ShapeTally.Size(width: 1, height: 1), .init(width: Int(Int32.max), height: Int(Int32.max)),
                     .init(width: 65535, height: 1)] {
            counts.add(size)
            reference[size, default: 0] += 1
        }
        #expect(counts.count == reference.count)
        #expect(counts.count > 1000)
        #expect(Dictionary(uniqueKeysWithValues: counts.all.map { ($0.size, $0.count) }) == reference)
    }

    @Test("tallies added together equal one tally of every file, in any split")
    func merge() {
        let headers = (0..<40).map { index in
            ImageHeader(format: index % 5 == 0 ? .png : .jpeg, width: 8 + index % 3, height: 6 + index % 4,
                        channels: index % 2 == 0 ? 3 : 1, colorModel: index % 2 == 0 ? .rgb : .gray,
                        bitDepth: index % 7 == 0 ? 16 : 8, hasAlpha: index % 9 == 0, orientation: index % 6 == 0 ? 6 : 1,
                        isProgressive: false)
        }
        var whole = ShapeTally()
        var parts = [ShapeTally(), ShapeTally(), ShapeTally()]
        for (index, header) in headers.enumerated() {
            whole.add(header, fileBytes: Int64(100 + index * 37 % 11))
            parts[index % 3].add(header, fileBytes: Int64(100 + index * 37 % 11))
        }
        whole.addUnreadable(format: .gif)
        parts[1].addUnreadable(format: .gif)
        var merged = ShapeTally()
        for part in parts.reversed() { merged.merge(part) }
        #expect(merged.statistics(top: 5) == whole.statistics(top: 5))
    }
}
