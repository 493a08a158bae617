import Autodiff

/// How two sentence embeddings are compared (MTEB reports all four for STS tasks).
public enum SimilarityFunction: String, CaseIterable, Codable, Sendable {
    /// `u·v / (‖u‖ ‖v‖)`: the main score.
    case cosine
    /// `u·v`.
    case dot
    /// `−‖u − v‖₂` (negated so that larger means more similar).
    case euclidean
    /// `−‖u − v‖₁`.
    case manhattan

    /// Similarity of `u` and `v` (each `[dim]`), accumulated in Double.
    public func similarity(_ u: UnsafeBufferPointer<Float>, _ v: UnsafeBufferPointer<Float>) -> Double {
        precondition(u.count == v.count, "similarity: dims \(u.count) and \(v.count)")
        switch self {
        case .cosine:
            var uv = 0.0, uu = 0.0, vv = 0.0
            for i in 0..<u.count {
                let a = Double(u[i]), b = Double(v[i])
                uv += a * b
                uu += a * a
                vv += b * b
            }
            let norm = (uu * vv).squareRoot()
            return norm > 0 ? uv / norm : 0
        case .dot:
            var uv = 0.0
            for i in 0..<u.count { uv += Double(u[i]) * Double(v[i]) }
            return uv
        case .euclidean:
            var sum = 0.0
            for i in 0..<u.count {
                let d = Double(u[i]) - Double(v[i])
                sum += d * d
            }
            return -sum.squareRoot()
        case .manhattan:
            var sum = 0.0
            for i in 0..<u.count { sum += abs(Double(u[i]) - Double(v[i])) }
            return -sum
        }
    }
}

/// Sentence embeddings `[sentences, dim]` (row-major) and the similarity of scored pairs.
public struct SentenceEmbeddings: Sendable {
    public var values: [Float]
    public var dim: Int
    public var count: Int { dim == 0 ? 0 : values.count / dim }

    public init(values: [Float], dim: Int) {
        precondition(dim > 0 && values.count % dim == 0,
                     "SentenceEmbeddings: \(values.count) values are not rows of dim \(dim)")
        self.values = values
        self.dim = dim
    }

    /// Every row divided by its L2 norm, `x / √(Σ x² + ε)` (``Tensor/l2Normalized(alongAxis:epsilon:)``,
    /// ε = 1e-12), in Float32 as sentence-transformers' `Normalize` module computes it: what
    /// `evaluate --normalize` scores. Cosine is unchanged; dot, euclidean and manhattan then rank
    /// pairs as the model's normalised output does.
    public func l2Normalized() -> SentenceEmbeddings {
        guard count > 0 else { return self }
        return SentenceEmbeddings(values: Tensor(shape: [count, dim], scalars: values).l2Normalized(alongAxis: 1).scalars, dim: dim)
    }

    /// `[pairs]` similarity of each pair `(first, second)` of sentence indices.
    public func similarities(of pairs: [(first: Int, second: Int)], using function: SimilarityFunction) -> [Double] {
        values.withUnsafeBufferPointer { all in
            pairs.map { pair in
                let u = UnsafeBufferPointer(rebasing: all[(pair.first * dim)..<((pair.first + 1) * dim)])
                let v = UnsafeBufferPointer(rebasing: all[(pair.second * dim)..<((pair.second + 1) * dim)])
                return function.similarity(u, v)
            }
        }
    }
}
