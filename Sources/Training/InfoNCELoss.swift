import Autodiff

/// InfoNCE (multiple-negatives ranking) with in-batch negatives.
///
/// For anchors `a_i` and their positives `p_i` (unit rows), every other positive of the batch is a
/// negative for `a_i`:
///
/// ```
/// s[i, j] = scale · âᵢ · p̂ⱼ                      scale = 1 / temperature
/// L       = −(1/B) Σ_i log( e^{s[i, i]} / Σ_{j ∈ K(i)} e^{s[i, j]} )
/// K(i)    = {i} ∪ {j ≠ i : sentence(p_j) ∉ {sentence(p_i), sentence(a_i)}}
/// ```
/// `K(i)` drops candidates that are the same sentence as the positive or the anchor (a sentence
/// occurring twice in a batch is not its own negative). The symmetric form averages this with the
/// same loss with the roles of anchors and positives swapped.
///
/// - `temperature` (default 0.05, i.e. scale 20).
/// - `symmetric` (default false).
///
/// Reference: van den Oord et al., "Representation Learning with Contrastive Predictive Coding"
/// (2018); sentence-transformers `MultipleNegativesRankingLoss` and its symmetric variant.
public struct InfoNCELoss: Sendable, Equatable {
    public var temperature: Float
    public var symmetric: Bool

    public init(temperature: Float = 0.05, symmetric: Bool = false) {
        precondition(temperature > 0, "InfoNCELoss: temperature \(temperature) must be positive")
        self.temperature = temperature
        self.symmetric = symmetric
    }

    /// `1 / temperature`.
    public var scale: Float { 1 / temperature }

    /// The loss, shape `[]`.
    /// - Parameters:
    ///   - anchors: `[batch, dim]` embeddings (normalised here).
    ///   - positives: `[batch, dim]` embeddings of each anchor's positive.
    ///   - anchorSentences: `[batch]` sentence index of each anchor (for masking duplicates).
    ///   - positiveSentences: `[batch]` sentence index of each positive.
    public func callAsFunction(anchors: Variable, positives: Variable,
                               anchorSentences: [Int], positiveSentences: [Int]) -> Variable {
        let batch = anchors.shape[0]
        precondition(anchors.rank == 2 && anchors.shape == positives.shape
                     && anchorSentences.count == batch && positiveSentences.count == batch,
                     "InfoNCELoss: anchors \(anchors.shape), positives \(positives.shape), "
                     + "\(anchorSentences.count)/\(positiveSentences.count) sentence ids")
        let a = anchors.l2Normalized(alongAxis: 1)   // [batch, dim]
        let p = positives.l2Normalized(alongAxis: 1) // [batch, dim]
        let forward = directional(a, p, anchorSentences, positiveSentences)
        guard symmetric else { return forward }
        let backward = directional(p, a, positiveSentences, anchorSentences)
        return (forward + backward) * 0.5
    }

    /// Cross-entropy of queries `q` against candidates `c` (both unit `[batch, dim]`), the diagonal
    /// being the target, duplicates masked.
    private func directional(_ q: Variable, _ c: Variable, _ querySentences: [Int], _ candidateSentences: [Int]) -> Variable {
        let batch = q.shape[0]
        let logits = q.matmul(c, transposeB: true) * scale    // [batch, batch]
        let keep = Self.candidateMask(querySentences, candidateSentences)
        let logProbabilities = logits.logSoftmax(alongAxis: 1, mask: keep)  // [batch, batch]
        let diagonal = logProbabilities.reshaped(to: [batch * batch, 1])
            .gathering(rows: (0..<batch).map { $0 * batch + $0 })          // [batch, 1]
        return -diagonal.mean()
    }

    /// `[batch, batch]` with 1 where candidate `j` counts for query `i`: the diagonal, and every `j`
    /// whose sentence is neither query `i`'s own sentence nor its positive's.
    public static func candidateMask(_ querySentences: [Int], _ candidateSentences: [Int]) -> Tensor {
        let batch = querySentences.count
        var keep = [Float](repeating: 1, count: batch * batch)
        for i in 0..<batch {
            for j in 0..<batch where j != i {
                let candidate = candidateSentences[j]
                if candidate == candidateSentences[i] || candidate == querySentences[i] { keep[i * batch + j] = 0 }
            }
        }
        return Tensor(shape: [batch, batch], scalars: keep)
    }
}
