import Autodiff
import HiddenStates
import Pooling

/// Pools every sentence of a hidden-states file with several methods, reading the file once.
public enum EmbeddingPass {
    /// Reads `file` in batches of `batchSize` sentences (bounded memory) and pools each batch
    /// with every embedder.
    /// - Returns: one ``SentenceEmbeddings`` `[sentences, outputDim]` per embedder, in order.
    /// - Throws: ``HiddenStatesError`` from reading, ``PoolingError`` when a head's dim differs
    ///   from the file's or it was trained on states made with another prompt template.
    public static func embed(
        _ file: HiddenStatesFile, with embedders: [SentenceEmbedder], batchSize: Int = 1024,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> [SentenceEmbeddings] {
        let dim = file.metadata.dim
        let total = file.metadata.sentences
        for embedder in embedders {
            if let expected = embedder.inputDim, expected != dim {
                throw PoolingError.dimensionMismatch(source: file.path, expected: expected, actual: dim)
            }
            try embedder.checkTemplate(of: file)
        }
        var outputs = embedders.map { embedder -> [Float] in
            var values = [Float]()
            values.reserveCapacity(total * embedder.outputDim(inputDim: dim))
            return values
        }
        var batches = file.batches(size: batchSize)
        var done = 0
        while let batch = try batches.next() {
            let rows = Tensor(shape: [batch.tokenCount, dim], scalars: batch.tokens)
            let segments = Segments(offsets: batch.offsets)
            for (e, embedder) in embedders.enumerated() {
                let pooled = try embedder.embeddings(rows, segments: segments, source: file.path,
                                                     firstSentence: batch.sentences.first ?? done)
                outputs[e].append(contentsOf: pooled.scalars)
            }
            done += batch.count
            progress?(done, total)
        }
        return zip(embedders, outputs).map { embedder, values in
            SentenceEmbeddings(values: values, dim: embedder.outputDim(inputDim: dim))
        }
    }
}

extension SentenceEmbedder {
    /// Checks a head against the `template` attribute of `file` (fixed poolings need nothing).
    /// - Throws: ``PoolingError/templateMismatch(source:trainedOn:found:)``.
    public func checkTemplate(of file: HiddenStatesFile) throws {
        guard case .head(let head) = method else { return }
        try head.configuration.provenance.checkTemplate(file.metadata.template, source: file.path)
    }
}

extension SpecialTokenPositions {
    /// Where a file's `special_tokens` attribute says the special tokens are (none when absent).
    public init(_ tokens: SpecialTokens?) {
        self.init(first: tokens?.firstIsSpecial ?? false, last: tokens?.lastIsSpecial ?? false)
    }

    /// Where `file`'s special tokens are, for pooling with `strategies` (command-line form).
    /// - Throws: ``PoolingError/specialTokensUnrecognized(path:value:strategy:)`` when a strategy
    ///   leaves out special tokens and the attribute is present but names no known position.
    public init(of file: HiddenStatesFile, for strategies: [String]) throws {
        self.init(file.metadata.specialTokens)
        guard let recorded = file.metadata.specialTokens, !first, !last else { return }
        let needing = strategies.first { text in
            text.split(separator: "+").contains { PoolingStrategy(named: String($0))?.excludesSpecialTokens == true }
        }
        if let needing {
            throw PoolingError.specialTokensUnrecognized(path: file.path, value: recorded.items.joined(separator: ","), strategy: needing)
        }
    }
}
