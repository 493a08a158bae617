import Foundation

/// The JSON key style of every file training writes (`summary.json`, `log.jsonl`, the checkpoint's
/// metadata): snake_case, like the head's `config.json` and every other JSON pooler writes.
///
/// Property names are converted on writing (`bestDevSpearman` → `best_dev_spearman`). Reading
/// converts back, except inside a `head` (the configuration's), whose keys ``HeadConfiguration`` names
/// itself (`key_dim`, `format_version`); keys without `_` pass unchanged, so files from earlier
/// versions, written in camelCase, still read.
public enum SnakeCaseJSON {
    public static func encoder(_ formatting: JSONEncoder.OutputFormatting) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        // The types written hold no dictionaries, so only property names are converted.
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    /// - Parameter verbatimInside: keys of values whose types name their keys in snake_case
    ///   themselves (``Pooling/HeadConfiguration`` under `head`; a report's
    ///   ``Evaluation/StrategyResult``s, under the names their container gives them): nothing
    ///   below such a key is converted.
    public static func decoder(verbatimInside: Set<String> = ["head"]) -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            let key = path.last?.stringValue ?? ""
            let verbatim = path.dropLast().contains { verbatimInside.contains($0.stringValue) }
            // `_0` is Swift's payload key of enum cases (earlier warmup encoding): kept as is.
            guard !verbatim, key.contains("_"), !key.hasPrefix("_") else { return Key(key) }
            let words = key.split(separator: "_")
            guard let first = words.first else { return Key(key) }
            // `ci` is the one acronym in property names (`testSpearmanCosineCI` → `test_spearman_cosine_ci`).
            return Key(String(first) + words.dropFirst().map { $0 == "ci" ? "CI" : $0.prefix(1).uppercased() + $0.dropFirst() }.joined())
        }
        return decoder
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
