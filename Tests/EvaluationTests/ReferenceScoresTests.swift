import Foundation
import Testing
@testable import Evaluation

/// The fixed poolings on the real sample in `data/` against an independent numpy/scipy
/// implementation (`scripts/reference_scores.py`, output committed as `reference-scores.json`).
@Suite("fixed poolings reproduce the numpy/scipy reference on the data/ sample")
struct ReferenceScoresTests {
    static let sample = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data/stsb-minilm-l6-sample")

    /// `[file: [strategy: [metric: value]]]`
    static func reference() throws -> [String: [String: [String: Double]]] {
        let data = try Data(contentsOf: sample.appendingPathComponent("reference-scores.json"))
        return try JSONDecoder().decode([String: [String: [String: Double]]].self, from: data)
    }

    @Test("Spearman and Pearson of cosine within ±0.01", arguments: ["train.h5", "dev.h5", "test.h5"])
    func matchesReference(file: String) throws {
        let expected = try #require(try Self.reference()[file])
        let strategies = ["mean", "cls", "max", "last", "mean-nospecial"]
        let run = ComparisonRun(
            datasets: [Self.sample.appendingPathComponent(file).path], strategies: strategies, heads: [],
            baseline: "mean", evaluator: SimilarityEvaluator(resamples: 200), seed: 0, batchSize: 100)
        let results = try run.run()
        #expect(results.map(\.strategy) == strategies)
        for result in results {
            let reference = try #require(expected[result.strategy])
            #expect(abs(result.spearmanCosine - (reference["spearman_cosine"] ?? .nan)) < 0.01,
                    "\(file) \(result.strategy): Spearman \(result.spearmanCosine) vs \(reference)")
            #expect(abs(result.pearsonCosine - (reference["pearson_cosine"] ?? .nan)) < 0.01,
                    "\(file) \(result.strategy): Pearson \(result.pearsonCosine) vs \(reference)")
        }
    }

    @Test("the same seed gives the same intervals; the dataset is named folder/file")
    func deterministic() throws {
        let path = Self.sample.appendingPathComponent("dev.h5").path
        func once() throws -> [StrategyResult] {
            try ComparisonRun(datasets: [path], strategies: ["mean", "max"], heads: [], baseline: "mean",
                              evaluator: SimilarityEvaluator(resamples: 200), seed: 7).run()
        }
        let first = try once()
        #expect(first == (try once()))
        #expect(first[0].dataset == "stsb-minilm-l6-sample/dev")
    }
}
