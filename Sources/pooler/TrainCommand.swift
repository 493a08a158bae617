import ArgumentParser
import Autodiff
import Foundation
import HiddenStates
import Pooling
import Runtime
import Training

extension HeadKind: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
extension DistillMetric: ExpressibleByArgument {}

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

    @Option(help: ArgumentHelp("Training data: a hidden-states HDF5 file with /pairs (and /scores); sentences alone suffice for --loss distill.",
                               discussion: "Repeat for several files: all are used, concatenated and shuffled together."))
    var train: [String] = []
    @Option(help: "Dev pairs with /scores: selects the best epoch and early stopping.")
    var dev: String
    @Option(help: "Run directory (head/, log.jsonl, summary.json, checkpoint/).")
    var out: String

    @Option(help: "Head: \(HeadKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var head: HeadKind = TrainingConfiguration.defaults.head.kind
    @Option(parsing: .unconditional, help: "Additive head: width of the tanh layer. Default \(TrainingConfiguration.defaults.head.hidden).")
    var hidden: Int?
    @Option(parsing: .unconditional,
            help: "Multihead: number of learned queries (must divide the dim). Default \(TrainingConfiguration.defaults.head.heads).")
    var heads: Int?
    @Option(name: .customLong("key-dim"), parsing: .unconditional,
            help: "Multihead: width of keys and queries. Default \(TrainingConfiguration.defaults.head.keyDim).")
    var keyDim: Int?
    @Flag(help: "Add a learned output projection (initialised to the identity).")
    var projection = false
    @Flag(help: "L2-normalise the head's output.")
    var normalize = false

    @Option(help: "Loss: \(LossKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var loss: LossKind = TrainingConfiguration.defaults.loss
    @Option(parsing: .unconditional, help: "CoSENT scale (inverse temperature). Default \(TrainingConfiguration.defaults.scale).")
    var scale: Float?
    @Option(parsing: .unconditional,
            help: "InfoNCE temperature (scale = 1/temperature). Default \(TrainingConfiguration.defaults.temperature).")
    var temperature: Float?
    @Option(name: .customLong("infonce-threshold"), parsing: .unconditional,
            help: "InfoNCE: pairs with score ≥ this are positives. Default \(TrainingConfiguration.defaults.infonceThreshold).")
    var infonceThreshold: Float?
    @Flag(help: "InfoNCE: symmetric form (also positives → anchors).")
    var symmetric = false
    @Option(help: ArgumentHelp(
        "Teacher for distillation: FILE.h5:STRATEGY (hidden states of the same sentences pooled with a fixed strategy, e.g. :mean) or EMB.h5 (from pooler embed).",
        discussion: "One per --train, matched by position. With --loss distill the head learns the teacher's embeddings; with another loss the distillation term is added (--distill-weight)."))
    var teacher: [String] = []
    @Option(name: .customLong("distill-metric"),
            help: "Distillation: cosine (1 − cos(student, teacher), default) or mse (on L2-normalised vectors).")
    var distillMetric: DistillMetric?
    @Option(name: .customLong("distill-weight"), parsing: .unconditional,
            help: "Combined loss: pair loss + W · scale · distill (scale = the pair loss's logit scale, CoSENT's --scale). Default 1.")
    var distillWeight: Float?

    @Option(parsing: .unconditional, help: "Epochs.")
    var epochs = TrainingConfiguration.defaults.epochs
    @Option(parsing: .unconditional, help: "Peak learning rate.")
    var lr = TrainingConfiguration.defaults.learningRate
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Pairs per step (sentences per step for --loss distill).")
    var batchSize = TrainingConfiguration.defaults.batchSize
    @Option(parsing: .unconditional, help: "Seed for initialisation and shuffling.")
    var seed = TrainingConfiguration.defaults.seed
    @Option(help: "Warm-up: a fraction of all steps (0.1) or a step count (100).")
    var warmup = TrainingConfiguration.defaults.warmup
    @Option(help: "Decay after warm-up: \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var schedule = TrainingConfiguration.defaults.schedule
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "AdamW decoupled weight decay (not on biases/queries/score vectors).")
    var weightDecay = TrainingConfiguration.defaults.weightDecay
    @Option(name: .customLong("clip-norm"), parsing: .unconditional, help: "Clip gradients to this global norm (0: off).")
    var clipNorm = TrainingConfiguration.defaults.clipNorm
    @Option(parsing: .unconditional, help: "Stop after this many evaluations without improvement (0: never).")
    var patience = TrainingConfiguration.defaults.patience
    @Option(name: .customLong("eval-every"), parsing: .unconditional, help: "Also evaluate on dev every N steps.")
    var evalEvery: Int?
    @Option(parsing: .unconditional, help: "Worker threads for steps and dev evaluations (default: all cores; the result does not depend on it).")
    var threads: Int?
    @Flag(help: "Continue the run in --out from its checkpoint (same flags).")
    var resume = false
    @Flag(help: "No progress output; evaluations and the result only.")
    var quiet = false

    /// The training configuration these flags describe, for a file of width `dim`: the defaults
    /// (``TrainingConfiguration/defaults``) with every given flag in place.
    func trainingConfiguration(dim: Int) -> TrainingConfiguration {
        var configuration = TrainingConfiguration.defaults
        configuration.head.kind = head
        configuration.head.dim = dim
        if let hidden { configuration.head.hidden = hidden }
        if let heads { configuration.head.heads = heads }
        if let keyDim { configuration.head.keyDim = keyDim }
        configuration.head.projection = projection
        configuration.head.normalize = normalize
        configuration.loss = loss
        if let scale { configuration.scale = scale }
        if let temperature { configuration.temperature = temperature }
        configuration.symmetric = symmetric
        if let infonceThreshold { configuration.infonceThreshold = infonceThreshold }
        configuration.epochs = epochs
        configuration.learningRate = lr
        configuration.batchSize = batchSize
        configuration.seed = seed
        configuration.warmup = warmup
        configuration.schedule = schedule
        configuration.weightDecay = weightDecay
        configuration.clipNorm = clipNorm
        configuration.patience = patience
        configuration.evalEvery = evalEvery
        if !teacher.isEmpty {
            let poolings = teacher.map { TeacherEmbeddings.parse($0).pooling ?? "embeddings" }
            configuration.distillation = Distillation(metric: distillMetric ?? .cosine, weight: distillWeight ?? 1,
                                                      teacherPooling: poolings.allSatisfy { $0 == "embeddings" } ? nil : poolings.joined(separator: ","))
        }
        return configuration
    }

    /// The flag of each configuration field and input role that ``TrainingError`` names (see
    /// ``TrainingError/description(naming:)``): the one table of field → flag names. A field
    /// missing here (`head.dim`) has no flag and keeps its name.
    static let flags: [String: String] = [
        "train": "--train", "dev": "--dev", "out": "--out", "resume": "--resume",
        "head": "--head", "head.kind": "--head", "head.hidden": "--hidden", "head.heads": "--heads",
        "head.keyDim": "--key-dim", "head.projection": "--projection", "head.normalize": "--normalize",
        "loss": "--loss", "scale": "--scale", "temperature": "--temperature", "symmetric": "--symmetric",
        "infonceThreshold": "--infonce-threshold", "epochs": "--epochs", "learningRate": "--lr",
        "batchSize": "--batch-size", "seed": "--seed", "warmup": "--warmup", "schedule": "--schedule",
        "weightDecay": "--weight-decay", "clipNorm": "--clip-norm", "patience": "--patience", "evalEvery": "--eval-every",
        "teacher": "--teacher", "distillMetric": "--distill-metric", "distillWeight": "--distill-weight",
    ]

    /// A ``TrainingError`` as the command line reports it: fields named by their flags.
    struct FlagNamedError: Error, CustomStringConvertible {
        let error: TrainingError
        var description: String { error.description(naming: { TrainCommand.flags[$0] ?? $0 }) }
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
        if train.isEmpty { throw ValidationError("Missing expected argument '--train <train>'.") }
        if loss == .distill && teacher.isEmpty {
            throw ValidationError("--loss distill needs --teacher FILE.h5:STRATEGY or --teacher EMB.h5 (one per --train).")
        }
        if !teacher.isEmpty && teacher.count != train.count {
            throw ValidationError(TrainingError.teacherCount(trains: train.count, teachers: teacher.count)
                .description(naming: { Self.flags[$0] ?? $0 }))
        }
        try only(distillMetric != nil, "--distill-metric", !teacher.isEmpty, "distillation (--teacher)")
        try only(distillWeight != nil, "--distill-weight", !teacher.isEmpty && loss != .distill,
                 "a pair loss combined with distillation (--teacher with --loss cosent, infonce or cosine-mse)")
        if let threads, threads < 1 { throw ValidationError("--threads \(threads) is invalid: expected at least 1.") }
        // Value ranges need the file's dim; run() checks them with it before anything is read or created.
    }

    func run() throws {
        do {
            try runTraining()
        } catch let error as TrainingError {
            throw FlagNamedError(error: error)
        }
    }

    private func runTraining() throws {
        // One BLAS thread, set once for the whole run: the trainer's workers (two shards per batch,
        // two halves of the dev set) supply the parallelism, each calling BLAS on its own thread.
        BLASSetup.setThreads(1)
        let directory = RunDirectory(URL(fileURLWithPath: out, isDirectory: true))
        // Errors (TrainingError, HiddenStatesError) name the file, flag and value; ArgumentParser prints them.
        // Cheap checks first: the files' structure and the run directory, before reading hidden states.
        let teacherPaths = teacher.map { TeacherEmbeddings.parse($0).path }
        try OutputPaths.checkRunDirectory(out, inputs: train.map { ("--train", $0) } + [("--dev", dev)]
                                              + teacherPaths.map { ("--teacher", $0) })
        try InputProbe.check(train + [dev] + teacherPaths)
        let devSummary = try Self.inputSummary(dev)
        let trainSummaries = try train.map(Self.inputSummary)
        let configuration = trainingConfiguration(dim: trainSummaries[0].dim)
        for summary in trainSummaries {
            try Trainer.checkInputs(train: summary, dev: devSummary, configuration: configuration)
        }
        try Trainer.preflight(configuration: configuration, directory: directory, resume: resume, train: train, dev: dev,
                              teacher: teacherPaths)

        // Teachers first: their checks against the training files are cheaper than reading the splits.
        let teachers = try zip(teacher, train).map { try TeacherEmbeddings.load($0, for: $1) }
        let trainSplit = TrainingSplit.concatenated(try train.map {
            try TrainingSplit.load(path: $0, requirePairs: configuration.loss.needsPairs)
        })
        let devSplit = try TrainingSplit.load(path: dev)
        let trainer = try Trainer(configuration: configuration, train: trainSplit, dev: devSplit, directory: directory,
                                  teacher: teachers.isEmpty ? nil : try TeacherEmbeddings.concatenated(teachers),
                                  toolVersion: PoolerVersion.string,
                                  workers: threads ?? ProcessInfo.processInfo.activeProcessorCount)
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

    /// A file's metadata, for ``Trainer/checkInputs(train:dev:configuration:)`` before any hidden states are read.
    static func inputSummary(_ path: String) throws -> Trainer.InputSummary {
        let file = try HiddenStatesFile(path: path)
        defer { file.close() }
        return Trainer.InputSummary(path: path, metadata: file.metadata)
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
