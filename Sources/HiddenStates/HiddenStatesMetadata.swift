/// Which of the two accepted file layouts holds the hidden states.
public enum HiddenStatesLayout: String, Codable, CaseIterable, Sendable {
    /// `/tokens` `[T, D]` + `/offsets` `[N + 1]`: sentences concatenated, no padding rows.
    case ragged
    /// `/hidden_states` `[N, L, D]` + `/attention_mask` `[N, L]`: a transformer's padded output.
    case padded
}

/// Where a padded file puts its padding positions.
public enum PaddingSide: String, Codable, CaseIterable, Sendable {
    /// Real tokens first, padding after them (Hugging Face's default).
    case right
    /// Padding first, real tokens at the end (decoder models).
    case left
    /// Both sides occur in different rows.
    case mixed
    /// Every row is full: no padding at all.
    case none
}

/// What a hidden-states file holds, read when it is opened (no hidden state is read for it).
public struct HiddenStatesMetadata: Sendable {
    public var path: String
    public var layout: HiddenStatesLayout
    /// Padded layout only.
    public var paddingSide: PaddingSide?
    /// Padded layout only: `L`, the padded length.
    public var paddedLength: Int?
    /// `N`.
    public var sentences: Int
    /// `T`, real token rows in all sentences.
    public var tokens: Int
    /// `D`.
    public var dim: Int
    /// Element type of the hidden states on disk.
    public var dtype: ElementType
    /// Chunking and compression of the hidden-states dataset.
    public var storage: StorageInfo
    /// `P` when the file has `/pairs`, else nil (a file may hold only sentences).
    public var pairs: Int?
    /// True when `/scores` is present.
    public var hasScores: Bool
    /// True when `/sentences` holds the texts.
    public var hasSentenceTexts: Bool
    /// True when `/input_ids` holds each row's token id (ragged layout).
    public var hasInputIDs: Bool
    /// Root attributes by name (`model`, `hidden_size`, `layer`, `special_tokens`, …).
    public var attributes: [String: AttributeValue]
    /// The `special_tokens` attribute parsed, nil when absent.
    public var specialTokens: SpecialTokens?
    /// The hidden-states dataset: `/tokens` or `/hidden_states`.
    public var hiddenStatesDataset: String

    /// The `template` attribute: the prompt each sentence was wrapped in before encoding
    /// (`none`: bare sentences), nil when absent.
    public var template: String? { attributes["template"]?.stringValue }
}
