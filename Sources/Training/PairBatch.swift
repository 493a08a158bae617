/// A batch of pairs as the loss sees it: the distinct sentences to pool, and each pair's two rows
/// among them.
struct PairBatch {
    /// Distinct sentence indices of the file, in order of first appearance: `[sentences]`.
    var sentences: [Int] = []
    /// Row of each pair's first / second sentence in ``sentences``: `[pairs]`.
    var first: [Int] = []
    var second: [Int] = []
    /// Sentence indices (into the file) of each pair's first / second sentence: `[pairs]`.
    var firstSentences: [Int] = []
    var secondSentences: [Int] = []
    /// Gold score of each pair, when the file has scores: `[pairs]`.
    var gold: [Float]?

    /// The batch of `pairIndices` (indices into `split.pairs`).
    init(_ pairIndices: ArraySlice<Int>, of split: TrainingSplit) {
        var row: [Int: Int] = [:]
        row.reserveCapacity(2 * pairIndices.count)
        func rowOf(_ sentence: Int) -> Int {
            if let existing = row[sentence] { return existing }
            row[sentence] = sentences.count
            sentences.append(sentence)
            return sentences.count - 1
        }
        for index in pairIndices {
            let pair = split.pairs[index]
            first.append(rowOf(pair.first))
            second.append(rowOf(pair.second))
            firstSentences.append(pair.first)
            secondSentences.append(pair.second)
        }
        if let scores = split.scores { gold = pairIndices.map { scores[$0] } }
    }

    /// A batch of sentences without pairs (distillation): `sentences` as given.
    init(sentences: ArraySlice<Int>) {
        self.sentences = Array(sentences)
    }

    var count: Int { first.count }
    /// What a step trains on: pairs, or sentences for a batch without pairs.
    var itemCount: Int { first.isEmpty ? sentences.count : first.count }
}
