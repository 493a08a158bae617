import Autodiff
import Foundation
import HiddenStates
import Testing

/// `pooler evaluate --system NAME=FILE:STRATEGY` on generated files.
@Suite("pooler evaluate --system")
struct EvaluateSystemTests {
    static let pairs = [SentencePair(0, 1), SentencePair(2, 3), SentencePair(4, 5), SentencePair(1, 2),
                        SentencePair(3, 4), SentencePair(5, 0)]
    static let scores: [Float] = [1, 4, 2.5, 3, 0.5, 5]

    /// `folder/split.h5` with seeded tokens (dim 8) over six sentences and the given pairs.
    static func write(_ scratch: PoolingScratch, _ folder: String, _ split: String, seed: UInt64,
                      pairs: [SentencePair] = pairs, scores: [Float] = scores) throws -> String {
        let directory = scratch.url.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("\(split).h5").path
        var generator = Xoshiro256StarStar(seed: seed)
        let writer = try RaggedWriter(path: path, dim: 8, attributes: ["special_tokens": .string("cls_first,sep_last")])
        for (s, length) in [3, 5, 2, 7, 4, 6].enumerated() {
            try writer.append(sentence: ArraySlice(Tensor.randomNormal([length, 8], using: &generator).scalars),
                              text: "sentence \(s)")
        }
        try writer.finish(pairs: pairs, scores: scores)
        return path
    }

    @Test("{split} pairs dev with dev and test with test; the system is the baseline of the paired tests")
    func splitTemplate() throws {
        let scratch = try PoolingScratch()
        let dev = try Self.write(scratch, "layer3", "dev", seed: 1)
        let test = try Self.write(scratch, "layer3", "test", seed: 2, pairs: Array(Self.pairs.reversed()),
                                  scores: Array(Self.scores.reversed()))
        _ = try Self.write(scratch, "layer6", "dev", seed: 3)
        _ = try Self.write(scratch, "layer6", "test", seed: 4, pairs: Array(Self.pairs.reversed()),
                           scores: Array(Self.scores.reversed()))
        let template = scratch.url.appendingPathComponent("layer6").path + "/{split}.h5"
        let result = try PoolerProcess.run([
            "evaluate", "--data", dev, "--data", test, "--strategies", "mean,cls",
            "--system", "layer6-mean=\(template):mean", "--baseline", "layer6-mean",
            "--resamples", "100", "--format", "csv", "--quiet",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.map { "\($0[0]) \($0[1])" } == [
            "layer3/dev mean", "layer3/dev cls", "layer3/dev layer6-mean",
            "layer3/test mean", "layer3/test cls", "layer3/test layer6-mean",
        ])
        // Column 15 is the baseline: set on the others, empty on the system itself.
        #expect(rows.map { String($0[15]) } == ["layer6-mean", "layer6-mean", "", "layer6-mean", "layer6-mean", ""])
    }

    @Test("a system file with other scores fails, naming both files and the pair")
    func mismatch() throws {
        let scratch = try PoolingScratch()
        let data = try Self.write(scratch, "a", "dev", seed: 1)
        var scores = Self.scores
        scores[3] = 3.5
        let other = try Self.write(scratch, "b", "dev", seed: 2, scores: scores)
        let result = try PoolerProcess.run([
            "evaluate", "--data", data, "--strategies", "mean", "--system", "b-mean=\(other):mean",
            "--resamples", "100", "--quiet",
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains(data) && result.stderr.contains(other) && result.stderr.contains("pair 3"),
                "\(result.stderr)")
    }

    struct BadCall: CustomTestStringConvertible, Sendable {
        let name: String
        let arguments: [String]
        let message: String
        var testDescription: String { name }
    }

    static let badCalls: [BadCall] = [
        BadCall(name: "no strategy", arguments: ["evaluate", "--data", "x.h5", "--system", "a=/y.h5"],
                message: "--system 'a=/y.h5'"),
        BadCall(name: "no name", arguments: ["evaluate", "--data", "x.h5", "--system", "/y.h5:mean"],
                message: "NAME=FILE.h5:STRATEGY"),
        BadCall(name: "unknown strategy", arguments: ["evaluate", "--data", "x.h5", "--system", "a=/y.h5:avg"],
                message: "avg"),
        BadCall(name: "name taken by a strategy", arguments: ["evaluate", "--data", "x.h5", "--strategies", "mean",
                                                             "--system", "mean=/y.h5:mean"], message: "share a name"),
        BadCall(name: "missing system file", arguments: ["evaluate", "--data", "DATA", "--system",
                                                        "a=/nonexistent/{split}.h5:mean"], message: "/nonexistent/dev.h5"),
    ]

    @Test("bad --system calls fail with a message naming the culprit", arguments: badCalls)
    func badCall(_ call: BadCall) throws {
        let scratch = try PoolingScratch()
        let data = try Self.write(scratch, "a", "dev", seed: 1)
        let result = try PoolerProcess.run(call.arguments.map { $0 == "DATA" ? data : $0 })
        #expect(result.status != 0)
        #expect(result.stderr.contains(call.message), "\(call.name): \(result.stderr)")
    }
}
