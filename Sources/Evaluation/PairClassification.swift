/// Pair classification on a scored-pairs file, as MTEB scores it: is a pair a paraphrase?
///
/// A pair is positive when its label is 1 (files whose gold scores are all 0 or 1) or its gold
/// score is ≥ the threshold (graded files such as STS-B). The classifier is the cosine of the two
/// embeddings: predict positive when `cosine ≥ t`. With the pairs sorted by cosine descending and
/// cut after each group of equal cosines (`tp`, `fp` counted above the cut, `P` positives, `N`
/// negatives):
/// ```
/// ap        = Σ_cuts (recall_c − recall_{c−1}) · precision_c     (sklearn average_precision_score)
/// accuracy  = max_cuts (tp + N − fp) / (P + N)
/// f1        = max_cuts 2·tp / (2·tp + fp + (P − tp))
/// ```
/// Every cut predicts at least one pair positive, as MTEB's best-threshold search does.
public struct PairClassification: Sendable {
    /// `[pairs]` whether each pair is positive.
    public let labels: [Bool]
    /// Whether the labels were the gold scores themselves (all 0 or 1) rather than a threshold.
    public let goldIsBinary: Bool

    /// The metrics, in report order; ``main`` is MTEB's main score for pair classification.
    public static let metricNames = ["ap", "accuracy", "f1"]
    public static let main = "ap"

    public init(gold: [Float], positiveAt threshold: Float) {
        let binary = !gold.isEmpty && gold.allSatisfy { $0 == 0 || $0 == 1 }
        goldIsBinary = binary
        labels = gold.map { binary ? $0 == 1 : $0 >= threshold }
    }

    /// One system's pairs sorted by score descending, grouped by equal score.
    public struct Ranking: Sendable {
        /// Pair indices by score descending (ties by pair index).
        let order: [Int]
        /// `ends[g]`: one past the last position in `order` of tie group g.
        let ends: [Int]
        let scores: [Double]

        public init(scores: [Double]) {
            let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            var ends: [Int] = []
            for position in order.indices where position + 1 == order.count || scores[order[position + 1]] != scores[order[position]] {
                ends.append(position + 1)
            }
            self.order = order
            self.ends = ends
            self.scores = scores
        }
    }

    /// The figures of one ranking (0–1), with the cosine thresholds that reach the best accuracy and F1.
    public struct Figures: Sendable, Equatable {
        public var ap: Double
        public var accuracy: Double
        public var f1: Double
        public var accuracyThreshold: Double
        public var f1Threshold: Double
        public var values: [Double] { [ap, accuracy, f1] }
    }

    /// The figures when pair i counts `weights[i]` times (a bootstrap draw); nil weights: once each.
    /// AP and F1 are NaN when no pair counted is positive; everything is NaN when none is counted.
    public func figures(_ ranking: Ranking, weights: [Int]? = nil) -> Figures {
        func weight(_ i: Int) -> Double { weights.map { Double($0[i]) } ?? 1 }
        var positives = 0.0, negatives = 0.0
        for i in labels.indices {
            if labels[i] { positives += weight(i) } else { negatives += weight(i) }
        }
        var figures = Figures(ap: .nan, accuracy: .nan, f1: .nan, accuracyThreshold: .nan, f1Threshold: .nan)
        guard positives + negatives > 0 else { return figures }
        var tp = 0.0, fp = 0.0, previousRecall = 0.0, ap = 0.0
        var bestAccuracy = -1.0, bestF1 = -1.0
        var start = 0
        for end in ranking.ends {
            var groupWeight = 0.0
            for position in start..<end {
                let i = ranking.order[position]
                let w = weight(i)
                groupWeight += w
                if labels[i] { tp += w } else { fp += w }
            }
            let threshold = ranking.scores[ranking.order[start]]
            start = end
            guard groupWeight > 0 else { continue }
            if positives > 0 {
                let recall = tp / positives
                ap += (recall - previousRecall) * tp / (tp + fp)
                previousRecall = recall
                let f1 = 2 * tp / (2 * tp + fp + (positives - tp))
                if f1 > bestF1 { (bestF1, figures.f1Threshold) = (f1, threshold) }
            }
            let accuracy = (tp + negatives - fp) / (positives + negatives)
            if accuracy > bestAccuracy { (bestAccuracy, figures.accuracyThreshold) = (accuracy, threshold) }
        }
        figures.accuracy = bestAccuracy
        if positives > 0 {
            figures.ap = ap
            figures.f1 = bestF1
        }
        return figures
    }
}
