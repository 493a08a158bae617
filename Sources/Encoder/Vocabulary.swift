import Foundation

/// A WordPiece vocabulary: the token of every id, as in a BERT model's `vocab.txt`.
///
/// Line `k` (0-based) of `vocab.txt` holds the token of id `k`; continuation pieces start with
/// `##` (`"##ing"`). As in Hugging Face's `load_vocab`, a token that occurs twice maps to its
/// *last* id, while ``token(for:)`` still gives each line's own token.
public struct Vocabulary: Sendable {
    /// Every token by id, `[count]`.
    public let tokens: [String]
    /// Where the tokens came from (the `vocab.txt` path, or `"<tokens>"`), for error messages.
    public let source: String

    /// Token → id, for whole tokens (what a word's first piece is looked up in).
    let ids: [TokenKey: Int32]
    /// Continuation piece without its `##` → id (`"ing"` → id of `"##ing"`), so the greedy
    /// match looks up a slice of the word without building `"##" + slice`.
    let continuationIDs: [TokenKey: Int32]
    /// The longest key of `ids`, in Unicode scalars: no longer slice of a word can match.
    let longestToken: Int
    /// The longest key of `continuationIDs`, in Unicode scalars.
    let longestContinuation: Int

    /// Reads `vocab.txt`: UTF-8, one token per line (`\n` or `\r\n` line ends).
    /// - Throws: `EncoderError.vocabularyUnreadable` naming the file when it cannot be read, is not
    ///   UTF-8 or holds no token.
    public init(contentsOf url: URL) throws {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EncoderError.vocabularyUnreadable(path: path, reason: "\(error.localizedDescription)")
        }
        var lines: [String] = []
        let bytes = [UInt8](data)
        var start = 0
        while start < bytes.count {
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            var end = newline
            if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            guard let line = String(validating: bytes[start..<end], as: UTF8.self) else {
                throw EncoderError.vocabularyUnreadable(path: path, reason: "line \(lines.count + 1) is not valid UTF-8")
            }
            lines.append(line)
            start = newline + 1
        }
        try self.init(tokens: lines, source: path)
    }

    /// A vocabulary of `tokens`, token `k` having id `k`.
    /// - Throws: `EncoderError.vocabularyUnreadable` when `tokens` is empty or has more than
    ///   `Int32.max` entries.
    public init(tokens: [String]) throws {
        try self.init(tokens: tokens, source: "<tokens>")
    }

    private init(tokens: [String], source: String) throws {
        guard !tokens.isEmpty else {
            throw EncoderError.vocabularyUnreadable(path: source, reason: "it holds no token")
        }
        guard tokens.count <= Int(Int32.max) else {
            throw EncoderError.vocabularyUnreadable(path: source,
                                                    reason: "\(tokens.count) tokens do not fit 32-bit ids")
        }
        var ids: [TokenKey: Int32] = [:]
        var continuationIDs: [TokenKey: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        var longestToken = 0
        var longestContinuation = 0
        for (id, token) in tokens.enumerated() {
            ids[TokenKey(token)] = Int32(id)
            longestToken = max(longestToken, token.unicodeScalars.count)
            // Bytes, not Characters: in "##ो" the spacing mark joins the second "#" in one Character.
            if token.utf8.starts(with: "##".utf8) {
                let rest = String(decoding: token.utf8.dropFirst(2), as: UTF8.self)
                continuationIDs[TokenKey(rest)] = Int32(id)
                longestContinuation = max(longestContinuation, rest.unicodeScalars.count)
            }
        }
        self.tokens = tokens
        self.source = source
        self.ids = ids
        self.continuationIDs = continuationIDs
        self.longestToken = longestToken
        self.longestContinuation = longestContinuation
    }

    /// Number of ids, `0 ..< count`.
    public var count: Int { tokens.count }

    /// The id of `token` (its last line when it occurs twice), or nil when it is not in the vocabulary.
    public func id(of token: String) -> Int32? { ids[TokenKey(token)] }

    /// The token of `id`, or nil when `id` is outside `0 ..< count`.
    public func token(for id: Int32) -> String? {
        id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil
    }
}

/// A vocabulary key compared by its UTF-8 bytes, as Python compares `str`: Swift's `String`
/// equality is canonical equivalence, under which U+1F71 `ά` and U+03AC `ά` would be one token.
struct TokenKey: Hashable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (lhs: TokenKey, rhs: TokenKey) -> Bool {
        lhs.text.utf8.elementsEqual(rhs.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
