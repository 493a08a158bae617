/// The ids of one encoded text.
public struct TokenizedText: Sendable, Equatable {
    /// `[CLS]`, the kept word pieces, `[SEP]`: `[tokens]`.
    public var ids: [Int32]
    /// Word pieces dropped by truncation (0 when the text fit).
    public var truncatedTokens: Int

    public init(ids: [Int32], truncatedTokens: Int) {
        self.ids = ids
        self.truncatedTokens = truncatedTokens
    }

    /// Whether truncation dropped word pieces.
    public var isTruncated: Bool { truncatedTokens > 0 }
}
