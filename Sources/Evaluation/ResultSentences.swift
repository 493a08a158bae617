import Foundation

/// One plain sentence per comparison, for readers who do not read interval tables:
/// ```
/// test: head is better than mean by 21.12 points (95% CI [13.77, 29.09]; p = 0.002): a real difference.
/// test: head is 3.51 points below layer6-mean (95% CI [-8.12, 0.90]; p = 0.124): within noise — a tie on these pairs.
/// ```
/// A difference counts as real when its paired bootstrap interval excludes 0 (the table's `*`).
public enum ResultSentences {
    public static func sentences(_ results: [StrategyResult]) -> [String] {
        let level = Int(((results.first?.confidenceLevel ?? 0.95) * 100).rounded())
        return results.compactMap { r in
            guard let baseline = r.baseline, let difference = r.spearmanCosineDifference, let interval = r.spearmanCosineDifferenceCI
            else { return nil }
            let place = "\(r.dataset): \(r.strategy)"
            guard difference.isFinite, interval.isDefined else {
                return "\(place) vs \(baseline): undefined (\(r.note ?? "too few pairs"))."
            }
            let ci = String(format: "%d%% CI [%.2f, %.2f]", level, interval.lower, interval.upper)
            let p = r.pValue.map { $0 < 0.001 ? "p < 0.001" : String(format: "p = %.3f", $0) } ?? "p n/a"
            let size = String(format: "%.2f", abs(difference))
            let relation = difference >= 0 ? "is \(size) points above \(baseline)" : "is \(size) points below \(baseline)"
            let verdict = r.isSignificant == true
                ? (difference > 0 ? "significantly better." : "significantly worse.")
                : "within noise: not distinguishable from \(baseline) on these \(r.pairs) pairs."
            return "\(place) \(relation) (\(ci); \(p)): \(verdict)"
        }
    }
}
