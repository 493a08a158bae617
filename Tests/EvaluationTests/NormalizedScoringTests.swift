import Foundation
import Testing
@testable import Evaluation

@Suite("--normalize, spearman_max and the MTEB writer")
struct NormalizedScoringTests {
    @Test("l2Normalized gives unit rows and leaves zero rows zero")
    func normalization() {
        let unit = SentenceEmbeddings(values: [3, 4, 0, 0, 0, 2], dim: 2).l2Normalized()
        #expect(unit.values == [0.6, 0.8, 0, 0, 0, 1])
    }

    /// Pairs whose norms vary a lot, so raw dot products rank them unlike cosine.
    static func results(normalize: Bool) -> StrategyResult {
        var generator = TestGenerator(seed: 7)
        var values: [Float] = []
        let gold: [Float] = (0..<30).map { Float($0 % 6) }
        for g in gold {
            let angle = Double(5 - g) / 5 * 1.3 + Double.random(in: -0.2...0.2, using: &generator)
            let scale = Float.random(in: 0.1...10, using: &generator)
            values += [scale, 0, scale * Float(cos(angle)), scale * Float(sin(angle))]
        }
        let pairs = (0..<gold.count).map { (first: 2 * $0, second: 2 * $0 + 1) }
        let system = SimilarityEvaluator.System(name: "s", embeddings: SentenceEmbeddings(values: values, dim: 2))
        return SimilarityEvaluator(resamples: 100, normalize: normalize).evaluate(
            dataset: "toy", systems: [system], pairs: pairs, gold: gold, baseline: nil, using: &generator)[0]
    }

    @Test("normalised, dot and euclidean rank pairs as cosine does; raw, they do not")
    func normalize() {
        let normalized = Self.results(normalize: true)
        let raw = Self.results(normalize: false)
        #expect(normalized.normalized && !raw.normalized)
        #expect(abs(normalized.spearmanCosine - raw.spearmanCosine) < 1e-9)
        #expect(abs(normalized.spearmanDot - normalized.spearmanCosine) < 1e-9)
        #expect(abs(normalized.spearmanEuclidean - normalized.spearmanCosine) < 1e-9)  // ‖u−v‖² = 2 − 2 cos
        #expect(abs(raw.spearmanDot - raw.spearmanCosine) > 1)
    }

    @Test("spearman_max and pearson_max are the largest of the four functions")
    func maxima() throws {
        let r = Self.results(normalize: false)
        #expect(r.spearmanMax == [r.spearmanCosine, r.spearmanDot, r.spearmanEuclidean, r.spearmanManhattan].max())
        #expect(r.pearsonMax == [r.pearsonCosine, r.pearsonDot, r.pearsonEuclidean, r.pearsonManhattan].max())
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as? [String: Any]
        #expect(json?["spearman_max"] as? Double == r.spearmanMax && json?["normalized"] as? Bool == false)
        #expect(try JSONDecoder().decode(StrategyResult.self, from: JSONEncoder().encode(r)) == r)
        #expect(StrategyResult.largest([1, .nan, 3]).isNaN)
    }

    @Test("the table says whether the vectors were normalised")
    func tableSays() throws {
        #expect(try ReportFormat.table.render([Self.results(normalize: true)]).contains("L2-normalised (--normalize"))
        #expect(try ReportFormat.table.render([Self.results(normalize: false)]).contains("not normalised"))
    }

    @Test("MTEB files: one per task and method, splits merged, 0–1 scale, documented keys")
    func mteb() throws {
        var dev = Self.results(normalize: false)
        dev.dataset = "stsb/dev"
        var test = dev
        test.dataset = "stsb/test"
        let report = EvaluationReport(sts: [dev, test], datasets: [
            .init(name: "stsb/dev", path: "/d/stsb/dev.h5", source: "stsbenchmark", split: "dev", seconds: 1),
            .init(name: "stsb/test", path: "/d/stsb/test.h5", source: "stsbenchmark", split: nil, seconds: 2),
        ])
        let files = try MTEBResult.grouped(report).get()
        #expect(files.count == 1 && files[0].relativePath == "s/STSBenchmark.json" && files[0].evaluationTime == 3)
        let object = try #require(JSONSerialization.jsonObject(with: Data(files[0].json().utf8)) as? [String: Any])
        #expect(object["task_name"] as? String == "STSBenchmark" && object["mteb_version"] as? String == MTEBResult.formatVersion)
        #expect(object["dataset_revision"] is String && object["evaluation_time"] as? Double == 3)
        let scores = try #require(object["scores"] as? [String: [[String: Any]]])
        #expect(Set(scores.keys) == ["dev", "test"])  // test's split from its file name
        let entry = try #require(scores["test"]?.first)
        #expect(abs((entry["main_score"] as? Double ?? 0) - test.spearmanCosine / 100) < 1e-12)
        #expect(entry["hf_subset"] as? String == "default" && entry["languages"] as? [String] == ["eng-Latn"])
        for key in ["cosine_spearman", "cosine_pearson", "euclidean_spearman", "euclidean_pearson",
                    "manhattan_spearman", "manhattan_pearson", "dot_spearman"] {
            let value = try #require(entry[key] as? Double, "missing \(key)")
            #expect(abs(value) <= 1)
        }
    }

    @Test("two datasets that are the same split of one task collide, naming both")
    func mtebCollision() {
        var a = Self.results(normalize: false)
        a.dataset = "x/test"
        var b = a
        b.dataset = "y/test"
        let report = EvaluationReport(sts: [a, b], datasets: [
            .init(name: "x/test", path: "x/test.h5", source: nil, split: "test", seconds: 0),
            .init(name: "y/test", path: "y/test.h5", source: nil, split: "test", seconds: 0),
        ])
        // Without a known `dataset` attribute each file is its own task: no collision.
        #expect((try? MTEBResult.grouped(report).get())?.count == 2)
        var same = report
        same.datasets = same.datasets.map { var d = $0; d.source = "stsb"; return d }
        guard case .failure(let collision) = MTEBResult.grouped(same) else { Issue.record("no collision"); return }
        #expect(collision.description.contains("x/test and y/test"))
    }
}
