import Autodiff

/// Additive attention pooling: one score per token from a small `tanh` layer, a softmax over the
/// sentence's tokens, and the weighted sum of the token rows.
///
/// ```
/// s_t = vᵀ tanh(W h_t + b)                         W [hidden, dim], b [hidden], v [hidden]
/// w_t = e^{s_t} / Σ_{t′ ∈ sentence} e^{s_t′}        (segment softmax: only the sentence's real tokens)
/// x   = Σ_t w_t h_t                                 [dim]
/// y   = P x + c,  then y / ‖y‖₂                     (optional; see `projection`, `normalize`)
/// ```
/// Packed rows `H` `[T, dim]` → scores `[T, 1]` with one GEMM for `H Wᵀ` → `[batch, dim]`.
///
/// Initialisation: `W` Xavier-uniform (seeded), `b = 0`, `v = 0`: every score is 0, the weights
/// are uniform, and the head starts out as mean pooling.
///
/// Tensors: `attention.weight` `[hidden, dim]`, `attention.bias` `[hidden]`, `attention.v` `[hidden]`
/// (+ `projection.weight` `[dim, dim]`, `projection.bias` `[dim]`).
///
/// Reference: D. Bahdanau, K. Cho, Y. Bengio, "Neural Machine Translation by Jointly Learning to
/// Align and Translate" (ICLR 2015); Z. Lin et al., "A Structured Self-attentive Sentence
/// Embedding" (ICLR 2017).
public struct AdditiveAttentionHead: PoolingHead {
    static let weightName = "attention.weight"
    static let biasName = "attention.bias"
    static let scoreName = "attention.v"

    public let configuration: HeadConfiguration
    public var parameters: [String: Tensor]

    /// A fresh head (mean pooling at start); `configuration.kind` must be `.additive` and valid.
    public init(configuration: HeadConfiguration, seed: UInt64) {
        precondition(configuration.kind == .additive, "AdditiveAttentionHead: configuration kind is \(configuration.kind)")
        precondition(configuration.dim > 0 && configuration.hidden > 0,
                     "AdditiveAttentionHead: dim \(configuration.dim) and hidden \(configuration.hidden) must be positive")
        self.configuration = configuration
        var generator = Xoshiro256StarStar(seed: seed)
        var parameters = [
            Self.weightName: Tensor.glorotUniform([configuration.hidden, configuration.dim], using: &generator),
            Self.biasName: Tensor.zeros([configuration.hidden]),
            Self.scoreName: Tensor.zeros([configuration.hidden]),
        ]
        if configuration.projection {
            parameters.merge(OutputProjection.initialParameters(dim: configuration.dim)) { $1 }
        }
        self.parameters = parameters
    }

    public var parametersWithoutDecay: Set<String> {
        let names: Set = [Self.biasName, Self.scoreName]
        return configuration.projection ? names.union([OutputProjection.biasName]) : names
    }

    public func forward(_ rows: Variable, segments: Segments, parameters: [String: Variable]) -> HeadOutput {
        precondition(rows.rank == 2 && rows.shape == [segments.rowCount, configuration.dim],
                     "AdditiveAttentionHead.forward: rows must be [\(segments.rowCount), \(configuration.dim)], got \(rows.shape)")
        let weight = parameters.variable(Self.weightName, configuration)  // [hidden, dim]
        let bias = parameters.variable(Self.biasName, configuration)      // [hidden]
        let v = parameters.variable(Self.scoreName, configuration)        // [hidden]
        let activations = (rows.matmul(weight, transposeB: true) + bias).tanh()         // [T, hidden]
        let scores = activations.matmul(v.reshaped(to: [configuration.hidden, 1]))      // [T, 1]
        let weights = scores.segmentSoftmax(segments)                                    // [T, 1]
        let pooled = rows.segmentWeightedSum(segments, weights: weights)                 // [batch, dim]
        return HeadOutput(embeddings: OutputProjection.applied(pooled, configuration, parameters: parameters), weights: weights)
    }
}
