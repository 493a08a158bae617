import Testing
@testable import Evaluation

/// Expected numbers come from scipy 1.17 (`scipy.stats.spearmanr`, `pearsonr`, `rankdata`) on the
/// same values, printed with `repr` (see the generating snippet in the comment below).
///
/// ```python
/// rng = np.random.default_rng(7); gold = np.round(rng.uniform(0, 5, 40) * 2) / 2
/// x = gold + rng.normal(0, 1.2, 40); x[3] = x[5]; x[10] = x[11] = x[12]
/// ```
enum ScipyFixture {
    static let gold: [Double] = [
        3.0, 4.5, 4.0, 1.0, 1.5, 4.5, 0.0, 4.0, 4.0, 2.5, 1.5, 1.5, 1.5, 2.0, 2.5, 3.0, 5.0, 4.0, 3.0, 5.0,
        1.0, 1.0, 3.0, 0.0, 0.0, 2.5, 2.5, 4.5, 3.0, 2.5, 2.5, 1.0, 0.0, 1.0, 3.5, 1.0, 2.0, 0.0, 4.0, 1.0,
    ]
    static let x: [Double] = [
        2.8659576604990082, 4.632556971899377, 4.0765381291060745, 6.130588106089845, 1.5913682764524097,
        6.130588106089845, -1.8565736137541786, 5.031259225625918, 4.143224830835898, 1.7302355270713343,
        0.060853317473732016, 0.060853317473732016, 0.060853317473732016, 2.089419474525756,
        3.1920275004042225, 2.773461449579101, 5.8194923206342475, 3.9201792158207014, 3.8006970730011935,
        6.7262271099873825, 0.18920529879321668, 1.2437663324675308, 2.444030908153902, 0.152722093470997,
        -1.4246334334201678, 1.8048380841967921, 2.264564832634604, 5.578516646520489, 4.374266408944958,
        0.911766649018894, 1.5464291608155407, 1.7762841070881061, -2.390903741009393, 0.4441961620571597,
        3.3832556891958934, 2.5084179727441835, 2.827284680684907, -0.3926561042666374, 3.557708927080049,
        0.6997655193784901,
    ]
    static let spearman = 0.8302683552089732
    static let pearson = 0.839429624388605
    static let goldRanksPrefix: [Double] = [27.0, 37.0, 33.0, 9.0, 14.5, 37.0, 3.0, 33.0, 33.0, 21.5]
}

@Suite("rank correlation matches scipy")
struct RankCorrelationTests {
    @Test("average ranks of ties, as scipy.stats.rankdata")
    func averageRanks() {
        #expect(RankCorrelation.averageRanks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4])
        #expect(Array(RankCorrelation.averageRanks(ScipyFixture.gold).prefix(10)) == ScipyFixture.goldRanksPrefix)
    }

    @Test("Spearman with many ties equals scipy's spearmanr")
    func spearman() {
        let value = RankCorrelation.spearman(ScipyFixture.x, ScipyFixture.gold)
        #expect(abs(value - ScipyFixture.spearman) < 1e-12)
    }

    @Test("Pearson equals scipy's pearsonr")
    func pearson() {
        let value = RankCorrelation.pearson(ScipyFixture.x, ScipyFixture.gold)
        #expect(abs(value - ScipyFixture.pearson) < 1e-12)
    }

    @Test("a constant input gives NaN, not a crash")
    func constant() {
        #expect(RankCorrelation.pearson([1, 1, 1], [1, 2, 3]).isNaN)
        #expect(RankCorrelation.spearman([], []).isNaN)
    }
}
