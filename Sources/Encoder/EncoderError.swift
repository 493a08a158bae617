/// Anything a user can get wrong about a text encoder: model folders, their configuration,
/// weights and vocabulary, and the texts given to it.
///
/// Each case carries the path (file or folder), the field, tensor or line, the expected and the
/// actual value; ``description`` says what failed, where, and gives a hint.
public enum EncoderError: Error, CustomStringConvertible, Equatable, Sendable {
    // MARK: Tokenizer and texts

    /// A text with nothing to encode (empty, or only whitespace and control characters).
    case emptyText(source: String)

    // MARK: Model folders

    /// A model folder, or a file it needs, does not exist.
    case missingFile(path: String, hint: String)

    public var description: String {
        switch self {
        case let .emptyText(source):
            return "\(source): the text is empty (nothing left after removing whitespace and control characters). "
                + "Hint: remove the empty line or give the sentence."
        case let .missingFile(path, hint):
            return "\(path): no such file or folder. Hint: \(hint)"
        }
    }
}
