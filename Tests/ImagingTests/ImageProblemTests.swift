import Testing
import Imaging

@Suite("ImageProblem's user-facing text")
struct ImageProblemTests {
    @Test("description is the exact one-line reason", arguments: [
        (ImageProblem.empty, "empty file"),
        (.notAnImage, "not an image (unrecognised content)"),
        (.unsupportedFormat(.gif), "unsupported format (GIF)"),
        (.unsupportedFormat(.webp), "unsupported format (WEBP)"),
        (.truncated(.jpeg), "truncated JPEG (no end-of-image marker)"),
        (.truncated(.png), "truncated PNG (no IEND chunk)"),
        (.damaged(.png, "bad IHDR CRC"), "damaged PNG: bad IHDR CRC"),
        (.damaged(.jpeg, "no frame header before scan data"), "damaged JPEG: no frame header before scan data"),
    ])
    func description(_ problem: ImageProblem, _ text: String) {
        #expect(problem.description == text)
        #expect("\(problem)" == text)
    }
}
