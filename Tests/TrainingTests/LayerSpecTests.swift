import Testing
@testable import Training

@Suite("Layer specs")
struct LayerSpecTests {
    @Test("tokens parse", arguments: [
        ("conv32k3", LayerSpec.conv(filters: 32, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: .valid, activation: nil)),
        ("conv32k3s2same", .conv(filters: 32, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: .same, activation: nil)),
        ("conv8k3x5s2validlinear", .conv(filters: 8, kernelHeight: 3, kernelWidth: 5, stride: 2, padding: .valid, activation: .linear)),
        ("CONV16K1RELU", .conv(filters: 16, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: .valid, activation: .relu)),
        ("pool2", .maxPool(size: 2, stride: 2, padding: .valid)),
        ("maxpool3s2same", .maxPool(size: 3, stride: 2, padding: .same)),
        ("avgpool2", .avgPool(size: 2, stride: 2, padding: .valid)),
        ("gap", .globalAveragePool),
        ("drop.25", .dropout(rate: 0.25)),
        ("drop0.5", .dropout(rate: 0.5)),
        ("flatten", .flatten),
        ("dense128", .dense(units: 128, activation: nil)),
        ("dense", .dense(units: nil, activation: nil)),
        ("dense64linear", .dense(units: 64, activation: .linear)),
        (" bn ", .batchNorm),
        ("relu", .relu),
    ])
    func parse(_ token: String, _ spec: LayerSpec) throws {
        #expect(try LayerSpec(parsing: token.trimmingCharacters(in: .whitespaces)) == spec)
        #expect(try LayerSpec(parsing: spec.description) == spec)
    }

    @Test("canonical text", arguments: [
        ("conv32k3", "conv32k3"), ("conv32k3s1valid", "conv32k3"), ("conv32k3x3s2same", "conv32k3s2same"),
        ("maxpool2s2", "pool2"), ("pool3s2", "pool3s2"), ("drop0.25", "drop.25"), ("dense128relu", "dense128relu"),
        ("batchnorm", "bn"), ("globalavgpool", "gap"),
    ])
    func canonical(_ token: String, _ text: String) throws {
        #expect(try LayerSpec(parsing: token).description == text)
    }

    @Test("the presets' specs parse and print back unchanged", arguments: ModelPreset.allCases)
    func presets(_ preset: ModelPreset) throws {
        let layers = try LayerSpec.parseList(preset.spec)
        #expect(layers.map(\.description).joined(separator: ",") == preset.spec)
        #expect(preset.layers == layers)
    }

    @Test("errors name the token and what was expected", arguments: [
        ("conv32", "Cannot read layer `conv32`: expected a kernel size after the filters, e.g. conv32k3."),
        ("convk3", "Cannot read layer `convk3`: expected conv<filters>k<size>, e.g. conv32k3."),
        ("conv32k3s2sam", "Cannot read layer `conv32k3s2sam`: expected conv<filters>k<size>[s<stride>][same|valid][relu|linear]."),
        ("conv0k3", "`conv0k3`: filters, kernel size and stride must be at least 1."),
        ("pool", "Cannot read layer `pool`: expected a pool size of at least 1, e.g. pool2."),
        ("drop1.5", "Cannot read layer `drop1.5`: expected a dropout rate of at least 0 and below 1, e.g. drop.25."),
        ("dense0", "`dense0`: a dense layer needs at least 1 unit."),
        ("lstm64", "Unknown layer `lstm64`: expected conv<filters>k<size>, pool<size>, avgpool<size>, gap, drop<rate>, flatten, dense[<units>], bn or relu."),
    ])
    func errors(_ token: String, _ message: String) {
        #expect(throws: TrainingError.invalidLayerSpec(message)) { try LayerSpec(parsing: token) }
    }

    @Test("list errors")
    func listErrors() {
        #expect(throws: TrainingError.invalidLayerSpec("The layer spec is empty: list layers such as `flatten,dense128,dense`.")) {
            try LayerSpec.parseList("  ")
        }
        #expect(throws: TrainingError.invalidLayerSpec("Layer 2 of the spec is empty: remove the extra comma.")) {
            try LayerSpec.parseList("flatten,,dense")
        }
    }
}
