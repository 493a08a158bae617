import Autodiff
import Testing
@testable import Evaluation

/// Seeded generator for the tests (the one the library uses).
typealias TestGenerator = Xoshiro256StarStar

@Suite("paired bootstrap")
struct PairResamplingTests {
    @Test("ranks by counting tie groups equal sorting the drawn values")
    func countingRanks() {
        var generator = TestGenerator(seed: 3)
        let groups = TieGroups(ScipyFixture.gold)
        var scratch = [Double]()
        for _ in 0..<20 {
            let draw = (0..<ScipyFixture.gold.count).map { _ in
                Int.random(in: 0..<ScipyFixture.gold.count, using: &generator)
            }
            let expected = RankCorrelation.averageRanks(draw.map { ScipyFixture.gold[$0] })
            #expect(groups.ranks(of: draw, scratch: &scratch) == expected)
        }
    }

    @Test("replicates equal Spearman recomputed on each draw")
    func replicatesMatchDirectComputation() {
        var a = TestGenerator(seed: 11)
        let replicates = PairResampling.bootstrap(
            systems: [ScipyFixture.x], gold: ScipyFixture.gold, resamples: 5, using: &a)
        var b = TestGenerator(seed: 11)
        let n = ScipyFixture.gold.count
        for r in 0..<5 {
            let draw = (0..<n).map { _ in Int.random(in: 0..<n, using: &b) }
            let direct = RankCorrelation.spearman(draw.map { ScipyFixture.x[$0] }, draw.map { ScipyFixture.gold[$0] })
            #expect(abs(replicates.spearman[0][r] - direct) < 1e-12)
        }
    }

    @Test("the interval covers the estimate, and a system compared with itself is not significant")
    func intervalAndSelfComparison() {
        var generator = TestGenerator(seed: 5)
        let replicates = PairResampling.bootstrap(
            systems: [ScipyFixture.x, ScipyFixture.x], gold: ScipyFixture.gold, resamples: 1000,
            using: &generator)
        let interval = PairResampling.percentileInterval(replicates.spearman[0])
        #expect(interval.contains(ScipyFixture.spearman))
        #expect(interval.upper - interval.lower > 0.01)
        let differences = zip(replicates.spearman[0], replicates.spearman[1]).map { $0 - $1 }
        #expect(PairResampling.pValue(differences: differences) == 1)
    }

    @Test("a clearly better system is significant")
    func clearlyBetter() {
        var generator = TestGenerator(seed: 9)
        let noisy = ScipyFixture.x.enumerated().map { i, v in v + (i % 2 == 0 ? 3 : -3) }
        let replicates = PairResampling.bootstrap(
            systems: [ScipyFixture.gold.map { $0 + 0.01 }, noisy], gold: ScipyFixture.gold, resamples: 1000,
            using: &generator)
        let differences = zip(replicates.spearman[0], replicates.spearman[1]).map { $0 - $1 }
        #expect(PairResampling.pValue(differences: differences) < 0.01)
        #expect(PairResampling.percentileInterval(differences).lower > 0)
    }

    @Test("quantiles interpolate linearly like numpy")
    func quantiles() {
        #expect(PairResampling.quantile([0, 1, 2, 3, 4], 0.25) == 1)
        #expect(PairResampling.quantile([0, 10], 0.975) == 9.75)
    }
}
