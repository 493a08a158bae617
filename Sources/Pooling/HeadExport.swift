import Autodiff
import Foundation

/// Saving and loading a head as an export folder:
///
/// ```
/// FOLDER/config.json          HeadConfiguration, pretty-printed, sorted keys
/// FOLDER/model.safetensors    F32 tensors by name; metadata {"format": "pt", "pooler_format_version": "2", "head": kind,
///                             "pooler_sha256": ContentDigest of the tensors}
/// ```
/// The digest is checked on load when present (heads written by other tools may lack it), so a
/// flipped bit in the weights is an error, not a silently different head.
/// Both files are written atomically (temporary file, then rename). Loading validates the
/// configuration and every tensor and throws ``PoolingError`` naming the file, tensor, expected
/// and actual shape.
public enum HeadExport {
    public static let configurationFileName = "config.json"
    public static let weightsFileName = "model.safetensors"
    /// Metadata key of the tensors' SHA-256 (``ContentDigest/sha256Hex(tensors:prefix:)``).
    public static let digestKey = "pooler_sha256"

    /// `config.json` bytes: pretty-printed with sorted keys (stable diffs).
    public static func configurationData(_ configuration: HeadConfiguration) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(configuration)
    }

    /// The safetensors contents of `head`: its parameters plus the format metadata.
    public static func weights(_ head: any PoolingHead) -> SafeTensors.Contents {
        return SafeTensors.Contents(
            tensors: head.parameters.mapValues { SafeTensors.Entry(shape: $0.shape, values: $0.scalars) },
            metadata: ["format": "pt",
                       "pooler_format_version": "\(head.configuration.formatVersion)",
                       "head": head.configuration.kind.rawValue,
                       digestKey: ContentDigest.sha256Hex(tensors: head.parameters)])
    }

    /// Writes `config.json` and `model.safetensors` into `folder` (created if missing), each atomically.
    /// - Throws: ``PoolingError/unwritable(path:reason:)``, or the safetensors writer's error.
    public static func write(_ head: any PoolingHead, to folder: URL) throws {
        let configurationURL = folder.appendingPathComponent(configurationFileName)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try configurationData(head.configuration).write(to: configurationURL, options: .atomic)
        } catch {
            throw PoolingError.unwritable(path: configurationURL.path, reason: error.localizedDescription)
        }
        try SafeTensors.write(weights(head), to: folder.appendingPathComponent(weightsFileName))
    }

    /// Reads and validates `FOLDER/config.json`.
    public static func loadConfiguration(from folder: URL) throws -> HeadConfiguration {
        let url = folder.appendingPathComponent(configurationFileName)
        try requireFile(url, hint: "a head folder holds \(configurationFileName) and \(weightsFileName); "
            + "export one with `pooler export RUN_DIR --out DIR`")
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PoolingError.configurationUnreadable(path: url.path, reason: error.localizedDescription)
        }
        let configuration: HeadConfiguration
        do {
            configuration = try JSONDecoder().decode(HeadConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw PoolingError.configurationUnreadable(path: url.path, reason: describe(error))
        }
        try configuration.validate(path: url.path)
        return configuration
    }

    /// Loads a head from an export folder, validating everything.
    ///
    /// - Throws: ``PoolingError``: missing folder or file, unreadable or invalid configuration,
    ///   unreadable weights, head kind mismatch, missing/unexpected tensor, wrong shape, NaN/Inf.
    public static func load(from folder: URL) throws -> any PoolingHead {
        try requireFolder(folder)
        let configuration = try loadConfiguration(from: folder)
        let url = folder.appendingPathComponent(weightsFileName)
        try requireFile(url, hint: "\(configurationFileName) is there but the weights are not; export the head again")
        let contents: SafeTensors.Contents
        do {
            contents = try SafeTensors.read(url)
        } catch let error as SafeTensorsError {
            throw PoolingError.weightsUnreadable(path: url.path, reason: error.description)
        }
        if let kind = contents.metadata["head"], kind != configuration.kind.rawValue {
            throw PoolingError.headKindMismatch(path: url.path, configuration: configuration.kind.rawValue, weights: kind)
        }
        let parameters = contents.tensors.mapValues { Tensor(shape: $0.shape, scalars: $0.values) }
        // Shapes and values first (their errors say what is wrong), then the digest (what a flipped bit leaves).
        let head = try makeHead(configuration, parameters: parameters, path: url.path)
        if let recorded = contents.metadata[digestKey] {
            let actual = ContentDigest.sha256Hex(tensors: parameters)
            guard actual == recorded else { throw PoolingError.digestMismatch(path: url.path, recorded: recorded, actual: actual) }
        }
        return head
    }

    static func requireFolder(_ folder: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PoolingError.missingFile(path: folder.path, hint: "give a folder holding \(configurationFileName) and \(weightsFileName)")
        }
    }

    static func requireFile(_ url: URL, hint: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw PoolingError.missingFile(path: url.path, hint: hint)
        }
    }

    /// A one-line reason for a JSON decoding failure, naming the field.
    static func describe(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            let parent = context.codingPath.isEmpty ? "" : " in \(field(context.codingPath))"
            return "required field '\(key.stringValue)'\(parent) is missing"
        case let .typeMismatch(type, context):
            return "field '\(field(context.codingPath))' should be \(type)"
        case let .valueNotFound(type, context):
            return "field '\(field(context.codingPath))' is null, expected \(type)"
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            let valid = context.codingPath.last?.stringValue == "kind"
                ? " (valid: \(HeadKind.allCases.map(\.rawValue).joined(separator: ", ")))" : ""
            return "field '\(field(context.codingPath))' has an invalid value\(valid)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// The loader's name as the Training module refers to it.
public typealias PoolingHeadLoader = HeadExport
