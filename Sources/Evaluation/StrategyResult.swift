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
    /// The largest Spearman of the four similarity functions (sentence-transformers' `spearman_max`).
    public var spearmanMax: Double
    /// The largest Pearson of the four (sentence-transformers' `pearson_max`).
    public var pearsonMax: Double
    /// Whether the embeddings were L2-normalised before scoring (`evaluate --normalize`); dot,
    /// euclidean and manhattan differ, cosine does not.
    public var normalized: Bool

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

    /// The difference's interval excludes zero at ``confidenceLevel`` (nil for the baseline, and
    /// when the difference is undefined).
    public var isSignificant: Bool?
    /// Why some statistics are undefined (NaN in memory, `null` in JSON, `n/a` in tables), e.g.
    /// "fewer than 2 pairs" or "the gold scores are all equal"; nil when everything is defined.
    public var note: String?

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
        case spearmanMax = "spearman_max"
        case pearsonMax = "pearson_max"
        case normalized
        case baseline
        case spearmanCosineDifference = "spearman_cosine_diff"
        case spearmanCosineDifferenceCI = "spearman_cosine_diff_ci"
        case pValue = "p_value"
        case confidenceLevel = "confidence_level"
        case resamples
        case isSignificant = "significant"
        case note
    }

    /// Encodes with snake_case keys; an undefined (non-finite) statistic is written as `null`,
    /// since JSON has no NaN.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        func number(_ value: Double?, _ key: CodingKeys) throws {
            if let value, value.isFinite { try container.encode(value, forKey: key) } else { try container.encodeNil(forKey: key) }
        }
        try container.encode(dataset, forKey: .dataset)
        try container.encode(strategy, forKey: .strategy)
        try container.encode(pairs, forKey: .pairs)
        try number(spearmanCosine, .spearmanCosine)
        try number(pearsonCosine, .pearsonCosine)
        try container.encode(spearmanCosineCI, forKey: .spearmanCosineCI)
        try container.encode(pearsonCosineCI, forKey: .pearsonCosineCI)
        try number(spearmanDot, .spearmanDot)
        try number(pearsonDot, .pearsonDot)
        try number(spearmanEuclidean, .spearmanEuclidean)
        try number(pearsonEuclidean, .pearsonEuclidean)
        try number(spearmanManhattan, .spearmanManhattan)
        try number(pearsonManhattan, .pearsonManhattan)
        try number(spearmanMax, .spearmanMax)
        try number(pearsonMax, .pearsonMax)
        try container.encode(normalized, forKey: .normalized)
        try container.encode(baseline, forKey: .baseline)
        try number(spearmanCosineDifference, .spearmanCosineDifference)
        try container.encode(spearmanCosineDifferenceCI, forKey: .spearmanCosineDifferenceCI)
        try number(pValue, .pValue)
        try number(confidenceLevel, .confidenceLevel)
        try container.encode(resamples, forKey: .resamples)
        try container.encode(isSignificant, forKey: .isSignificant)
        try container.encode(note, forKey: .note)
    }

    /// Decodes what ``encode(to:)`` writes (`null` statistics become NaN).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func number(_ key: CodingKeys) throws -> Double { try container.decodeIfPresent(Double.self, forKey: key) ?? .nan }
        dataset = try container.decode(String.self, forKey: .dataset)
        strategy = try container.decode(String.self, forKey: .strategy)
        pairs = try container.decode(Int.self, forKey: .pairs)
        spearmanCosine = try number(.spearmanCosine)
        pearsonCosine = try number(.pearsonCosine)
        spearmanCosineCI = try container.decode(PairResampling.Interval.self, forKey: .spearmanCosineCI)
        pearsonCosineCI = try container.decode(PairResampling.Interval.self, forKey: .pearsonCosineCI)
        spearmanDot = try number(.spearmanDot)
        pearsonDot = try number(.pearsonDot)
        spearmanEuclidean = try number(.spearmanEuclidean)
        pearsonEuclidean = try number(.pearsonEuclidean)
        spearmanManhattan = try number(.spearmanManhattan)
        pearsonManhattan = try number(.pearsonManhattan)
        spearmanMax = try number(.spearmanMax)
        pearsonMax = try number(.pearsonMax)
        normalized = try container.decodeIfPresent(Bool.self, forKey: .normalized) ?? false
        baseline = try container.decodeIfPresent(String.self, forKey: .baseline)
        spearmanCosineDifference = try container.decodeIfPresent(Double.self, forKey: .spearmanCosineDifference)
        spearmanCosineDifferenceCI = try container.decodeIfPresent(PairResampling.Interval.self, forKey: .spearmanCosineDifferenceCI)
        pValue = try container.decodeIfPresent(Double.self, forKey: .pValue)
        confidenceLevel = try number(.confidenceLevel)
        resamples = try container.decode(Int.self, forKey: .resamples)
        isSignificant = try container.decodeIfPresent(Bool.self, forKey: .isSignificant)
        note = try container.decodeIfPresent(String.self, forKey: .note)
    }
}
