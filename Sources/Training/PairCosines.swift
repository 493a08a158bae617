import Autodiff

extension Variable {
    /// Cosine similarity of sentence pairs, composed from primitives (normalise, gather, multiply, sum):
    ///
    /// ```
    /// ê_s = e_s / √(‖e_s‖² + ε)                  (l2Normalized)
    /// cos[p] = Σ_j ê_{first[p]}[j] · ê_{second[p]}[j]
    /// ```
    /// - Parameters:
    ///   - first: `[pairs]` row indices of the first sentences into this `[sentences, dim]` matrix.
    ///   - second: `[pairs]` row indices of the second sentences.
    /// - Returns: `[pairs]`.
    public func pairCosines(first: [Int], second: [Int]) -> Variable {
        precondition(rank == 2 && first.count == second.count,
                     "pairCosines: embeddings must be [sentences, dim] and index lists equally long; got \(shape), \(first.count) vs \(second.count)")
        let unit = l2Normalized(alongAxis: 1)                                  // [sentences, dim]
        let products = unit.gathering(rows: first) * unit.gathering(rows: second)  // [pairs, dim]
        return products.sum(alongAxis: 1)                                      // [pairs]
    }
}
