/// What a user can get wrong when comparing systems: the files and flags of `pooler evaluate`.
public enum EvaluationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A `--system` argument that is not `NAME=FILE:STRATEGY`.
    case malformedSystem(text: String, reason: String)
    /// A system's file scores other pairs than the `--data` file it is compared on: different
    /// pair counts (`index` = nil), or the first pair whose indices or gold score differ.
    case pairsDiffer(system: String, systemFile: String, dataFile: String, index: Int?,
                     expected: String, actual: String)
    /// A system's file holds other sentences than the `--data` file (count, or the first text that differs).
    case sentencesDiffer(system: String, systemFile: String, dataFile: String, index: Int?,
                         expected: String, actual: String)

    public var description: String {
        switch self {
        case let .malformedSystem(text, reason):
            return "--system '\(text)': \(reason). Expected NAME=FILE.h5:STRATEGY, e.g. "
                + "layer6-mean=/data/layer6/{split}.h5:mean ({split} becomes the --data file's name without .h5)."
        case let .pairsDiffer(system, systemFile, dataFile, index, expected, actual):
            let place = index.map { "pair \($0)" } ?? "the number of pairs"
            return "system '\(system)': \(systemFile) and \(dataFile) do not score the same pairs: \(place) is "
                + "\(actual) in \(systemFile) but \(expected) in \(dataFile). A paired comparison needs identical "
                + "/pairs and /scores; extract both files from the same input in the same order."
        case let .sentencesDiffer(system, systemFile, dataFile, index, expected, actual):
            let place = index.map { "sentence \($0)" } ?? "the number of sentences"
            return "system '\(system)': \(systemFile) and \(dataFile) hold different sentences: \(place) is "
                + "\(actual) in \(systemFile) but \(expected) in \(dataFile). The pairs index sentences, so both "
                + "files must store the same sentences in the same order."
        }
    }
}
