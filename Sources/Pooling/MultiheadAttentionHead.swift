import Autodiff

/// Learned-query multi-head attention pooling: `heads` learned queries attend over the
/// sentence's tokens; head `k` weights its own block of `dim / heads` dimensions.
///
/// ```
/// ĥ_t     = √dim · h_t / √(‖h_t‖² + 1e-12)                           (score_normalization rms, the default; none: ĥ_t = h_t)
/// s_{t,k} = (K ĥ_t) · q_k / √keyDim = ĥ_t · (Kᵀ q_k) / √keyDim         K [keyDim, dim] (shared by all heads), q_k = Q[k] [keyDim]
/// w_{t,k} = e^{s_{t,k}} / Σ_{t′ ∈ sentence} e^{s_{t′,k}}              (segment softmax per head)
/// x[j]    = Σ_t w_{t,k(j)} h_t[j],   k(j) = j / (dim / heads)          (heads concatenated → dim)
/// y       = P x + c,  then y / ‖y‖₂                                    (optional)
/// ```
/// Keys are never materialised: `U = Kᵀ Qᵀ` `[dim, heads]` first, then scores `= H U / √keyDim`
/// `[T, heads]` — one `[T, dim]·[dim, heads]` GEMM instead of `[T, dim]·[dim, keyDim]`.
///
/// The values are the raw rows `h_t` either way; only the scores see `ĥ_t`, whose RMS is 1 for
/// every token, so one row with activations 100× the others' (a decoder's attention sink) gets a
/// score of the same scale as the rest instead of saturating the softmax after one small step of
/// `q` — a saturated softmax passes no gradient back, and the head stays stuck on that token.
///
/// Initialisation: `K` Xavier-uniform (seeded), `Q = 0`: every score is 0 and the head starts
/// out as mean pooling.
///
/// Tensors: `keys.weight` `[keyDim, dim]`, `queries` `[heads, keyDim]`
/// (+ `projection.weight` `[dim, dim]`, `projection.bias` `[dim]`).
///
/// Reference: J. Lee et al., "Set Transformer" (ICML 2019), pooling by multihead attention (PMA);
/// C. Lee et al., "NV-Embed" (2024), latent attention layer.
public struct MultiheadAttentionHead: PoolingHead {
    static let keysName = "keys.weight"
    static let queriesName = "queries"

    public let configuration: HeadConfiguration
    public var parameters: [String: Tensor]

    /// A fresh head (mean pooling at start); `configuration.kind` must be `.multihead` and valid.
    public init(configuration: HeadConfiguration, seed: UInt64) {
        precondition(configuration.kind == .multihead, "MultiheadAttentionHead: configuration kind is \(configuration.kind)")
        precondition(configuration.dim > 0 && configuration.heads > 0 && configuration.keyDim > 0
                        && configuration.dim % configuration.heads == 0,
                     "MultiheadAttentionHead: dim \(configuration.dim) must be divisible by heads \(configuration.heads); keyDim \(configuration.keyDim) > 0")
        self.configuration = configuration
        var generator = Xoshiro256StarStar(seed: seed)
        var parameters = [
            Self.keysName: Tensor.glorotUniform([configuration.keyDim, configuration.dim], using: &generator),
            Self.queriesName: Tensor.zeros([configuration.heads, configuration.keyDim]),
        ]
        if configuration.projection {
            parameters.merge(OutputProjection.initialParameters(dim: configuration.dim)) { $1 }
        }
        self.parameters = parameters
    }

    public var parametersWithoutDecay: Set<String> {
        configuration.projection ? [Self.queriesName, OutputProjection.biasName] : [Self.queriesName]
    }

    /// `1 / √keyDim`.
    private var scale: Float { 1 / Float(configuration.keyDim).squareRoot() }

    public func forward(_ rows: Variable, segments: Segments, parameters: [String: Variable]) -> HeadOutput {
        precondition(rows.rank == 2 && rows.shape == [segments.rowCount, configuration.dim],
                     "MultiheadAttentionHead.forward: rows must be [\(segments.rowCount), \(configuration.dim)], got \(rows.shape)")
        let keys = parameters.variable(Self.keysName, configuration)        // [keyDim, dim]
        let queries = parameters.variable(Self.queriesName, configuration)  // [heads, keyDim]
        let u = keys.matmul(queries, transposeA: true, transposeB: true)    // [dim, heads] = Kᵀ Qᵀ
        // rms: ĥ = √dim · h/‖h‖, with the √dim folded into the scores' scale.
        let scores = configuration.scoreNormalization == .rms
            ? rows.l2Normalized().matmul(u) * (scale * Float(configuration.dim).squareRoot())  // [T, heads]
            : rows.matmul(u) * scale                                                            // [T, heads]
        let weights = scores.segmentSoftmax(segments)                       // [T, heads]
        let pooled = rows.segmentWeightedSum(segments, weights: weights)    // [batch, dim]
        return HeadOutput(embeddings: OutputProjection.applied(pooled, configuration, parameters: parameters), weights: weights)
    }
}
