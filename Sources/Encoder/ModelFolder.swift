import Foundation
import Pooling

/// Where a model folder keeps what the encoder and the tokenizer need.
///
/// Two layouts are supported:
/// ```
/// transformers folder              sentence-transformers folder
///   config.json                      modules.json  → the Transformer module's path ("" = root)
///   model.safetensors                <path>/config.json, model.safetensors, vocab.txt, …
///   vocab.txt                        <path>/sentence_bert_config.json   (max_seq_length)
///   tokenizer_config.json (opt.)     1_Pooling/config.json               (pooling_mode_* flags)
/// ```
/// Without `modules.json` the transformer is in the root, and `1_Pooling/config.json` and
/// `sentence_bert_config.json` are used when present.
public struct ModelFolder: Sendable, Equatable {
    /// The folder given.
    public let root: URL
    /// The folder holding config.json, the weights and the vocabulary (the root or a module folder).
    public let transformerFolder: URL
    public let configurationURL: URL
    public let weightsURL: URL
    /// WordPiece vocabulary, one token a line (line k = id k).
    public let vocabularyURL: URL
    /// The tokenizer's settings (`do_lower_case`, …), when the folder has them.
    public let tokenizerConfigurationURL: URL?
    /// `max_seq_length` of `sentence_bert_config.json`: the length sentence-transformers truncates to.
    public let maxSequenceLength: Int?
    /// The pooling the model was trained with (sentence-transformers' `pooling_mode_*` flags, in
    /// its concatenation order), when the folder says; the default strategy for embedding.
    public let nativePooling: [PoolingStrategy]?

    static let layoutHint = "a model folder needs config.json, model.safetensors and vocab.txt (a transformers "
        + "BertModel saved with `save_pretrained`, or a sentence-transformers folder whose modules.json names them)"

    /// Finds the files of the model folder at `root`.
    /// - Throws: ``EncoderError/missingFile(path:hint:)`` for a missing folder, config, weights or
    ///   vocabulary, and the JSON errors of `modules.json`, `sentence_bert_config.json` and
    ///   `1_Pooling/config.json`.
    public init(_ root: URL) throws {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        guard files.fileExists(atPath: root.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw EncoderError.missingFile(path: root.path, hint: Self.layoutHint)
        }
        let modules = try Self.modules(root)
        let transformer = modules.transformer.map { $0.isEmpty ? root : root.appendingPathComponent($0) } ?? root
        func required(_ name: String) throws -> URL {
            let url = transformer.appendingPathComponent(name)
            guard files.fileExists(atPath: url.path) else {
                var hint = Self.layoutHint
                if name == "model.safetensors", files.fileExists(atPath: transformer.appendingPathComponent("pytorch_model.bin").path) {
                    hint = "only pytorch_model.bin is there; convert it, e.g. `BertModel.from_pretrained(folder)"
                        + ".save_pretrained(folder, safe_serialization=True)`"
                }
                throw EncoderError.missingFile(path: url.path, hint: hint)
            }
            return url
        }
        func optional(_ url: URL) -> URL? { files.fileExists(atPath: url.path) ? url : nil }

        self.root = root
        transformerFolder = transformer
        configurationURL = try required("config.json")
        weightsURL = try required("model.safetensors")
        vocabularyURL = try required("vocab.txt")
        tokenizerConfigurationURL = optional(transformer.appendingPathComponent("tokenizer_config.json"))
        let sentenceBert = optional(transformer.appendingPathComponent("sentence_bert_config.json"))
            ?? optional(root.appendingPathComponent("sentence_bert_config.json"))
        maxSequenceLength = try sentenceBert.flatMap { try JSONFile($0).optionalInteger("max_seq_length") }
        let pooling = optional(root.appendingPathComponent(modules.pooling ?? "1_Pooling").appendingPathComponent("config.json"))
        nativePooling = try pooling.map { try SentenceTransformersPooling.strategies(JSONFile($0)) }
    }

    /// The paths of the Transformer and Pooling modules in `modules.json` (nil without the file
    /// or without such a module).
    static func modules(_ root: URL) throws -> (transformer: String?, pooling: String?) {
        let url = root.appendingPathComponent("modules.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return (nil, nil) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EncoderError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        guard case .array(let entries)? = JSONValue(parsing: data) else {
            throw EncoderError.malformedJSON(path: url.path, detail: "not a JSON array of modules")
        }
        var transformer: String?
        var pooling: String?
        for (index, entry) in entries.enumerated() {
            guard case .object(let fields) = entry else {
                throw EncoderError.malformedJSON(path: url.path, detail: "module \(index) is \(entry.summary), not an object")
            }
            let module = JSONFile(path: url.path, fields: fields)
            let type = try module.string("type")
            if type.hasSuffix(".Transformer"), transformer == nil { transformer = try module.string("path") }
            if type.hasSuffix(".Pooling"), pooling == nil { pooling = try module.string("path") }
        }
        return (transformer, pooling)
    }

    /// A name for the model: the first `# ` title of the folder's README.md (sentence-transformers
    /// model cards start with the model's name) when it is one word, or else the folder's name.
    public var modelName: String {
        let card = root.appendingPathComponent("README.md")
        if let data = FileManager.default.contents(atPath: card.path) {
            let text = String(decoding: data.prefix(1 << 16), as: UTF8.self)
            var inFrontMatter = false
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(200) {
                if line == "---" { inFrontMatter.toggle() }
                if !inFrontMatter, line.hasPrefix("# ") {
                    let title = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
                    if !title.isEmpty && !title.contains(" ") { return title }
                }
            }
        }
        return root.standardizedFileURL.lastPathComponent
    }
}
