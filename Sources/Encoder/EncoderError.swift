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

    /// `--max-length` (or `max_seq_length`) beyond the model's position embeddings.
    case maxLengthTooLong(maxLength: Int, maximum: Int, path: String)
    /// A head trained on another model or layer than the one it is asked to pool.
    case headMismatch(head: String, field: String, trainedOn: String, requested: String)
    /// A model folder, or a file it needs, does not exist.
    case missingFile(path: String, hint: String)
    /// A file exists but cannot be read.
    case unreadableFile(path: String, reason: String)
    /// A JSON file that does not parse, or whose top level is not what it should be.
    case malformedJSON(path: String, detail: String)
    /// A required field of a JSON file is absent.
    case missingField(path: String, field: String, expected: String)
    /// A field of a JSON file has the wrong type or an impossible value.
    case invalidField(path: String, field: String, value: String, expected: String)
    /// `model_type` names an architecture this encoder does not run.
    case unsupportedModelType(path: String, modelType: String, supported: [String])
    /// `hidden_act` names an activation this encoder does not compute.
    case unsupportedActivation(path: String, activation: String, supported: [String])
    /// `1_Pooling/config.json` enables a pooling mode with no ``PoolingStrategy``, or none at all.
    case unsupportedPooling(path: String, modes: [String], supported: [String])
    /// The weights file cannot be read or is not valid safetensors (the reader's message).
    case unreadableWeights(path: String, reason: String)
    /// A tensor the configuration implies is not in the weights file.
    case missingTensor(path: String, name: String)
    /// A tensor's shape disagrees with the configuration.
    case tensorShapeMismatch(path: String, name: String, expected: [Int], actual: [Int])

    // Inputs to the forward pass (token ids from a tokenizer or a hidden-states file).

    /// `offsets` are not `batch + 1` non-decreasing row offsets from 0 to the id count.
    case invalidOffsets(detail: String)
    /// A token id outside `0 ..< vocab_size`.
    case tokenOutOfRange(row: Int, id: Int32, vocabularySize: Int)
    /// A token type id outside `0 ..< type_vocab_size`, or a type list of the wrong length.
    case tokenTypeOutOfRange(row: Int, type: Int32, typeVocabularySize: Int)
    /// Token types given, but not one per id.
    case tokenTypeCountMismatch(types: Int, ids: Int)
    /// A sentence with more tokens than the model has positions.
    case sentenceTooLong(sentence: Int, tokens: Int, maximum: Int)
    /// A requested layer outside `0 ... num_hidden_layers`, or none requested.
    case layerOutOfRange(layer: Int, layers: Int)

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
        case let .maxLengthTooLong(maxLength, maximum, path):
            return "a maximum length of \(maxLength) tokens is more than the model's \(maximum) positions (\(path): "
                + "max_position_embeddings). Hint: pass --max-length \(maximum) or less."
        case let .headMismatch(head, field, trainedOn, requested):
            return "the head \(head) was trained on \(field) \(trainedOn), but it is asked to pool \(field) \(requested); "
                + "its weights would pool the wrong states. Hint: use the \(field) it was trained on, train a head for this one, "
                + "or pass --ignore-head-provenance if you know they are the same."
        case let .missingFile(path, hint):
            return "\(path): no such file or folder. Hint: \(hint)"
        case let .unreadableFile(path, reason):
            return "\(path): cannot be read (\(reason)). Hint: check the path and its permissions."
        case let .malformedJSON(path, detail):
            return "\(path): \(detail). Hint: the file must be the JSON that transformers / sentence-transformers write; "
                + "re-download or re-save the model."
        case let .missingField(path, field, expected):
            return "\(path): field \"\(field)\" (\(expected)) is missing. Hint: add it, or re-save the model with "
                + "`save_pretrained`, which writes every field."
        case let .invalidField(path, field, value, expected):
            return "\(path): field \"\(field)\" is \(value); expected \(expected). Hint: fix the value or re-save the model."
        case let .unsupportedModelType(path, modelType, supported):
            return "\(path): model_type \"\(modelType)\" is not supported; supported: \(supported.joined(separator: ", ")). "
                + "Hint: use a BERT-architecture model (e.g. sentence-transformers/all-MiniLM-L6-v2), or extract its "
                + "hidden states with Examples/extract_hidden_states.py instead."
        case let .unsupportedActivation(path, activation, supported):
            return "\(path): hidden_act \"\(activation)\" is not supported; supported: \(supported.joined(separator: ", ")) "
                + "(erf form, 0.5·x·(1 + erf(x/√2))). Hint: extract hidden states with Examples/extract_hidden_states.py instead."
        case let .unsupportedPooling(path, modes, supported):
            let enabled = modes.isEmpty ? "no pooling mode" : "pooling mode(s) \(modes.joined(separator: ", "))"
            return "\(path): \(enabled) enabled; supported: \(supported.joined(separator: ", ")). "
                + "Hint: set one of the supported pooling_mode_* flags to true, or choose a strategy explicitly."
        case let .unreadableWeights(path, reason):
            return "\(path): the weights cannot be read: \(reason)"
        case let .missingTensor(path, name):
            return "\(path): tensor \"\(name)\" (or \"bert.\(name)\") is missing. Hint: the weights must belong to a "
                + "BertModel with the sizes in config.json; check that config.json and model.safetensors come from the same model."
        case let .tensorShapeMismatch(path, name, expected, actual):
            return "\(path): tensor \"\(name)\" has shape \(actual), but config.json implies \(expected). "
                + "Hint: check that config.json and model.safetensors come from the same model."
        case let .invalidOffsets(detail):
            return "token offsets: \(detail). Hint: sentence i owns ids offsets[i] ..< offsets[i+1]; offsets start at 0, "
                + "never decrease and end at the number of ids."
        case let .tokenOutOfRange(row, id, vocabularySize):
            return "token id \(id) at row \(row) is outside the vocabulary (0 ..< \(vocabularySize)). "
                + "Hint: the ids were made with another model's tokenizer; tokenize with this model's vocab.txt."
        case let .tokenTypeOutOfRange(row, type, typeVocabularySize):
            return "token type \(type) at row \(row) is outside 0 ..< \(typeVocabularySize) (type_vocab_size). "
                + "Hint: give one type per id, 0 for the first segment and 1 for the second."
        case let .tokenTypeCountMismatch(types, ids):
            return "\(types) token types for \(ids) token ids. Hint: give one type per id (or none: all 0)."
        case let .sentenceTooLong(sentence, tokens, maximum):
            return "sentence \(sentence) has \(tokens) tokens, more than the model's \(maximum) positions "
                + "(max_position_embeddings). Hint: truncate it to \(maximum) tokens (the tokenizer's max length)."
        case let .layerOutOfRange(layer, layers):
            return "layer \(layer) does not exist: the model has layers 0 (embeddings) ... \(layers). "
                + "Hint: ask for a layer in 0 ... \(layers); \(layers) is the last."
        }
    }
}
