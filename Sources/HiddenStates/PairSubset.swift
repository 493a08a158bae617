/// Cuts a smaller file out of a ragged or padded one: some of its pairs, and just the sentences
/// those pairs use (the way `data/` samples are made from the full STS-B files).
public enum PairSubset {
    /// What was written.
    public struct Summary: Sendable {
        public var pairs: Int
        public var sentences: Int
        public var tokens: Int
    }

    /// Writes pairs `selection` of `source` (indices into its `/pairs`, kept in the given order)
    /// with their scores, sentences, texts, token ids and vocabulary, to `path` in the ragged layout.
    ///
    /// Sentence indices are renumbered in ascending order of the source's; root attributes are
    /// copied and `attributes` added (e.g. how the subset was drawn).
    public static func write(
        from source: HiddenStatesFile, pairs selection: [Int], to path: String,
        options: RaggedWriter.Options = RaggedWriter.Options(),
        attributes: [String: AttributeValue] = [:]
    ) throws -> Summary {
        let allPairs = try source.pairs()
        for index in selection where !allPairs.indices.contains(index) {
            throw HiddenStatesError.pairIndexOutOfRange(
                path: source.path, dataset: "/pairs", pair: index, column: 0, value: index, sentences: allPairs.count)
        }
        let scores = source.metadata.hasScores ? try source.scores() : nil
        let texts = source.metadata.hasSentenceTexts ? try source.sentenceTexts() : nil
        let ids = source.metadata.hasInputIDs ? try source.inputIDs() : nil
        let vocabulary = try source.vocabulary()

        let chosen = selection.map { allPairs[$0] }
        let used = Array(Set(chosen.flatMap { [$0.first, $0.second] })).sorted()
        var renumbered: [Int: Int] = [:]
        for (new, old) in used.enumerated() { renumbered[old] = new }

        var merged = source.metadata.attributes
        for (key, value) in attributes { merged[key] = value }
        let writer = try RaggedWriter(path: path, dim: source.metadata.dim, options: options, attributes: merged)
        do {
            var tokens = 0
            // Read in blocks of sentences so memory stays bounded for large subsets.
            for start in stride(from: 0, to: used.count, by: 256) {
                let block = Array(used[start..<min(start + 256, used.count)])
                let batch = try source.read(sentences: block)
                for (i, sentence) in block.enumerated() {
                    let rows = source.offsets[sentence]..<source.offsets[sentence + 1]
                    try writer.append(
                        sentence: batch.tokens(of: i), text: texts?[sentence],
                        inputIDs: ids.map { Array($0[rows]) })
                    tokens += batch.length(of: i)
                }
            }
            let newPairs = chosen.map { pair in
                SentencePair(renumbered[pair.first] ?? 0, renumbered[pair.second] ?? 0)
            }
            try writer.finish(pairs: newPairs, scores: scores.map { all in selection.map { all[$0] } },
                              vocabulary: vocabulary)
            return Summary(pairs: selection.count, sentences: used.count, tokens: tokens)
        } catch {
            writer.cancel()
            throw error
        }
    }
}
