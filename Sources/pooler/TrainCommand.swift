import ArgumentParser
import Autodiff
import Foundation
import HiddenStates
import Pooling
import Training

extension HeadKind: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}

extension Warmup: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

/// `pooler train`: learns a pooling head on pairs of sentences, keeping the best dev state.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an attention pooling head on scored sentence pairs.",
        discussion: """
            Reads --train and --dev into memory, prints the dev Spearman of the untrained head \
            (equal to mean pooling), trains with AdamW, evaluates on dev after every epoch (and every \
            --eval-every steps) and exports the best head to RUN_DIR/head/. RUN_DIR also holds \
            log.jsonl, summary.json and checkpoint/. Ctrl-C (SIGINT) or SIGTERM saves a checkpoint and \
            exits; add --resume to the same command to continue bit-identically.
            """
    )

    @Option(help: "Training pairs: a hidden-states HDF5 file with /pairs (and /scores).")
    var train: String
    @Option(help: "Dev pairs with /scores: selects the best epoch and early stopping.")
    var dev: String
    @Option(help: "Run directory (head/, log.jsonl, summary.json, checkpoint/).")
    var out: String

    @Option(help: "Head: \(HeadKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var head: HeadKind = .additive
    @Option(parsing: .unconditional, help: "Additive head: width of the tanh layer.")
    var hidden: Int?
    @Option(parsing: .unconditional, help: "Multihead: number of learned queries (must divide the dim).")
    var heads: Int?
    @Option(name: .customLong("key-dim"), parsing: .unconditional, help: "Multihead: width of keys and queries.")
    var keyDim: Int?
    @Flag(help: "Add a learned output projection (initialised to the identity).")
    var projection = false
    @Flag(help: "L2-normalise the head's output.")
    var normalize = false

    @Option(help: "Loss: \(LossKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var loss: LossKind = .cosent
    @Option(parsing: .unconditional, help: "CoSENT scale (inverse temperature). Default 20.")
    var scale: Float?
    @Option(parsing: .unconditional, help: "InfoNCE temperature (scale = 1/temperature). Default 0.05.")
    var temperature: Float?
    @Option(name: .customLong("infonce-threshold"), parsing: .unconditional, help: "InfoNCE: pairs with score ≥ this are positives. Default 4.")
    var infonceThreshold: Float?
    @Flag(help: "InfoNCE: symmetric form (also positives → anchors).")
    var symmetric = false

    @Option(parsing: .unconditional, help: "Epochs.")
    var epochs = 8
    @Option(parsing: .unconditional, help: "Peak learning rate.")
    var lr: Float = 3e-4
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Pairs per step.")
    var batchSize = 64
    @Option(parsing: .unconditional, help: "Seed for initialisation and shuffling.")
    var seed: UInt64 = 42
    @Option(help: "Warm-up: a fraction of all steps (0.1) or a step count (100).")
    var warmup: Warmup = .fraction(0.1)
    @Option(help: "Decay after warm-up: \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var schedule: ScheduleKind = .cosine
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "AdamW decoupled weight decay (not on biases/queries/score vectors).")
    var weightDecay: Float = 0.01
    @Option(name: .customLong("clip-norm"), parsing: .unconditional, help: "Clip gradients to this global norm (0: off).")
    var clipNorm: Float = 1
    @Option(parsing: .unconditional, help: "Stop after this many evaluations without improvement (0: never).")
    var patience = 3
    @Option(name: .customLong("eval-every"), parsing: .unconditional, help: "Also evaluate on dev every N steps.")
    var evalEvery: Int?
    @Option(parsing: .unconditional, help: "BLAS threads (default: all cores).")
    var threads: Int?
    @Flag(help: "Continue the run in --out from its checkpoint (same flags).")
    var resume = false
    @Flag(help: "No progress output; evaluations and the result only.")
    var quiet = false

    /// The training configuration these flags describe, for a file of width `dim`.
    func trainingConfiguration(dim: Int) -> TrainingConfiguration {
        let headConfiguration = HeadConfiguration(kind: head, dim: dim, hidden: hidden ?? 128, heads: heads ?? 4,
                                                  keyDim: keyDim ?? 64, projection: projection, normalize: normalize)
        return TrainingConfiguration(
            head: headConfiguration, loss: loss, scale: scale ?? 20, temperature: temperature ?? 0.05, symmetric: symmetric,
            infonceThreshold: infonceThreshold ?? 4, epochs: epochs, learningRate: lr, batchSize: batchSize, seed: seed,
            warmup: warmup, schedule: schedule, weightDecay: weightDecay, clipNorm: clipNorm, patience: patience,
            evalEvery: evalEvery)
    }

    func validate() throws {
        func only(_ given: Bool, _ flag: String, _ condition: Bool, _ what: String) throws {
            if given && !condition { throw ValidationError("\(flag) applies only to \(what).") }
        }
        try only(scale != nil, "--scale", loss == .cosent, "--loss cosent (InfoNCE uses --temperature)")
        try only(temperature != nil, "--temperature", loss == .infonce, "--loss infonce (CoSENT uses --scale)")
        try only(infonceThreshold != nil, "--infonce-threshold", loss == .infonce, "--loss infonce")
        try only(symmetric, "--symmetric", loss == .infonce, "--loss infonce")
        try only(hidden != nil, "--hidden", head == .additive, "--head additive")
        try only(heads != nil, "--heads", head == .multihead, "--head multihead")
        try only(keyDim != nil, "--key-dim", head == .multihead, "--head multihead")
        if let threads, threads < 1 { throw ValidationError("--threads \(threads) is invalid: expected at least 1.") }
        // Value ranges need the file's dim; run() checks them with it before anything is read or created.
    }

    func run() throws {
        BLASRuntime.setThreads(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let directory = RunDirectory(URL(fileURLWithPath: out, isDirectory: true))
        // Errors (TrainingError, HiddenStatesError) name the file, flag and value; ArgumentParser prints them.
        // Cheap checks first: the files' structure and the run directory, before reading hidden states.
        try OutputPaths.checkRunDirectory(out, inputs: [("--train", train), ("--dev", dev)])
        let dim = try Self.checkFiles(train: train, dev: dev, loss: loss)
        let configuration = trainingConfiguration(dim: dim)
        try Trainer.preflight(configuration: configuration, directory: directory, resume: resume, train: train, dev: dev)

        let trainSplit = try TrainingSplit.load(path: train)
        let devSplit = try TrainingSplit.load(path: dev)
        let trainer = try Trainer(configuration: configuration, train: trainSplit, dev: devSplit,
                                  directory: directory, toolVersion: PoolerVersion.string)
        // Everything checkable is checked; only now is the run directory created (and locked).
        let lock = try RunLock(directory.url)
        let stop = StopSignal()
        stop.trapInterrupts()
        let display = ProgressDisplay(quiet: quiet)
        let outcome: TrainingOutcome
        do {
            outcome = try trainer.run(resume: resume, stop: stop, observer: display.handle)
            display.finish()  // the bar has no newline; what follows starts on a new line
        } catch {
            display.finish()
            lock.removeDirectoryIfUnused()
            throw error
        }
        withExtendedLifetime(lock) {}
        switch outcome.reason {
        case .interrupted:
            let signal = stop.requestingSignal ?? 0
            let name = signal == SIGTERM ? " by SIGTERM" : signal == SIGINT ? " by SIGINT" : ""
            print("interrupted\(name) after step \(outcome.steps): checkpoint saved to \(outcome.checkpoint)")
            print("resume with: \(Self.resumeCommand())")
            throw ExitCode(signal > 0 ? 128 + signal : 1)
        case .completed, .earlyStopped:
            let best = outcome.best.map {
                String(format: "%.2f at epoch %d, step %d", $0.devSpearman, $0.epoch, $0.step)
            } ?? "none"
            print("\(outcome.reason == .earlyStopped ? "stopped early" : "done"): best dev Spearman \(best) "
                + String(format: "(untrained %.2f)", outcome.initialDevSpearman))
            print("head: \(outcome.headFolder ?? directory.head.path)")
            print("summary: \(directory.summary.path)")
        }
    }

    /// Opens both files (metadata only) and checks pairs, scores and dims; returns the dim.
    static func checkFiles(train: String, dev: String, loss: LossKind) throws -> Int {
        let trainFile = try HiddenStatesFile(path: train)
        defer { trainFile.close() }
        let devFile = try HiddenStatesFile(path: dev)
        defer { devFile.close() }
        guard (trainFile.metadata.pairs ?? 0) > 0 else { throw TrainingError.noPairs(path: train) }
        guard (devFile.metadata.pairs ?? 0) > 0 else { throw TrainingError.noPairs(path: dev) }
        if loss.needsScores && !trainFile.metadata.hasScores { throw TrainingError.missingScores(path: train, loss: loss.rawValue) }
        if !devFile.metadata.hasScores { throw TrainingError.missingScores(path: dev, loss: "dev evaluation (Spearman)") }
        guard trainFile.metadata.dim == devFile.metadata.dim else {
            throw TrainingError.splitDimensionMismatch(train: train, trainDim: trainFile.metadata.dim, dev: dev,
                                                       devDim: devFile.metadata.dim)
        }
        return trainFile.metadata.dim
    }

    /// This command line with `--resume` added (arguments quoted for a POSIX shell).
    static func resumeCommand() -> String {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if !arguments.contains("--resume") { arguments.append("--resume") }
        let quoted = arguments.map { argument -> String in
            let safe = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
            return safe && !argument.isEmpty ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        return (["pooler"] + quoted).joined(separator: " ")
    }
}
