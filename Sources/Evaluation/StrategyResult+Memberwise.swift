extension StrategyResult {
    /// A result without a comparison; ``SimilarityEvaluator`` fills the comparison in.
    public init(
        dataset: String, strategy: String, pairs: Int,
        spearmanCosine: Double, pearsonCosine: Double,
        spearmanCosineCI: PairResampling.Interval, pearsonCosineCI: PairResampling.Interval,
        spearmanDot: Double, pearsonDot: Double,
        spearmanEuclidean: Double, pearsonEuclidean: Double,
        spearmanManhattan: Double, pearsonManhattan: Double,
        normalized: Bool = false,
        confidenceLevel: Double, resamples: Int
    ) {
        self.dataset = dataset
        self.strategy = strategy
        self.pairs = pairs
        self.spearmanCosine = spearmanCosine
        self.pearsonCosine = pearsonCosine
        self.spearmanCosineCI = spearmanCosineCI
        self.pearsonCosineCI = pearsonCosineCI
        self.spearmanDot = spearmanDot
        self.pearsonDot = pearsonDot
        self.spearmanEuclidean = spearmanEuclidean
        self.pearsonEuclidean = pearsonEuclidean
        self.spearmanManhattan = spearmanManhattan
        self.pearsonManhattan = pearsonManhattan
        self.spearmanMax = Self.largest([spearmanCosine, spearmanDot, spearmanEuclidean, spearmanManhattan])
        self.pearsonMax = Self.largest([pearsonCosine, pearsonDot, pearsonEuclidean, pearsonManhattan])
        self.normalized = normalized
        self.baseline = nil
        self.spearmanCosineDifference = nil
        self.spearmanCosineDifferenceCI = nil
        self.pValue = nil
        self.isSignificant = nil
        self.note = nil
        self.confidenceLevel = confidenceLevel
        self.resamples = resamples
    }

    /// The largest of `values`, or NaN when any is undefined (as Python's `max` of NaN-holding
    /// floats is order-dependent, an undefined input leaves the maximum undefined).
    static func largest(_ values: [Double]) -> Double {
        values.allSatisfy(\.isFinite) ? (values.max() ?? .nan) : .nan
    }
}
