import Foundation

/// An STS result as MTEB writes it (`mteb.TaskResult`, checked against mteb 2.26): one file per
/// task and method, the splits evaluated under `scores`, figures on MTEB's 0–1 scale.
///
/// ```
/// {"dataset_revision": "unknown", "task_name": "STSBenchmark", "mteb_version": "2.0.0",
///  "evaluation_time": 1.9, "kg_co2_emissions": null, "pooler_version": "…", "pooler_method": "mean",
///  "scores": {"test": [{"main_score": 0.8203, "cosine_spearman": 0.8203, "cosine_pearson": …,
///                       "euclidean_spearman": …, "euclidean_pearson": …, "manhattan_spearman": …,
///                       "manhattan_pearson": …, "dot_spearman": …, "dot_pearson": …,
///                       "spearman": …, "pearson": …, "hf_subset": "default", "languages": ["eng-Latn"]}]}}
/// ```
/// `main_score`, `spearman` and `pearson` are the cosine figures (MTEB's main score for STS is
/// `cosine_spearman`; `spearman`/`pearson` use the model's similarity function, cosine here).
/// `mteb_version` names the MTEB result format this file follows, not an mteb run; `pooler_*`
/// fields are extra (mteb's loader ignores them).
public struct MTEBResult: Sendable, Equatable {
    /// The result format written (mteb ≥ 2 reads it without its pre-1.11 conversion).
    public static let formatVersion = "2.0.0"

    public var taskName: String
    public var datasetRevision: String
    public var method: String
    public var poolerVersion: String
    public var evaluationTime: Double
    /// split → the STS figures of that split (one `hf_subset`).
    public var scores: [String: StrategyResult]
    public var hfSubset: String
    public var languages: [String]

    public init(taskName: String, split: String, result: StrategyResult, evaluationTime: Double,
                datasetRevision: String = "unknown", poolerVersion: String = "", hfSubset: String = "default",
                languages: [String] = ["eng-Latn"]) {
        self.taskName = taskName
        self.datasetRevision = datasetRevision
        self.method = result.strategy
        self.poolerVersion = poolerVersion
        self.evaluationTime = evaluationTime
        self.scores = [split: result]
        self.hfSubset = hfSubset
        self.languages = languages
    }

    /// A result named after its dataset, for a quick look (`ReportFormat.mteb.render`).
    init(result: StrategyResult) {
        self.init(taskName: Self.taskName(source: nil, fallback: result.dataset), split: "test", result: result, evaluationTime: 0)
    }

    /// MTEB's name for a dataset recorded as `source` (a file's `dataset` attribute), e.g.
    /// `stsbenchmark` → `STSBenchmark`; otherwise `fallback`.
    public static func taskName(source: String?, fallback: String) -> String {
        let known = ["stsbenchmark": "STSBenchmark", "stsb": "STSBenchmark", "sts-b": "STSBenchmark",
                     "sickr": "SICK-R", "sick-r": "SICK-R", "biosses": "BIOSSES", "sts12": "STS12", "sts13": "STS13",
                     "sts14": "STS14", "sts15": "STS15", "sts16": "STS16", "sts17": "STS17", "sts22": "STS22"]
        return source.flatMap { known[$0.lowercased()] } ?? fallback
    }

    /// The JSON document (pretty-printed, sorted keys, ends with a newline). Undefined figures are `null`.
    public func json() throws -> String {
        func number(_ value: Double) -> Any { value.isFinite ? value / 100 : NSNull() }
        var splits: [String: Any] = [:]
        for (split, r) in scores {
            splits[split] = [[
                "main_score": number(r.spearmanCosine),
                "cosine_spearman": number(r.spearmanCosine), "cosine_pearson": number(r.pearsonCosine),
                "euclidean_spearman": number(r.spearmanEuclidean), "euclidean_pearson": number(r.pearsonEuclidean),
                "manhattan_spearman": number(r.spearmanManhattan), "manhattan_pearson": number(r.pearsonManhattan),
                "dot_spearman": number(r.spearmanDot), "dot_pearson": number(r.pearsonDot),
                "spearman": number(r.spearmanCosine), "pearson": number(r.pearsonCosine),
                "hf_subset": hfSubset, "languages": languages,
            ] as [String: Any]]
        }
        let document: [String: Any] = [
            "dataset_revision": datasetRevision, "task_name": taskName, "mteb_version": Self.formatVersion,
            "evaluation_time": evaluationTime, "kg_co2_emissions": NSNull(), "scores": splits,
            "pooler_version": poolerVersion, "pooler_method": method,
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Groups STS results into MTEB files: one per (task, method), each dataset a split of its task.
    /// - Returns: the results, or the first (task, method, split) two datasets share.
    public static func grouped(_ report: EvaluationReport, poolerVersion: String = "")
        -> Result<[MTEBResult], MTEBCollision> {
        var files: [MTEBResult] = []
        var origin: [String: String] = [:]  // "task\0method\0split" → dataset
        for r in report.sts {
            let dataset = report.datasets.first { $0.name == r.dataset }
            let task = taskName(source: dataset?.source, fallback: r.dataset)
            let split = dataset?.split ?? URL(fileURLWithPath: dataset?.path ?? r.dataset).deletingPathExtension().lastPathComponent
            let key = [task, r.strategy, split].joined(separator: "\u{0}")
            if let other = origin[key] {
                return .failure(MTEBCollision(task: task, method: r.strategy, split: split, datasets: [other, r.dataset]))
            }
            origin[key] = r.dataset
            let seconds = dataset?.seconds ?? 0
            if let index = files.firstIndex(where: { $0.taskName == task && $0.method == r.strategy }) {
                files[index].scores[split] = r
                files[index].evaluationTime += seconds
            } else {
                files.append(MTEBResult(taskName: task, split: split, result: r, evaluationTime: seconds, poolerVersion: poolerVersion))
            }
        }
        return .success(files)
    }

    /// The file's path below an output folder: `METHOD/TASK.json` (`/` in names becomes `_`).
    public var relativePath: String {
        func safe(_ text: String) -> String {
            let cleaned = text.replacingOccurrences(of: "/", with: "_")
            return cleaned.isEmpty || cleaned == "." || cleaned == ".." ? "_" + cleaned : cleaned
        }
        return safe(method) + "/" + safe(taskName) + ".json"
    }
}

/// Two datasets that would be the same split of the same MTEB task for one method.
public struct MTEBCollision: Error, Sendable, Equatable, CustomStringConvertible {
    public var task: String
    public var method: String
    public var split: String
    public var datasets: [String]
    public var description: String {
        "--format mteb: \(datasets.joined(separator: " and ")) would both be split '\(split)' of task \(task) for \(method). "
            + "Give each --data file its own split (the file's `split` attribute, else its name without .h5)."
    }
}
