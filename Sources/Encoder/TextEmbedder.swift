import Autodiff
import Foundation
import Pooling

/// Text in, embeddings out: a BERT model folder, the layer to pool (early exit: later layers are
/// never computed) and a pooling — a fixed strategy or a learned head.
///
/// ```swift
/// let embedder = try TextEmbedder(modelFolder: folder, layer: 3, head: URL(fileURLWithPath: "runs/layer3/head"))
/// let vectors = try embedder.embeddings(of: ["A man is playing a guitar.", "Someone plays music."])
/// ```
/// Special tokens: BERT puts `[CLS]` first and `[SEP]` last, so `*-nospecial` strategies leave them out.
public struct TextEmbedder: Sendable {
    public let textEncoder: TextEncoder
    /// The hidden-state layer pooled (0 = embeddings output, `num_hidden_layers` = last).
    public let layer: Int
    public let embedder: SentenceEmbedder
    /// L2-normalise every embedding after pooling.
    public let normalize: Bool

    /// - Parameters:
    ///   - layer: the layer to pool (nil: the last).
    ///   - strategy: a fixed pooling (nil: the model's native pooling from `1_Pooling/config.json`, else mean).
    ///   - maxLength: tokens per text at most (nil: the model folder's `max_seq_length`).
    /// - Throws: ``EncoderError`` for the model folder, the layer or the length; ``PoolingError`` for the strategy.
    public init(modelFolder: URL, layer: Int? = nil, strategy: String? = nil, normalize: Bool = false,
                maxLength: Int? = nil) throws {
        let textEncoder = try TextEncoder(modelFolder: modelFolder, maxLength: maxLength)
        let layers = textEncoder.encoder.configuration.layerCount
        let chosen = layer ?? layers
        guard (0...layers).contains(chosen) else { throw EncoderError.layerOutOfRange(layer: chosen, layers: layers) }
        let name = strategy ?? textEncoder.folder.nativePooling.map { $0.map(\.rawValue).joined(separator: "+") } ?? "mean"
        self.textEncoder = textEncoder
        self.layer = chosen
        self.normalize = normalize
        embedder = SentenceEmbedder(pooling: try FixedPooling(parsing: name, specialTokens: .clsFirstSepLast))
    }

    /// A learned head from an export folder (or a training run folder holding `head/`), checked
    /// against the model and layer it was trained on, and refused when it was trained on prompted
    /// states (provenance `template`; the text is encoded as given), unless `ignoreProvenance`.
    /// - Throws: ``EncoderError/headMismatch(head:field:trainedOn:requested:)``, ``PoolingError`` for the head folder.
    public init(modelFolder: URL, layer: Int? = nil, head: URL, normalize: Bool = false, maxLength: Int? = nil,
                ignoreProvenance: Bool = false) throws {
        let textEncoder = try TextEncoder(modelFolder: modelFolder, maxLength: maxLength)
        let layers = textEncoder.encoder.configuration.layerCount
        let loaded = try HeadExport.load(from: head)
        let provenance = loaded.configuration.provenance
        let recordedLayer = provenance.layer == "last" ? layers : Int(provenance.layer)
        let chosen = layer ?? recordedLayer ?? layers
        guard (0...layers).contains(chosen) else { throw EncoderError.layerOutOfRange(layer: chosen, layers: layers) }
        if !ignoreProvenance {
            if provenance.model != "unknown", !TextEncoder.sameModel(provenance.model, textEncoder.modelName) {
                throw EncoderError.headMismatch(head: head.path, field: "model", trainedOn: provenance.model,
                                                requested: textEncoder.modelName)
            }
            if let recordedLayer, recordedLayer != chosen {
                throw EncoderError.headMismatch(head: head.path, field: "layer", trainedOn: provenance.layer,
                                                requested: textEncoder.layerName(chosen))
            }
            if provenance.trainedOnPrompt {
                throw EncoderError.headMismatch(head: head.path, field: "template", trainedOn: provenance.template,
                                                requested: "none (the text is encoded as given)")
            }
        }
        guard loaded.configuration.dim == textEncoder.encoder.configuration.hiddenSize else {
            throw PoolingError.dimensionMismatch(source: modelFolder.path, expected: loaded.configuration.dim,
                                                 actual: textEncoder.encoder.configuration.hiddenSize)
        }
        self.textEncoder = textEncoder
        self.layer = chosen
        self.normalize = normalize
        embedder = SentenceEmbedder(head: loaded)
    }

    /// Width of each embedding.
    public var dim: Int { embedder.outputDim(inputDim: textEncoder.encoder.configuration.hiddenSize) }

    /// One embedding per text, in order; `sources[i]` names text `i` in errors.
    public func embeddings(of texts: [String], sources: [String]? = nil, batchSize: Int = 64, threads: Int = 1,
                           progress: (Int) -> Void = { _ in }) throws -> [[Float]] {
        var result: [[Float]] = []
        result.reserveCapacity(texts.count)
        try forEachWindow(texts, sources: sources, batchSize: batchSize, threads: threads, progress: progress) { _, pooled in
            let width = pooled.shape[1]
            for row in 0..<pooled.shape[0] { result.append(Array(pooled.scalars[(row * width)..<((row + 1) * width)])) }
        }
        return result
    }

    /// Embeds window by window: `body(range of text indices, embeddings [window, dim])`, bounded memory.
    public func forEachWindow(_ texts: [String], sources: [String]? = nil, batchSize: Int = 64, threads: Int = 1,
                              progress: (Int) -> Void = { _ in },
                              _ body: (Range<Int>, Tensor) throws -> Void) throws {
        let tokenized = try textEncoder.tokenized(texts, sources: sources)
        try textEncoder.forEachWindow(tokenized, layers: [layer], batchSize: batchSize, threads: threads,
                                      progress: progress) { window, states, offsets in
            guard let rows = states[layer] else { return }
            var pooled = try embedder.embeddings(rows, segments: Segments(offsets: offsets), source: "the input texts",
                                                 firstSentence: window.lowerBound)
            if normalize { pooled = pooled.l2Normalized(alongAxis: -1) }
            try body(window, pooled)
        }
    }
}
