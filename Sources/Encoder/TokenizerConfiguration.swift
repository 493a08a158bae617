import Foundation

/// How a BERT tokenizer normalizes text and which special tokens it uses: the fields of a model
/// folder's `tokenizer_config.json` that Hugging Face's `BertTokenizer` reads.
///
/// Defaults are `BertTokenizer`'s: lower-case, strip accents with lower-casing, split CJK
/// ideographs, and the tokens `[CLS]`, `[SEP]`, `[UNK]`, `[PAD]`, `[MASK]`.
public struct TokenizerConfiguration: Sendable, Equatable {
    /// Lower-case the text before splitting (`do_lower_case`).
    public var lowercases: Bool
    /// Strip accents (NFD, then drop nonspacing marks, Unicode category Mn) (`strip_accents`);
    /// nil follows ``lowercases``, as in the original BERT.
    public var stripsAccents: Bool?
    /// Put each CJK ideograph in a word of its own (`tokenize_chinese_chars`).
    public var splitsCJKIdeographs: Bool
    /// `cls_token`: first token of every encoded text.
    public var classifierToken: String
    /// `sep_token`: last token of every encoded text.
    public var separatorToken: String
    /// `unk_token`: a word with no word-piece split, or longer than 100 characters.
    public var unknownToken: String
    /// `pad_token`.
    public var paddingToken: String
    /// `mask_token`.
    public var maskToken: String

    public init(lowercases: Bool = true, stripsAccents: Bool? = nil, splitsCJKIdeographs: Bool = true,
                classifierToken: String = "[CLS]", separatorToken: String = "[SEP]", unknownToken: String = "[UNK]",
                paddingToken: String = "[PAD]", maskToken: String = "[MASK]") {
        self.lowercases = lowercases
        self.stripsAccents = stripsAccents
        self.splitsCJKIdeographs = splitsCJKIdeographs
        self.classifierToken = classifierToken
        self.separatorToken = separatorToken
        self.unknownToken = unknownToken
        self.paddingToken = paddingToken
        self.maskToken = maskToken
    }

    /// Whether accents are stripped: `strip_accents`, or `do_lower_case` when that is null.
    public var stripsAccentsEffectively: Bool { stripsAccents ?? lowercases }

    /// The special tokens, which are never split when they occur literally in a text (as in
    /// `BertTokenizer`, whose added special tokens match case-sensitively anywhere in the text).
    public var specialTokens: [String] { [unknownToken, separatorToken, paddingToken, classifierToken, maskToken] }

    /// Reads `tokenizer_config.json`.
    ///
    /// Fields read: `do_lower_case`, `strip_accents` (true, false or null), `tokenize_chinese_chars`,
    /// `do_basic_tokenize` (must be true), and `cls_token`, `sep_token`, `unk_token`, `pad_token`,
    /// `mask_token` (a string, or an added-token object `{"content": "[UNK]", …}`). Absent fields
    /// take the defaults; other fields (`model_max_length`, `tokenizer_class`, …) are ignored.
    /// - Throws: `EncoderError.tokenizerConfigurationUnreadable` when the file cannot be read or is
    ///   not a JSON object; `EncoderError.invalidTokenizerSetting` naming the field when it has the
    ///   wrong type.
    public init(contentsOf url: URL) throws {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EncoderError.tokenizerConfigurationUnreadable(path: path, reason: error.localizedDescription)
        }
        let object: JSONValue
        do {
            object = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw EncoderError.tokenizerConfigurationUnreadable(
                path: path, reason: "not valid JSON (\(detail ?? context.debugDescription))")
        } catch {
            throw EncoderError.tokenizerConfigurationUnreadable(path: path, reason: "not valid JSON (\(error))")
        }
        guard case let .object(fields) = object else {
            throw EncoderError.tokenizerConfigurationUnreadable(path: path,
                                                                reason: "the top level is \(object.summary), not an object")
        }
        let reader = FieldReader(path: path, fields: fields)
        self.init()
        lowercases = try reader.boolean("do_lower_case") ?? lowercases
        stripsAccents = try reader.optionalBoolean("strip_accents")
        splitsCJKIdeographs = try reader.boolean("tokenize_chinese_chars") ?? splitsCJKIdeographs
        if try reader.boolean("do_basic_tokenize") == false {
            throw EncoderError.invalidTokenizerSetting(path: path, field: "do_basic_tokenize",
                                                       expected: "true (this tokenizer always runs basic tokenization)",
                                                       actual: "false")
        }
        classifierToken = try reader.token("cls_token") ?? classifierToken
        separatorToken = try reader.token("sep_token") ?? separatorToken
        unknownToken = try reader.token("unk_token") ?? unknownToken
        paddingToken = try reader.token("pad_token") ?? paddingToken
        maskToken = try reader.token("mask_token") ?? maskToken
    }
}

/// Any JSON value, decoded without loss of kind (`true` stays a Boolean, `1` a number).
private enum JSONValue: Decodable {
    case null
    case boolean(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .boolean(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// A short description for error messages: `null`, `the string "x"`, `the number 1`, `an object`…
    var summary: String {
        switch self {
        case .null: return "null"
        case let .boolean(flag): return flag ? "true" : "false"
        case let .number(number): return "the number \(number)"
        case let .string(text): return "the string \"\(text)\""
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Typed access to the fields of one JSON object, throwing errors that name the file and field.
private struct FieldReader {
    let path: String
    let fields: [String: JSONValue]

    /// A Boolean field, nil when absent.
    func boolean(_ name: String) throws -> Bool? {
        guard let value = fields[name] else { return nil }
        guard case let .boolean(flag) = value else { throw wrongType(name, value, expected: "true or false") }
        return flag
    }

    /// A Boolean field that may be null; nil when absent or null.
    func optionalBoolean(_ name: String) throws -> Bool? {
        switch fields[name] {
        case nil, .null?: return nil
        case let .boolean(flag)?: return flag
        case let value?: throw wrongType(name, value, expected: "true, false or null")
        }
    }

    /// A token: a string, or an added-token object whose `content` is a string; nil when absent.
    func token(_ name: String) throws -> String? {
        guard let value = fields[name] else { return nil }
        if case let .string(text) = value { return text }
        if case let .object(object) = value, case let .string(text)? = object["content"] { return text }
        throw wrongType(name, value, expected: "a string or an object with a string \"content\"")
    }

    private func wrongType(_ name: String, _ value: JSONValue, expected: String) -> EncoderError {
        .invalidTokenizerSetting(path: path, field: name, expected: expected, actual: value.summary)
    }
}
