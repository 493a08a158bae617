import Evaluation
import Foundation
import Pooling
import Training

/// Which layer to pool and how: for every layer of a model, the fixed strategies and a learned
/// head, scored on dev (where the choice is made) and test (where it is reported).
///
/// Layer k's states are in `ROOT/L<k>/{train,dev,test}.h5` (``SweepLayer/discover(root:requested:)``).
/// For each layer in turn: the head is trained on train.h5 with dev.h5 choosing its best epoch
/// (a ``Training/Trainer`` run in `OUT/L<k>/run/`), then every strategy and the head are scored on
/// dev and test (``Evaluation/ComparisonRun``: Spearman and Pearson ×100 with bootstrap intervals),
/// and the layer's figures are written to `OUT/L<k>/result.json`. At the end the best (layer,
/// method) on dev is compared, on test, with the highest layer's best fixed strategy (paired
/// bootstrap), and the report is written to `OUT/report.json`.
///
/// A sweep stopped (SIGINT/SIGTERM via the ``Training/StopSignal``, or a crash) continues with
/// `resume: true`: finished layers are read back, not redone; the interrupted layer's training
/// continues from its checkpoint, bit-identically. Only one process may work in `OUT` at a time.
public struct LayerSweep {
    public var layers: [SweepLayer]
    /// The model's last layer (the root's highest `L<k>`): the reference of the final comparison.
    /// When it is not among ``layers`` it is evaluated with the fixed strategies only.
    public var referenceLayer: SweepLayer
    public var settings: SweepSettings
    /// The sweep folder (`OUT`).
    public var output: URL
    /// Worker threads for training and dev evaluation (the figures do not depend on it).
    public var workers: Int
    /// Sentences pooled at a time in evaluations.
    public var batchSize: Int
    /// Recorded in each head's training summary.
    public var toolVersion: String

    /// - Parameters:
    ///   - layers: at least one (``SweepLayer/discover(root:requested:)`` finds one or throws).
    ///   - referenceLayer: the root's highest layer (default: the highest of `layers`).
    public init(layers: [SweepLayer], referenceLayer: SweepLayer? = nil, settings: SweepSettings, output: URL, workers: Int,
                batchSize: Int = 1024, toolVersion: String) {
        guard let reference = referenceLayer ?? layers.max(by: { $0.layer < $1.layer }) else {
            preconditionFailure("LayerSweep: no layers (SweepLayer.discover finds one or throws)")
        }
        self.layers = layers
        self.referenceLayer = reference
        self.settings = settings
        self.output = output
        self.workers = workers
        self.batchSize = batchSize
        self.toolVersion = toolVersion
    }

    public var settingsFile: URL { output.appendingPathComponent("sweep.json") }
    public var reportFile: URL { output.appendingPathComponent("report.json") }
    public func folder(_ layer: SweepLayer) -> URL { output.appendingPathComponent(layer.name, isDirectory: true) }
    public func resultFile(_ layer: SweepLayer) -> URL { Self.resultFile(layer, in: output) }
    /// `OUT/L<k>/result.json`, written once layer k is done (a resumed sweep reads it instead).
    public static func resultFile(_ layer: SweepLayer, in output: URL) -> URL {
        output.appendingPathComponent(layer.name, isDirectory: true).appendingPathComponent("result.json")
    }
    public func runDirectory(_ layer: SweepLayer) -> RunDirectory {
        RunDirectory(folder(layer).appendingPathComponent("run", isDirectory: true))
    }

    /// The checks that need no hidden states, for every layer before any work: the files open and
    /// agree with each other and the head configuration (``Training/Trainer/checkInputs(train:dev:configuration:)``),
    /// they record one prompt template (or none), the settings are valid, and `resume` matches the
    /// sweep folder's state. Each input file is opened once (metadata only).
    ///
    /// - Returns: the prompt template the files record (`template` attribute), nil when none says.
    /// - Throws: ``SweepError`` (`mixedTemplates` when two files record different templates),
    ///   ``Training/TrainingError``, ``HiddenStates/HiddenStatesError``.
    @discardableResult
    public func preflight(resume: Bool) throws -> String? {
        let inputs = layers.flatMap(\.files)
            + (referenceIsSwept ? [] : [referenceLayer.dev] + (referenceLayer.test.map { [$0] } ?? []))
        let summaries = try inputs.map { try Trainer.InputSummary(path: $0) }
        let byPath = Dictionary(zip(inputs, summaries)) { first, _ in first }
        if let training = settings.training {
            for layer in layers {
                guard let train = byPath[layer.train], let dev = byPath[layer.dev] else { continue }
                var configuration = training
                configuration.head.dim = train.dim
                try configuration.validate()
                try Trainer.checkInputs(train: train, dev: dev, configuration: configuration)
                // test.h5 is scored like dev (pairs, scores, dim, layer, template), after training: check it now.
                if let test = layer.test.flatMap({ byPath[$0] }) {
                    try Trainer.checkInputs(train: train, dev: test, configuration: configuration)
                }
            }
        }
        let recorded = summaries.filter { HeadProvenance.isRecorded($0.template) }
        if let first = recorded.first, let other = recorded.first(where: { $0.template != first.template }),
           let firstTemplate = first.template, let otherTemplate = other.template {
            throw SweepError.mixedTemplates(first: first.path, firstTemplate: firstTemplate, other: other.path, otherTemplate: otherTemplate)
        }
        let started = FileManager.default.fileExists(atPath: settingsFile.path)
        if !resume {
            if started { throw SweepError.sweepExists(path: output.path) }
            return recorded.first?.template
        }
        guard started else { throw SweepError.nothingToResume(path: output.path) }
        let settingsRecorded: SweepSettings
        do {
            settingsRecorded = try SweepFiles.decoder().decode(SweepSettings.self, from: Data(contentsOf: settingsFile))
        } catch {
            throw SweepError.resultCorrupt(path: settingsFile.path, detail: "\(error)")
        }
        if let (field, was, now) = settingsRecorded.firstDifference(from: settings) {
            throw SweepError.resumeMismatch(path: settingsFile.path, field: field, recorded: was, requested: now)
        }
        return recorded.first?.template
    }

    /// Runs (or, with `resume`, continues) the sweep. Call ``preflight(resume:)`` first.
    /// - Throws: ``SweepError``, ``Training/TrainingError`` (including `runDirectoryLocked` when
    ///   another process works in `OUT`), ``HiddenStates/HiddenStatesError``, ``Evaluation/EvaluationError``.
    public func run(resume: Bool, stop: StopSignal = StopSignal(), observer: (SweepEvent) -> Void = { _ in }) throws -> SweepOutcome {
        let lock = try RunLock(output)
        defer { withExtendedLifetime(lock) {} }
        let template = try preflight(resume: resume)
        if !resume { try SweepFiles.writeJSON(settings, to: settingsFile) }
        var results: [LayerResult] = []
        let work = layers.map { (layer: $0, referenceOnly: false) } + (referenceIsSwept ? [] : [(layer: referenceLayer, referenceOnly: true)])
        for (index, (layer, referenceOnly)) in work.enumerated() {
            observer(.layerStarted(layer: layer.layer, index: index + 1, count: work.count))
            if resume, let done = try finishedResult(layer) {
                observer(.layerReused(done))
                results.append(done)
                continue
            }
            switch try runLayer(layer, referenceOnly: referenceOnly, resume: resume, stop: stop, observer: observer) {
            case .finished(let result):
                observer(.layerFinished(result))
                results.append(result)
            case .interrupted(let checkpoint):
                return .interrupted(layer: layer.layer, checkpoint: checkpoint)
            }
        }
        let report = SweepReport(root: settings.root, headDescription: settings.training.map(Self.describe),
                                 template: template,
                                 resamples: settings.resamples, confidenceLevel: settings.confidenceLevel,
                                 layers: results, comparison: try comparison(results, observer: observer))
        try SweepFiles.writeJSON(report, to: reportFile)
        return .completed(report)
    }

    /// Whether the reference layer is one of ``layers`` (else it is evaluated with fixed strategies only).
    public var referenceIsSwept: Bool { layers.contains { $0.layer == referenceLayer.layer } }

    /// The head's settings in one line (`additive+projection, cosent, lr 0.001, 20 epochs, batch 64, seed 0`).
    public static func describe(_ configuration: TrainingConfiguration) -> String {
        var parts = [SweepSettings.headName(of: configuration)]
        switch configuration.head.kind {
        case .additive: parts[0] += " (hidden \(configuration.head.hidden))"
        case .multihead:
            parts[0] += " (\(configuration.head.heads) heads, key dim \(configuration.head.keyDim), "
                + "\(configuration.head.scoreNormalization == .rms ? "RMS-normalised scores" : "raw scores"))"
        }
        parts += [configuration.loss.rawValue, "lr \(configuration.learningRate)", "\(configuration.epochs) epochs",
                  "batch \(configuration.batchSize)", "seed \(configuration.seed)"]
        return parts.joined(separator: ", ")
    }

    // MARK: One layer

    private enum LayerEnd {
        case finished(LayerResult)
        case interrupted(checkpoint: String)
    }

    /// A layer's result from an earlier run, checked against its files now; nil when not finished.
    private func finishedResult(_ layer: SweepLayer) throws -> LayerResult? {
        let url = resultFile(layer)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let result = try LayerResult.read(from: url)
        guard result.files.layer == layer.layer, result.files.canonicalFiles == layer.canonicalFiles else {
            throw SweepError.resumeMismatch(path: url.path, field: "the files of layer \(layer.layer)",
                                            recorded: result.files.files.joined(separator: ", "),
                                            requested: layer.files.joined(separator: ", "))
        }
        for input in result.inputs {
            if let change = input.change() {
                throw SweepError.inputChanged(layer: layer.layer, path: input.path, detail: change, resultFile: url.path)
            }
        }
        return result
    }

    private func runLayer(_ layer: SweepLayer, referenceOnly: Bool, resume: Bool, stop: StopSignal,
                          observer: (SweepEvent) -> Void) throws -> LayerEnd {
        let inputs = (referenceOnly ? [layer.dev] + (layer.test.map { [$0] } ?? []) : layer.files).compactMap { InputFingerprint(path: $0) }
        var heads: [ComparisonRun.NamedHead] = []
        var headRun: HeadRun?
        if !referenceOnly, let training = settings.training, let name = settings.headName {
            let run = runDirectory(layer)
            if !(resume && FileManager.default.fileExists(atPath: run.summary.path)) {
                var configuration = training
                configuration.head.dim = try Trainer.InputSummary(path: layer.train).dim
                let continuing = resume && FileManager.default.fileExists(atPath: run.checkpoint.path)
                let digests = try Trainer.preflight(configuration: configuration, directory: run, resume: continuing,
                                                    train: [layer.train], dev: layer.dev)
                let trainer = try Trainer(configuration: configuration, train: try TrainingSplit.load(path: layer.train),
                                          dev: try TrainingSplit.load(path: layer.dev), directory: run,
                                          toolVersion: toolVersion, workers: workers, inputDigests: digests)
                let outcome = try trainer.run(resume: continuing, stop: stop,
                                              observer: { observer(.training(layer: layer.layer, $0)) })
                if outcome.reason == .interrupted { return .interrupted(checkpoint: outcome.checkpoint) }
            }
            headRun = try Self.headRun(run)
            heads = [ComparisonRun.NamedHead(name: name, head: try HeadExport.load(from: run.head))]
        }
        let methods = try evaluate(layer, heads: heads, observer: observer)
        let result = LayerResult(layer: layer.layer, files: layer, methods: methods, learnedHead: headRun, inputs: inputs,
                                 referenceOnly: referenceOnly ? true : nil)
        try result.write(to: resultFile(layer))
        return .finished(result)
    }

    /// Every strategy and head on the layer's dev and test files, each file read once.
    private func evaluate(_ layer: SweepLayer, heads: [ComparisonRun.NamedHead],
                          observer: (SweepEvent) -> Void) throws -> [MethodResult] {
        let datasets = [layer.dev] + (layer.test.map { [$0] } ?? [])
        let run = ComparisonRun(
            datasets: datasets, strategies: settings.strategies, heads: heads, baseline: nil,
            evaluator: SimilarityEvaluator(resamples: settings.resamples, confidenceLevel: settings.confidenceLevel),
            seed: settings.bootstrapSeed, batchSize: batchSize)
        let results = try run.run(log: { observer(.evaluating(layer: layer.layer, $0)) })
        func result(_ path: String, _ method: String) -> StrategyResult? {
            results.first { $0.dataset == ComparisonRun.datasetName(path) && $0.strategy == method }
        }
        let learned = Set(heads.map(\.name))
        return try run.methodNames.map { method in
            guard let dev = result(layer.dev, method) else {
                throw SweepError.resultCorrupt(path: layer.dev, detail: "the evaluation returned no result for \(method)")
            }
            return MethodResult(method: method, learned: learned.contains(method), dev: dev,
                                test: layer.test.flatMap { result($0, method) })
        }
    }

    /// What the run's `summary.json` records of the head's training.
    private static func headRun(_ run: RunDirectory) throws -> HeadRun {
        let summary: RunSummary
        do {
            summary = try RunSummary.decode(Data(contentsOf: run.summary))
        } catch {
            throw SweepError.resultCorrupt(path: run.summary.path, detail: "\(error)")
        }
        return HeadRun(run: run.url.path, bestEpoch: summary.bestEpoch, bestDevSpearman: summary.bestDevSpearman,
                       initialDevSpearman: summary.initialDevSpearman, epochsCompleted: summary.epochsCompleted,
                       trainingSeconds: summary.elapsedSeconds)
    }

    // MARK: The final comparison

    /// The choice on dev against the highest layer's best fixed strategy, on test (paired bootstrap).
    private func comparison(_ results: [LayerResult], observer: (SweepEvent) -> Void) throws -> SweepComparison? {
        guard let choice = SweepSelection.best(results), let reference = SweepSelection.lastLayerFixed(results) else {
            return nil
        }
        if choice.layer == reference.layer && choice.method == reference.method {
            return SweepComparison(choice: choice, reference: reference, difference: 0, differenceCI: nil, pValue: nil,
                                   significant: false, note: "the choice is the last layer's best fixed pooling itself")
        }
        let all = layers + [referenceLayer]
        guard let chosenLayer = all.first(where: { $0.layer == choice.layer }), let test = chosenLayer.test,
              let referenceTest = all.first(where: { $0.layer == reference.layer })?.test
        else {
            return SweepComparison(choice: choice, reference: reference, difference: nil, differenceCI: nil, pValue: nil,
                                   significant: nil, note: "no test split: the choice was made on dev, where a comparison would be biased")
        }
        let referenceName = "L\(reference.layer)-\(reference.method)"
        var heads: [ComparisonRun.NamedHead] = []
        if choice.learned {
            heads = [ComparisonRun.NamedHead(name: choice.method, head: try HeadExport.load(from: runDirectory(chosenLayer).head))]
        }
        let run = ComparisonRun(
            datasets: [test], strategies: choice.learned ? [] : [choice.method], heads: heads,
            systems: [ExternalSystem(name: referenceName, pathTemplate: referenceTest, strategy: reference.method)],
            baseline: referenceName,
            evaluator: SimilarityEvaluator(resamples: settings.resamples, confidenceLevel: settings.confidenceLevel),
            seed: settings.bootstrapSeed, batchSize: batchSize)
        observer(.comparing("comparing L\(choice.layer) \(choice.method) with \(referenceName) on \(test)"))
        let compared = try run.run(log: { observer(.comparing($0)) })
        guard let row = compared.first(where: { $0.strategy == choice.method }) else { return nil }
        return SweepComparison(choice: choice, reference: reference, difference: row.spearmanCosineDifference,
                               differenceCI: row.spearmanCosineDifferenceCI, pValue: row.pValue,
                               significant: row.isSignificant, note: row.note)
    }
}
