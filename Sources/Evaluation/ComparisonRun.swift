import Autodiff
import Foundation
import HiddenStates
import Pooling

/// What one ``ComparisonRun`` measured: STS scores, and retrieval / classification scores.
public struct EvaluationReport: Sendable {
    /// One evaluated file: its display name, its `dataset` and `split` attributes, and the
    /// seconds spent pooling and scoring it (all tasks).
    public struct Dataset: Sendable, Equatable {
        public var name: String
        public var path: String
        public var source: String?
        public var split: String?
        public var seconds: Double
        public init(name: String, path: String, source: String?, split: String?, seconds: Double) {
            self.name = name
            self.path = path
            self.source = source
            self.split = split
            self.seconds = seconds
        }
    }

    public var sts: [StrategyResult] = []
    public var tasks: [TaskResult] = []
    public var datasets: [Dataset] = []
    public init(sts: [StrategyResult] = [], tasks: [TaskResult] = [], datasets: [Dataset] = []) {
        self.sts = sts
        self.tasks = tasks
        self.datasets = datasets
    }
}

/// Compares fixed strategies and learned heads on one or more scored-pair files.
///
/// Each file is read once; every method pools its sentences; ``SimilarityEvaluator`` scores
/// them with bootstrap intervals and paired comparisons against the baseline. ``ExternalSystem``s
/// are pooled from other files over the same pairs (e.g. another layer of the same encoder) and
/// take part in the same comparison.
public struct ComparisonRun {
    /// A learned head to evaluate, under a display name.
    public struct NamedHead {
        public var name: String
        public var head: any PoolingHead
        public init(name: String, head: any PoolingHead) {
            self.name = name
            self.head = head
        }
    }

    /// Paths of HDF5 files with `/pairs` and `/scores`.
    public var datasets: [String]
    /// Fixed strategies in command-line form (`mean`, `mean+max`, `mean-nospecial`).
    public var strategies: [String]
    public var heads: [NamedHead]
    /// Fixed strategies pooled from other files with the same pairs, one per data file.
    public var systems: [ExternalSystem]
    /// Name of the strategy or head the others are compared with (nil: no comparison).
    public var baseline: String?
    public var evaluator: SimilarityEvaluator
    /// What to measure on each file (default: STS only).
    public var tasks: [EvaluationTask]
    /// Scores retrieval and classification (its `resamples` and `confidenceLevel` follow ``evaluator``'s).
    public var taskEvaluator: TaskEvaluator
    /// Seed of the bootstrap; each dataset restarts from it, so a file's figures do not depend
    /// on which other files are evaluated alongside.
    public var seed: UInt64
    /// Sentences per read (bounds memory).
    public var batchSize: Int
    /// Where the special tokens are, overriding each file's `special_tokens` attribute (nil: the attribute).
    public var specialTokens: SpecialTokenPositions?

    public init(datasets: [String], strategies: [String], heads: [NamedHead], systems: [ExternalSystem] = [],
                baseline: String?, evaluator: SimilarityEvaluator, seed: UInt64, batchSize: Int = 1024,
                specialTokens: SpecialTokenPositions? = nil, tasks: [EvaluationTask] = [.sts], relevantAt: Float = 4) {
        self.specialTokens = specialTokens
        self.tasks = tasks
        self.taskEvaluator = TaskEvaluator(
            resamples: evaluator.resamples, confidenceLevel: evaluator.confidenceLevel, relevantAt: relevantAt)
        self.datasets = datasets
        self.strategies = strategies
        self.heads = heads
        self.systems = systems
        self.baseline = baseline
        self.evaluator = evaluator
        self.seed = seed
        self.batchSize = batchSize
    }

    /// The names results will carry: strategies, then heads, then external systems.
    public var methodNames: [String] { strategies + heads.map(\.name) + systems.map(\.name) }

    /// A display name for a dataset path: `folder/file` without the extension.
    public static func datasetName(_ path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let file = url.deletingPathExtension().lastPathComponent
        let folder = url.deletingLastPathComponent().lastPathComponent
        return folder.isEmpty || folder == "." || folder == "/" ? file : "\(folder)/\(file)"
    }

    /// Scores every method on every dataset.
    /// - Parameter log: receives one line per step (for a progress display on stderr).
    /// - Throws: ``HiddenStatesError`` (files), ``PoolingError`` (strategies, dims), ``EvaluationError``
    ///   when an external system's file does not score the same pairs as its data file.
    public func run(log: (String) -> Void = { _ in }) throws -> [StrategyResult] {
        try runTasks(log: log).sts
    }

    /// Every result of every task in ``tasks``: STS in `sts`, retrieval and classification in `tasks`.
    /// Each (dataset, task) restarts the bootstrap from ``seed``, so adding a task leaves the others' figures as they were.
    public func runTasks(log: (String) -> Void = { _ in }) throws -> EvaluationReport {
        var report = EvaluationReport()
        for path in datasets {
            let file = try HiddenStatesFile(path: path)
            defer { file.close() }
            let name = Self.datasetName(path)
            guard file.metadata.pairs != nil else {
                throw HiddenStatesError.missingDataset(
                    path: path, dataset: "/pairs", hint: "evaluation needs scored pairs (/pairs and /scores).")
            }
            let sentencePairs = try file.pairs()
            let pairs = sentencePairs.map { (first: $0.first, second: $0.second) }
            let gold = try file.scores()
            let special = try specialTokens ?? SpecialTokenPositions(of: file, for: strategies)
            var embedders = try strategies.map { text in
                SentenceEmbedder(pooling: try FixedPooling(parsing: text, specialTokens: special))
            }
            embedders += heads.map { SentenceEmbedder(head: $0.head) }
            let start = DispatchTime.now()
            var embeddings = try EmbeddingPass.embed(file, with: embedders, batchSize: batchSize)
            embeddings += try externalEmbeddings(alongside: file, pairs: sentencePairs, gold: gold, log: log)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            log("\(name): pooled \(file.metadata.sentences) sentences with \(embeddings.count) methods "
                + "in \(String(format: "%.2f", seconds)) s; scoring \(pairs.count) pairs "
                + "(\(evaluator.resamples) bootstrap resamples)")
            let systems = zip(methodNames, embeddings).map { SimilarityEvaluator.System(name: $0, embeddings: $1) }
            for task in tasks {
                var generator = Xoshiro256StarStar(seed: seed)
                switch task {
                case .sts:
                    report.sts += evaluator.evaluate(
                        dataset: name, systems: systems, pairs: pairs, gold: gold, baseline: baseline, using: &generator)
                case .retrieval:
                    report.tasks += taskEvaluator.retrieval(
                        dataset: name, systems: systems, pairs: pairs, gold: gold, baseline: baseline, using: &generator)
                case .classification:
                    report.tasks += taskEvaluator.classification(
                        dataset: name, systems: systems, pairs: pairs, gold: gold, baseline: baseline, using: &generator)
                }
            }
            func text(_ attribute: String) -> String? {
                if case .string(let value)? = file.metadata.attributes[attribute] { return value }
                return nil
            }
            report.datasets.append(EvaluationReport.Dataset(
                name: name, path: path, source: text("dataset"), split: text("split"),
                seconds: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9))
        }
        return report
    }

    /// The external systems' embeddings for one data file, in ``systems`` order: each distinct
    /// file is checked against the data file, then read once for all the strategies pooled from it.
    private func externalEmbeddings(
        alongside dataFile: HiddenStatesFile, pairs: [SentencePair], gold: [Float], log: (String) -> Void
    ) throws -> [SentenceEmbeddings] {
        var byPath: [String: [Int]] = [:]
        var paths: [String] = []
        for (s, system) in systems.enumerated() {
            let path = system.path(forDataset: dataFile.path)
            if byPath[path] == nil { paths.append(path) }
            byPath[path, default: []].append(s)
        }
        var embeddings = [SentenceEmbeddings?](repeating: nil, count: systems.count)
        for path in paths {
            let indices = byPath[path] ?? []
            let file = try HiddenStatesFile(path: path)
            defer { file.close() }
            for s in indices {
                try systems[s].checkSameData(file, dataFile: dataFile, pairs: pairs, gold: gold)
            }
            let special = try specialTokens ?? SpecialTokenPositions(of: file, for: indices.map { systems[$0].strategy })
            let embedders = try indices.map { s in
                SentenceEmbedder(pooling: try FixedPooling(parsing: systems[s].strategy, specialTokens: special))
            }
            log("\(Self.datasetName(dataFile.path)): pooling \(indices.map { systems[$0].name }.joined(separator: ", ")) "
                + "from \(path) (same \(pairs.count) pairs)")
            for (s, pooled) in zip(indices, try EmbeddingPass.embed(file, with: embedders, batchSize: batchSize)) {
                embeddings[s] = pooled
            }
        }
        return embeddings.compactMap { $0 }
    }
}
