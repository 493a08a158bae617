import ArgumentParser
import Evaluation
import Foundation
import LayerSweep
import Pooling
import Runtime
import Training

/// `pooler sweep`: which layer and which pooling, for a model whose layers are extracted side by side.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "For every layer: fixed poolings and a learned head, chosen on dev, reported on test.",
        discussion: """
            --root DIR holds one folder per layer, DIR/L<k>/{train,dev,test}.h5 (k = 0 for the embedding \
            output), e.g. from `pooler extract --layer all --output DIR/L{layer}/train.h5` or \
            Examples/extract_hidden_states.py --layer all. test.h5 is optional (in every layer or in none).

            For each layer the head (the same flags as `pooler train`) is trained on train.h5, dev.h5 \
            choosing its best epoch; then every --strategies entry and the head are scored on dev and \
            test: Spearman (cosine) ×100 with bootstrap intervals. The best (layer, method) is chosen on \
            dev alone and compared, on test, with the best fixed strategy (on dev) of the model's last layer \
            — the root's highest L<k>, scored with the fixed strategies even when --layers leaves it out \
            (paired bootstrap).

            --out SWEEP holds sweep.json (the settings), L<k>/run/ (each head's training run, with head/), \
            L<k>/result.json (a finished layer), report.json, table.txt and chart.svg. Ctrl-C (SIGINT) or \
            SIGTERM stops after saving a checkpoint; the same command with --resume continues: finished \
            layers are not redone, the interrupted head continues bit-identically.
            """
    )

    @Option(help: "Folder with one subfolder per layer: L0/, L3/, … each holding train.h5, dev.h5 (and test.h5).")
    var root: String
    @Option(help: "Sweep folder for the runs, the per-layer results and the report.")
    var out: String
    @Option(help: "Layers to sweep: all (every L<k> folder) or a list, e.g. 0,6,12.")
    var layers = "all"
    @Option(help: ArgumentHelp("Fixed strategies, comma-separated; join with + to concatenate. Known: "
        + PoolingStrategy.allCases.map(\.rawValue).joined(separator: ", ") + "."))
    var strategies = "mean,max,last,weighted-mean"
    @Flag(name: .customLong("no-head"), help: "Fixed strategies only: train no head.")
    var noHead = false

    @OptionGroup(title: "Head and training (as for pooler train)") var training: HeadTrainingOptions

    @Option(parsing: .unconditional,
            help: "Bootstrap resamples of the pairs (100–\(EvaluateCommand.maximumResamples); ≥ 1000 recommended).")
    var resamples = 1000
    @Option(parsing: .unconditional, help: "Coverage of the intervals.")
    var confidence = 0.95
    @Option(name: .customLong("bootstrap-seed"), help: "Seed of the bootstrap.")
    var bootstrapSeed: UInt64 = 0
    @Option(help: "Report format on standard output (or --output): table, markdown or json.")
    var format: ReportFormat = .table
    @Option(help: "Also write the report in --format to this file (atomically).")
    var output: String?
    @Option(help: "Also write the chart (Spearman by layer, one line per method) to this SVG file.")
    var plot: String?
    @Option(parsing: .unconditional, help: "Worker threads for training and dev evaluation (default: all cores; the result does not depend on it).")
    var threads: Int?
    @Flag(help: "Continue the sweep in --out (same flags): finished layers are kept, an interrupted head continues.")
    var resume = false
    @Flag(help: "No progress output; the report only.")
    var quiet = false

    /// How training errors name things in a sweep: the head flags, and the layer's files and run
    /// folder in place of `pooler train`'s --train, --dev and --out (a split checked against train
    /// in the role of dev may be dev.h5 or test.h5; its path follows the name).
    static let flags: [String: String] = HeadTrainingOptions.flags.merging([
        "train": "the layer's train.h5", "dev": "the split", "out": "the layer's run folder", "resume": "--resume",
    ]) { shared, _ in shared }

    /// `--layers` parsed: nil for all.
    func layerList() throws -> [Int]? {
        let text = layers.trimmingCharacters(in: .whitespaces)
        if text == "all" { return nil }
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try items.map { item in
            guard let k = Int(item), k >= 0 else {
                throw ValidationError("--layers: '\(item)' is not a layer number; give all, or non-negative integers like 0,6,12.")
            }
            return k
        }
    }

    var strategyList: [String] { EvaluateCommand.strategyList(strategies) }

    func validate() throws {
        _ = try layerList()
        try EvaluateCommand.checkStrategies(strategyList)
        if Set(strategyList).count != strategyList.count { throw ValidationError("--strategies names a strategy twice: \(strategies).") }
        if strategyList.isEmpty && noHead { throw ValidationError("Nothing to sweep: give --strategies, or leave out --no-head.") }
        if training.loss == .distill {
            throw ValidationError("--loss distill needs a teacher per file, which sweep does not take; use cosent, infonce or cosine-mse.")
        }
        try EvaluateCommand.checkBootstrap(resamples: resamples, confidence: confidence)
        if format == .csv || format == .mteb {
            throw ValidationError("--format \(format.rawValue) is not a sweep report; use table, markdown or json.")
        }
        if let threads, threads < 1 { throw ValidationError("--threads \(threads) is invalid: expected at least 1.") }
    }

    func run() throws {
        do {
            try runSweep()
        } catch let error as TrainingError {
            throw TrainCommand.FlagNamedError(error: error, flags: Self.flags)
        }
    }

    private func runSweep() throws {
        BLASSetup.setThreads(1)  // the trainer's workers supply the parallelism, as in `pooler train`
        // The model's last layer (the highest L<k>) is the reference of the comparison, swept or not;
        // only it and the chosen layers must be complete.
        let numbers = try SweepLayer.numbers(root: root)
        let requested = try layerList() ?? numbers
        let checked = try SweepLayer.discover(root: root, requested: requested + numbers.suffix(1))
        let found = checked.filter { requested.contains($0.layer) }
        guard let reference = checked.last else { throw SweepError.noLayers(root: root, entries: []) }
        let referenceFiles = found.contains(reference) ? [] : [reference.dev] + (reference.test.map { [$0] } ?? [])
        try checkOutputs(found + (referenceFiles.isEmpty ? [] : [reference]))
        // On --resume a finished layer whose files are unchanged (size, mtime) is read back from its
        // result.json, not from its files: only its test split, which the final comparison may
        // pool, is probed again.
        let outURL = URL(fileURLWithPath: out, isDirectory: true)
        let finished = { (layer: SweepLayer) -> Bool in
            guard resume, let result = try? LayerResult.read(from: LayerSweep.resultFile(layer, in: outURL)) else { return false }
            return result.inputs.allSatisfy { $0.change() == nil }
        }
        let files = found.flatMap { finished($0) ? ($0.test.map { [$0] } ?? []) : $0.files } + referenceFiles
        if !quiet { StandardError.print("sweep: \(found.count) layers (\(found.map(\.name).joined(separator: ", "))); checking \(files.count) files") }
        try InputProbe.check(files)
        let dim = try Trainer.InputSummary(path: found[0].train).dim
        let settings = SweepSettings(
            root: root, layers: found.map(\.layer), referenceLayer: reference.layer, strategies: strategyList,
            training: noHead ? nil : training.trainingConfiguration(dim: dim),
            resamples: resamples, confidenceLevel: confidence, bootstrapSeed: bootstrapSeed)
        let sweep = LayerSweep(layers: found, referenceLayer: reference, settings: settings, output: URL(fileURLWithPath: out, isDirectory: true),
                               workers: threads ?? ProcessInfo.processInfo.activeProcessorCount, toolVersion: PoolerVersion.string)
        // Every layer's files and the folder's state are checked before the first head is trained.
        try sweep.preflight(resume: resume)
        let stop = StopSignal()
        stop.trapInterrupts()
        let display = SweepDisplay(quiet: quiet)
        let outcome: SweepOutcome
        do {
            outcome = try sweep.run(resume: resume, stop: stop, observer: display.handle)
            display.finish()
        } catch {
            display.finish()
            throw error
        }
        switch outcome {
        case let .interrupted(layer, checkpoint):
            print("interrupted\(TrainCommand.signalName(stop)) while training layer \(layer)'s head: checkpoint saved to \(checkpoint)")
            print("resume with: \(TrainCommand.resumeCommand())")
            throw TrainCommand.interruptedExit(stop)
        case .completed(let report):
            try write(report, sweep: sweep)
        }
    }

    /// The report on standard output (or --output) in --format; table.txt and chart.svg in the sweep folder, and --plot.
    private func write(_ report: SweepReport, sweep: LayerSweep) throws {
        let text = format == .json ? try report.json() : report.table(markdown: format == .markdown)
        let folder = sweep.output
        try AtomicText.write(report.table(), to: folder.appendingPathComponent("table.txt").path)
        try AtomicText.write(report.svg(), to: folder.appendingPathComponent("chart.svg").path)
        if let output {
            try AtomicText.write(text, to: output)
            if !quiet { StandardError.print("wrote \(output)") }
        } else {
            print(text, terminator: "")
        }
        if let plot {
            try AtomicText.write(report.svg(), to: plot)
            if !quiet { StandardError.print("wrote \(plot)") }
        }
        if !quiet {
            StandardError.print("sweep folder: \(folder.path) (report.json, table.txt, chart.svg, L<k>/run/head)")
        }
    }

    /// --out is not the root or inside a layer folder, and --output/--plot are not inputs.
    private func checkOutputs(_ found: [SweepLayer]) throws {
        guard !out.isEmpty else { throw CommandError.emptyPath(flag: "--out") }
        if let kind = OutputPaths.kind(of: out), kind != "folder" {
            throw CommandError.outputNotRegularFile(flag: "--out", path: out, kind: kind + " (a sweep folder must be a folder)")
        }
        // The root itself, a layer folder, or a new L<k> folder in the root (the next discovery would
        // take it for a layer) would mix the sweep's files into the inputs; a folder beside them is fine.
        let layerFolders = found.map { URL(fileURLWithPath: $0.train).deletingLastPathComponent().path }
        let outURL = URL(fileURLWithPath: OutputPaths.resolved(out))
        if outURL.path == OutputPaths.resolved(root)
            || (outURL.deletingLastPathComponent().path == OutputPaths.resolved(root)
                && SweepLayer.number(ofFolderNamed: outURL.lastPathComponent) != nil) {
            throw CommandError.outputIsInput(flag: "--out", path: out, inputFlag: "--root", input: root)
        }
        if let inner = layerFolders.first(where: { OutputPaths.isSameOrInside(out, $0) }) {
            throw CommandError.outputIsInput(flag: "--out", path: out, inputFlag: "--root", input: inner)
        }
        // --output and --plot are neither inputs nor inside the sweep folder, whose files (records,
        // heads, checkpoints, table.txt, chart.svg) the sweep writes and reads back on --resume.
        let inputs = found.flatMap { layer in layer.files.map { (flag: "--root", path: $0) } }
        let outputs = [output.map { (flag: "--output", path: $0) }, plot.map { (flag: "--plot", path: $0) }].compactMap { $0 }
        try OutputPaths.check(outputs: outputs, inputs: inputs)
        if let inside = outputs.first(where: { OutputPaths.isSameOrInside($0.path, out) }) {
            throw CommandError.outputIsInput(flag: inside.flag, path: inside.path, inputFlag: "--out", input: out)
        }
    }
}

/// Progress of a sweep on standard error: a line per layer, the head's training progress
/// (``Training/ProgressDisplay``, its evaluation lines on stderr too, so stdout holds the report only).
final class SweepDisplay {
    private let quiet: Bool
    private var training: ProgressDisplay
    private let start = Date()

    init(quiet: Bool) {
        self.quiet = quiet
        training = ProgressDisplay(quiet: true)
    }

    func handle(_ event: SweepEvent) {
        guard !quiet else { return }
        switch event {
        case let .layerStarted(layer, index, count):
            training.finish()
            StandardError.print(String(format: "[%d/%d] layer %d (%.0f s)", index, count, layer, Date().timeIntervalSince(start)))
            training = ProgressDisplay(report: { line in FileHandle.standardError.write(Data(("  L\(layer) " + line).utf8)) })
        case .layerReused(let result):
            StandardError.print("  finished earlier: " + Self.summary(result))
        case let .training(_, event):
            training.handle(event)
        case .evaluating:
            break
        case .layerFinished(let result):
            training.finish()
            StandardError.print("  " + Self.summary(result))
        case .comparing(let line):
            StandardError.print(line)
        }
    }

    func finish() { training.finish() }

    /// `dev: mean 14.87, last 23.03, additive 75.00 (best)`.
    static func summary(_ result: LayerResult) -> String {
        let best = SweepSelection.best([result])?.method
        return "dev: " + result.methods.map { method in
            method.method + String(format: " %.2f", method.dev.spearmanCosine) + (method.method == best ? " (best)" : "")
        }.joined(separator: ", ")
    }
}
