import Randomness

/// A random stream shared by reference: the layers of one model draw from it in order, and a
/// checkpoint saves and restores its state.
public final class RandomSource {
    public var generator: RandomGenerator

    public init(_ generator: RandomGenerator) {
        self.generator = generator
    }
}
