import ArgumentParser
import Autodiff
import Foundation
import HiddenStates
import Pooling
import Runtime
import Training

extension DistillMetric: ExpressibleByArgument {}

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

    @OptionGroup(title: "Head and training") var training: HeadTrainingOptions

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

    @Option(parsing: .unconditional, help: "Worker threads for steps and dev evaluations (default: all cores; the result does not depend on it).")
    var threads: Int?
    @Flag(help: "Continue the run in --out from its checkpoint (same flags).")
    var resume = false
    @Flag(help: "No progress output; evaluations and the result only.")
    var quiet = false

    /// The training configuration these flags describe, for a file of width `dim`: the head and
    /// training flags (``HeadTrainingOptions/trainingConfiguration(dim:)``) and the distillation ones.
    func trainingConfiguration(dim: Int) -> TrainingConfiguration {
        var configuration = training.trainingConfiguration(dim: dim)
        if !teacher.isEmpty {
            let poolings = teacher.map { TeacherEmbeddings.parse($0).pooling ?? "embeddings" }
            configuration.distillation = Distillation(metric: distillMetric ?? .cosine, weight: distillWeight ?? 1,
                                                      teacherPooling: poolings.allSatisfy { $0 == "embeddings" } ? nil : poolings.joined(separator: ","))
        }
        return configuration
    }

    /// The flag of each configuration field and input role that ``TrainingError`` names (see
    /// ``TrainingError/description(naming:)``): the shared head and training flags
    /// (``HeadTrainingOptions/flags``) and this command's inputs and distillation flags.
    static let flags: [String: String] = HeadTrainingOptions.flags.merging([
        "train": "--train", "dev": "--dev", "out": "--out", "resume": "--resume",
        "teacher": "--teacher", "distillMetric": "--distill-metric", "distillWeight": "--distill-weight",
    ]) { shared, _ in shared }

    /// A ``TrainingError`` as the command line reports it: fields named by `flags` (a command's table).
    struct FlagNamedError: Error, CustomStringConvertible {
        let error: TrainingError
        var flags = TrainCommand.flags
        var description: String { error.description(naming: { flags[$0] ?? $0 }) }
    }

    func validate() throws {
        func only(_ given: Bool, _ flag: String, _ condition: Bool, _ what: String) throws {
            if given && !condition { throw ValidationError("\(flag) applies only to \(what).") }
        }
        if train.isEmpty { throw ValidationError("Missing expected argument '--train <train>'.") }
        if training.loss == .distill && teacher.isEmpty {
            throw ValidationError("--loss distill needs --teacher FILE.h5:STRATEGY or --teacher EMB.h5 (one per --train).")
        }
        if !teacher.isEmpty && teacher.count != train.count {
            throw ValidationError(TrainingError.teacherCount(trains: train.count, teachers: teacher.count)
                .description(naming: { Self.flags[$0] ?? $0 }))
        }
        try only(distillMetric != nil, "--distill-metric", !teacher.isEmpty, "distillation (--teacher)")
        try only(distillWeight != nil, "--distill-weight", !teacher.isEmpty && training.loss != .distill,
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
        let devSummary = try Trainer.InputSummary(path: dev)
        let trainSummaries = try train.map { try Trainer.InputSummary(path: $0) }
        let configuration = trainingConfiguration(dim: trainSummaries[0].dim)
        for summary in trainSummaries {
            try Trainer.checkInputs(train: summary, dev: devSummary, configuration: configuration)
        }
        let digests = try Trainer.preflight(configuration: configuration, directory: directory, resume: resume,
                                            train: train, dev: dev, teacher: teacherPaths)

        // Teachers first: their checks against the training files are cheaper than reading the splits.
        let teachers = try zip(teacher, train).map { try TeacherEmbeddings.load($0, for: $1) }
        let trainSplit = TrainingSplit.concatenated(try train.map {
            try TrainingSplit.load(path: $0, requirePairs: configuration.loss.needsPairs)
        })
        let devSplit = try TrainingSplit.load(path: dev)
        let trainer = try Trainer(configuration: configuration, train: trainSplit, dev: devSplit, directory: directory,
                                  teacher: teachers.isEmpty ? nil : try TeacherEmbeddings.concatenated(teachers),
                                  toolVersion: PoolerVersion.string,
                                  workers: threads ?? ProcessInfo.processInfo.activeProcessorCount, inputDigests: digests)
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
            print("interrupted\(Self.signalName(stop)) after step \(outcome.steps): checkpoint saved to \(outcome.checkpoint)")
            print("resume with: \(Self.resumeCommand())")
            throw Self.interruptedExit(stop)
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

    /// ` by SIGTERM` / ` by SIGINT` for the signal that stopped a run ("" when none is known).
    static func signalName(_ stop: StopSignal) -> String {
        let signal = stop.requestingSignal ?? 0
        return signal == SIGTERM ? " by SIGTERM" : signal == SIGINT ? " by SIGINT" : ""
    }

    /// The exit status of a run stopped by a signal: 128 + the signal, as a shell reports it (1 when none is known).
    static func interruptedExit(_ stop: StopSignal) -> ExitCode {
        let signal = stop.requestingSignal ?? 0
        return ExitCode(signal > 0 ? 128 + signal : 1)
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
