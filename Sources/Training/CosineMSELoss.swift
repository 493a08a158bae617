import Autodiff

/// Mean squared error between cosines and gold scores rescaled to `[0, 1]` — sentence-transformers'
/// `CosineSimilarityLoss`, kept for comparison with the ranking losses:
///
/// ```
/// t_p = (gold_p − low) / (high − low)
/// L   = (1/P) Σ_p (cos_p − t_p)²
/// ```
/// - `scoreRange`: `low ... high` of the gold scale (STS-B: `0 ... 5`).
///
/// Reference: sentence-transformers `CosineSimilarityLoss` (labels are expected in `[0, 1]`).
public struct CosineMSELoss: Sendable, Equatable {
    public var scoreRange: ClosedRange<Float>

    public init(scoreRange: ClosedRange<Float> = 0...5) {
        precondition(scoreRange.upperBound > scoreRange.lowerBound, "CosineMSELoss: empty score range \(scoreRange)")
        self.scoreRange = scoreRange
    }

    /// The loss, shape `[]`.
    /// - Parameters:
    ///   - cosines: `[pairs]`.
    ///   - gold: `[pairs]` on the `scoreRange` scale.
    public func callAsFunction(_ cosines: Variable, gold: [Float]) -> Variable {
        precondition(cosines.rank == 1 && gold.count == cosines.value.count,
                     "CosineMSELoss: cosines \(cosines.shape) and \(gold.count) gold scores must both be [pairs]")
        let width = scoreRange.upperBound - scoreRange.lowerBound
        let targets = cosines.tape.constant(Tensor(gold.map { ($0 - scoreRange.lowerBound) / width }))  // [pairs]
        return (cosines - targets).squared().mean()
    }
}
