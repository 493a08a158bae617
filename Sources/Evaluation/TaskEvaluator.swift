/// Scores systems on the retrieval and pair-classification tasks built from a scored-pairs file,
/// with percentile bootstrap intervals and paired comparisons against a baseline, as
/// ``SimilarityEvaluator`` does for STS.
///
/// Retrieval resamples queries (its figures are means over queries); classification resamples
/// pairs and recomputes AP and the best-threshold accuracy and F1 on every draw (the threshold is
/// chosen again on each draw, so those intervals describe the tuned figure MTEB reports, not a
/// fixed threshold's). All systems are scored on the same draws, so differences are paired. Each
/// task's figures use the cosine, so ``SimilarityEvaluator/normalize`` does not change them.
public struct TaskEvaluator: Sendable {
    public var resamples: Int
    public var confidenceLevel: Double
    /// The gold score at which a pair is relevant (retrieval) or positive (classification).
    /// Default 4.0 of STS-B's 0–5.
    public var relevantAt: Float

    public init(resamples: Int = 1000, confidenceLevel: Double = 0.95, relevantAt: Float = 4) {
        self.resamples = resamples
        self.confidenceLevel = confidenceLevel
        self.relevantAt = relevantAt
    }

    /// Retrieval figures (×100) of every system; ``PairRetrieval`` defines the task.
    public func retrieval<G: RandomNumberGenerator>(
        dataset: String, systems: [SimilarityEvaluator.System], pairs: [(first: Int, second: Int)], gold: [Float],
        baseline: String?, using generator: inout G
    ) -> [TaskResult] {
        let task = PairRetrieval(pairs: pairs, gold: gold, relevantAt: relevantAt)
        let perQuery = systems.map { task.perQueryMetrics($0.embeddings) }  // [systems][metrics][queries]
        let n = task.queries.count
        func mean(_ values: [Double], _ counts: [Int]?) -> Double {
            guard n > 0 else { return .nan }
            guard let counts else { return values.reduce(0, +) / Double(n) }
            var sum = 0.0
            for i in 0..<n where counts[i] > 0 { sum += Double(counts[i]) * values[i] }
            return sum / Double(n)
        }
        let note = n == 0 ? "undefined: no pair has gold ≥ \(relevantAt), so there are no queries (see --relevant-at)" : nil
        return scored(
            task: .retrieval, dataset: dataset, systems: systems, baseline: baseline, items: n,
            names: PairRetrieval.metricNames, using: &generator,
            counts: ["queries": n, "corpus": task.corpus.count], details: { _ in [:] }, note: note
        ) { s, counts in perQuery[s].map { mean($0, counts) } }
    }

    /// Pair-classification figures (×100) of every system's cosine; ``PairClassification`` defines them.
    public func classification<G: RandomNumberGenerator>(
        dataset: String, systems: [SimilarityEvaluator.System], pairs: [(first: Int, second: Int)], gold: [Float],
        baseline: String?, using generator: inout G
    ) -> [TaskResult] {
        let task = PairClassification(gold: gold, positiveAt: relevantAt)
        let rankings = systems.map { PairClassification.Ranking(scores: $0.embeddings.similarities(of: pairs, using: .cosine)) }
        let positives = task.labels.filter { $0 }.count
        let note: String? = positives == 0
            ? "undefined: no pair is positive (gold ≥ \(relevantAt)); AP and F1 need positives (see --relevant-at)" : nil
        return scored(
            task: .classification, dataset: dataset, systems: systems, baseline: baseline, items: pairs.count,
            names: PairClassification.metricNames, using: &generator,
            counts: ["pairs": pairs.count, "positives": positives],
            details: { s in
                let full = task.figures(rankings[s])
                return ["accuracy_threshold": full.accuracyThreshold, "f1_threshold": full.f1Threshold]
            }, note: note
        ) { s, counts in task.figures(rankings[s], weights: counts).values }
    }

    /// Results from a statistic `figures(system, counts)` → `[metrics]` (0–1; `counts` nil: the
    /// full sample), with intervals and paired differences over the same bootstrap draws.
    private func scored<G: RandomNumberGenerator>(
        task: EvaluationTask, dataset: String, systems: [SimilarityEvaluator.System], baseline: String?, items: Int,
        names: [String], using generator: inout G, counts: [String: Int], details: (Int) -> [String: Double],
        note: String?, figures: (Int, [Int]?) -> [Double]
    ) -> [TaskResult] {
        let full = systems.indices.map { figures($0, nil) }
        // replicates[s][m][b]
        var replicates = [[[Double]]](repeating: [[Double]](repeating: [], count: names.count), count: systems.count)
        PairResampling.forEachDraw(items: items, resamples: resamples, using: &generator) { draw in
            for s in systems.indices {
                for (m, value) in figures(s, draw).enumerated() { replicates[s][m].append(value) }
            }
        }
        let b = baseline.flatMap { name in systems.firstIndex { $0.name == name } }
        return systems.indices.map { s in
            let metrics = names.indices.map { m -> TaskResult.Metric in
                var metric = TaskResult.Metric(
                    name: names[m], value: 100 * full[s][m],
                    ci: PairResampling.percentileInterval(replicates[s][m], level: confidenceLevel).scaled(by: 100))
                if let b, b != s {
                    let differences = zip(replicates[s][m], replicates[b][m]).map { $0 - $1 }
                    metric.difference = 100 * (full[s][m] - full[b][m])
                    metric.differenceCI = PairResampling.percentileInterval(differences, level: confidenceLevel).scaled(by: 100)
                    let p = PairResampling.pValue(differences: differences)
                    metric.pValue = p.isFinite ? p : nil
                    let defined = (metric.difference ?? .nan).isFinite
                    metric.isSignificant = metric.differenceCI.flatMap { defined && $0.isDefined ? !$0.contains(0) : nil }
                }
                return metric
            }
            let undefined = metrics.contains { !$0.value.isFinite || !$0.ci.isDefined }
            return TaskResult(
                task: task, dataset: dataset, strategy: systems[s].name, counts: counts, relevantAt: Double(relevantAt),
                metrics: metrics, details: details(s), baseline: b.map { $0 == s ? nil : systems[$0].name } ?? nil,
                confidenceLevel: confidenceLevel, resamples: resamples,
                note: note ?? (undefined ? "some statistics are undefined: too few queries or pairs, or a constant draw" : nil))
        }
    }
}
