/// Anything a user can get wrong about a text encoder: model folders, their configuration,
/// weights and vocabulary, and the texts given to it.
///
/// Each case carries the path (file or folder), the field, tensor or line, the expected and the
/// actual value; ``description`` says what failed, where, and gives a hint.
public enum EncoderError: Error, CustomStringConvertible, Equatable, Sendable {
    // MARK: Tokenizer and texts

    /// A text with nothing to encode (empty, or only whitespace and control characters).
    case emptyText(source: String)
    /// `vocab.txt` could not be read, is not UTF-8, or holds no token.
    case vocabularyUnreadable(path: String, reason: String)
    /// A special token the tokenizer needs (`[CLS]`, `[SEP]`, `[UNK]`) is not in the vocabulary.
    case missingSpecialToken(path: String, role: String, token: String)
    /// `tokenizer_config.json` could not be read or is not a JSON object.
    case tokenizerConfigurationUnreadable(path: String, reason: String)
    /// A `tokenizer_config.json` field has the wrong type or a value this tokenizer cannot honour.
    case invalidTokenizerSetting(path: String, field: String, expected: String, actual: String)
    /// A maximum sequence length too small to hold `[CLS]`, one word piece and `[SEP]`.
    case maxLengthTooSmall(maxLength: Int, minimum: Int)

    // MARK: Model folders

    /// A model folder, or a file it needs, does not exist.
    case missingFile(path: String, hint: String)

    public var description: String {
        switch self {
        case let .emptyText(source):
            return "\(source): the text is empty (nothing left after removing whitespace and control characters). "
                + "Hint: remove the empty line or give the sentence."
        case let .vocabularyUnreadable(path, reason):
            return "\(path): cannot read the vocabulary: \(reason). "
                + "Hint: vocab.txt must be UTF-8 with one token per line, line k holding the token of id k (as in a BERT model folder)."
        case let .missingSpecialToken(path, role, token):
            return "\(path): the vocabulary has no \(role) token '\(token)'. "
                + "Hint: use the vocab.txt of the model's folder, or name the model's own token in tokenizer_config.json (e.g. \"unk_token\")."
        case let .tokenizerConfigurationUnreadable(path, reason):
            return "\(path): cannot read the tokenizer configuration: \(reason). "
                + "Hint: it must be a JSON object, as written by Hugging Face save_pretrained; delete it to use BERT-uncased defaults."
        case let .invalidTokenizerSetting(path, field, expected, actual):
            return "\(path): field '\(field)' is \(actual), but the tokenizer needs \(expected). "
                + "Hint: fix or remove the field (removed fields take Hugging Face BertTokenizer's defaults)."
        case let .maxLengthTooSmall(maxLength, minimum):
            return "maximum length \(maxLength) is too small: [CLS] and [SEP] take two positions, so it must be at least \(minimum). "
                + "Hint: pass a larger --max-length (BERT models take up to 512)."
        case let .missingFile(path, hint):
            return "\(path): no such file or folder. Hint: \(hint)"
        }
    }
}
