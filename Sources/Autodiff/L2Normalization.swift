// L2 normalisation along an axis (cosine similarity = dot product of normalised vectors).

extension Tensor {
    /// `y = x / n` with `n = √(Σ_axis x² + ε)` along `axis`.
    ///
    /// The ε sits inside the root so the map is smooth everywhere: a zero vector maps to zero
    /// (not NaN) with a finite gradient `dX = dY / √ε`. Default `ε = 1e-12` changes norms ≥ 1e-3
    /// by less than Float32 rounding.
    public func l2Normalized(alongAxis axis: Int = -1, epsilon: Float = 1e-12) -> Tensor {
        l2NormalizedWithNorms(alongAxis: axis, epsilon: epsilon).output
    }

    func l2NormalizedWithNorms(alongAxis axis: Int, epsilon: Float) -> (output: Tensor, norms: Tensor) {
        let resolved = normalizedAxis(axis, "l2Normalized")
        let norms = squared().sum(alongAxis: resolved, keepingDimension: true).map { ($0 + epsilon).squareRoot() }
        return (self / norms, norms)
    }
}

extension Variable {
    /// `y = x / n`, `n = √(Σ x² + ε)` (see ``Tensor/l2Normalized(alongAxis:epsilon:)``);
    /// `dX = (dY − y · Σ_axis(y ⊙ dY)) / n`.
    public func l2Normalized(alongAxis axis: Int = -1, epsilon: Float = 1e-12) -> Variable {
        let resolved = value.normalizedAxis(axis, "l2Normalized")
        let (y, norms) = value.l2NormalizedWithNorms(alongAxis: resolved, epsilon: epsilon)
        return recorded(y) { dY, sink in
            let dot = (y * dY).sum(alongAxis: resolved, keepingDimension: true)  // [.., 1, ..]
            sink.accumulate((dY - y * dot) / norms, forInput: 0)
        }
    }
}
