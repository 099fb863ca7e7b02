import Imaging

/// Accumulates the files of one group (all, or a class) and turns them into
/// `ShapeStatistics`. It keeps a count per distinct size rather than a list of images, so
/// everything after the tally (medians, histograms, the recommendation) costs time in
/// proportion to the distinct sizes, a few thousand even for a million photos; and nothing
/// depends on the order in which files are added.
struct ShapeTally {
    /// A displayed size.
    struct Size: Hashable, Comparable {
        var width: Int
        var height: Int

        static func < (lhs: Size, rhs: Size) -> Bool {
            (lhs.width, lhs.height) < (rhs.width, rhs.height)
        }
    }

    private(set) var files = 0
    private(set) var unreadable = 0
    /// Files per format, indexed as `ImageFormat.allCases`.
    private var formats = [Int](repeating: 0, count: ImageFormat.allCases.count)
    private var colorModels = ShapeStatistics.ColorModels()
    private var exifRotated = 0
    private var sizeCounts = SizeCounts()
    private var fileBytes: [Int64] = []

    /// Images whose header was read.
    var images: Int { fileBytes.count }

    /// Every displayed size with its count, smallest width first, then smallest height.
    var sizes: [(size: Size, count: Int)] {
        sizeCounts.all.sorted { $0.size < $1.size }
    }

    /// Adds a file whose header was read.
    mutating func add(_ header: ImageHeader, fileBytes bytes: Int64) {
        files += 1
        formats[Self.index(header.format)] += 1
        switch header.colorModel {
        case .gray, .grayAlpha: colorModels.gray += 1
        case .cmyk, .ycck: colorModels.cmyk += 1
        case .rgb, .rgba, .palette: colorModels.rgb += 1
        }
        if header.colorModel == .palette { colorModels.palette += 1 }
        if header.hasAlpha { colorModels.alpha += 1 }
        if header.bitDepth > 8 { colorModels.sixteenBit += 1 }
        if header.orientation != 1 { exifRotated += 1 }
        let displayed = header.displaySize
        let size = Size(width: displayed.width, height: displayed.height)
        sizeCounts.add(size)
        fileBytes.append(bytes)
    }

    /// Adds a file whose header could not be read; `format` is its content's, if known.
    mutating func addUnreadable(format: ImageFormat?) {
        files += 1
        unreadable += 1
        if let format { formats[Self.index(format)] += 1 }
    }

    /// Adds the files of `other`, as if they had been added to this tally.
    mutating func merge(_ other: ShapeTally) {
        files += other.files
        unreadable += other.unreadable
        for index in formats.indices { formats[index] += other.formats[index] }
        colorModels.gray += other.colorModels.gray
        colorModels.rgb += other.colorModels.rgb
        colorModels.cmyk += other.colorModels.cmyk
        colorModels.palette += other.colorModels.palette
        colorModels.alpha += other.colorModels.alpha
        colorModels.sixteenBit += other.colorModels.sixteenBit
        exifRotated += other.exifRotated
        for (size, count) in other.sizeCounts.all { sizeCounts.add(size, count) }
        fileBytes += other.fileBytes
    }

    /// The statistics, with the `top` most common sizes.
    func statistics(top: Int) -> ShapeStatistics {
        let ranked = sizeCounts.all.sorted { $0.count != $1.count ? $0.count > $1.count : $0.size < $1.size }
        let topSizes = ranked.prefix(top).map { size, count in
            ShapeStatistics.SizeCount(width: size.width, height: size.height, count: count,
                                      percent: percent(count, of: images))
        }
        let sizes = self.sizes
        let widths = Self.merged(sizes.map { ($0.size.width, $0.count) })
        let heights = Self.merged(sizes.map { ($0.size.height, $0.count) })
        return ShapeStatistics(
            files: files, images: images, unreadable: unreadable,
            formats: Dictionary(uniqueKeysWithValues: zip(ImageFormat.allCases.map(\.rawValue), formats).filter { $0.1 > 0 }),
            colorModels: colorModels, exifRotated: exifRotated, topSizes: topSizes,
            distinctSizes: sizeCounts.count,
            width: Self.spread(widths.map { (Int64($0.value), $0.count) }),
            height: Self.spread(heights.map { (Int64($0.value), $0.count) }),
            fileBytes: Self.spread(unsorted: fileBytes),
            histograms: .init(width: .build(widths.map { (Fraction($0.value, 1), $0.count) }, steps: ShapeHistogram.pixelSteps),
                              height: .build(heights.map { (Fraction($0.value, 1), $0.count) }, steps: ShapeHistogram.pixelSteps),
                              aspect: .build(sizes.map { (Fraction($0.size.width, $0.size.height), $0.count) },
                                             steps: ShapeHistogram.aspectSteps)))
    }

    /// Counts of equal values added together, sorted by value.
    static func merged(_ values: [(value: Int, count: Int)]) -> [(value: Int, count: Int)] {
        var counts: [Int: Int] = [:]
        for (value, count) in values { counts[value, default: 0] += count }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The position of `format` in `ImageFormat.allCases`.
    private static func index(_ format: ImageFormat) -> Int {
        ImageFormat.allCases.firstIndex(of: format) ?? 0
    }

    /// Minimum, lower median and maximum of values sorted ascending, each with how many times
    /// it occurs; nil for no values.
    static func spread(_ sorted: [(value: Int64, count: Int)]) -> ShapeStatistics.Spread? {
        guard let first = sorted.first, let last = sorted.last else { return nil }
        let total = sorted.reduce(0) { $0 + $1.count }
        return .init(min: first.value, median: value(at: (total - 1) / 2, in: sorted), max: last.value)
    }

    /// Minimum, lower median and maximum of `values`, in any order; nil for no values. The
    /// median is selected, not sorted for: a million file sizes take milliseconds less.
    static func spread(unsorted values: [Int64]) -> ShapeStatistics.Spread? {
        guard var low = values.first else { return nil }
        var high = low
        for value in values {
            low = min(low, value)
            high = max(high, value)
        }
        var values = values
        let median = values.withUnsafeMutableBufferPointer { select(($0.count - 1) / 2, in: $0) }
        return .init(min: low, median: median, max: high)
    }

    /// The value that would be at `index` if `values` were sorted ascending; reorders `values`.
    ///
    /// Quickselect with Hoare's partition around the median of the first, middle and last
    /// values, which keeps sorted input, reversed input and runs of equal values linear. Should
    /// an input still make it take more than 64 partitions, the rest is sorted.
    static func select(_ index: Int, in values: UnsafeMutableBufferPointer<Int64>) -> Int64 {
        precondition(values.indices.contains(index), "index inside the values")
        var (low, high) = (0, values.count - 1)
        var partitions = 0
        while low < high && partitions < 64 {
            partitions += 1
            let (first, middle, last) = (values[low], values[low + (high - low) / 2], values[high])
            let pivot = max(min(first, middle), min(max(first, middle), last))
            var (left, right) = (low, high)
            while left <= right {  // afterwards values[low...right] <= pivot <= values[left...high]
                while values[left] < pivot { left += 1 }
                while values[right] > pivot { right -= 1 }
                if left <= right {
                    values.swapAt(left, right)
                    left += 1
                    right -= 1
                }
            }
            if index <= right {
                high = right
            } else if index >= left {
                low = left
            } else {
                return values[index]  // between the two parts: equal to the pivot
            }
        }
        if low < high {
            var rest = UnsafeMutableBufferPointer(rebasing: values[low...high])
            rest.sort()
        }
        return values[index]
    }

    /// The value at `index` of the list that `sorted` counts (value repeated count times).
    static func value<Value>(at index: Int, in sorted: [(value: Value, count: Int)]) -> Value {
        var passed = 0
        for (value, count) in sorted {
            passed += count
            if index < passed { return value }
        }
        preconditionFailure("index \(index) past the \(passed) values")
    }
}

/// `count` as a percentage of `total`, rounded to 2 decimals (0 when `total` is 0).
func percent(_ count: Int, of total: Int) -> Double {
    total > 0 ? rounded2(Double(count) * 100 / Double(total)) : 0
}

/// `value` rounded to 2 decimals, so that reports print short, stable numbers.
func rounded2(_ value: Double) -> Double {
    (value * 100).rounded() / 100
}
