import Autodiff

/// A fixed (parameter-free) pooling of a sentence's token rows `h_1 … h_L` into one vector.
///
/// ```
/// cls             y = h_1                                  (first real token)
/// last            y = h_L                                  (last real token)
/// mean            y = (1/L) Σ_t h_t
/// max             y_j = max_t h_{t,j}
/// mean-sqrt-len   y = (1/√L) Σ_t h_t
/// weighted-mean   y = Σ_t (t / Σ_{t′=1…L} t′) h_t          (SGPT position weighting, t = 1…L)
/// mean-nospecial  mean over the rows that are not special tokens
/// max-nospecial   max over the rows that are not special tokens
/// ```
/// Inputs are packed rows (only real tokens), so the result does not depend on how a padded
/// batch was padded. The raw values are the names used on the command line.
///
/// Reference: N. Muennighoff, "SGPT: GPT Sentence Embeddings for Semantic Search" (2022) for
/// `weighted-mean`; `mean-sqrt-len` as in sentence-transformers' `pooling_mode_mean_sqrt_len_tokens`.
public enum PoolingStrategy: String, CaseIterable, Codable, Sendable {
    case cls
    case mean
    case max
    case last
    case meanSqrtLen = "mean-sqrt-len"
    case weightedMean = "weighted-mean"
    case meanNoSpecial = "mean-nospecial"
    case maxNoSpecial = "max-nospecial"

    /// sentence-transformers' `pooling_mode` spellings of the same strategies (`Pooling(pooling_mode=…)`),
    /// accepted on input; the raw values stay the canonical names.
    public static let sentenceTransformersAliases: [String: PoolingStrategy] = [
        "lasttoken": .last, "weightedmean": .weightedMean, "mean_sqrt_len_tokens": .meanSqrtLen,
    ]

    /// The strategy a command-line name means: a raw value or a sentence-transformers alias.
    public init?(named name: String) {
        guard let strategy = PoolingStrategy(rawValue: name) ?? Self.sentenceTransformersAliases[name] else { return nil }
        self = strategy
    }

    /// Whether the strategy leaves out special tokens (and so needs to know where they are).
    public var excludesSpecialTokens: Bool { self == .meanNoSpecial || self == .maxNoSpecial }

    /// Pools packed rows `[T, dim]` (one segment per sentence) → `[batch, dim]`; no tape.
    ///
    /// - Parameter specialTokens: where the special tokens are; used only by `*-nospecial`.
    public func pooled(_ rows: Tensor, segments: Segments, specialTokens: SpecialTokenPositions = .none) -> Tensor {
        precondition(rows.rank == 2 && rows.shape[0] == segments.rowCount,
                     "\(rawValue) pooling: rows must be [\(segments.rowCount), dim] for \(segments), got \(rows.shape)")
        switch self {
        case .cls:
            return rows.segmentFirst(segments)
        case .last:
            return rows.segmentLast(segments)
        case .mean:
            return rows.segmentMean(segments)
        case .max:
            return rows.segmentMax(segments)
        case .meanSqrtLen:
            let scale = Tensor(shape: [segments.count, 1],
                               scalars: segments.lengths.map { 1 / Float(Swift.max($0, 1)).squareRoot() })  // [batch, 1]
            return rows.segmentSum(segments) * scale
        case .weightedMean:
            return rows.segmentWeightedSum(segments, weights: Self.positionWeights(segments))
        case .meanNoSpecial, .maxNoSpecial:
            let (content, contentSegments) = Self.contentRows(rows, segments: segments, specialTokens: specialTokens)
            return self == .meanNoSpecial ? content.segmentMean(contentSegments) : content.segmentMax(contentSegments)
        }
    }

    /// SGPT weights `w_t = t / Σ_{t′=1…L} t′ = 2t / (L (L + 1))` for each row, `[T, 1]`.
    static func positionWeights(_ segments: Segments) -> Tensor {
        var weights = [Float]()
        weights.reserveCapacity(segments.rowCount)
        for length in segments.lengths {
            let total = Float(length * (length + 1) / 2)
            for t in 0..<length { weights.append(Float(t + 1) / total) }
        }
        return Tensor(shape: [segments.rowCount, 1], scalars: weights)
    }

    /// The rows that are not special tokens, packed, with their segments.
    static func contentRows(_ rows: Tensor, segments: Segments, specialTokens: SpecialTokenPositions)
        -> (rows: Tensor, segments: Segments) {
        guard !specialTokens.isEmpty else { return (rows, segments) }
        var kept = [Int]()
        kept.reserveCapacity(segments.rowCount)
        var lengths = [Int]()
        lengths.reserveCapacity(segments.count)
        for b in 0..<segments.count {
            let start = segments.offsets[b]
            let content = specialTokens.contentRows(length: segments.rows(b).count)
            kept.append(contentsOf: (start + content.lowerBound)..<(start + content.upperBound))
            lengths.append(content.count)
        }
        return (rows.gathering(rows: kept), Segments(lengths: lengths))
    }
}

/// One or more fixed strategies, concatenated in order (e.g. `mean+max` → `[batch, 2·dim]`),
/// optionally L2-normalised as a whole: `y ← y / ‖y‖₂`.
public struct FixedPooling: Sendable, Hashable, CustomStringConvertible {
    /// The strategies, concatenated in this order; never empty.
    public let strategies: [PoolingStrategy]
    /// L2-normalise the (concatenated) output.
    public var normalize: Bool
    /// Where the special tokens are, for `*-nospecial`.
    public var specialTokens: SpecialTokenPositions

    /// - Throws: ``PoolingError/emptyStrategy(text:)`` for no strategy,
    ///   ``PoolingError/specialTokensUnknown(strategy:)`` for a `*-nospecial` one without `specialTokens`.
    public init(_ strategies: [PoolingStrategy], normalize: Bool = false, specialTokens: SpecialTokenPositions = .none) throws {
        guard !strategies.isEmpty else { throw PoolingError.emptyStrategy(text: "") }
        if specialTokens.isEmpty, let needy = strategies.first(where: \.excludesSpecialTokens) {
            throw PoolingError.specialTokensUnknown(strategy: needy.rawValue)
        }
        self.strategies = strategies
        self.normalize = normalize
        self.specialTokens = specialTokens
    }

    /// Parses `"mean"` or `"mean+max"` (the command-line form); sentence-transformers' spellings
    /// (`lasttoken`, `weightedmean`, `mean_sqrt_len_tokens`) are accepted too.
    /// - Throws: ``PoolingError/unknownStrategy(name:valid:)`` listing the valid names, or the errors of ``init(_:normalize:specialTokens:)``.
    public init(parsing text: String, normalize: Bool = false, specialTokens: SpecialTokenPositions = .none) throws {
        let names = text.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        guard !text.isEmpty, names.allSatisfy({ !$0.isEmpty }) else { throw PoolingError.emptyStrategy(text: text) }
        let strategies = try names.map { name in
            guard let strategy = PoolingStrategy(named: name) else {
                throw PoolingError.unknownStrategy(name: name, valid: PoolingStrategy.allCases.map(\.rawValue))
            }
            return strategy
        }
        try self.init(strategies, normalize: normalize, specialTokens: specialTokens)
    }

    /// `"mean+max"`.
    public var name: String { strategies.map(\.rawValue).joined(separator: "+") }

    public var description: String { name + (normalize ? " (L2-normalised)" : "") }

    /// Output width for hidden states of width `dim`: `strategies.count · dim`.
    public func outputDim(inputDim dim: Int) -> Int { strategies.count * dim }

    /// Packed rows `[T, dim]`, one segment per sentence → `[batch, strategies.count · dim]`; no tape.
    public func pooled(_ rows: Tensor, segments: Segments) -> Tensor {
        let parts = strategies.map { $0.pooled(rows, segments: segments, specialTokens: specialTokens) }
        let joined = parts.count == 1 ? parts[0] : Tensor.concatenated(parts, alongAxis: 1)  // [batch, k·dim]
        return normalize ? joined.l2Normalized(alongAxis: -1) : joined
    }

    /// Padded `[batch, tokens, dim]` with `mask` `[batch, tokens]` (1 = real token, either padding side)
    /// → `[batch, strategies.count · dim]`.
    public func pooled(padded: Tensor, mask: Tensor) -> Tensor {
        let packed = PackedRows(padded: padded, mask: mask)
        return pooled(packed.rows, segments: packed.segments)
    }
}
