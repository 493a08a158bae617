/// Anything a user can get wrong about poolings: strategy names, head folders, configurations,
/// weights, and inputs whose dimension does not fit.
///
/// Each case carries the path (or flag), the tensor or field name, the expected and the actual
/// value; ``description`` says what failed, where, and gives a hint.
public enum PoolingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A strategy name that ``PoolingStrategy`` does not know.
    case unknownStrategy(name: String, valid: [String])
    /// An empty strategy list (e.g. `--strategy ""` or `"mean+"`).
    case emptyStrategy(text: String)
    /// A `*-nospecial` strategy was asked for, but nothing says where the special tokens are.
    case specialTokensUnknown(strategy: String)
    /// A file's `special_tokens` attribute names no position this toolkit knows, and a `*-nospecial`
    /// strategy needs it.
    case specialTokensUnrecognized(path: String, value: String, strategy: String)
    /// A `special_tokens` description with an item this toolkit does not understand.
    case unknownSpecialToken(item: String, text: String)
    /// A head folder or one of its files does not exist.
    case missingFile(path: String, hint: String)
    /// `config.json` is not valid JSON or lacks a required field.
    case configurationUnreadable(path: String, reason: String)
    /// A configuration field has a value the head cannot use.
    case invalidConfiguration(path: String, field: String, value: String, requirement: String)
    /// The configuration was written by a newer (or unknown) format.
    case unsupportedFormatVersion(path: String, found: Int, supported: Int)
    /// `model.safetensors` could not be read or violates the format.
    case weightsUnreadable(path: String, reason: String)
    /// The weights file says it holds a different kind of head than `config.json`.
    case headKindMismatch(path: String, configuration: String, weights: String)
    /// A tensor the configuration needs is not in the weights.
    case missingTensor(path: String, name: String, expectedShape: [Int])
    /// The weights hold a tensor this configuration does not use.
    case unexpectedTensor(path: String, name: String, shape: [Int])
    /// A tensor has the wrong shape for the configuration.
    case wrongShape(path: String, name: String, expected: [Int], actual: [Int])
    /// A tensor holds NaN or ±Inf.
    case nonFiniteParameter(path: String, name: String, index: Int)
    /// Hidden states whose dimension differs from the pooling's.
    case dimensionMismatch(source: String, expected: Int, actual: Int)
    /// A flat `[tokens, dim]` buffer whose length is not `tokens · dim`.
    case badInputLength(tokens: Int, dim: Int, count: Int)
    /// Writing an export failed.
    case unwritable(path: String, reason: String)
    /// A sentence whose embedding holds NaN or ±∞.
    case nonFiniteEmbedding(source: String, sentence: Int, method: String)
    /// The weights' SHA-256 differs from the one recorded when they were written (a changed or corrupt file).
    case digestMismatch(path: String, recorded: String, actual: String)
    /// Hidden states made with another prompt template than the head was trained on.
    case templateMismatch(source: String, trainedOn: String, found: String)

    public var description: String {
        switch self {
        case let .unknownStrategy(name, valid):
            return "unknown pooling strategy '\(name)'. Valid strategies: \(valid.joined(separator: ", ")); "
                + "join several with '+', e.g. mean+max (sentence-transformers' lasttoken, weightedmean and "
                + "mean_sqrt_len_tokens are accepted too)."
        case let .emptyStrategy(text):
            return "no pooling strategy in '\(text)'. Hint: name one or more, joined with '+', e.g. mean or mean+max."
        case let .specialTokensUnknown(strategy):
            return "strategy '\(strategy)' leaves out the special tokens, but the input does not say where they are "
                + "(no special_tokens attribute). Hint: pass --special-tokens cls_first,sep_last (or use the strategy without -nospecial)."
        case let .specialTokensUnrecognized(path, value, strategy):
            return "\(path): strategy '\(strategy)' leaves out the special tokens, but the file's special_tokens attribute "
                + "'\(value)' names no known position (cls_first or bos_first, sep_last or eos_last). "
                + "Hint: fix the attribute (e.g. h5py: f.attrs['special_tokens'] = 'cls_first,sep_last'), or use the strategy without -nospecial."
        case let .unknownSpecialToken(item, text):
            return "unknown special-token position '\(item)' in '\(text)'. "
                + "Hint: use cls_first / bos_first and sep_last / eos_last, comma-separated."
        case let .missingFile(path, hint):
            return "\(path): no such file or folder. Hint: \(hint)"
        case let .configurationUnreadable(path, reason):
            return "\(path): cannot read the head configuration: \(reason). "
                + "Hint: export the head again with `pooler export`, or compare with a freshly exported config.json."
        case let .invalidConfiguration(path, field, value, requirement):
            return "\(path): configuration field '\(field)' = \(value) is invalid: \(requirement)."
        case let .unsupportedFormatVersion(path, found, supported):
            return "\(path): format_version \(found) is not supported (this pooler reads versions 1 to \(supported)). "
                + "Hint: use the pooler version that wrote it, or export the head again."
        case let .weightsUnreadable(path, reason):
            return "\(path): cannot read the head weights: \(reason)"
        case let .headKindMismatch(path, configuration, weights):
            return "\(path): the weights are for a '\(weights)' head but config.json says '\(configuration)'. "
                + "Hint: config.json and model.safetensors come from different exports; export the head again."
        case let .missingTensor(path, name, expectedShape):
            return "\(path): tensor '\(name)' (expected shape \(expectedShape)) is missing. "
                + "Hint: the weights do not match config.json (projection on/off, head kind?)."
        case let .unexpectedTensor(path, name, shape):
            return "\(path): unexpected tensor '\(name)' of shape \(shape). "
                + "Hint: the weights do not match config.json (projection on/off, head kind?)."
        case let .wrongShape(path, name, expected, actual):
            return "\(path): tensor '\(name)' has shape \(actual), but the configuration needs \(expected). "
                + "Hint: check dim/hidden/heads/key_dim in config.json against the weights."
        case let .nonFiniteParameter(path, name, index):
            return "\(path): tensor '\(name)' holds a NaN or infinite value at flat index \(index). "
                + "Hint: training diverged; export an earlier checkpoint or lower the learning rate."
        case let .dimensionMismatch(source, expected, actual):
            return "\(source): hidden states have dimension \(actual), but the pooling expects \(expected). "
                + "Hint: the head was trained on another model or layer; use hidden states of that model."
        case let .badInputLength(tokens, dim, count):
            return "input of \(count) values is not [\(tokens) tokens, \(dim) dims] = \(tokens * dim) values, row-major."
        case let .unwritable(path, reason):
            return "\(path): cannot write: \(reason). Hint: check that the folder exists and is writable."
        case let .nonFiniteEmbedding(source, sentence, method):
            return "\(source): sentence \(sentence) pools to a non-finite embedding (NaN or ±∞) with \(method); "
                + "its hidden states are non-finite or so large (near the float32 limit, 3.4e38) that pooling overflows. "
                + "Nothing was scored or written. Hint: check that sentence's rows (`pooler inspect`) and re-extract the file."
        case let .digestMismatch(path, recorded, actual):
            return "\(path): the tensors do not match the SHA-256 recorded when they were written "
                + "(recorded \(recorded.prefix(12))…, now \(actual.prefix(12))…): the file was changed or is corrupt. "
                + "Hint: export the head again from its training run (`pooler export RUN_DIR --out DIR`)."
        case let .templateMismatch(source, trainedOn, found):
            return "\(source): the sentences were encoded with \(HeadProvenance.described(found)), but the head was trained on "
                + "states made with \(HeadProvenance.described(trainedOn)); its weights would pool the wrong tokens. Hint: extract the "
                + "file again with --template as the head's config.json records it (provenance.template), or train a head on this file."
        }
    }
}
