import ArgumentParser
import Evaluation
import Foundation
import Pooling

extension ReportFormat: ExpressibleByArgument {}
extension EvaluationTask: ExpressibleByArgument {}

/// `pooler evaluate`: fixed strategies and learned heads on scored-pair benchmarks.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Compare poolings: Spearman/Pearson of similarity vs gold, with bootstrap intervals.",
        discussion: """
            For every dataset and method: Spearman and Pearson (×100) of cosine, dot, euclidean and \
            manhattan similarity against the gold scores (ties ranked by their average rank, as scipy \
            does); a percentile bootstrap interval over pairs; and against --baseline the paired \
            difference, its interval and p-value. Differences of a few tenths are often noise: the \
            table marks with * those whose interval excludes 0.

            --system NAME=FILE.h5:STRATEGY pools FILE with a fixed strategy and compares it on the \
            same pairs (paired test included), e.g. the last layer's mean pooling beside heads trained \
            on an intermediate layer. FILE must have the same /pairs, /scores and sentences as the \
            --data file; with several --data files, {split} in FILE is replaced by each data file's \
            name without .h5: --system "layer6-mean=/data/layer6/{split}.h5:mean".

            --normalize L2-normalises every embedding before scoring, as a sentence-transformers \
            model with a Normalize module outputs them (all-MiniLM-L6-v2 does): dot, euclidean and \
            manhattan then equal sentence-transformers' EmbeddingSimilarityEvaluator; cosine is unchanged.

            --tasks sts,retrieval,classification adds, on the same pair files, MTEB-style pair \
            retrieval (queries: first sentences of pairs with gold ≥ --relevant-at; corpus: every \
            second sentence; nDCG@10, MRR@10, recall@1, recall@10) and pair classification (positive: \
            gold ≥ --relevant-at, or label 1 when every gold score is 0 or 1; average precision, \
            best-threshold accuracy and F1 of the cosine), each with intervals and paired comparisons.

            --format mteb writes MTEB's result JSON for the STS scores, one file per task and method, \
            to the folder --output names: FOLDER/METHOD/TASK.json (TASK from the file's dataset \
            attribute, e.g. STSBenchmark; each --data file is a split of it).
            """
    )

    @Option(name: .customLong("data"), help: "An HDF5 file with /pairs and /scores (repeat for several).")
    var datasets: [String] = []

    @Option(help: ArgumentHelp(
        "Fixed strategies, comma-separated; join with + to concatenate (e.g. mean+max). Known: "
            + PoolingStrategy.allCases.map(\.rawValue).joined(separator: ", ") + "."))
    var strategies = "mean,cls,max,last"

    @Option(name: .customLong("head"),
            help: "A learned head: an exported folder or a training run folder, optionally NAME=PATH (repeatable).")
    var heads: [String] = []

    @Option(name: .customLong("system"), help: ArgumentHelp(
        "NAME=FILE.h5:STRATEGY: a fixed strategy pooled from another file with the same pairs "
            + "({split} in FILE becomes the --data file's name without .h5; repeatable).",
        valueName: "name=file:strategy"))
    var systems: [String] = []

    @Option(help: "The strategy, head or system the others are compared with ('none' for no comparison).")
    var baseline = "mean"

    /// The most bootstrap draws `--resamples` accepts: 10⁶ (about a minute per method on STS-B test).
    static let maximumResamples = 1_000_000

    @Option(parsing: .unconditional, help: "Bootstrap resamples of the pairs (100–1,000,000; ≥ 1000 recommended).")
    var resamples = 1000

    @Option(parsing: .unconditional, help: "Coverage of the intervals.")
    var confidence = 0.95

    @Option(help: "Seed of the bootstrap.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Output format: " + ReportFormat.allCases.map(\.rawValue).joined(separator: ", ") + "."))
    var format: ReportFormat = .table

    @Option(help: "Write the report to this file (atomically) instead of standard output; with --format mteb, a folder (required).")
    var output: String?

    @Flag(help: "L2-normalise the embeddings before scoring (as sentence-transformers models with a Normalize module output them).")
    var normalize = false

    @Option(help: ArgumentHelp(
        "What to measure, comma-separated: " + EvaluationTask.allCases.map(\.rawValue).joined(separator: ", ") + ".",
        valueName: "tasks"))
    var tasks = "sts"

    @Option(parsing: .unconditional, help: "Gold score at which a pair is relevant (retrieval) or positive (classification).")
    var relevantAt: Float = 4

    @Option(help: "Also draw the scores with their intervals to this SVG file.")
    var plot: String?

    @Option(parsing: .unconditional, help: "Sentences read and pooled at a time.")
    var batchSize = 1024

    @Option(help: "Where the special tokens are, e.g. cls_first,sep_last (default: each file's special_tokens attribute).")
    var specialTokens: String?

    @Flag(help: "After the report, one plain sentence per comparison with the baseline.")
    var sentences = false

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    var strategyList: [String] { Self.strategyList(strategies) }

    /// A `--strategies` value split at commas (blanks dropped).
    static func strategyList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Each `--strategies` entry names a strategy (special tokens are only known per file, so names
    /// are parsed with both set), for `evaluate` and `sweep`.
    static func checkStrategies(_ list: [String]) throws {
        for text in list {
            do {
                _ = try FixedPooling(parsing: text, specialTokens: .clsFirstSepLast)
            } catch {
                throw ValidationError("--strategies: \(error)")
            }
        }
    }

    /// `--resamples` and `--confidence` in range, for `evaluate` and `sweep`.
    static func checkBootstrap(resamples: Int, confidence: Double) throws {
        if resamples < 100 || resamples > maximumResamples {
            throw ValidationError("--resamples must be 100–\(maximumResamples) (1000 recommended), got \(resamples).")
        }
        if !(confidence > 0.5 && confidence < 1) {
            throw ValidationError("--confidence must be between 0.5 and 1, e.g. 0.95; got \(confidence).")
        }
    }

    /// The `--tasks` list parsed (validated in ``validate()``).
    var taskList: [EvaluationTask] {
        tasks.split(separator: ",").compactMap { EvaluationTask(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        for name in tasks.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where EvaluationTask(rawValue: name) == nil {
            throw ValidationError("--tasks: unknown task '\(name)'; known: \(EvaluationTask.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if taskList.isEmpty { throw ValidationError("--tasks is empty; give e.g. sts,retrieval,classification.") }
        if Set(taskList).count != taskList.count { throw ValidationError("--tasks names a task twice: \(tasks).") }
        if !relevantAt.isFinite { throw ValidationError("--relevant-at must be a number, e.g. 4.0 on a 0–5 scale; got \(relevantAt).") }
        if format == .mteb {
            if output == nil { throw ValidationError("--format mteb writes one file per task and method: give --output FOLDER.") }
            if taskList != [.sts] { throw ValidationError("--format mteb writes STS results only; use --tasks sts (or another --format).") }
        }
        if plot != nil && !taskList.contains(.sts) {
            throw ValidationError("--plot draws the STS scores: add sts to --tasks, or leave out --plot.")
        }
        if format == .csv && taskList.count > 1 {
            throw ValidationError("--format csv holds one task per file; run once per task, or use --format json.")
        }
        if datasets.isEmpty { throw ValidationError("Give at least one --data FILE.h5.") }
        if strategyList.isEmpty && heads.isEmpty && systems.isEmpty {
            throw ValidationError("Nothing to evaluate: give --strategies, --head and/or --system.")
        }
        let parsedSystems = try externalSystems()
        for system in parsedSystems {
            do {
                _ = try FixedPooling(parsing: system.strategy, specialTokens: .clsFirstSepLast)
            } catch {
                throw ValidationError("--system \(system.name): \(error)")
            }
        }
        try Self.checkStrategies(strategyList)
        try Self.checkBootstrap(resamples: resamples, confidence: confidence)
        if batchSize < 1 { throw ValidationError("--batch-size must be positive, got \(batchSize).") }
        if let specialTokens {
            do {
                _ = try SpecialTokenPositions(parsing: specialTokens)
            } catch {
                throw ValidationError("--special-tokens: \(error)")
            }
        }
        let names = strategyList + heads.map { HeadArgument(parsing: $0).name } + parsedSystems.map(\.name)
        if Set(names).count != names.count {
            throw ValidationError("Two methods share a name (\(names.joined(separator: ", "))); "
                + "name heads with NAME=PATH and systems with distinct NAMEs.")
        }
        if baseline != "none" && !names.contains(baseline) {
            throw ValidationError("--baseline \(baseline) is not among the methods: \(names.joined(separator: ", ")).")
        }
    }

    /// `--output` and `--plot` are neither inputs nor each other, and are regular paths.
    func checkOutputs() throws {
        var inputs = datasets.map { (flag: "--data", path: $0) }
        for system in try externalSystems() {
            inputs += datasets.map { (flag: "--system", path: system.path(forDataset: $0)) }
        }
        for text in heads {
            inputs += OutputPaths.headInputs(flag: "--head", folder: HeadArgument(parsing: text).folder)
        }
        let outputs = [format == .mteb ? nil : output.map { (flag: "--output", path: $0) },
                       plot.map { (flag: "--plot", path: $0) }].compactMap { $0 }
        try OutputPaths.check(outputs: outputs, inputs: inputs)
        if format == .mteb, let output {
            try OutputPaths.checkFolder(output, flag: "--output", inputs: inputs + outputs)
        }
    }

    /// The `--system` arguments parsed.
    func externalSystems() throws -> [ExternalSystem] {
        try systems.map { text in
            do {
                return try ExternalSystem(parsing: text)
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }

    func run() throws {
        try checkOutputs()
        try InputProbe.check(datasets + externalSystems().flatMap { system in datasets.map { system.path(forDataset: $0) } })
        let loaded = try heads.map { text -> ComparisonRun.NamedHead in
            let argument = HeadArgument(parsing: text)
            return ComparisonRun.NamedHead(name: argument.name, head: try HeadExport.load(from: argument.folder))
        }
        var run = ComparisonRun(
            datasets: datasets, strategies: strategyList, heads: loaded, systems: try externalSystems(),
            baseline: baseline == "none" ? nil : baseline,
            evaluator: SimilarityEvaluator(resamples: resamples, confidenceLevel: confidence),
            seed: seed, batchSize: batchSize,
            specialTokens: try specialTokens.map { try SpecialTokenPositions(parsing: $0) },
            tasks: taskList, relevantAt: relevantAt)
        run.evaluator.normalize = normalize
        let evaluation = try run.runTasks(log: { line in if !quiet { StandardError.print(line) } })
        let results = evaluation.sts
        if format == .mteb, let output {
            try writeMTEB(evaluation, to: output)
        } else if let output {
            let report = try format.render(evaluation)
            try AtomicText.write(report, to: output)
            if !quiet { StandardError.print("wrote \(output)") }
        } else {
            print(try format.render(evaluation), terminator: "")
        }
        if sentences {
            for line in ResultSentences.sentences(results) { print(line) }
        }
        if let plot {
            try AtomicText.write(ScoreChart.svg(results), to: plot)
            if !quiet { StandardError.print("wrote \(plot)") }
        }
    }

    /// One MTEB result file per (task, method) below `folder`, each checked and written atomically.
    func writeMTEB(_ evaluation: EvaluationReport, to folder: String) throws {
        let files: [MTEBResult]
        switch MTEBResult.grouped(evaluation, poolerVersion: PoolerVersion.string) {
        case .success(let grouped): files = grouped
        case .failure(let collision): throw collision
        }
        let paths = files.map { URL(fileURLWithPath: folder).appendingPathComponent($0.relativePath).path }
        var inputs = datasets.map { (flag: "--data", path: $0) }
        for text in heads { inputs += OutputPaths.headInputs(flag: "--head", folder: HeadArgument(parsing: text).folder) }
        for system in try externalSystems() { inputs += datasets.map { (flag: "--system", path: system.path(forDataset: $0)) } }
        try OutputPaths.check(outputs: paths.map { (flag: "--output", path: $0) } + (plot.map { [(flag: "--plot", path: $0)] } ?? []),
                              inputs: inputs)
        for (file, path) in zip(files, paths) {
            let parent = URL(fileURLWithPath: path).deletingLastPathComponent()
            do {
                try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            } catch {
                throw AtomicText.WriteError(path: parent.path, reason: error.localizedDescription)
            }
            try AtomicText.write(try file.json(), to: path)
            if !quiet { StandardError.print("wrote \(path)") }
        }
    }
}

/// `--head [NAME=]PATH`: a head folder, or a training run folder holding `head/`.
struct HeadArgument {
    var name: String
    var folder: URL

    init(parsing text: String) {
        var path = text
        var name: String?
        if let equals = text.firstIndex(of: "="), !text[..<equals].contains("/") {
            name = String(text[..<equals])
            path = String(text[text.index(after: equals)...])
        }
        var folder = URL(fileURLWithPath: path)
        let nested = folder.appendingPathComponent("head")
        if FileManager.default.fileExists(atPath: nested.appendingPathComponent(HeadExport.configurationFileName).path) {
            folder = nested
        }
        self.folder = folder
        self.name = name ?? URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
    }
}
