import Foundation
import HiddenStates

/// A fixed strategy pooled from another hidden-states file that scores the same pairs, so it can
/// sit in the same table, with a paired test, as the methods pooled from the `--data` file.
///
/// Written `NAME=FILE.h5:STRATEGY` on the command line, e.g.
/// ```
/// layer6-mean=/data/stsb-minilm-l6/{split}.h5:mean
/// ```
/// With several `--data` files, `{split}` in FILE is replaced by each data file's name without
/// its extension (`…/layer3/dev.h5` → `dev`), pairing `dev.h5` with `dev.h5`, `test.h5` with
/// `test.h5`. The system's file must have the same `/pairs` and `/scores` as the data file
/// (and the same sentences, where both store them); ``ComparisonRun`` checks this before pooling.
public struct ExternalSystem: Equatable, Sendable {
    /// Replaced in ``pathTemplate`` by the data file's base name.
    public static let splitPlaceholder = "{split}"

    /// The name in the results (and for `--baseline`).
    public var name: String
    /// The file to pool, possibly containing ``splitPlaceholder``.
    public var pathTemplate: String
    /// A fixed strategy in command-line form (`mean`, `mean+max`, `mean-nospecial`).
    public var strategy: String

    public init(name: String, pathTemplate: String, strategy: String) {
        self.name = name
        self.pathTemplate = pathTemplate
        self.strategy = strategy
    }

    /// Parses `NAME=FILE:STRATEGY`; the strategy is after the last `:` (so FILE may contain `:`).
    /// - Throws: ``EvaluationError/malformedSystem(text:reason:)``.
    public init(parsing text: String) throws {
        guard let equals = text.firstIndex(of: "=") else {
            throw EvaluationError.malformedSystem(text: text, reason: "no NAME= before the file")
        }
        let name = String(text[..<equals])
        let rest = text[text.index(after: equals)...]
        guard !name.isEmpty, !name.contains("/") else {
            throw EvaluationError.malformedSystem(text: text, reason: "the name before '=' must be non-empty and contain no '/'")
        }
        guard let colon = rest.lastIndex(of: ":") else {
            throw EvaluationError.malformedSystem(text: text, reason: "no :STRATEGY after the file")
        }
        let path = String(rest[..<colon])
        let strategy = String(rest[rest.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        guard !path.isEmpty else { throw EvaluationError.malformedSystem(text: text, reason: "the file is empty") }
        guard !strategy.isEmpty else { throw EvaluationError.malformedSystem(text: text, reason: "the strategy is empty") }
        self.init(name: name, pathTemplate: path, strategy: strategy)
    }

    /// The file to pool alongside the data file at `dataPath`.
    public func path(forDataset dataPath: String) -> String {
        let split = URL(fileURLWithPath: dataPath).deletingPathExtension().lastPathComponent
        return pathTemplate.replacingOccurrences(of: Self.splitPlaceholder, with: split)
    }

    /// Checks that `file` holds the sentences, pairs and gold scores of the data file.
    /// - Parameters:
    ///   - pairs: `[pairs]` of the data file; `gold`: `[pairs]` its scores; `texts`: its sentences when stored.
    /// - Throws: ``EvaluationError`` naming both files and the first difference; ``HiddenStatesError``
    ///   when `file` lacks `/pairs` or `/scores`.
    func checkSameData(_ file: HiddenStatesFile, dataFile: HiddenStatesFile, pairs: [SentencePair], gold: [Float]) throws {
        func sentencesDiffer(_ index: Int?, _ expected: String, _ actual: String) -> EvaluationError {
            .sentencesDiffer(system: name, systemFile: file.path, dataFile: dataFile.path, index: index,
                             expected: expected, actual: actual)
        }
        func pairsDiffer(_ index: Int?, _ expected: String, _ actual: String) -> EvaluationError {
            .pairsDiffer(system: name, systemFile: file.path, dataFile: dataFile.path, index: index,
                         expected: expected, actual: actual)
        }
        let n = dataFile.metadata.sentences
        if file.metadata.sentences != n {
            throw sentencesDiffer(nil, "\(n)", "\(file.metadata.sentences)")
        }
        let theirPairs = try file.pairs()
        let theirGold = try file.scores()
        if theirPairs.count != pairs.count {
            throw pairsDiffer(nil, "\(pairs.count)", "\(theirPairs.count)")
        }
        for p in pairs.indices where theirPairs[p] != pairs[p] || theirGold[p] != gold[p] {
            func shown(_ pair: SentencePair, _ score: Float) -> String { "(\(pair.first), \(pair.second)) with score \(score)" }
            throw pairsDiffer(p, shown(pairs[p], gold[p]), shown(theirPairs[p], theirGold[p]))
        }
        // Same indices could still point at other sentences; compare the texts when both files store them.
        if file.metadata.hasSentenceTexts && dataFile.metadata.hasSentenceTexts {
            let ours = try dataFile.sentenceTexts()
            let theirs = try file.sentenceTexts()
            if let i = ours.indices.first(where: { ours[$0] != theirs[$0] }) {
                throw sentencesDiffer(i, "\"\(ours[i])\"", "\"\(theirs[i])\"")
            }
        }
    }
}
