/// The scores of one method on one retrieval or pair-classification task built from a dataset (×100).
///
/// JSON is flat, like ``StrategyResult``: for each metric `m` (e.g. `ndcg_at_10`) the keys `m`,
/// `m_ci`, and against the baseline `m_diff`, `m_diff_ci`, `m_p_value`, `m_significant`; besides
/// them `task`, `dataset`, `strategy`, the counts (`queries`, `corpus` or `pairs`, `positives`),
/// `relevant_at`, `main_metric`, `baseline`, `confidence_level`, `resamples`, `note`. Undefined
/// statistics are `null`.
public struct TaskResult: Encodable, Sendable, Equatable {
    /// One metric with its bootstrap interval and, against the baseline, the paired difference.
    public struct Metric: Sendable, Equatable {
        public var name: String
        public var value: Double
        public var ci: PairResampling.Interval
        public var difference: Double?
        public var differenceCI: PairResampling.Interval?
        public var pValue: Double?
        /// The difference's interval excludes 0 (nil for the baseline and undefined differences).
        public var isSignificant: Bool?
    }

    public var task: EvaluationTask
    public var dataset: String
    public var strategy: String
    /// Named sizes: `queries`, `corpus` (retrieval); `pairs`, `positives` (classification).
    public var counts: [String: Int]
    /// The gold score at which a pair counts as relevant / positive.
    public var relevantAt: Double
    /// In report order; the first is ``mainMetric``.
    public var metrics: [Metric]
    /// Figures without intervals, e.g. the best thresholds of classification (cosine, not ×100).
    public var details: [String: Double]
    public var baseline: String?
    public var confidenceLevel: Double
    public var resamples: Int
    public var note: String?

    public var mainMetric: String { metrics.first?.name ?? "" }

    public func metric(_ name: String) -> Metric? { metrics.first { $0.name == name } }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        func number(_ value: Double?, _ key: String) throws {
            if let value, value.isFinite { try container.encode(value, forKey: Key(key)) } else { try container.encodeNil(forKey: Key(key)) }
        }
        try container.encode(task, forKey: Key("task"))
        try container.encode(dataset, forKey: Key("dataset"))
        try container.encode(strategy, forKey: Key("strategy"))
        for (name, count) in counts { try container.encode(count, forKey: Key(name)) }
        try number(relevantAt, "relevant_at")
        try container.encode(mainMetric, forKey: Key("main_metric"))
        for metric in metrics {
            try number(metric.value, metric.name)
            try container.encode(metric.ci, forKey: Key(metric.name + "_ci"))
            try number(metric.difference, metric.name + "_diff")
            try container.encode(metric.differenceCI, forKey: Key(metric.name + "_diff_ci"))
            try number(metric.pValue, metric.name + "_p_value")
            try container.encode(metric.isSignificant, forKey: Key(metric.name + "_significant"))
        }
        for (name, value) in details { try number(value, name) }
        try container.encode(baseline, forKey: Key("baseline"))
        try number(confidenceLevel, "confidence_level")
        try container.encode(resamples, forKey: Key("resamples"))
        try container.encode(note, forKey: Key("note"))
    }
}
