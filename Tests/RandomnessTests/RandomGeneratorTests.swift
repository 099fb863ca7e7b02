import Testing
import Randomness

/// The generator and shuffle are pinned to values from an independent Python transcription of
/// the published algorithms (SplitMix64, xoshiro256**, Lemire's bounded integers, Fisher-Yates
/// from the top), so the same seed gives the same split, weights and masks on any machine and in
/// any release.
@Suite struct RandomGeneratorTests {
    @Test func splitMix64MatchesTheReference() {
        var mixer = SplitMix64(state: 0)
        #expect([mixer.next(), mixer.next(), mixer.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    @Test func xoshiroMatchesTheReference() {
        var generator = RandomGenerator(seed: 1337)
        #expect((0..<4).map { _ in generator.next() }
            == [0xAD0A_A0A0_4F82_2EDC, 0xD081_5851_CE88_5DEF, 0xC70B_1747_1E26_3E43, 0xEE4D_7F13_899D_E194])
    }

    @Test func shuffleMatchesTheReference() {
        var generator = RandomGenerator(seed: 42)
        var numbers = Array(0..<10)
        generator.shuffle(&numbers)
        #expect(numbers == [9, 1, 4, 2, 8, 7, 6, 5, 3, 0])
    }

    @Test(arguments: [1, 2, 3, 7, 1000, Int(UInt32.max) + 5])
    func boundedValuesStayInRange(bound: Int) {
        var generator = RandomGenerator(seed: UInt64(bound))
        for _ in 0..<2000 { #expect((0..<bound).contains(generator.below(bound))) }
    }

    @Test func boundedValuesAreEven() {
        var generator = RandomGenerator(seed: 7)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[generator.below(6)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 400 }, "\(counts)")
    }
}
