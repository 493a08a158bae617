extension StrategyResult {
    /// A result without a comparison; ``SimilarityEvaluator`` fills the comparison in.
    public init(
        dataset: String, strategy: String, pairs: Int,
        spearmanCosine: Double, pearsonCosine: Double,
        spearmanCosineCI: PairResampling.Interval, pearsonCosineCI: PairResampling.Interval,
        spearmanDot: Double, pearsonDot: Double,
        spearmanEuclidean: Double, pearsonEuclidean: Double,
        spearmanManhattan: Double, pearsonManhattan: Double,
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
        self.baseline = nil
        self.spearmanCosineDifference = nil
        self.spearmanCosineDifferenceCI = nil
        self.pValue = nil
        self.isSignificant = nil
        self.note = nil
        self.confidenceLevel = confidenceLevel
        self.resamples = resamples
    }
}
