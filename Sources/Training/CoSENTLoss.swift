import Autodiff

/// CoSENT: a ranking loss over all ordered pairs of a batch whose gold scores differ.
///
/// ```
/// L = log(1 + Σ_{(i, j): gold_i > gold_j} exp(scale · (cos_j − cos_i)))
/// ```
/// Each term penalises a pair `j` ranked above a pair `i` that the gold scores rank higher, so the
/// loss depends only on the order of the cosines, never on their scale (unlike cosine-MSE). It is
/// computed as `logsumexp([0] ∪ {scale · (cos_j − cos_i)})`, which never overflows.
///
/// - `scale` (default 20): the inverse temperature; larger values sharpen the penalty on
///   mis-ordered pairs (sentence-transformers' default).
///
/// Reference: J. Su, "CoSENT" (2022); sentence-transformers `CoSENTLoss`
/// (`scores[:, None] - scores[None, :]`, masked by `labels[:, None] < labels[None, :]`, then
/// `logsumexp` with a prepended 0).
public struct CoSENTLoss: Sendable, Equatable {
    public var scale: Float

    public init(scale: Float = 20) {
        self.scale = scale
    }

    /// The loss, shape `[]`.
    /// - Parameters:
    ///   - cosines: `[pairs]` cosine of each pair.
    ///   - gold: `[pairs]` gold scores (any monotone scale; only their order matters).
    public func callAsFunction(_ cosines: Variable, gold: [Float]) -> Variable {
        let n = cosines.value.count
        precondition(cosines.rank == 1 && gold.count == n,
                     "CoSENTLoss: cosines \(cosines.shape) and \(gold.count) gold scores must both be [pairs]")
        // Flat positions (i·n + j) of the ordered pairs with gold_i > gold_j.
        var ordered: [Int] = []
        ordered.reserveCapacity(n * n / 2)
        for i in 0..<n {
            for j in 0..<n where gold[i] > gold[j] { ordered.append(i * n + j) }
        }
        // differences[i, j] = cos_j − cos_i: a row vector minus a column vector, broadcast.
        let differences = cosines.reshaped(to: [1, n]) - cosines.reshaped(to: [n, 1])  // [n, n]
        let logits = (differences * scale).reshaped(to: [n * n, 1]).gathering(rows: ordered)  // [m, 1]
        let zero = cosines.tape.constant(Tensor.zeros([1, 1]))                                 // the "1 +"
        let all = Variable.concatenated([zero, logits], alongAxis: 0)                          // [m + 1, 1]
        return all.logSumExp(alongAxis: 0).reshaped(to: [])
    }
}
