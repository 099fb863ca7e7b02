/// Where the windows of a pooling layer lie: square windows of `size` pixels moved by
/// `stride`, padded as Keras pads (`WindowGeometry`). `MaxPool2D` and `AvgPool2D` share it.
struct PoolingWindows {
    let size: Int
    let stride: Int
    let rows: WindowGeometry
    let columns: WindowGeometry
    /// The input image's height and width.
    let height: Int, width: Int

    /// Nil when a window does not fit `inputShape` `[height, width, channels]` (see `Conv2D.geometry`).
    init?(inputShape: [Int], size: Int, stride: Int, padding: Padding) {
        guard let (rows, columns) = Conv2D.geometry(inputShape: inputShape, kernelHeight: size, kernelWidth: size,
                                                    stride: stride, padding: padding)
        else { return nil }
        (self.size, self.stride, self.rows, self.columns) = (size, stride, rows, columns)
        (height, width) = (inputShape[0], inputShape[1])
    }

    /// `[outHeight, outWidth, channels]` for an input of `channels` channels.
    func outputShape(channels: Int) -> [Int] { [rows.output, columns.output, channels] }

    /// The rows and columns of the window for output `(oy, ox)`, clipped to the image.
    func window(_ oy: Int, _ ox: Int) -> (Range<Int>, Range<Int>) {
        let y0 = oy * stride - rows.padBefore, x0 = ox * stride - columns.padBefore
        return (max(y0, 0)..<min(y0 + size, height), max(x0, 0)..<min(x0 + size, width))
    }
}
