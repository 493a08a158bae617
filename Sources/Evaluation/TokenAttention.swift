import Autodiff
import Foundation
import HiddenStates
import Pooling

/// What a learned head attends to in one sentence: each token's weight, per head.
public struct TokenAttention: Sendable {
    /// The sentence's text, when the file stores it.
    public var text: String?
    /// Each token's string (from a vocabulary) or its id, or its position when neither is known.
    public var tokens: [String]
    /// `weights[t][k]`: weight of token `t` in head `k`; each head's column sums to 1.
    public var weights: [[Float]]

    /// Runs `head` on sentence `index` of `file`.
    /// - Parameter vocabulary: token strings by id (`vocab.txt` order); ids are shown without it.
    /// - Throws: ``HiddenStatesError`` for a bad index or file, ``PoolingError`` for a dim mismatch.
    public init(head: any PoolingHead, file: HiddenStatesFile, sentence index: Int, vocabulary: [String]?) throws {
        guard (0..<file.metadata.sentences).contains(index) else {
            throw HiddenStatesError.sentenceIndexOutOfRange(path: file.path, index: index, sentences: file.metadata.sentences)
        }
        guard head.configuration.dim == file.metadata.dim else {
            throw PoolingError.dimensionMismatch(source: file.path, expected: head.configuration.dim, actual: file.metadata.dim)
        }
        try head.configuration.provenance.checkTemplate(file.metadata.template, source: file.path)
        let batch = try file.read(sentences: [index])
        let rows = Tensor(shape: [batch.tokenCount, batch.dim], scalars: batch.tokens)
        let attention = head.attentionWeights(rows, segments: Segments(offsets: batch.offsets))  // [tokens, heads]
        let heads = attention.shape[1]
        weights = (0..<batch.tokenCount).map { t in Array(attention.scalars[(t * heads)..<((t + 1) * heads)]) }
        text = file.metadata.hasSentenceTexts ? try file.sentenceTexts()[index] : nil
        if file.metadata.hasInputIDs {
            let ids = try file.inputIDs()[file.offsets[index]..<file.offsets[index + 1]]
            tokens = ids.map { id in
                if let vocabulary, vocabulary.indices.contains(Int(id)) { return vocabulary[Int(id)] }
                return "#\(id)"
            }
        } else {
            tokens = (0..<batch.tokenCount).map { "t\($0)" }
        }
    }

    /// A table: position, token, each head's weight with a bar scaled to the largest weight, and
    /// `×` how far each weight is from uniform (1/L, what mean pooling gives every token).
    public func rendered() -> String {
        let length = weights.count
        let uniform = 1 / Float(max(length, 1))
        let heads = weights.first?.count ?? 0
        let largest = weights.flatMap { $0 }.max() ?? 1
        let tokenWidth = min(max(tokens.map(\.count).max() ?? 5, 5), 24)
        var lines: [String] = []
        if let text { lines.append("sentence: \(text)") }
        lines.append("\(length) tokens; uniform weight (mean pooling) = \(String(format: "%.3f", uniform))")
        var header = "  #  " + "token".padding(toLength: tokenWidth, withPad: " ", startingAt: 0)
        for k in 0..<heads { header += "  " + (heads == 1 ? "weight" : "head \(k)").padding(toLength: 26, withPad: " ", startingAt: 0) }
        lines.append(header.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        for (t, row) in weights.enumerated() {
            var line = String(format: "%3d  ", t) + String(tokens[t].prefix(tokenWidth)).padding(toLength: tokenWidth, withPad: " ", startingAt: 0)
            for weight in row {
                let bar = String(repeating: "█", count: Int((weight / largest * 12).rounded()))
                let cell = String(format: "%.3f %4.1f× ", weight, weight / uniform) + bar
                line += "  " + cell.padding(toLength: 26, withPad: " ", startingAt: 0)
            }
            lines.append(line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a `vocab.txt` (one token per line; line n is id n).
    public static func vocabulary(contentsOf path: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw VocabularyError(path: path)
        }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// A vocabulary file that cannot be read.
public struct VocabularyError: Error, CustomStringConvertible {
    public var path: String
    public var description: String {
        "cannot read vocabulary \(path); hint: give the model's vocab.txt (one token per line), "
            + "e.g. data/stsb-minilm-l6-sample/vocab.txt for all-MiniLM-L6-v2"
    }
}
