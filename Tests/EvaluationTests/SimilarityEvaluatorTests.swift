import Foundation
import Testing
@testable import Evaluation

@Suite("similarity evaluation and reports")
struct SimilarityEvaluatorTests {
    /// Four sentences in 2-D; pairs (0,1) near-identical, (2,3) orthogonal.
    static let embeddings = SentenceEmbeddings(values: [1, 0, 2, 0.1, 0, 1, 1, 0], dim: 2)

    @Test("the four similarity functions, by hand")
    func similarityFunctions() {
        let pairs = [(first: 0, second: 1), (first: 2, second: 3)]
        let cosine = Self.embeddings.similarities(of: pairs, using: .cosine)
        #expect(abs(cosine[0] - 2 / (4.01 as Double).squareRoot()) < 1e-6)
        #expect(abs(cosine[1]) < 1e-12)
        #expect(Self.embeddings.similarities(of: pairs, using: .dot)[0] == 2)
        let euclidean = Self.embeddings.similarities(of: pairs, using: .euclidean)
        #expect(abs(euclidean[1] + (2 as Double).squareRoot()) < 1e-6)
        let manhattan = Self.embeddings.similarities(of: pairs, using: .manhattan)
        #expect(abs(manhattan[0] + 1.1) < 1e-6)
    }

    static func evaluate() -> [StrategyResult] {
        // 40 sentence pairs whose first embedding is fixed and second is rotated by an angle
        // that falls as the gold score rises; "good" follows gold, "noisy" adds noise.
        var generator = TestGenerator(seed: 1)
        let gold = ScipyFixture.gold.map(Float.init)
        func system(noise: Double) -> SentenceEmbeddings {
            var values: [Float] = []
            for g in ScipyFixture.gold {
                let angle = (5 - g) / 5 * 1.2 + Double.random(in: -noise...noise, using: &generator)
                values += [1, 0, Float(cos(angle)), Float(sin(angle))]
            }
            return SentenceEmbeddings(values: values, dim: 2)
        }
        let pairs = (0..<gold.count).map { (first: 2 * $0, second: 2 * $0 + 1) }
        let systems = [
            SimilarityEvaluator.System(name: "noisy", embeddings: system(noise: 0.6)),
            SimilarityEvaluator.System(name: "good", embeddings: system(noise: 0.05)),
        ]
        return SimilarityEvaluator(resamples: 1000).evaluate(
            dataset: "toy", systems: systems, pairs: pairs, gold: gold, baseline: "noisy", using: &generator)
    }

    @Test("results compare with the baseline, and the good system wins significantly")
    func comparison() {
        let results = Self.evaluate()
        #expect(results.count == 2)
        #expect(results[0].baseline == nil && results[0].pValue == nil)
        let good = results[1]
        #expect(good.baseline == "noisy")
        #expect(good.spearmanCosine > 95)
        #expect(good.spearmanCosineCI.contains(good.spearmanCosine))
        #expect((good.spearmanCosineDifference ?? 0) > 0)
        #expect(good.isSignificant == true)
    }

    @Test("JSON has the documented keys; CSV and tables have a row per result")
    func formats() throws {
        let results = Self.evaluate()
        let json = try ReportFormat.json.render(results)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let rows = object?["results"] as? [[String: Any]]
        #expect(rows?.count == 2)
        for key in ["dataset", "strategy", "spearman_cosine", "pearson_cosine", "spearman_cosine_ci",
                    "spearman_dot", "spearman_euclidean", "spearman_manhattan"] {
            #expect(rows?[1][key] != nil, "missing \(key)")
        }
        #expect((rows?[1]["spearman_cosine_ci"] as? [Double])?.count == 2)
        #expect(try ReportFormat.csv.render(results).split(separator: "\n").count == 3)
        let table = try ReportFormat.table.render(results)
        #expect(table.contains("good") && table.contains("Δ vs noisy"))
        let markdown = try ReportFormat.markdown.render(results)
        #expect(markdown.hasPrefix("| dataset"))
    }
}

@Test("the chart is an SVG document with a row per result")
func chart() {
    let svg = ScoreChart.svg(SimilarityEvaluatorTests.evaluate())
    #expect(svg.hasPrefix("<svg"))
    #expect(svg.components(separatedBy: "<circle").count - 1 == 2 + 3)  // two rows, three legend entries
    #expect(svg.contains(">good<") && svg.contains(">noisy<"))
    // The axis has a title, the dashed line names the baseline, the legend explains the colours.
    #expect(svg.contains("Spearman ×100 (cosine similarity vs gold)"))
    #expect(svg.contains("baseline: noisy") && svg.contains("significantly better than noisy")
        && svg.contains("significantly worse than noisy"))
}

@Test("the chart's caption is wrapped to its width")
func chartCaptionWraps() throws {
    let svg = ScoreChart.svg(SimilarityEvaluatorTests.evaluate())
    let width = try #require(svg.firstMatch(of: /width="(\d+)"/).flatMap { Double($0.1) })
    for line in ScoreChart.wrapped(String(repeating: "word ", count: 100), width: width - 32) {
        #expect(Double(line.count) * 6 <= width - 32)
    }
    let lines = ScoreChart.wrapped("a b c", width: 1000)
    #expect(lines == ["a b c"])
}
