/// How a colour image becomes one gray channel (`--gray` or `--exact-gray`), recorded in the
/// manifest's `preprocess` block as `gray`.
///
/// The two differ only for colour (YCbCr) JPEGs. PNGs, CMYK/YCCK JPEGs and gray JPEGs give the
/// same pixels either way: PNG and CMYK pixels reach dsprep as RGB and always go through
/// Pillow's formula, and a gray JPEG's one channel is its luma.
public enum GrayMethod: String, Sendable, Equatable, Codable, CaseIterable {
    /// The JPEG's own luma channel Y, decoded directly at the DCT scale (TurboJPEG `TJPF_GRAY`;
    /// libjpeg skips the chroma inverse DCTs and the colour conversion): what Pillow's
    /// `draft("L", size)` gives. The encoder computed Y from R, G and B with the same ITU-R 601
    /// weights, so it equals Pillow's `convert("L")` of the decoded RGB wherever that decode does
    /// not clip; where a saturated colour makes R, G or B clip at 0 or 255, Pillow's L (computed
    /// from the clipped samples) drifts from Y, by tens of levels on single pixels, at full size
    /// and after a downscale (up to 18 at 96x96 on the benchmark's photos, 0.03 on average).
    /// The default of `--gray`: the fast path.
    case luma
    /// Pillow's `convert("L")` (`ImageOps.grayscale`): the JPEG decoded as RGB at the same DCT
    /// scale, then L = (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16 per pixel (Pillow's
    /// `rgb2l`, ITU-R 601-2 luma in 16-bit fixed point), before any resize. Matches Pillow's
    /// `ImageOps.grayscale(image).resize(...)` within 1 everywhere (exactly, when Pillow decodes
    /// at the same scale). `--exact-gray`; costs the chroma decode and conversion.
    case rgb601 = "rgb-601"
}
