import Foundation
import Pooling

/// Copies a model folder's transformer (config, weights, tokenizer files) into another folder,
/// optionally truncated to its first `K` layers, so that it computes hidden-state layer `K` as its
/// last output.
///
/// ```
/// layers nil or = num_hidden_layers   every file copied byte for byte
/// layers K < num_hidden_layers        config.json: num_hidden_layers = K (the rest of the text kept)
///                                     model.safetensors: without `…encoder.layer.N.…` for N ≥ K,
///                                     float tensors written as F32; non-float ones (BERT's I64
///                                     `position_ids`, a buffer transformers recreates) left out
/// ```
/// Copied when present: the tokenizer files and `sentence_bert_config.json` (from the
/// transformer's folder, else the root) and `config_sentence_transformers.json` (root).
public enum TransformerCopy {
    /// What a copy wrote.
    public struct Report: Sendable, Equatable {
        /// File names written into the target folder.
        public var files: [String]
        /// The layer count of the copy.
        public var layers: Int
        /// The layer count of the source.
        public var sourceLayers: Int
        /// Tensors removed because they belong to layers ≥ `layers`.
        public var removedLayerTensors: Int
        /// Non-float tensors left out of a rewritten weights file (name and dtype).
        public var droppedTensors: [String]
        public var truncated: Bool { layers < sourceLayers }
    }

    /// Files besides config.json and model.safetensors that are copied when the source has them.
    public static let companionFiles = [
        "vocab.txt", "tokenizer_config.json", "tokenizer.json", "special_tokens_map.json", "added_tokens.json",
        "sentence_bert_config.json",
    ]

    /// The layer index `N` of a tensor named `…encoder.layer.N.…`, else nil.
    public static func layerIndex(ofTensor name: String) -> Int? {
        guard let range = name.range(of: "encoder.layer.") else { return nil }
        let digits = name[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, name[range.upperBound...].dropFirst(digits.count).first == "." else { return nil }
        return Int(digits)
    }

    /// Writes the transformer of `folder` into `target` (an existing folder).
    /// - Parameter layers: keep layers `0 ..< layers` (nil: all).
    /// - Throws: ``EncoderError/layerOutOfRange(layer:layers:)``, ``EncoderError/invalidField(path:field:value:expected:)``
    ///   when config.json has no single `num_hidden_layers`, ``EncoderError/unreadableFile(path:reason:)``
    ///   for a file that cannot be copied, and the ``SafeTensorsError``s of the weights.
    @discardableResult
    public static func write(_ folder: ModelFolder, to target: URL, layers: Int? = nil) throws -> Report {
        let configuration = try BertConfiguration(contentsOf: folder.configurationURL)
        let sourceLayers = configuration.layerCount
        let kept = layers ?? sourceLayers
        guard (0...sourceLayers).contains(kept) else { throw EncoderError.layerOutOfRange(layer: kept, layers: sourceLayers) }
        var report = Report(files: [], layers: kept, sourceLayers: sourceLayers, removedLayerTensors: 0, droppedTensors: [])
        let files = FileManager.default

        func copy(_ source: URL, as name: String) throws {
            let destination = target.appendingPathComponent(name)
            do {
                try files.copyItem(at: source, to: destination)
            } catch {
                throw EncoderError.unreadableFile(path: source.path, reason: "copying to \(destination.path): \(error.localizedDescription)")
            }
            report.files.append(name)
        }

        if report.truncated {
            try write(configurationOf: folder, layers: kept, to: target.appendingPathComponent("config.json"))
            report.files.append("config.json")
            let dtypes = try SafeTensors.dtypes(of: folder.weightsURL)
            let decodable = Set(SafeTensors.DType.allCases.map(\.rawValue))
            report.removedLayerTensors = dtypes.keys.filter { (layerIndex(ofTensor: $0) ?? -1) >= kept }.count
            report.droppedTensors = dtypes.filter { !decodable.contains($0.value) && (layerIndex(ofTensor: $0.key) ?? -1) < kept }
                .map { "\($0.key) (\($0.value))" }.sorted()
            let contents = try SafeTensors.read(folder.weightsURL) { name in
                guard let dtype = dtypes[name], decodable.contains(dtype) else { return false }
                return (layerIndex(ofTensor: name) ?? -1) < kept
            }
            try SafeTensors.write(contents, to: target.appendingPathComponent("model.safetensors"))
            report.files.append("model.safetensors")
        } else {
            try copy(folder.configurationURL, as: "config.json")
            try copy(folder.weightsURL, as: "model.safetensors")
        }
        for name in companionFiles {
            let candidates = [folder.transformerFolder.appendingPathComponent(name), folder.root.appendingPathComponent(name)]
            if let source = candidates.first(where: { files.fileExists(atPath: $0.path) }) { try copy(source, as: name) }
        }
        let stConfig = folder.root.appendingPathComponent("config_sentence_transformers.json")
        if files.fileExists(atPath: stConfig.path) { try copy(stConfig, as: stConfig.lastPathComponent) }
        return report
    }

    /// config.json with `num_hidden_layers` set to `layers`: a textual edit of the one occurrence,
    /// so every other field keeps its exact spelling; the result is parsed back to check it.
    static func write(configurationOf folder: ModelFolder, layers: Int, to destination: URL) throws {
        let source = folder.configurationURL
        let text: String
        do {
            text = try String(contentsOf: source, encoding: .utf8)
        } catch {
            throw EncoderError.unreadableFile(path: source.path, reason: error.localizedDescription)
        }
        let pattern = #/"num_hidden_layers"\s*:\s*[0-9]+/#
        let matches = text.matches(of: pattern)
        guard matches.count == 1, let match = matches.first else {
            throw EncoderError.invalidField(path: source.path, field: "num_hidden_layers", value: "\(matches.count) occurrences",
                                            expected: "exactly one integer field, to set to \(layers)")
        }
        let edited = text.replacingCharacters(in: match.range, with: "\"num_hidden_layers\": \(layers)")
        do {
            try Data(edited.utf8).write(to: destination, options: .atomic)
        } catch {
            throw EncoderError.unreadableFile(path: destination.path, reason: "writing: \(error.localizedDescription)")
        }
        let check = try BertConfiguration(contentsOf: destination)
        precondition(check.layerCount == layers, "TransformerCopy: wrote num_hidden_layers \(check.layerCount), wanted \(layers)")
    }
}
