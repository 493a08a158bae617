import Autodiff
import Foundation
import HiddenStates
import Testing
@testable import Evaluation

/// `--system NAME=FILE:STRATEGY`: parsing, `{split}` pairing, and the same-pairs check, on generated files.
@Suite("external systems: strategies pooled from other files over the same pairs")
struct ExternalSystemTests {
    /// A scratch folder removed when the test ends.
    final class Scratch {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("external-system-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }

        /// `folder/name`, the folder created.
        func path(_ folder: String, _ name: String) throws -> String {
            let directory = url.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return directory.appendingPathComponent(name).path
        }
    }

    static let lengths = [3, 5, 2, 7, 4, 6, 3, 5]
    static let texts = lengths.indices.map { "sentence \($0)" }
    static let pairs = [SentencePair(0, 1), SentencePair(2, 3), SentencePair(4, 5), SentencePair(6, 7),
                        SentencePair(1, 2), SentencePair(3, 4), SentencePair(5, 6), SentencePair(7, 0)]
    static let scores: [Float] = [1, 4, 2.5, 3, 0.5, 5, 2, 3.5]

    /// A ragged file with seeded random tokens (dim 4) over the given sentences and pairs.
    static func write(_ path: String, seed: UInt64, texts: [String] = texts, pairs: [SentencePair] = pairs,
                      scores: [Float] = scores) throws {
        var generator = Xoshiro256StarStar(seed: seed)
        let writer = try RaggedWriter(path: path, dim: 4,
                                      attributes: ["special_tokens": .string("cls_first,sep_last")])
        for (length, text) in zip(lengths, texts) {
            try writer.append(sentence: ArraySlice(Tensor.randomNormal([length, 4], using: &generator).scalars), text: text)
        }
        try writer.finish(pairs: pairs, scores: scores)
    }

    static func run(data: [String], strategies: [String] = ["mean", "max"], systems: [ExternalSystem],
                    baseline: String?) throws -> [StrategyResult] {
        try ComparisonRun(datasets: data, strategies: strategies, heads: [], systems: systems, baseline: baseline,
                          evaluator: SimilarityEvaluator(resamples: 200), seed: 7).run()
    }

    @Test("NAME=FILE:STRATEGY parses; the strategy is after the last ':'")
    func parsing() throws {
        let system = try ExternalSystem(parsing: "layer6-mean=/data/l6/{split}.h5:mean+max")
        #expect(system == ExternalSystem(name: "layer6-mean", pathTemplate: "/data/l6/{split}.h5", strategy: "mean+max"))
        #expect(try ExternalSystem(parsing: "a=C:/x.h5:cls").pathTemplate == "C:/x.h5")
        #expect(system.path(forDataset: "/cache/layer3/dev.h5") == "/data/l6/dev.h5")
        #expect(system.path(forDataset: "test.h5") == "/data/l6/test.h5")
        #expect(ExternalSystem(name: "a", pathTemplate: "/x/fixed.h5", strategy: "mean")
            .path(forDataset: "/y/dev.h5") == "/x/fixed.h5")
    }

    @Test("malformed arguments are typed errors", arguments: ["/x.h5:mean", "=/x.h5:mean", "a/b=/x.h5:mean",
                                                              "a=/x.h5", "a=:mean", "a=/x.h5:"])
    func malformed(text: String) {
        #expect {
            _ = try ExternalSystem(parsing: text)
        } throws: { error in
            guard case EvaluationError.malformedSystem(let culprit, _) = error else { return false }
            return culprit == text && "\(error)".contains("NAME=FILE.h5:STRATEGY")
        }
    }

    @Test("a system from another file scores like the same strategy on that file and is paired with the rest")
    func pooledFromOtherFile() throws {
        let scratch = try Scratch()
        let data = try scratch.path("layer3", "dev.h5")
        let other = try scratch.path("layer6", "dev.h5")
        try Self.write(data, seed: 1)
        try Self.write(other, seed: 2)
        let systems = [ExternalSystem(name: "layer6-mean", pathTemplate: other, strategy: "mean"),
                       ExternalSystem(name: "layer6-max", pathTemplate: other, strategy: "max")]
        let results = try Self.run(data: [data], systems: systems, baseline: "layer6-mean")
        #expect(results.map(\.strategy) == ["mean", "max", "layer6-mean", "layer6-max"])
        // The same strategies evaluated directly on the other file: identical correlations.
        let direct = try Self.run(data: [other], systems: [], baseline: nil)
        #expect(results[2].spearmanCosine == direct[0].spearmanCosine)
        #expect(results[3].spearmanCosine == direct[1].spearmanCosine)
        #expect(results[2].pearsonDot == direct[0].pearsonDot)
        // The baseline carries no comparison; every other row is compared with it on the same draws.
        #expect(results[2].baseline == nil && results[2].pValue == nil)
        for row in [results[0], results[1], results[3]] {
            #expect(row.baseline == "layer6-mean")
            let difference = try #require(row.spearmanCosineDifference)
            #expect(abs(difference - (row.spearmanCosine - results[2].spearmanCosine)) < 1e-9)
            #expect(row.pValue != nil)
        }
    }

    @Test("the same file through --system gives the same numbers and a zero difference")
    func sameFile() throws {
        let scratch = try Scratch()
        let data = try scratch.path("a", "dev.h5")
        try Self.write(data, seed: 3)
        let results = try Self.run(data: [data], strategies: ["mean"],
                                   systems: [ExternalSystem(name: "again", pathTemplate: data, strategy: "mean")],
                                   baseline: "mean")
        #expect(results[1].spearmanCosine == results[0].spearmanCosine)
        #expect(results[1].spearmanCosineDifference == 0)
        #expect(results[1].spearmanCosineDifferenceCI == PairResampling.Interval(lower: 0, upper: 0))
    }

    @Test("{split} pairs each data file with its namesake")
    func splitPlaceholder() throws {
        let scratch = try Scratch()
        // dev and test differ in their pairs, so a wrong pairing would fail the check.
        let testPairs = Array(Self.pairs.reversed())
        let testScores = Array(Self.scores.reversed())
        try Self.write(try scratch.path("layer3", "dev.h5"), seed: 1)
        try Self.write(try scratch.path("layer3", "test.h5"), seed: 2, pairs: testPairs, scores: testScores)
        try Self.write(try scratch.path("layer6", "dev.h5"), seed: 3)
        try Self.write(try scratch.path("layer6", "test.h5"), seed: 4, pairs: testPairs, scores: testScores)
        let template = scratch.url.appendingPathComponent("layer6").path + "/{split}.h5"
        let data = [try scratch.path("layer3", "dev.h5"), try scratch.path("layer3", "test.h5")]
        let results = try Self.run(data: data, strategies: ["mean"],
                                   systems: [ExternalSystem(name: "layer6-mean", pathTemplate: template, strategy: "mean")],
                                   baseline: "layer6-mean")
        #expect(results.map(\.dataset) == ["layer3/dev", "layer3/dev", "layer3/test", "layer3/test"])
        let direct = try Self.run(data: [try scratch.path("layer6", "test.h5")], strategies: ["mean"], systems: [],
                                  baseline: nil)
        #expect(results[3].spearmanCosine == direct[0].spearmanCosine)
        // Without the placeholder, test.h5 is compared with layer6/dev.h5: pair 0 differs.
        let fixed = ExternalSystem(name: "layer6-mean", pathTemplate: try scratch.path("layer6", "dev.h5"), strategy: "mean")
        #expect(throws: EvaluationError.self) { _ = try Self.run(data: data, systems: [fixed], baseline: nil) }
    }

    struct Mismatch: CustomTestStringConvertible, Sendable {
        let name: String
        let texts: [String]
        let pairs: [SentencePair]
        let scores: [Float]
        /// The expected error, given the system's file and the data file.
        let error: @Sendable (_ system: String, _ data: String) -> EvaluationError
        var testDescription: String { name }
    }

    static let mismatches: [Mismatch] = {
        var score = scores
        score[2] = 2.75
        var pair = pairs
        pair[5] = SentencePair(4, 3)
        var text = texts
        text[6] = "another sentence"
        return [
            Mismatch(name: "one score differs", texts: texts, pairs: pairs, scores: score) {
                .pairsDiffer(system: "other", systemFile: $0, dataFile: $1, index: 2,
                             expected: "(4, 5) with score 2.5", actual: "(4, 5) with score 2.75")
            },
            Mismatch(name: "one pair differs", texts: texts, pairs: pair, scores: scores) {
                .pairsDiffer(system: "other", systemFile: $0, dataFile: $1, index: 5,
                             expected: "(3, 4) with score 5.0", actual: "(4, 3) with score 5.0")
            },
            Mismatch(name: "fewer pairs", texts: texts, pairs: Array(pairs.prefix(6)), scores: Array(scores.prefix(6))) {
                .pairsDiffer(system: "other", systemFile: $0, dataFile: $1, index: nil, expected: "8", actual: "6")
            },
            Mismatch(name: "one sentence differs", texts: text, pairs: pairs, scores: scores) {
                .sentencesDiffer(system: "other", systemFile: $0, dataFile: $1, index: 6,
                                 expected: "\"sentence 6\"", actual: "\"another sentence\"")
            },
        ]
    }()

    @Test("a file with other pairs, scores or sentences is refused, naming both files and the first difference",
          arguments: mismatches)
    func mismatch(_ given: Mismatch) throws {
        let scratch = try Scratch()
        let data = try scratch.path("a", "dev.h5")
        let other = try scratch.path("b", "dev.h5")
        try Self.write(data, seed: 1)
        try Self.write(other, seed: 2, texts: given.texts, pairs: given.pairs, scores: given.scores)
        let expected = given.error(other, data)
        #expect(throws: expected) {
            _ = try Self.run(data: [data], systems: [ExternalSystem(name: "other", pathTemplate: other, strategy: "mean")],
                             baseline: "mean")
        }
        #expect("\(expected)".contains(other) && "\(expected)".contains(data))
    }

    @Test("a missing system file is the reader's error, naming the resolved path")
    func missingFile() throws {
        let scratch = try Scratch()
        let data = try scratch.path("a", "dev.h5")
        try Self.write(data, seed: 1)
        let template = scratch.url.appendingPathComponent("nowhere").path + "/{split}.h5"
        do {
            _ = try Self.run(data: [data], systems: [ExternalSystem(name: "x", pathTemplate: template, strategy: "mean")],
                             baseline: nil)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains(scratch.url.appendingPathComponent("nowhere/dev.h5").path))
        }
    }
}
