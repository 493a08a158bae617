/// Token rows of several sentences packed without padding — the representation pooling consumes.
///
/// Sentence `i` of the batch owns rows `offsets[i] ..< offsets[i + 1]` of `tokens`.
public struct PackedBatch: Equatable, Sendable {
    /// Hidden states, row-major `[tokenCount, dim]`.
    public var tokens: [Float]
    /// Row boundaries, `[count + 1]`: `offsets[0] = 0`, `offsets[count] = tokenCount`.
    public var offsets: [Int]
    /// Width `D` of each row.
    public var dim: Int
    /// The file's index of each sentence in the batch, `[count]`.
    public var sentences: [Int]

    public init(tokens: [Float], offsets: [Int], dim: Int, sentences: [Int]) {
        precondition(offsets.first == 0 && offsets.count == sentences.count + 1,
                     "offsets \(offsets.count) entries starting at \(offsets.first ?? -1) for \(sentences.count) sentences")
        precondition(tokens.count == (offsets.last ?? 0) * dim,
                     "tokens hold \(tokens.count) values, offsets say \(offsets.last ?? 0) rows × \(dim)")
        self.tokens = tokens
        self.offsets = offsets
        self.dim = dim
        self.sentences = sentences
    }

    /// Number of sentences in the batch.
    public var count: Int { sentences.count }

    /// Total token rows `T` of the batch.
    public var tokenCount: Int { offsets.last ?? 0 }

    /// Number of tokens of sentence `i` of the batch.
    public func length(of i: Int) -> Int { offsets[i + 1] - offsets[i] }

    /// The rows of sentence `i` of the batch.
    public func rows(of i: Int) -> Range<Int> { offsets[i]..<offsets[i + 1] }

    /// The hidden states of sentence `i`, `[length(of: i), dim]` flattened.
    public func tokens(of i: Int) -> ArraySlice<Float> { tokens[(offsets[i] * dim)..<(offsets[i + 1] * dim)] }
}

/// Two sentences (indices into the file's sentences) whose similarity has a gold score.
public struct SentencePair: Equatable, Hashable, Sendable {
    public var first: Int
    public var second: Int

    public init(_ first: Int, _ second: Int) {
        self.first = first
        self.second = second
    }
}
