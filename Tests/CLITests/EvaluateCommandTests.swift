import Autodiff
import Foundation
import HiddenStates
import Pooling
import Testing

/// `pooler evaluate` on the committed sample in `data/` and on generated heads.
@Suite("pooler evaluate")
struct EvaluateCommandTests {
    static let sample = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data/stsb-minilm-l6-sample")

    @Test("JSON output has one result per (dataset, strategy) with the documented keys; the plot is written")
    func jsonAndPlot() throws {
        let scratch = try PoolingScratch()
        let plot = scratch.path("chart.svg")
        let result = try PoolerProcess.run([
            "evaluate", "--data", Self.sample.appendingPathComponent("dev.h5").path,
            "--data", Self.sample.appendingPathComponent("test.h5").path,
            "--strategies", "mean,cls", "--resamples", "200", "--format", "json", "--plot", plot, "--quiet",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let rows = try #require(object?["results"] as? [[String: Any]])
        #expect(rows.count == 4)
        for key in ["dataset", "strategy", "spearman_cosine", "pearson_cosine", "spearman_cosine_ci", "spearman_dot",
                    "spearman_euclidean", "spearman_manhattan"] {
            #expect(rows.allSatisfy { $0[key] != nil }, "missing \(key)")
        }
        #expect(rows[1]["baseline"] as? String == "mean")
        #expect(rows[1]["p_value"] != nil)
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg"))
    }

    @Test("a learned head is evaluated beside the fixed strategies")
    func head() throws {
        let scratch = try PoolingScratch()
        let data = scratch.path("pairs.h5")
        var generator = Xoshiro256StarStar(seed: 3)
        let writer = try RaggedWriter(path: data, dim: 8)
        for length in [3, 5, 2, 7, 4, 6] {
            try writer.append(sentence: ArraySlice(Tensor.randomNormal([length, 8], using: &generator).scalars))
        }
        try writer.finish(pairs: [SentencePair(0, 1), SentencePair(2, 3), SentencePair(4, 5), SentencePair(1, 2)],
                          scores: [1, 4, 2.5, 3])
        let (_, folder) = try scratch.exportPerturbedHead(HeadConfiguration(kind: .additive, dim: 8, hidden: 4), to: "myhead")
        let head = folder.path
        let result = try PoolerProcess.run([
            "evaluate", "--data", data, "--strategies", "mean", "--head", "learned=\(head)",
            "--resamples", "100", "--format", "csv", "--quiet",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[2].contains(",learned,"))
    }

    struct BadCall: CustomTestStringConvertible, Sendable {
        let name: String
        let arguments: [String]
        let message: String
        var testDescription: String { name }
    }

    static let badCalls: [BadCall] = [
        BadCall(name: "no data", arguments: ["evaluate"], message: "--data"),
        BadCall(name: "unknown strategy", arguments: ["evaluate", "--data", "x.h5", "--strategies", "mean,avg"],
                message: "avg"),
        BadCall(name: "baseline not evaluated", arguments: ["evaluate", "--data", "x.h5", "--strategies", "cls",
                                                             "--baseline", "mean"], message: "--baseline mean"),
        BadCall(name: "missing file", arguments: ["evaluate", "--data", "/nonexistent/x.h5"], message: "/nonexistent/x.h5"),
        BadCall(name: "missing head", arguments: ["evaluate", "--data", "x.h5", "--head", "/nonexistent/head"],
                message: "/nonexistent/head"),
        BadCall(name: "too few resamples", arguments: ["evaluate", "--data", "x.h5", "--resamples", "5"],
                message: "--resamples"),
    ]

    @Test("bad calls fail with a message naming the culprit", arguments: badCalls)
    func badCall(_ call: BadCall) throws {
        let result = try PoolerProcess.run(call.arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(call.message), "\(call.name): \(result.stderr)")
    }
}
