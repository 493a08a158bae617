import Autodiff
import Foundation

/// Text → token ids → hidden states of chosen layers: a model folder's tokenizer and BERT encoder
/// together, run over many texts in length-sorted batches.
///
/// ```
/// texts ──tokenize──▶ ids (truncated to maxLength)
///   window of `windowSize` texts: sort by length, batches of `batchSize`, one forward pass each
///   (every requested layer from the same pass), rows scattered back into text order
///   ──▶ body(window, states[layer] [T_window, hidden], offsets [window + 1])
/// ```
/// Sorting within a window keeps batches of similar lengths (little wasted attention work, and the
/// per-batch GEMMs stay large) while memory stays bounded by the window, whatever the input size.
public struct TextEncoder: Sendable {
    public let folder: ModelFolder
    public let tokenizer: WordPieceTokenizer
    public let encoder: BertEncoder
    /// Token ids per text at most (with `[CLS]` and `[SEP]`).
    public let maxLength: Int

    /// Loads the model folder; `maxLength` defaults to the folder's `max_seq_length`
    /// (sentence-transformers) or else the model's position count, and may not exceed the latter.
    /// - Throws: ``EncoderError`` naming the file (model folder problems) or the flag value.
    public init(modelFolder url: URL, maxLength: Int? = nil) throws {
        let encoder = try BertEncoder(folder: url)
        guard let folder = encoder.folder else { throw EncoderError.missingFile(path: url.path, hint: ModelFolder.layoutHint) }
        let positions = encoder.configuration.maxPositions
        let length = maxLength ?? min(folder.maxSequenceLength ?? positions, positions)
        guard length <= positions else {
            throw EncoderError.maxLengthTooLong(maxLength: length, maximum: positions, path: folder.configurationURL.path)
        }
        self.folder = folder
        self.encoder = encoder
        self.maxLength = length
        tokenizer = try WordPieceTokenizer(modelFolder: folder.transformerFolder)
        guard tokenizer.vocabulary.count <= encoder.configuration.vocabularySize else {
            throw EncoderError.invalidField(
                path: folder.vocabularyURL.path, field: "lines", value: "\(tokenizer.vocabulary.count)",
                expected: "at most vocab_size = \(encoder.configuration.vocabularySize) of config.json")
        }
        guard length >= 3 else { throw EncoderError.maxLengthTooSmall(maxLength: length, minimum: 3) }
    }

    /// A name for the model: the first `# ` title of the folder's README.md (sentence-transformers
    /// model cards start with the model's name), or else the folder's name.
    public var modelName: String { folder.modelName }

    /// Whether two model names denote the same model: equal, or equal after the organisation
    /// prefix (`sentence-transformers/all-MiniLM-L6-v2` ≡ `all-MiniLM-L6-v2`), ignoring case.
    public static func sameModel(_ a: String, _ b: String) -> Bool {
        func base(_ name: String) -> String { String(name.split(separator: "/").last ?? Substring(name)).lowercased() }
        return base(a) == base(b)
    }

    /// The `layer` attribute for layer `k` of this model: `"last"` for the last, else the number
    /// (as the Python extractor writes it).
    public func layerName(_ k: Int) -> String { k == encoder.configuration.layerCount ? "last" : "\(k)" }

    /// Tokenizes every text; `sources[i]` (e.g. `file:line`) names text `i` in errors.
    public func tokenized(_ texts: [String], sources: [String]? = nil) throws -> [TokenizedText] {
        try texts.enumerated().map { i, text in
            try tokenizer.encode(text, maxLength: maxLength, source: sources?[i] ?? "text \(i + 1)")
        }
    }

    /// Runs the encoder over `texts` window by window (see the type's description).
    /// - Parameters:
    ///   - layers: hidden states to return, each in `0 … num_hidden_layers` (only the layers up to
    ///     the largest are computed).
    ///   - batchSize: sentences per forward pass.
    ///   - threads: workers for the encoder's per-sentence work.
    ///   - progress: sentences done so far, after each batch.
    ///   - body: receives each window's range of text indices, the states of every layer in text
    ///     order `[T_window, hidden]`, and the window's offsets `[window + 1]`.
    public func forEachWindow(
        _ texts: [TokenizedText], layers: Set<Int>, batchSize: Int = 64, windowSize: Int = 4096, threads: Int = 1,
        progress: (Int) -> Void = { _ in },
        _ body: (_ window: Range<Int>, _ states: [Int: Tensor], _ offsets: [Int]) throws -> Void
    ) throws {
        precondition(batchSize >= 1 && windowSize >= 1, "TextEncoder: batchSize and windowSize must be positive")
        let dim = encoder.configuration.hiddenSize
        var done = 0
        var start = 0
        while start < texts.count {
            let window = start..<min(texts.count, start + windowSize)
            var offsets = [0]
            for i in window { offsets.append(offsets[offsets.count - 1] + texts[i].ids.count) }
            let rows = offsets[offsets.count - 1]
            var states = [Int: [Float]]()
            for layer in layers { states[layer] = [Float](repeating: 0, count: rows * dim) }
            let order = window.sorted { texts[$0].ids.count < texts[$1].ids.count }
            var b = 0
            while b < order.count {
                let batch = Array(order[b..<min(order.count, b + batchSize)])
                var ids: [Int32] = []
                var batchOffsets = [0]
                for i in batch {
                    ids += texts[i].ids
                    batchOffsets.append(ids.count)
                }
                let computed = try encoder.hiddenStates(ids: ids, offsets: batchOffsets, layers: layers, threads: threads)
                for (layer, tensor) in computed {
                    tensor.scalars.withUnsafeBufferPointer { source in
                        states[layer]?.withUnsafeMutableBufferPointer { destination in
                            for (k, i) in batch.enumerated() {
                                let from = batchOffsets[k] * dim
                                let to = offsets[i - window.lowerBound] * dim
                                let count = (batchOffsets[k + 1] - batchOffsets[k]) * dim
                                guard let target = destination.baseAddress, let origin = source.baseAddress else { continue }
                                (target + to).update(from: origin + from, count: count)
                            }
                        }
                    }
                }
                done += batch.count
                progress(done)
                b += batchSize
            }
            try body(window, states.mapValues { Tensor(shape: [rows, dim], scalars: $0) }, offsets)
            start = window.upperBound
        }
    }
}
