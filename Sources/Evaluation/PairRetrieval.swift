import Foundation

/// Retrieval built from a scored-pairs file, as MTEB scores retrieval tasks.
///
/// ```
/// queries   q = distinct first sentences of the pairs with gold ≥ threshold (order of first appearance)
/// corpus    D = distinct second sentences of all pairs (order of first appearance: "corpus order")
/// rel(q)    = { d : (q, d) is a pair with gold ≥ threshold },  q itself never a candidate
/// ranking   D \ {q} by cosine(q, d) descending; ties by corpus order
/// ```
/// Per query, with `rank(d)` 1-based and binary relevance (pytrec_eval's `recip_rank`,
/// `ndcg_cut_10`, `recall_10` cut at k, as MTEB reports them):
/// ```
/// mrr@10     = 1 / rank of the first relevant document if it is ≤ 10, else 0
/// ndcg@10    = Σ_{i ≤ 10, d_i ∈ rel} 1/log₂(i+1)  /  Σ_{i ≤ min(|rel|, 10)} 1/log₂(i+1)
/// recall@k   = |rel ∩ top k| / |rel|
/// ```
/// A task's figure is the mean over queries (×100 in pooler's reports).
public struct PairRetrieval: Sendable {
    /// Sentence index of each query.
    public let queries: [Int]
    /// Sentence index of each corpus document, in corpus order.
    public let corpus: [Int]
    /// `relevant[q]`: corpus positions relevant to query q (never q's own sentence).
    public let relevant: [Set<Int>]

    /// The metrics, in report order; ``main`` is MTEB's main score for retrieval.
    public static let metricNames = ["ndcg_at_10", "mrr_at_10", "recall_at_1", "recall_at_10"]
    public static let main = "ndcg_at_10"

    /// Builds queries, corpus and relevance from `pairs` and `gold` (queries whose only relevant
    /// document is their own sentence are left out).
    public init(pairs: [(first: Int, second: Int)], gold: [Float], relevantAt threshold: Float) {
        precondition(pairs.count == gold.count, "PairRetrieval: \(pairs.count) pairs, \(gold.count) scores")
        var corpus: [Int] = []
        var corpusPosition: [Int: Int] = [:]
        for pair in pairs where corpusPosition[pair.second] == nil {
            corpusPosition[pair.second] = corpus.count
            corpus.append(pair.second)
        }
        var queries: [Int] = []
        var relevant: [Set<Int>] = []
        var queryPosition: [Int: Int] = [:]
        for (pair, score) in zip(pairs, gold) where score >= threshold && pair.first != pair.second {
            guard let document = corpusPosition[pair.second] else { continue }
            if let q = queryPosition[pair.first] {
                relevant[q].insert(document)
            } else {
                queryPosition[pair.first] = queries.count
                queries.append(pair.first)
                relevant.append([document])
            }
        }
        self.queries = queries
        self.corpus = corpus
        self.relevant = relevant
    }

    /// `[metrics][queries]` per-query values (0–1) of ``metricNames`` under cosine ranking.
    public func perQueryMetrics(_ embeddings: SentenceEmbeddings) -> [[Double]] {
        var metrics = [[Double]](repeating: [], count: Self.metricNames.count)
        let normalized = embeddings.l2Normalized()
        let dim = embeddings.dim
        // Cosine of normalised rows is their dot product; in Double, like SimilarityFunction.
        normalized.values.withUnsafeBufferPointer { all in
            func row(_ sentence: Int) -> UnsafeBufferPointer<Float> {
                UnsafeBufferPointer(rebasing: all[(sentence * dim)..<((sentence + 1) * dim)])
            }
            for (q, query) in queries.enumerated() {
                let u = row(query)
                var candidates: [(position: Int, score: Double)] = []
                candidates.reserveCapacity(corpus.count)
                for (position, document) in corpus.enumerated() where document != query {
                    candidates.append((position, SimilarityFunction.cosine.similarity(u, row(document))))
                }
                let ranked = Self.topK(candidates, k: 10)
                let values = Self.metrics(ranking: ranked, relevant: relevant[q])
                for m in values.indices { metrics[m].append(values[m]) }
            }
        }
        return metrics
    }

    /// The first `k` candidates by score descending, ties by position ascending.
    static func topK(_ candidates: [(position: Int, score: Double)], k: Int) -> [Int] {
        func before(_ a: (position: Int, score: Double), _ b: (position: Int, score: Double)) -> Bool {
            a.score != b.score ? a.score > b.score : a.position < b.position
        }
        var top: [(position: Int, score: Double)] = []
        for candidate in candidates {
            if top.count == k, let last = top.last, !before(candidate, last) { continue }
            let index = top.firstIndex { before(candidate, $0) } ?? top.count
            top.insert(candidate, at: index)
            if top.count > k { top.removeLast() }
        }
        return top.map(\.position)
    }

    /// ``metricNames`` of one query whose top-10 ranking (corpus positions) is `ranking`.
    static func metrics(ranking: [Int], relevant: Set<Int>) -> [Double] {
        let hits = ranking.prefix(10).map { relevant.contains($0) }
        let firstHit = hits.firstIndex(of: true)
        let reciprocalRank = firstHit.map { 1 / Double($0 + 1) } ?? 0
        func gain(_ i: Int) -> Double { 1 / log2(Double(i + 2)) }  // 0-based position i
        let dcg = hits.enumerated().reduce(0.0) { $0 + ($1.element ? gain($1.offset) : 0) }
        let ideal = (0..<min(relevant.count, 10)).reduce(0.0) { $0 + gain($1) }
        let total = Double(relevant.count)
        func recall(_ k: Int) -> Double { Double(hits.prefix(k).filter { $0 }.count) / total }
        return [ideal > 0 ? dcg / ideal : 0, reciprocalRank, recall(1), recall(10)]
    }
}
