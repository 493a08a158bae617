import Autodiff
import Foundation

/// Turns a transformer's per-token hidden states into sentence embeddings — the API for apps.
///
/// Load an exported head folder (`config.json` + `model.safetensors`, as written by
/// `pooler export`), or use a fixed strategy, then pool one `[tokens, dim]` matrix or a batch:
///
/// ```swift
/// import Pooling
/// let embedder = try SentenceEmbedder(contentsOf: URL(fileURLWithPath: "exported-head"))
/// // hidden: [Float], row-major [tokens, dim] (the encoder's output for one sentence, no padding)
/// let embedding = try embedder.embedding(of: hidden, tokens: tokenCount)         // [Float], dim values
/// let embeddings = try embedder.embeddings(of: [(hiddenA, tokensA), (hiddenB, tokensB)])  // [[Float]]
/// ```
/// Everything runs without a tape, through BLAS; a value is `Sendable` and can be shared across tasks.
public struct SentenceEmbedder: Sendable {
    /// How sentences are pooled.
    public enum Method: Sendable {
        case head(any PoolingHead)
        case fixed(FixedPooling)
    }

    public let method: Method

    /// Pools with a learned head.
    public init(head: any PoolingHead) { method = .head(head) }

    /// Pools with fixed strategies (e.g. `try FixedPooling(parsing: "mean")`).
    public init(pooling: FixedPooling) { method = .fixed(pooling) }

    /// Loads and validates an exported head folder.
    /// - Throws: ``PoolingError`` (see ``HeadExport/load(from:)``).
    public init(contentsOf folder: URL) throws { method = .head(try HeadExport.load(from: folder)) }

    /// The hidden-state width a head requires; `nil` for fixed strategies (any width).
    public var inputDim: Int? {
        if case .head(let head) = method { return head.configuration.dim }
        return nil
    }

    /// Embedding width for hidden states of width `dim`.
    public func outputDim(inputDim dim: Int) -> Int {
        switch method {
        case .head(let head): return head.outputDim
        case .fixed(let pooling): return pooling.outputDim(inputDim: dim)
        }
    }

    /// A name for the method: the head kind, or the strategies (`mean+max`).
    public var name: String {
        switch method {
        case .head(let head): return "\(head.configuration.kind.rawValue) head"
        case .fixed(let pooling): return pooling.name
        }
    }

    /// Packed rows `[T, dim]`, one segment per sentence → `[batch, outputDim]`, every value finite.
    /// - Parameters:
    ///   - source: names the input in errors.
    ///   - firstSentence: the index of the first segment's sentence in `source`, for errors.
    /// - Throws: ``PoolingError/dimensionMismatch(source:expected:actual:)`` when `dim` differs from the head's;
    ///   ``PoolingError/nonFiniteEmbedding(source:sentence:method:)`` when a sentence pools to NaN or ±∞
    ///   (hidden states near the float32 limit overflow).
    public func embeddings(_ rows: Tensor, segments: Segments, source: String = "input", firstSentence: Int = 0) throws -> Tensor {
        precondition(rows.rank == 2 && rows.shape[0] == segments.rowCount,
                     "SentenceEmbedder: rows must be [\(segments.rowCount), dim] for \(segments), got \(rows.shape)")
        let pooled: Tensor  // [batch, outputDim]
        switch method {
        case .head(let head):
            guard rows.shape[1] == head.configuration.dim else {
                throw PoolingError.dimensionMismatch(source: source, expected: head.configuration.dim, actual: rows.shape[1])
            }
            pooled = head.pooled(rows, segments: segments)
        case .fixed(let pooling):
            pooled = pooling.pooled(rows, segments: segments)
        }
        if let bad = pooled.scalars.firstIndex(where: { !$0.isFinite }) {
            let width = max(pooled.shape.last ?? 1, 1)
            throw PoolingError.nonFiniteEmbedding(source: source, sentence: firstSentence + bad / width, method: name)
        }
        return pooled
    }

    /// One sentence: `hidden` row-major `[tokens, dim]` → its embedding.
    /// - Throws: ``PoolingError/badInputLength(tokens:dim:count:)`` or ``PoolingError/dimensionMismatch(source:expected:actual:)``.
    public func embedding(of hidden: [Float], tokens: Int) throws -> [Float] {
        try embeddings(of: [(hidden, tokens)])[0]
    }

    /// One sentence as a `[tokens, dim]` tensor → its embedding.
    public func embedding(of matrix: Tensor) throws -> [Float] {
        precondition(matrix.rank == 2, "SentenceEmbedder: expected [tokens, dim], got \(matrix.shape)")
        return try embeddings(matrix, segments: Segments(lengths: [matrix.shape[0]])).scalars
    }

    /// A batch: each sentence's `hidden` row-major `[tokens, dim]` (lengths may differ) → one embedding each.
    public func embeddings(of sentences: [(hidden: [Float], tokens: Int)]) throws -> [[Float]] {
        guard let first = sentences.first else { return [] }
        let dim = first.tokens > 0 ? first.hidden.count / first.tokens : (inputDim ?? 0)
        var packed = [Float]()
        packed.reserveCapacity(sentences.reduce(0) { $0 + $1.hidden.count })
        for sentence in sentences {
            guard sentence.tokens >= 0, sentence.hidden.count == sentence.tokens * dim else {
                throw PoolingError.badInputLength(tokens: sentence.tokens, dim: dim, count: sentence.hidden.count)
            }
            packed.append(contentsOf: sentence.hidden)
        }
        let segments = Segments(lengths: sentences.map(\.tokens))
        let pooled = try embeddings(Tensor(shape: [segments.rowCount, dim], scalars: packed), segments: segments)
        let width = pooled.shape[1]
        return (0..<sentences.count).map { Array(pooled.scalars[($0 * width)..<(($0 + 1) * width)]) }
    }
}
