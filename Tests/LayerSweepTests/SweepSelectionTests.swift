import Evaluation
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LayerSweep
import Testing

@Suite("sweep selection and report")
struct SweepSelectionTests {
    static func score(_ value: Double, _ dataset: String = "dev") -> StrategyResult {
        let ci = value.isFinite ? PairResampling.Interval(lower: value - 2, upper: value + 2) : PairResampling.Interval(lower: .nan, upper: .nan)
        return StrategyResult(dataset: dataset, strategy: "m", pairs: 10, spearmanCosine: value, pearsonCosine: value,
                              spearmanCosineCI: ci, pearsonCosineCI: ci, spearmanDot: value, pearsonDot: value,
                              spearmanEuclidean: value, pearsonEuclidean: value, spearmanManhattan: value,
                              pearsonManhattan: value, confidenceLevel: 0.95, resamples: 100)
    }

    static func layer(_ k: Int, _ methods: [(String, Bool, Double, Double)]) -> LayerResult {
        LayerResult(layer: k, files: SweepLayer(layer: k, train: "L\(k)/train.h5", dev: "L\(k)/dev.h5", test: "L\(k)/test.h5"),
                    methods: methods.map { MethodResult(method: $0.0, learned: $0.1, dev: score($0.2), test: score($0.3, "test")) },
                    learnedHead: nil, inputs: [])
    }

    @Test("dev decides, never test; ties go to the earlier layer, then the method listed first; NaN is never chosen")
    func choice() {
        let layers = [
            Self.layer(6, [("mean", false, 70, 90), ("head", true, 80, 60)]),
            Self.layer(0, [("mean", false, .nan, 99), ("head", true, 80, 50)]),
            Self.layer(3, [("mean", false, 80, 70), ("head", true, 79, 95)]),
        ]
        let best = SweepSelection.best(layers)
        #expect(best?.layer == 0 && best?.method == "head")  // 80 at layers 0, 3, 6: the earliest
        #expect(best?.devSpearmanCosine == 80 && best?.testSpearmanCosine == 50)
        let tieInLayer = SweepSelection.best([Self.layer(3, [("mean", false, 80, 70), ("head", true, 80, 95)])])
        #expect(tieInLayer?.method == "mean")
        #expect(SweepSelection.best(layers, including: { !$0.learned })?.layer == 3)
        let reference = SweepSelection.lastLayerFixed(layers)
        #expect(reference?.layer == 6 && reference?.method == "mean" && reference?.learned == false)
        #expect(SweepSelection.best([Self.layer(1, [("mean", false, .nan, .nan)])]) == nil)
    }

    @Test("undefined figures: n/a in the table, null in JSON, left out of the chart with a note")
    func undefined() throws {
        let layers = [Self.layer(0, [("mean", false, .nan, .nan), ("max", false, 40, 35)]),
                      Self.layer(1, [("mean", false, 60, 55), ("max", false, 50, 45)])]
        let report = SweepReport(root: "root", headDescription: nil, resamples: 100, confidenceLevel: 0.95, layers: layers,
                                 comparison: nil)
        let table = report.table()
        #expect(table.contains("n/a"))
        #expect(table.contains("best on dev: L1 mean: dev 60.00, test 55.00 [53.00, 57.00]"))
        #expect(!table.lowercased().contains("nan"))
        let json = try report.json()
        #expect(!json.contains("NaN") && !json.lowercased().contains("\"nan\""))
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let first = try #require((decoded["layers"] as? [[String: Any]])?.first?["methods"] as? [[String: Any]])
        #expect((first[0]["dev"] as? [String: Any])?["spearman_cosine"] is NSNull)
        let svg = report.svg()
        #expect(!svg.contains("nan"))
        #expect(svg.contains("Undefined, left out: L0 mean"))
        #expect(svg.contains("chosen on dev: L1 mean"))
        // Well-formed XML.
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse())
    }

    @Test("the comparison sentence says which way, by how much, and whether it is noise")
    func sentence() {
        let choice = SweepChoice(layer: 15, result: MethodResult(method: "additive", learned: true, dev: Self.score(78), test: Self.score(75, "test")))
        let reference = SweepChoice(layer: 30, result: MethodResult(method: "mean", learned: false, dev: Self.score(40), test: Self.score(37, "test")))
        let comparison = SweepComparison(choice: choice, reference: reference, difference: 38,
                                         differenceCI: PairResampling.Interval(lower: 34, upper: 42), pValue: 0.0001,
                                         significant: true, note: nil)
        #expect(comparison.sentence(level: 95) == "on test, L15 additive − L30 mean = +38.00 (95% CI [34.00, 42.00]; p < 0.001): significantly better.")
        let undefined = SweepComparison(choice: choice, reference: reference, difference: .nan, differenceCI: nil, pValue: .nan,
                                        significant: true, note: "fewer than 2 pairs")
        #expect(undefined.difference == nil && undefined.significant == nil && undefined.pValue == nil)
        #expect(undefined.sentence(level: 95).contains("fewer than 2 pairs"))
    }
}
