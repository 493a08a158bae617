import Autodiff
import Foundation
import HiddenStates
import Pooling

/// Compares fixed strategies and learned heads on one or more scored-pair files.
///
/// Each file is read once; every method pools its sentences; ``SimilarityEvaluator`` scores
/// them with bootstrap intervals and paired comparisons against the baseline.
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
    /// Name of the strategy or head the others are compared with (nil: no comparison).
    public var baseline: String?
    public var evaluator: SimilarityEvaluator
    /// Seed of the bootstrap; each dataset restarts from it, so a file's figures do not depend
    /// on which other files are evaluated alongside.
    public var seed: UInt64
    /// Sentences per read (bounds memory).
    public var batchSize: Int

    public init(datasets: [String], strategies: [String], heads: [NamedHead], baseline: String?,
                evaluator: SimilarityEvaluator, seed: UInt64, batchSize: Int = 1024) {
        self.datasets = datasets
        self.strategies = strategies
        self.heads = heads
        self.baseline = baseline
        self.evaluator = evaluator
        self.seed = seed
        self.batchSize = batchSize
    }

    /// The names results will carry: strategies, then heads.
    public var methodNames: [String] { strategies + heads.map(\.name) }

    /// A display name for a dataset path: `folder/file` without the extension.
    public static func datasetName(_ path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let file = url.deletingPathExtension().lastPathComponent
        let folder = url.deletingLastPathComponent().lastPathComponent
        return folder.isEmpty || folder == "." || folder == "/" ? file : "\(folder)/\(file)"
    }

    /// Scores every method on every dataset.
    /// - Parameter log: receives one line per step (for a progress display on stderr).
    public func run(log: (String) -> Void = { _ in }) throws -> [StrategyResult] {
        var results: [StrategyResult] = []
        for path in datasets {
            let file = try HiddenStatesFile(path: path)
            defer { file.close() }
            let name = Self.datasetName(path)
            guard file.metadata.pairs != nil else {
                throw HiddenStatesError.missingDataset(
                    path: path, dataset: "/pairs", hint: "evaluation needs scored pairs (/pairs and /scores).")
            }
            let pairs = try file.pairs().map { (first: $0.first, second: $0.second) }
            let gold = try file.scores()
            let special = SpecialTokenPositions(file.metadata.specialTokens)
            var embedders = try strategies.map { text in
                SentenceEmbedder(pooling: try FixedPooling(parsing: text, specialTokens: special))
            }
            embedders += heads.map { SentenceEmbedder(head: $0.head) }
            let start = DispatchTime.now()
            let embeddings = try EmbeddingPass.embed(file, with: embedders, batchSize: batchSize)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            log("\(name): pooled \(file.metadata.sentences) sentences with \(embedders.count) methods "
                + "in \(String(format: "%.2f", seconds)) s; scoring \(pairs.count) pairs "
                + "(\(evaluator.resamples) bootstrap resamples)")
            let systems = zip(methodNames, embeddings).map { SimilarityEvaluator.System(name: $0, embeddings: $1) }
            var generator = Xoshiro256StarStar(seed: seed)
            results += evaluator.evaluate(
                dataset: name, systems: systems, pairs: pairs, gold: gold, baseline: baseline, using: &generator)
        }
        return results
    }
}
