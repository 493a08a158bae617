/// Scores sentence embeddings on a scored-pairs benchmark, with bootstrap uncertainty.
public struct SimilarityEvaluator: Sendable {
    /// Bootstrap draws of the pairs (≥ 1000 recommended).
    public var resamples: Int
    /// Coverage of every interval, e.g. 0.95.
    public var confidenceLevel: Double
    /// L2-normalise every embedding before scoring (``SentenceEmbeddings/l2Normalized()``), as a
    /// model with a `Normalize` module outputs them; sentence-transformers' evaluators score that
    /// output. Default false: the pooled vectors as they are.
    public var normalize: Bool

    public init(resamples: Int = 1000, confidenceLevel: Double = 0.95, normalize: Bool = false) {
        self.resamples = resamples
        self.confidenceLevel = confidenceLevel
        self.normalize = normalize
    }

    /// One named system: a pooling strategy or a head, and the embeddings it gives every sentence.
    public struct System: Sendable {
        public var name: String
        public var embeddings: SentenceEmbeddings
        public init(name: String, embeddings: SentenceEmbeddings) {
            self.name = name
            self.embeddings = embeddings
        }
    }

    /// Scores every system on one dataset.
    ///
    /// Spearman and Pearson (×100) between each similarity function and the gold scores; for
    /// cosine also percentile bootstrap intervals, and against `baseline` (when it is one of the
    /// systems) the paired difference, its interval and p-value. Every system is scored on the
    /// same bootstrap draws.
    /// - Parameters:
    ///   - pairs: `[pairs]` sentence indices into each system's embeddings.
    ///   - gold: `[pairs]` gold similarity.
    ///   - generator: seeded; the same seed gives the same intervals.
    public func evaluate<G: RandomNumberGenerator>(
        dataset: String, systems: [System], pairs: [(first: Int, second: Int)], gold: [Float],
        baseline: String?, using generator: inout G
    ) -> [StrategyResult] {
        let systems = normalize ? systems.map { System(name: $0.name, embeddings: $0.embeddings.l2Normalized()) } : systems
        let goldScores = gold.map(Double.init)
        var similarities: [SimilarityFunction: [[Double]]] = [:]
        for function in SimilarityFunction.allCases {
            similarities[function] = systems.map { $0.embeddings.similarities(of: pairs, using: function) }
        }
        let cosine = similarities[.cosine] ?? []
        let replicates = PairResampling.bootstrap(
            systems: cosine, gold: goldScores, resamples: resamples, using: &generator)
        let baselineIndex = baseline.flatMap { name in systems.firstIndex { $0.name == name } }

        func correlations(_ function: SimilarityFunction, _ s: Int) -> (spearman: Double, pearson: Double) {
            let values = similarities[function]?[s] ?? []
            return (100 * RankCorrelation.spearman(values, goldScores),
                    100 * RankCorrelation.pearson(values, goldScores))
        }

        return systems.indices.map { s in
            let cos = correlations(.cosine, s)
            let dot = correlations(.dot, s)
            let euclidean = correlations(.euclidean, s)
            let manhattan = correlations(.manhattan, s)
            var result = StrategyResult(
                dataset: dataset, strategy: systems[s].name, pairs: pairs.count,
                spearmanCosine: cos.spearman, pearsonCosine: cos.pearson,
                spearmanCosineCI: PairResampling.percentileInterval(
                    replicates.spearman[s], level: confidenceLevel).scaled(by: 100),
                pearsonCosineCI: PairResampling.percentileInterval(
                    replicates.pearson[s], level: confidenceLevel).scaled(by: 100),
                spearmanDot: dot.spearman, pearsonDot: dot.pearson,
                spearmanEuclidean: euclidean.spearman, pearsonEuclidean: euclidean.pearson,
                spearmanManhattan: manhattan.spearman, pearsonManhattan: manhattan.pearson,
                normalized: normalize, confidenceLevel: confidenceLevel, resamples: resamples)
            if let b = baselineIndex, b != s {
                let differences = zip(replicates.spearman[s], replicates.spearman[b]).map { $0 - $1 }
                let baselineCosine = correlations(.cosine, b)
                result.baseline = systems[b].name
                result.spearmanCosineDifference = cos.spearman - baselineCosine.spearman
                result.spearmanCosineDifferenceCI = PairResampling.percentileInterval(
                    differences, level: confidenceLevel).scaled(by: 100)
                let p = PairResampling.pValue(differences: differences)
                result.pValue = p.isFinite ? p : nil
                let defined = (result.spearmanCosineDifference ?? .nan).isFinite
                result.isSignificant = result.spearmanCosineDifferenceCI.flatMap { interval in
                    defined && interval.isDefined ? !interval.contains(0) : nil
                }
            }
            result.note = Self.undefinedReason(pairs: pairs.count, gold: goldScores, cosine: cosine[s],
                                               defined: [cos.spearman, cos.pearson, dot.spearman, euclidean.spearman,
                                                         manhattan.spearman, result.spearmanCosineCI.lower])
            return result
        }
    }

    /// Why a system's statistics are (partly) undefined, or nil when all are defined.
    static func undefinedReason(pairs: Int, gold: [Double], cosine: [Double], defined values: [Double]) -> String? {
        guard !values.allSatisfy(\.isFinite) else { return nil }
        if pairs < 2 { return "undefined: \(pairs) pair(s); correlations need at least 2 (intervals at least 3)" }
        if let first = gold.first, gold.allSatisfy({ $0 == first }) {
            return "undefined: every gold score is \(first), so there is no ranking to compare with"
        }
        if let first = cosine.first, cosine.allSatisfy({ $0 == first }) {
            return "undefined: every pair has the same similarity (e.g. all-zero embeddings)"
        }
        return "some statistics are undefined: a similarity or bootstrap draw is constant (too few distinct pairs)"
    }
}
