/// The scores of one pooling strategy (or learned head) on one dataset, ×100 like MTEB.
public struct StrategyResult: Codable, Sendable, Equatable {
    public var dataset: String
    public var strategy: String
    public var pairs: Int

    public var spearmanCosine: Double
    public var pearsonCosine: Double
    /// Percentile bootstrap interval of `spearmanCosine` (level in ``confidenceLevel``).
    public var spearmanCosineCI: PairResampling.Interval
    public var pearsonCosineCI: PairResampling.Interval
    public var spearmanDot: Double
    public var pearsonDot: Double
    public var spearmanEuclidean: Double
    public var pearsonEuclidean: Double
    public var spearmanManhattan: Double
    public var pearsonManhattan: Double

    /// The strategy this one is compared with (nil for the baseline itself).
    public var baseline: String?
    /// `spearmanCosine − baseline's spearmanCosine`, on the same pairs.
    public var spearmanCosineDifference: Double?
    /// Paired bootstrap interval of that difference.
    public var spearmanCosineDifferenceCI: PairResampling.Interval?
    /// Two-sided paired bootstrap p-value of the difference.
    public var pValue: Double?
    public var confidenceLevel: Double
    public var resamples: Int

    /// The difference's interval excludes zero at ``confidenceLevel`` (nil for the baseline).
    public var isSignificant: Bool?

    enum CodingKeys: String, CodingKey {
        case dataset, strategy, pairs
        case spearmanCosine = "spearman_cosine"
        case pearsonCosine = "pearson_cosine"
        case spearmanCosineCI = "spearman_cosine_ci"
        case pearsonCosineCI = "pearson_cosine_ci"
        case spearmanDot = "spearman_dot"
        case pearsonDot = "pearson_dot"
        case spearmanEuclidean = "spearman_euclidean"
        case pearsonEuclidean = "pearson_euclidean"
        case spearmanManhattan = "spearman_manhattan"
        case pearsonManhattan = "pearson_manhattan"
        case baseline
        case spearmanCosineDifference = "spearman_cosine_diff"
        case spearmanCosineDifferenceCI = "spearman_cosine_diff_ci"
        case pValue = "p_value"
        case confidenceLevel = "confidence_level"
        case resamples
        case isSignificant = "significant"
    }
}
