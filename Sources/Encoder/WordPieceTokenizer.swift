import Foundation

/// BERT's WordPiece tokenizer, giving the ids of Hugging Face's (slow, Python) `BertTokenizer`.
///
/// ```
/// text → special tokens split out (literal "[CLS]", "[SEP]", … anywhere, case-sensitive)
///      → basic tokenizer on the rest (cleanup, CJK, NFC, lower-case, accents, punctuation; see BasicTokenizer)
///      → each word: greedy longest-match-first pieces, continuations "##"-prefixed;
///        [UNK] for a word of more than 100 scalars or one with no split
/// encode: [CLS] pieces[0 ..< maxLength − 2] [SEP]
/// ```
/// For example `"unaffable"` → `una ##ffa ##ble` with all-MiniLM-L6-v2's vocabulary.
///
/// Reference: Hugging Face transformers, `models/bert/tokenization_bert.py` (`BasicTokenizer`,
/// `WordpieceTokenizer`), and Google's original `bert/tokenization.py`.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: Vocabulary
    public let configuration: TokenizerConfiguration
    /// Id of the first token of every encoded text (`[CLS]`).
    public let classifierID: Int32
    /// Id of the last token of every encoded text (`[SEP]`).
    public let separatorID: Int32
    /// Id of a word with no word-piece split (`[UNK]`).
    public let unknownID: Int32
    /// Id of `[PAD]`, or nil when the vocabulary has none.
    public let paddingID: Int32?

    /// Words longer than this (in Unicode scalars) become `[UNK]` (`max_input_chars_per_word`).
    public static let maximumWordLength = 100

    private let basic: BasicTokenizer
    /// The special tokens of the vocabulary as scalars with their ids, longest first.
    private let specials: [(scalars: [Unicode.Scalar], id: Int32)]

    /// A tokenizer over `vocabulary`.
    /// - Throws: `EncoderError.missingSpecialToken` naming the vocabulary's file when the
    ///   configuration's `[CLS]`, `[SEP]` or `[UNK]` is not in it.
    public init(vocabulary: Vocabulary, configuration: TokenizerConfiguration = TokenizerConfiguration()) throws {
        func required(_ token: String, role: String) throws -> Int32 {
            guard let id = vocabulary.id(of: token) else {
                throw EncoderError.missingSpecialToken(path: vocabulary.source, role: role, token: token)
            }
            return id
        }
        classifierID = try required(configuration.classifierToken, role: "classifier (cls_token)")
        separatorID = try required(configuration.separatorToken, role: "separator (sep_token)")
        unknownID = try required(configuration.unknownToken, role: "unknown (unk_token)")
        paddingID = vocabulary.id(of: configuration.paddingToken)
        self.vocabulary = vocabulary
        self.configuration = configuration
        basic = BasicTokenizer(configuration: configuration)
        specials = configuration.specialTokens
            .compactMap { token in vocabulary.id(of: token).map { (Array(token.unicodeScalars), $0) } }
            .filter { !$0.0.isEmpty }
            .sorted { $0.0.count > $1.0.count }
    }

    /// The tokenizer of a BERT model folder: `vocab.txt`, and `tokenizer_config.json` when present
    /// (without it, `BertTokenizer`'s defaults: lower-case, strip accents, split CJK ideographs).
    /// - Throws: `EncoderError.missingFile` when the folder or `vocab.txt` is absent; the errors of
    ///   ``Vocabulary/init(contentsOf:)``, ``TokenizerConfiguration/init(contentsOf:)`` and
    ///   ``init(vocabulary:configuration:)``.
    public init(modelFolder: URL) throws {
        let vocabularyFile = modelFolder.appendingPathComponent("vocab.txt")
        guard FileManager.default.fileExists(atPath: vocabularyFile.path) else {
            throw EncoderError.missingFile(
                path: vocabularyFile.path,
                hint: "a BERT model folder holds vocab.txt (WordPiece vocabulary, one token per line); "
                    + "download the model's tokenizer files too.")
        }
        let configurationFile = modelFolder.appendingPathComponent("tokenizer_config.json")
        let configuration = FileManager.default.fileExists(atPath: configurationFile.path)
            ? try TokenizerConfiguration(contentsOf: configurationFile)
            : TokenizerConfiguration()
        try self.init(vocabulary: try Vocabulary(contentsOf: vocabularyFile), configuration: configuration)
    }

    /// The word pieces of `text`, without `[CLS]` and `[SEP]`; empty when nothing is left after
    /// cleanup.
    public func wordPieces(of text: String) -> [String] {
        wordPieceIDs(of: text).map { vocabulary.tokens[Int($0)] }
    }

    /// The ids of the word pieces of `text`, without `[CLS]` and `[SEP]`.
    public func wordPieceIDs(of text: String) -> [Int32] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int32] = []
        ids.reserveCapacity(scalars.count / 3 + 4)
        var scratch = PieceScratch()
        var segmentStart = 0
        var position = 0
        while position < scalars.count {
            guard let special = special(at: position, in: scalars) else {
                position += 1
                continue
            }
            appendPieces(of: scalars[segmentStart..<position], to: &ids, scratch: &scratch)
            ids.append(special.id)
            position += special.length
            segmentStart = position
        }
        appendPieces(of: scalars[segmentStart...], to: &ids, scratch: &scratch)
        return ids
    }

    /// `[CLS]`, the first `maxLength − 2` word pieces of `text`, `[SEP]`.
    ///
    /// - Parameters:
    ///   - maxLength: most ids returned, ≥ 3 (BERT models take at most 512).
    ///   - source: where the text comes from (`texts.txt:3`), for the error message.
    /// - Returns: ids `[min(pieces + 2, maxLength)]` and how many word pieces were dropped.
    /// - Throws: `EncoderError.maxLengthTooSmall` when `maxLength < 3`; `EncoderError.emptyText`
    ///   when the text has no word piece (empty, or only whitespace and control characters).
    public func encode(_ text: String, maxLength: Int, source: String) throws -> TokenizedText {
        guard maxLength >= 3 else { throw EncoderError.maxLengthTooSmall(maxLength: maxLength, minimum: 3) }
        let pieces = wordPieceIDs(of: text)
        guard !pieces.isEmpty else { throw EncoderError.emptyText(source: source) }
        let kept = min(pieces.count, maxLength - 2)
        var ids: [Int32] = []
        ids.reserveCapacity(kept + 2)
        ids.append(classifierID)
        ids.append(contentsOf: pieces[..<kept])
        ids.append(separatorID)
        return TokenizedText(ids: ids, truncatedTokens: pieces.count - kept)
    }

    // MARK: Internals

    /// The longest special token starting at `position`, with its length in scalars.
    private func special(at position: Int, in scalars: [Unicode.Scalar]) -> (id: Int32, length: Int)? {
        for special in specials where special.scalars[0] == scalars[position] {
            let end = position + special.scalars.count
            if end <= scalars.count, scalars[position..<end].elementsEqual(special.scalars) {
                return (special.id, special.scalars.count)
            }
        }
        return nil
    }

    /// Appends the word pieces of every word of `segment` (text between special tokens).
    private func appendPieces(of segment: ArraySlice<Unicode.Scalar>, to ids: inout [Int32],
                              scratch: inout PieceScratch) {
        guard !segment.isEmpty else { return }
        basic.forEachWord(in: segment) { word in
            appendPieces(ofWord: word, to: &ids, scratch: &scratch)
        }
    }

    /// Greedy longest-match-first: the longest prefix of the rest of the word that is in the
    /// vocabulary (as `##`-continuation after the first piece) is the next piece; `[UNK]` for
    /// the whole word when some rest has no such prefix or the word is too long.
    private func appendPieces(ofWord word: ArraySlice<Unicode.Scalar>, to ids: inout [Int32],
                              scratch: inout PieceScratch) {
        guard word.count <= Self.maximumWordLength else {
            ids.append(unknownID)
            return
        }
        // UTF-8 of the word, and the byte offset of each scalar boundary ([word.count + 1]).
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.boundaries.removeAll(keepingCapacity: true)
        for scalar in word {
            scratch.boundaries.append(scratch.bytes.count)
            scratch.bytes.append(contentsOf: scalar.utf8)
        }
        scratch.boundaries.append(scratch.bytes.count)
        let count = word.count
        let firstPiece = ids.count
        var start = 0
        while start < count {
            let isFirst = start == 0
            var end = min(count, start + (isFirst ? vocabulary.longestToken : vocabulary.longestContinuation))
            var match: Int32?
            while end > start {
                let piece = TokenKey(String(decoding: scratch.bytes[scratch.boundaries[start]..<scratch.boundaries[end]],
                                            as: UTF8.self))
                match = isFirst ? vocabulary.ids[piece] : vocabulary.continuationIDs[piece]
                if match != nil { break }
                end -= 1
            }
            guard let id = match else {
                ids.removeSubrange(firstPiece...)
                ids.append(unknownID)
                return
            }
            ids.append(id)
            start = end
        }
    }
}

/// Buffers reused across the words of one text.
private struct PieceScratch {
    var bytes: [UInt8] = []
    var boundaries: [Int] = []
}
