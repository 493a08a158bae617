import Autodiff
import Foundation
import Pooling

/// A BERT encoder for inference: token ids of packed sentences → the hidden states of chosen layers.
///
/// ```
/// h⁰ = LayerNorm(word[id] + position[p] + tokenType[type])       p restarts at 0 per sentence
/// for layer k = 1 … K:
///   Q | K | V = hᵏ⁻¹ W_qkvᵀ + b_qkv                                 one GEMM over all T rows
///   c = concat over heads of softmax(Q_h K_hᵀ / √d) V_h              per sentence (no padding)
///   a = LayerNorm(hᵏ⁻¹ + c W_oᵀ + b_o)
///   hᵏ = LayerNorm(a + GELU(a W₁ᵀ + b₁) W₂ᵀ + b₂)                   GELU(x) = ½ x (1 + erf(x/√2))
/// ```
/// Layer numbering is transformers' `output_hidden_states`: 0 is the embeddings' output, `k` the
/// output of layer `k`, `N` (= `num_hidden_layers`) the last. Asking for layers up to `K` runs
/// only `K` layers (early exit).
///
/// Threads: attention (over sentences), LayerNorm and GELU (over rows) run on the `threads` given
/// to ``hiddenStates(ids:offsets:tokenTypes:layers:threads:)``. The dense layers are single
/// `cblas_sgemm` calls over all rows, threaded by OpenBLAS with its process-wide thread count —
/// unless OpenBLAS runs on one thread, in which case each of the `threads` workers multiplies its
/// own block of rows, so no OpenBLAS thread spins while the workers run attention. The library
/// never changes OpenBLAS' setting; an executable chooses it once at start
/// (``BLASRuntime/setThreads(_:)``, or `OPENBLAS_NUM_THREADS`).
///
/// Reference: Devlin et al., "BERT" (2019); transformers' `modeling_bert.py` (`BertModel`).
public struct BertEncoder: Sendable {
    public let configuration: BertConfiguration
    /// Where the files came from (nil for an encoder built from a configuration and weights file).
    public let folder: ModelFolder?
    let weights: BertWeights

    /// Loads the model folder at `url` (see ``ModelFolder`` for the layouts).
    /// - Throws: ``EncoderError`` naming the file: a missing config, weights or vocabulary, a bad
    ///   `config.json` field, a missing tensor or one whose shape disagrees with the configuration.
    public init(folder url: URL) throws {
        let folder = try ModelFolder(url)
        let configuration = try BertConfiguration(contentsOf: folder.configurationURL)
        self.folder = folder
        self.configuration = configuration
        weights = try BertWeights(contentsOf: folder.weightsURL, configuration: configuration)
    }

    /// An encoder of `configuration` with the weights in the safetensors file at `weightsURL`.
    public init(configuration: BertConfiguration, weightsURL: URL) throws {
        self.folder = nil
        self.configuration = configuration
        weights = try BertWeights(contentsOf: weightsURL, configuration: configuration)
    }

    /// The hidden states of `layers` for packed sentences, from one forward pass.
    ///
    /// Memory: buffers of `T · (6H + I)` floats for the pass (≈ 15 KB per token for
    /// all-MiniLM-L6-v2) plus `T · H` per returned layer; encode large inputs in batches (e.g. 64
    /// sentences sorted by length, which also balances the attention workers).
    ///
    /// - Parameters:
    ///   - ids: token ids of all sentences, concatenated, `[T]`.
    ///   - offsets: `[batch + 1]`; sentence `i` owns rows `offsets[i] ..< offsets[i + 1]`.
    ///   - tokenTypes: segment ids `[T]` (nil: all 0).
    ///   - layers: which hidden states, each in `0 … num_hidden_layers`; not empty.
    ///   - threads: workers for attention (over sentences), LayerNorm and GELU (over rows); ≥ 1.
    /// - Returns: for each requested layer, its states `[T, hidden_size]` in the rows of `ids`.
    /// - Throws: ``EncoderError/invalidOffsets(detail:)``, ``EncoderError/tokenOutOfRange(row:id:vocabularySize:)``,
    ///   ``EncoderError/tokenTypeOutOfRange(row:type:typeVocabularySize:)``,
    ///   ``EncoderError/sentenceTooLong(sentence:tokens:maximum:)``, ``EncoderError/layerOutOfRange(layer:layers:)``.
    public func hiddenStates(ids: [Int32], offsets: [Int], tokenTypes: [Int32]? = nil,
                             layers: Set<Int>, threads: Int = 1) throws -> [Int: Tensor] {
        try validate(ids: ids, offsets: offsets, tokenTypes: tokenTypes, layers: layers)
        let forward = BertForward(configuration: configuration, weights: weights, offsets: offsets,
                                  threads: max(1, threads))
        return forward.run(ids: ids, tokenTypes: tokenTypes, layers: layers)
    }

    /// The last layer's states `[T, hidden_size]` (see ``hiddenStates(ids:offsets:tokenTypes:layers:threads:)``).
    public func lastHiddenState(ids: [Int32], offsets: [Int], tokenTypes: [Int32]? = nil, threads: Int = 1) throws -> Tensor {
        let last = configuration.layerCount
        let states = try hiddenStates(ids: ids, offsets: offsets, tokenTypes: tokenTypes, layers: [last], threads: threads)
        return states[last] ?? Tensor.zeros([ids.count, configuration.hiddenSize])
    }

    /// Checks everything a caller can get wrong before any work starts.
    func validate(ids: [Int32], offsets: [Int], tokenTypes: [Int32]?, layers: Set<Int>) throws {
        let c = configuration
        guard let first = offsets.first, first == 0, offsets.count >= 2 else {
            throw EncoderError.invalidOffsets(detail: "got \(offsets.prefix(4)) (count \(offsets.count)); they must start "
                + "at 0 and have one more entry than there are sentences")
        }
        guard let last = offsets.last, last == ids.count else {
            throw EncoderError.invalidOffsets(detail: "they end at \(offsets.last ?? 0) but there are \(ids.count) ids")
        }
        for i in 0..<(offsets.count - 1) {
            let length = offsets[i + 1] - offsets[i]
            guard length >= 0 else {
                throw EncoderError.invalidOffsets(detail: "offsets[\(i + 1)] = \(offsets[i + 1]) < offsets[\(i)] = \(offsets[i])")
            }
            guard length <= c.maxPositions else {
                throw EncoderError.sentenceTooLong(sentence: i, tokens: length, maximum: c.maxPositions)
            }
        }
        if let row = ids.firstIndex(where: { $0 < 0 || Int($0) >= c.vocabularySize }) {
            throw EncoderError.tokenOutOfRange(row: row, id: ids[row], vocabularySize: c.vocabularySize)
        }
        if let tokenTypes {
            guard tokenTypes.count == ids.count else {
                throw EncoderError.tokenTypeCountMismatch(types: tokenTypes.count, ids: ids.count)
            }
            if let row = tokenTypes.firstIndex(where: { $0 < 0 || Int($0) >= c.typeVocabularySize }) {
                throw EncoderError.tokenTypeOutOfRange(row: row, type: tokenTypes[row], typeVocabularySize: c.typeVocabularySize)
            }
        }
        guard !layers.isEmpty else { throw EncoderError.layerOutOfRange(layer: -1, layers: c.layerCount) }
        if let bad = layers.sorted().first(where: { $0 < 0 || $0 > c.layerCount }) {
            throw EncoderError.layerOutOfRange(layer: bad, layers: c.layerCount)
        }
    }
}
