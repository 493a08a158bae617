import Foundation
import Testing
@testable import Evaluation

/// Retrieval and pair classification on inputs small enough to check by hand.
@Suite("pair retrieval and pair classification")
struct PairTaskTests {
    /// Sentences 0, 1 are queries; 2, 4, 3 the corpus in that order (first appearance as a second sentence).
    static let embeddings = SentenceEmbeddings(values: [1, 0, 0, 1, 0, 1, 1, 0.2, 1, 1, 5, 5], dim: 2)
    static let pairs = [(first: 0, second: 2), (first: 0, second: 4), (first: 1, second: 3),
                        (first: 1, second: 2), (first: 5, second: 4)]
    static let gold: [Float] = [5, 4.5, 5, 1, 2]

    @Test("queries, corpus and relevance follow the pairs and the threshold")
    func construction() {
        let task = PairRetrieval(pairs: Self.pairs, gold: Self.gold, relevantAt: 4)
        #expect(task.queries == [0, 1])  // sentence 5's only pair has gold 2
        #expect(task.corpus == [2, 4, 3])
        #expect(task.relevant == [[0, 1], [2]])
    }

    @Test("nDCG@10, MRR@10, recall@1 and recall@10 by hand")
    func retrievalMetrics() throws {
        let task = PairRetrieval(pairs: Self.pairs, gold: Self.gold, relevantAt: 4)
        let perQuery = task.perQueryMetrics(Self.embeddings)
        // q0 = (1,0): sentence 3 (cos .98, not relevant), 4 (.71, relevant), 2 (0, relevant).
        // q1 = (0,1): sentence 2 (1, no), 4 (.71, no), 3 (.20, relevant).
        let ndcg0 = (1 / log2(3.0) + 1 / log2(4.0)) / (1 + 1 / log2(3.0))
        let expected: [[Double]] = [[ndcg0, 0.5], [1.0 / 2, 1.0 / 3], [0, 0], [1, 1]]
        for (m, name) in PairRetrieval.metricNames.enumerated() {
            for q in 0..<2 {
                #expect(abs(perQuery[m][q] - expected[m][q]) < 1e-12, "\(name) of query \(q)")
            }
        }
    }

    @Test("a query's own sentence is never a candidate, even when it is in the corpus")
    func ownSentenceExcluded() {
        let embeddings = SentenceEmbeddings(values: [1, 0, 0, 1], dim: 2)
        let task = PairRetrieval(pairs: [(first: 0, second: 1), (first: 1, second: 0)], gold: [5, 5], relevantAt: 4)
        #expect(task.corpus == [1, 0])
        // Were sentence 0 a candidate for itself it would rank first (cosine 1) and MRR would be 1/2.
        #expect(task.perQueryMetrics(embeddings)[1] == [1, 1])
    }

    @Test("ties are ranked by corpus order; only the top k are kept")
    func ties() {
        let ranked = PairRetrieval.topK([(position: 2, score: 0.5), (position: 0, score: 0.5), (position: 1, score: 0.9),
                                         (position: 3, score: 0.1)], k: 3)
        #expect(ranked == [1, 0, 2])
    }

    @Test("average precision, best accuracy and best F1 by hand")
    func classification() {
        let task = PairClassification(gold: [5, 1, 4, 2], positiveAt: 4)
        #expect(task.labels == [true, false, true, false] && !task.goldIsBinary)
        let figures = task.figures(PairClassification.Ranking(scores: [0.9, 0.8, 0.7, 0.6]))
        // Cuts after 0.9, 0.8, 0.7, 0.6: precision 1, 1/2, 2/3, 1/2; recall 1/2, 1/2, 1, 1.
        #expect(abs(figures.ap - (0.5 + 0.5 * 2 / 3)) < 1e-12)
        #expect(figures.accuracy == 0.75 && figures.accuracyThreshold == 0.9)
        #expect(abs(figures.f1 - 0.8) < 1e-12 && figures.f1Threshold == 0.7)
    }

    @Test("tied scores are one cut, as in sklearn's average_precision_score")
    func classificationTies() {
        let task = PairClassification(gold: [1, 0, 1], positiveAt: 4)
        #expect(task.goldIsBinary && task.labels == [true, false, true])
        let figures = task.figures(PairClassification.Ranking(scores: [0.9, 0.9, 0.5]))
        #expect(abs(figures.ap - (0.5 * 0.5 + 0.5 * 2 / 3)) < 1e-12)
        #expect(abs(figures.f1 - 0.8) < 1e-12)
    }

    @Test("weights count pairs as a bootstrap draw does; no positives leaves AP and F1 undefined")
    func weights() {
        let task = PairClassification(gold: [5, 1, 4, 2], positiveAt: 4)
        let ranking = PairClassification.Ranking(scores: [0.9, 0.8, 0.7, 0.6])
        let drawn = task.figures(ranking, weights: [2, 0, 1, 0])
        #expect(drawn.ap == 1 && drawn.accuracy == 1 && drawn.f1 == 1)
        let negatives = task.figures(ranking, weights: [0, 3, 0, 1])
        // Every cut predicts at least one pair positive: the best is after 0.8 (3 of 4 wrong).
        #expect(negatives.ap.isNaN && negatives.f1.isNaN && negatives.accuracy == 0.25)
    }

    @Test("bootstrap draws are multiplicities summing to the item count")
    func draws() {
        var generator = TestGenerator(seed: 4)
        var sums: [Int] = []
        PairResampling.forEachDraw(items: 7, resamples: 20, using: &generator) { sums.append($0.reduce(0, +)) }
        #expect(sums == [Int](repeating: 7, count: 20))
    }

    @Test("task results carry intervals and paired differences; a copy of the baseline differs by 0")
    func evaluator() {
        let systems = [SimilarityEvaluator.System(name: "base", embeddings: Self.embeddings),
                       SimilarityEvaluator.System(name: "copy", embeddings: Self.embeddings)]
        var generator = TestGenerator(seed: 2)
        let evaluator = TaskEvaluator(resamples: 200, relevantAt: 4)
        let retrieval = evaluator.retrieval(dataset: "toy", systems: systems, pairs: Self.pairs, gold: Self.gold,
                                            baseline: "base", using: &generator)
        #expect(retrieval.count == 2 && retrieval[0].baseline == nil && retrieval[1].baseline == "base")
        #expect(retrieval[0].counts == ["queries": 2, "corpus": 3])
        let ndcg = retrieval[1].metric("ndcg_at_10")
        #expect(ndcg?.difference == 0 && ndcg?.isSignificant == false)
        #expect(abs((retrieval[0].metric("mrr_at_10")?.value ?? 0) - 100 * (0.5 + 1.0 / 3) / 2) < 1e-9)
        let classification = evaluator.classification(dataset: "toy", systems: systems, pairs: Self.pairs, gold: Self.gold,
                                                      baseline: "base", using: &generator)
        #expect(classification[0].mainMetric == "ap" && classification[0].counts == ["pairs": 5, "positives": 3])
        #expect(classification[0].metric("ap")?.ci.isDefined == true)
    }

    @Test("no pair at the threshold: retrieval is undefined and says why")
    func noQueries() throws {
        var generator = TestGenerator(seed: 2)
        let systems = [SimilarityEvaluator.System(name: "base", embeddings: Self.embeddings)]
        let results = TaskEvaluator(resamples: 100, relevantAt: 6).retrieval(
            dataset: "toy", systems: systems, pairs: Self.pairs, gold: Self.gold, baseline: nil, using: &generator)
        #expect(results[0].metrics[0].value.isNaN)
        #expect(results[0].note?.contains("--relevant-at") == true)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(results[0])) as? [String: Any]
        #expect(json?["ndcg_at_10"] is NSNull && json?["queries"] as? Int == 0)
    }
}
