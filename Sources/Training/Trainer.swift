import Autodiff
import Foundation
import HiddenStates
import Parallelism
import Pooling

/// Trains a pooling head on pairs of sentences and keeps the state with the best dev Spearman.
///
/// Per step, for a batch of pairs (shuffled per epoch with a seeded generator):
/// ```
/// rows, segments = packed rows of the batch's distinct sentences      [T, dim], one segment each
/// E    = head.forward(rows, segments)                                 [sentences, dim]  (on a tape)
/// L    = loss(E, pairs)                                               CoSENT | InfoNCE | cosine-MSE
/// g    = ∂L/∂θ, clipped to global norm ≤ clip;  θ ← AdamW(θ, g, lr(step))
/// ```
/// Dev Spearman is measured before training, after every epoch and every `evalEvery` steps; each
/// evaluation writes a checkpoint (atomically) and a `log.jsonl` line. A stop request (SIGINT/SIGTERM)
/// is honoured between steps: the checkpoint is written and ``run(resume:stop:observer:)`` returns
/// `.interrupted`; resuming continues bit-identically. Same configuration and inputs ⇒ identical
/// weights, whatever `workers` is (with the same BLAS build and thread count; `pooler train` runs
/// BLAS single-threaded, since the workers supply the parallelism).
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let train: TrainingSplit
    public let dev: TrainingSplit
    public let directory: RunDirectory
    /// Version string written into summaries and head provenance.
    public let toolVersion: String

    /// The teacher's embedding of every training sentence, when distilling.
    public let teacher: TeacherEmbeddings?
    /// What the loss trains on: indices into `train.pairs` (InfoNCE: positives only), or, for
    /// `loss` distill, into the sentences (batches of sentences).
    public let trainPairs: [Int]
    private let objective: TrainingObjective
    /// Threads a step and a dev evaluation run on (two shards per batch, two halves of the dev set).
    public let workers: Int
    private let sharding: ShardedStep
    private let hashes: (train: String?, dev: String?, teacher: String?)

    /// Checks everything that can be checked before any work: values, dims, pairs, scores, positives.
    ///
    /// - Parameter workers: threads for the work of a step and of a dev evaluation; the result does
    ///   not depend on it. Calls BLAS from each worker, so set BLAS to one thread for training
    ///   (`BLASSetup.setThreads(1)` in the Runtime module, as `pooler train` does). Default: all cores.
    /// - Throws: ``TrainingError``: `invalidValue`, `batchTooSmall`, `dimensionMismatch`,
    ///   `splitDimensionMismatch`, `noPairs`, `missingScores`, `emptyPositiveSet`, `teacherMismatch`, `teacherUnusable`.
    /// - Parameter teacher: the teacher's embeddings of `train`'s sentences; required exactly when
    ///   `configuration.distillation` is set.
    /// - Parameter inputDigests: the digests ``preflight(configuration:directory:resume:train:dev:teacher:)``
    ///   returned for these same files (they are then not hashed again); `nil`: hashed here.
    public init(configuration: TrainingConfiguration, train: TrainingSplit, dev: TrainingSplit, directory: RunDirectory,
                teacher: TeacherEmbeddings? = nil, toolVersion: String = "unknown",
                memoryBudget: Int = Trainer.defaultMemoryBudget, workers: Int = ForkJoin.cores,
                inputDigests: Checkpoint.InputDigests? = nil) throws {
        try configuration.validate()
        try Self.checkInputs(train: InputSummary(train), dev: InputSummary(dev), configuration: configuration)
        try Self.checkTeacher(teacher, train: train, configuration: configuration)
        try Self.checkScorable(dev)
        let estimate = Self.estimatedMemory(configuration, train: train)
        guard estimate <= memoryBudget else {
            let fields = configuration.head.kind == .additive ? ["head.hidden", "batchSize"] : ["head.keyDim", "batchSize"]
            throw TrainingError.tooLarge(estimatedBytes: estimate, budgetBytes: memoryBudget, fields: fields)
        }
        var used = Array(train.pairs.indices)
        var scoreRange: ClosedRange<Float> = 0...5
        if let scores = train.scores {
            let low = scores.min() ?? 0
            let high = scores.max() ?? 0
            if high > low { scoreRange = min(low, 0)...high }
            if configuration.loss == .infonce {
                used = used.filter { scores[$0] >= configuration.infonceThreshold }
                guard !used.isEmpty else {
                    throw TrainingError.emptyPositiveSet(path: train.path, threshold: configuration.infonceThreshold, highestScore: high)
                }
            }
        }
        if configuration.loss == .distill { used = Array(0..<train.sentenceCount) }
        if configuration.loss == .infonce, used.count < 2 {
            throw TrainingError.emptyPositiveSet(path: train.path, threshold: configuration.infonceThreshold,
                                                 highestScore: train.scores?.max() ?? .nan)
        }
        self.configuration = configuration
        self.train = train
        self.dev = dev
        self.directory = directory
        self.toolVersion = toolVersion
        self.workers = max(1, workers)
        sharding = ShardedStep(workers: self.workers)
        trainPairs = used
        self.teacher = teacher
        objective = TrainingObjective(configuration, scoreRange: scoreRange, teacher: teacher?.embeddings)
        if let known = inputDigests {  // hashed by `preflight` a moment ago
            hashes = (known.train.isEmpty ? nil : known.train, known.dev.isEmpty ? nil : known.dev, known.teacher)
        } else {
            hashes = (Self.digest(ofFiles: train.paths), ContentDigest.sha256Hex(ofFileAt: dev.path),
                      teacher.flatMap { Self.digest(ofFiles: $0.paths) })
        }
    }

    /// SHA-256 of one file, or of the newline-joined digests of several (in order); `nil` when one is unreadable.
    public static func digest(ofFiles paths: [String]) -> String? {
        if paths.count == 1 { return ContentDigest.sha256Hex(ofFileAt: paths[0]) }
        var digests: [String] = []
        for path in paths {
            guard let digest = ContentDigest.sha256Hex(ofFileAt: path) else { return nil }
            digests.append(digest)
        }
        return ContentDigest.sha256Hex(of: Data(digests.joined(separator: "\n").utf8))
    }

    /// A teacher is given exactly when distilling, with one row of the head's width per training sentence.
    static func checkTeacher(_ teacher: TeacherEmbeddings?, train: TrainingSplit, configuration: TrainingConfiguration) throws {
        guard configuration.distillation != nil else {
            if let teacher {
                throw TrainingError.teacherUnusable(path: teacher.path, detail: "a teacher was given but the configuration has no distillation",
                                                    hint: "use --loss distill, or --distill-weight with a pair loss.")
            }
            return
        }
        guard let teacher else {
            throw TrainingError.invalidValue(field: "teacher", value: "none", expected: "a teacher's embeddings for distillation")
        }
        let shape = teacher.embeddings.shape
        guard shape[0] == train.sentenceCount else {
            throw TrainingError.teacherMismatch(teacher: teacher.path, train: train.path, what: "the sentence counts", index: nil,
                                                expected: "\(train.sentenceCount) sentences", actual: "\(shape[0])")
        }
        guard shape[1] == configuration.head.dim else {
            throw TrainingError.teacherUnusable(
                path: teacher.path, detail: "its embeddings have width \(shape[1]) but the head's have \(configuration.head.dim)",
                hint: "use a teacher of the same width (e.g. another layer of the same model, pooled with one strategy).")
        }
    }

    /// Three quarters of physical memory: what a run may plan to use.
    public static var defaultMemoryBudget: Int { Int(min(ProcessInfo.processInfo.physicalMemory / 4 * 3, UInt64(Int.max))) }

    /// A generous estimate of the bytes a run allocates beyond the splits:
    /// ```
    /// parameters · 4 B · 8      weights, best, AdamW m and v, gradients, shard copies, export
    /// T_batch · width · 4 B · 8 activations and their gradients, T_batch = tokens of the 2·batch longest sentences
    /// ```
    /// (`width` = the widest per-token layer: the additive head's `hidden`, or `dim`); saturates at `Int.max`.
    static func estimatedMemory(_ configuration: TrainingConfiguration, train: TrainingSplit) -> Int {
        let head = configuration.head
        let parameters = head.parameterCount ?? Int.max
        let lengths = zip(train.offsets.dropFirst(), train.offsets).map { $0 - $1 }.sorted(by: >)
        let batchTokens = lengths.prefix(min(lengths.count, 2 * configuration.batchSize)).reduce(0, +)
        let width = max(head.kind == .additive ? head.hidden : head.keyDim, head.dim)
        func product(_ factors: [Int]) -> Int {
            factors.reduce(1) { total, factor in
                let (value, overflow) = total.multipliedReportingOverflow(by: max(factor, 0))
                return overflow ? Int.max : value
            }
        }
        let (sum, overflow) = product([parameters, 4, 8]).addingReportingOverflow(product([batchTokens, width, 4, 8]))
        return overflow ? Int.max : sum
    }

    /// Dev Spearman must be defined: at least 3 pairs, finite scores that are not all equal.
    static func checkScorable(_ dev: TrainingSplit) throws {
        guard let scores = dev.scores else { return }
        guard dev.pairs.count >= 3 else {
            throw TrainingError.devUnscorable(path: dev.path, reason: "it has \(dev.pairs.count) pair(s); a Spearman correlation needs at least 3")
        }
        if let bad = scores.firstIndex(where: { !$0.isFinite }) {
            throw TrainingError.devUnscorable(path: dev.path, reason: "/scores[\(bad)] is \(scores[bad])")
        }
        if let first = scores.first, scores.allSatisfy({ $0 == first }) {
            throw TrainingError.devUnscorable(path: dev.path, reason: "every gold score is \(first), so no ranking can be compared with them")
        }
    }

    /// Batches per epoch (the last one may be smaller).
    public var batchesPerEpoch: Int { (trainPairs.count + configuration.batchSize - 1) / configuration.batchSize }
    public var totalSteps: Int { batchesPerEpoch * configuration.epochs }

    /// The schedule of this run.
    public var schedule: LearningRateSchedule {
        LearningRateSchedule(kind: configuration.schedule, peak: configuration.learningRate,
                             warmupSteps: configuration.warmup.steps(outOf: totalSteps), totalSteps: totalSteps)
    }

    /// The configuration as it goes into checkpoints and the exported head (provenance filled in).
    private var recordedConfiguration: TrainingConfiguration {
        var recorded = configuration
        recorded.head.provenance = HeadProvenance(model: train.model ?? "unknown", layer: train.layer ?? "unknown",
                                                  trainingDataHash: hashes.train ?? "", poolerVersion: toolVersion,
                                                  template: train.template ?? HeadProvenance.unknown)
        return recorded
    }

    /// Trains from scratch, or from the run directory's checkpoint when `resume`.
    ///
    /// - Parameters:
    ///   - stop: checked between steps; when set, a checkpoint is written and the run returns `.interrupted`.
    ///   - observer: receives progress (called on the calling thread).
    /// - Throws: ``TrainingError`` (`runDirectoryInUse`, `checkpointMissing`, `checkpointCorrupt`,
    ///   `resumeMismatch`, `nonFiniteLoss`, `nonFiniteGradient`, `writeFailed`).
    public func run(resume: Bool = false, stop: StopSignal = StopSignal(),
                    observer: (TrainingEvent) -> Void = { _ in }) throws -> TrainingOutcome {
        var session = try resume ? resumedSession() : freshSession(observer: observer)
        observer(.started(pairs: trainPairs.count, batchesPerEpoch: batchesPerEpoch, totalSteps: totalSteps,
                          resumedAtStep: resume ? session.progress.step : nil,
                          unit: configuration.loss == .distill ? "sentences" : "pairs"))
        session.optimizer.withoutDecay = session.head.parametersWithoutDecay
        var clock = RunClock(elapsedBefore: session.progress.elapsedSeconds)
        epochs: while !session.progress.finished && session.progress.epochsCompleted < configuration.epochs {
            switch try runEpoch(&session, &clock, stop: stop, observer: observer) {
            case .completed: continue
            case .stoppedEarly: break epochs
            case .interrupted: return outcome(session, .interrupted)
            }
        }
        session.progress.finished = true
        session.progress.elapsedSeconds = clock.elapsed()
        return try finish(session, observer)
    }

    // MARK: Epochs

    /// Wall-clock bookkeeping of one ``run(resume:stop:observer:)`` call.
    private struct RunClock {
        /// Seconds of training before this call (earlier sessions of a resumed run).
        let elapsedBefore: Double
        let start = Trainer.now()
        /// Time spent in steps and the pairs they trained on, for the pairs/s figure.
        var stepSeconds = 0.0
        var stepPairs = 0

        func elapsed() -> Double { elapsedBefore + Trainer.now() - start }
        var pairsPerSecond: Double { Double(stepPairs) / max(stepSeconds, 1e-9) }
    }

    /// How an epoch ended: all its batches done (and evaluated), early stopping at a mid-epoch
    /// evaluation, or a stop request (checkpoint written).
    private enum EpochEnd { case completed, stoppedEarly, interrupted }

    /// Trains the remaining batches of the current epoch, then evaluates and checkpoints it.
    private func runEpoch(_ session: inout Session, _ clock: inout RunClock, stop: StopSignal,
                          observer: (TrainingEvent) -> Void) throws -> EpochEnd {
        var generator = session.progress.epochStartGenerator
        let order = trainPairs.shuffled(using: &generator)
        let epoch = session.progress.epochsCompleted + 1
        while session.progress.batchesInEpoch < batchesPerEpoch {
            if stop.isRequested {
                session.progress.elapsedSeconds = clock.elapsed()
                try save(session, observer)
                return .interrupted
            }
            let learningRate = try trainBatch(&session, order: order, epoch: epoch, clock: &clock, observer: observer)
            let endOfEpoch = session.progress.batchesInEpoch == batchesPerEpoch
            if let every = configuration.evalEvery, session.progress.step % every == 0, !endOfEpoch {
                evaluate(&session, kind: .steps, epoch: epoch, learningRate: learningRate,
                         pairsPerSecond: clock.pairsPerSecond, elapsed: clock.elapsed(), observer: observer)
                session.progress.elapsedSeconds = clock.elapsed()
                try save(session, observer, log: true)
                if session.progress.finished { return .stoppedEarly }
            }
        }
        session.progress.epochsCompleted += 1
        session.progress.batchesInEpoch = 0
        session.progress.epochStartGenerator = generator
        evaluate(&session, kind: .epoch, epoch: epoch,
                 learningRate: schedule.learningRate(atStep: max(0, session.progress.step - 1)),
                 pairsPerSecond: clock.pairsPerSecond, elapsed: clock.elapsed(), observer: observer)
        if session.progress.epochsCompleted == configuration.epochs { session.progress.finished = true }
        session.progress.elapsedSeconds = clock.elapsed()
        try save(session, observer, log: true)
        return .completed
    }

    /// Trains the next batch of `order`, advances the cursor and reports the step; returns its learning rate.
    private func trainBatch(_ session: inout Session, order: [Int], epoch: Int, clock: inout RunClock,
                            observer: (TrainingEvent) -> Void) throws -> Float {
        let lower = session.progress.batchesInEpoch * configuration.batchSize
        let slice = order[lower..<min(order.count, lower + configuration.batchSize)]
        let batch = configuration.loss == .distill ? PairBatch(sentences: slice) : PairBatch(slice, of: train)
        let learningRate = schedule.learningRate(atStep: session.progress.step)
        let start = Self.now()
        let (loss, parts) = try step(&session, batch, learningRate: learningRate, epoch: epoch)
        clock.stepSeconds += Self.now() - start
        clock.stepPairs += batch.itemCount
        session.progress.batchesInEpoch += 1
        session.progress.step += 1
        session.progress.lossSinceRecord += Double(loss)
        session.progress.stepsSinceRecord += 1
        if !parts.isEmpty {
            let sums = session.progress.partLossesSinceRecord ?? [Double](repeating: 0, count: parts.count)
            session.progress.partLossesSinceRecord = zip(sums, parts).map { $0 + Double($1) }
        }
        observer(.stepped(StepReport(
            epoch: epoch, epochs: configuration.epochs, batchInEpoch: session.progress.batchesInEpoch,
            batchesPerEpoch: batchesPerEpoch, step: session.progress.step, totalSteps: totalSteps, loss: loss,
            learningRate: learningRate, pairsPerSecond: clock.pairsPerSecond,
            remainingSeconds: Double(totalSteps - session.progress.step) * clock.stepSeconds / Double(max(1, clock.stepPairs))
                * Double(configuration.batchSize),
            partNames: objective.partNames, partLosses: parts)))
        return learningRate
    }

    // MARK: Sessions

    /// Mutable state of a run: the head, the optimiser, the progress, the best weights, the last log line.
    private struct Session {
        var head: any PoolingHead
        var optimizer: AdamW
        var progress: TrainingProgress
        var bestParameters: [String: Tensor]
        var pendingRecord: EvaluationRecord?
    }

    private func freshSession(observer: (TrainingEvent) -> Void) throws -> Session {
        if FileManager.default.fileExists(atPath: directory.checkpoint.path) {
            throw TrainingError.runDirectoryInUse(path: directory.url.path)
        }
        try directory.create()
        directory.resetLog()
        let head = makeHead(recordedConfiguration.head, seed: configuration.seed)
        let initial = DevEvaluation.spearman(of: head, on: dev, workers: workers)
        // The shuffling stream is seeded apart from the head's initialisation stream.
        var progress = TrainingProgress(generator: Xoshiro256StarStar(seed: configuration.seed ^ 0x5348_5546_464C_4521),
                                        initialDevSpearman: initial)
        progress.best = TrainingProgress.Best(devSpearman: initial, epoch: 0, step: 0)
        let record = EvaluationRecord(kind: .initial, epoch: 0, step: 0, trainLoss: nil, learningRate: nil,
                                      devSpearman: initial, bestDevSpearman: initial, isBest: true,
                                      pairsPerSecond: nil, elapsedSeconds: 0)
        observer(.evaluated(record))
        let session = Session(head: head, optimizer: AdamW(hyperparameters: .init(weightDecay: configuration.weightDecay)),
                              progress: progress, bestParameters: head.parameters, pendingRecord: record)
        try save(session, observer, log: true)
        return session
    }

    private func resumedSession() throws -> Session {
        let checkpoint = try Checkpoint.read(from: directory.checkpoint)
        try Self.checkResumable(checkpoint, configuration: configuration, directory: directory,
                                inputs: Checkpoint.InputDigests(train: hashes.train ?? "", dev: hashes.dev ?? "", teacher: hashes.teacher))
        let progress = checkpoint.progress
        let expectedStep = progress.epochsCompleted * batchesPerEpoch + progress.batchesInEpoch
        guard progress.batchesInEpoch < max(batchesPerEpoch, 1), progress.step == expectedStep else {
            throw TrainingError.checkpointCorrupt(
                path: directory.checkpoint.path,
                detail: "its cursor (epoch \(progress.epochsCompleted), batch \(progress.batchesInEpoch), step \(progress.step)) "
                    + "does not fit \(batchesPerEpoch) batches per epoch of \(train.path)")
        }
        let head: any PoolingHead
        do {
            head = try makeHead(checkpoint.configuration.head, parameters: checkpoint.parameters, path: directory.checkpoint.path)
        } catch {
            throw TrainingError.checkpointCorrupt(path: directory.checkpoint.path, detail: "\(error)")
        }
        return Session(head: head,
                       optimizer: AdamW(hyperparameters: .init(weightDecay: configuration.weightDecay), state: checkpoint.optimizer),
                       progress: checkpoint.progress, bestParameters: checkpoint.bestParameters, pendingRecord: nil)
    }

    // MARK: Steps

    /// One optimiser step on `batch`; returns its loss and the values of its terms (``TrainingObjective/partNames``).
    private func step(_ session: inout Session, _ batch: PairBatch, learningRate: Float, epoch: Int) throws -> (Float, [Float]) {
        let (value, parts, computed) = sharding.lossAndGradients(head: session.head, split: train, batch: batch, objective: objective)
        guard var gradients = computed else {
            throw TrainingError.nonFiniteLoss(epoch: epoch, step: session.progress.step + 1, value: value,
                                              checkpoint: directory.checkpoint.path)
        }
        let norm = configuration.clipNorm > 0
            ? GradientClipping.clip(&gradients, maxNorm: Double(configuration.clipNorm))
            : GradientClipping.globalNorm(gradients)
        guard norm.isFinite else {
            throw TrainingError.nonFiniteGradient(epoch: epoch, step: session.progress.step + 1, norm: norm,
                                                  checkpoint: directory.checkpoint.path)
        }
        session.optimizer.step(&session.head.parameters, gradients: gradients, learningRate: learningRate)
        return (value, parts)
    }

    /// Measures dev Spearman, updates the best state and early stopping, and queues the log line.
    private func evaluate(_ session: inout Session, kind: EvaluationRecord.Kind, epoch: Int, learningRate: Float,
                          pairsPerSecond: Double, elapsed: Double, observer: (TrainingEvent) -> Void) {
        let score = DevEvaluation.spearman(of: session.head, on: dev, workers: workers)
        var progress = session.progress
        let isBest = score > (progress.best?.devSpearman ?? -.infinity)
        if isBest {
            progress.best = TrainingProgress.Best(devSpearman: score, epoch: epoch, step: progress.step)
            progress.evaluationsWithoutImprovement = 0
            session.bestParameters = session.head.parameters
        } else {
            progress.evaluationsWithoutImprovement += 1
            if configuration.patience > 0, progress.evaluationsWithoutImprovement >= configuration.patience {
                progress.finished = true
                progress.stoppedEarly = true
            }
        }
        let meanLoss = progress.stepsSinceRecord > 0 ? progress.lossSinceRecord / Double(progress.stepsSinceRecord) : nil
        let meanParts = progress.partLossesSinceRecord.flatMap { sums -> [String: Double]? in
            guard progress.stepsSinceRecord > 0 else { return nil }
            return Dictionary(uniqueKeysWithValues: zip(objective.partNames, sums.map { $0 / Double(progress.stepsSinceRecord) }))
        }
        progress.lossSinceRecord = 0
        progress.stepsSinceRecord = 0
        progress.partLossesSinceRecord = nil
        session.progress = progress
        let record = EvaluationRecord(kind: kind, epoch: epoch, step: progress.step, trainLoss: meanLoss,
                                      learningRate: Double(learningRate), devSpearman: score,
                                      bestDevSpearman: progress.best?.devSpearman ?? score, isBest: isBest,
                                      pairsPerSecond: pairsPerSecond, elapsedSeconds: elapsed, trainLossParts: meanParts)
        session.pendingRecord = record
        observer(.evaluated(record))
    }

    /// Writes the checkpoint, then (when `log`) the pending log line: a log line never refers to
    /// a state the checkpoint does not hold.
    private func save(_ session: Session, _ observer: (TrainingEvent) -> Void, log: Bool = false) throws {
        let checkpoint = Checkpoint(configuration: recordedConfiguration, progress: session.progress,
                                    parameters: session.head.parameters, bestParameters: session.bestParameters,
                                    optimizer: session.optimizer.state,
                                    inputs: Checkpoint.InputDigests(train: hashes.train ?? "", dev: hashes.dev ?? "", teacher: hashes.teacher))
        try checkpoint.write(to: directory.checkpoint)
        observer(.checkpointed(path: directory.checkpoint.path))
        if log, let record = session.pendingRecord { try directory.appendLog(record) }
    }

    /// Exports the best head and writes `summary.json`.
    private func finish(_ session: Session, _ observer: (TrainingEvent) -> Void) throws -> TrainingOutcome {
        try save(session, observer)
        var best = session.head
        best.parameters = session.bestParameters
        do {
            try HeadExport.write(best, to: directory.head)
        } catch {
            throw TrainingError.writeFailed(path: directory.head.path, detail: "\(error)")
        }
        // Patience running out at the last evaluation of the last epoch is a completed run.
        let reason: TrainingOutcome.Reason =
            session.progress.stoppedEarly && session.progress.epochsCompleted < configuration.epochs ? .earlyStopped : .completed
        try directory.writeSummary(summary(session, reason))
        var result = outcome(session, reason)
        result.headFolder = directory.head.path
        return result
    }

    private func outcome(_ session: Session, _ reason: TrainingOutcome.Reason) -> TrainingOutcome {
        TrainingOutcome(reason: reason, initialDevSpearman: session.progress.initialDevSpearman, best: session.progress.best,
                        steps: session.progress.step, epochsCompleted: session.progress.epochsCompleted,
                        checkpoint: directory.checkpoint.path, headFolder: nil,
                        finalParameters: session.head.parameters, bestParameters: session.bestParameters)
    }

    private func summary(_ session: Session, _ reason: TrainingOutcome.Reason) -> RunSummary {
        func input(_ split: TrainingSplit, _ hash: String?) -> RunSummary.Input {
            RunSummary.Input(path: split.path, sha256: hash, sentences: split.sentenceCount, pairs: split.pairs.count,
                             tokens: split.tokens.shape[0], dim: split.dim)
        }
        let progress = session.progress
        return RunSummary(
            configuration: recordedConfiguration, train: input(train, hashes.train), dev: input(dev, hashes.dev),
            seed: configuration.seed,
            versions: RunSummary.Versions(pooler: toolVersion, headFormat: HeadConfiguration.currentFormatVersion,
                                          checkpointFormat: Checkpoint.formatVersion, blasCore: BLASRuntime.coreName,
                                          blasThreads: BLASRuntime.threads),
            trainPairsUsed: trainPairs.count, initialDevSpearman: progress.initialDevSpearman,
            bestDevSpearman: progress.best?.devSpearman, bestEpoch: progress.best?.epoch, bestStep: progress.best?.step,
            stoppedBy: reason, epochsCompleted: progress.epochsCompleted, steps: progress.step,
            elapsedSeconds: progress.elapsedSeconds, head: "head",
            teacher: teacher.map { RunSummary.Teacher(paths: $0.paths, pooling: $0.pooling, sha256: hashes.teacher,
                                                      dim: $0.embeddings.shape[1]) })
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}

extension Trainer {
    /// What the input checks need of one file: read from its metadata before any hidden states
    /// are loaded, or from a loaded split.
    public struct InputSummary: Sendable, Equatable {
        public var path: String
        public var pairs: Int
        public var hasScores: Bool
        public var dim: Int
        /// The file's `template` attribute (the prompt its sentences were wrapped in), nil when absent.
        public var template: String?
        /// The file's `layer` attribute (`"last"`, `"3"`), nil when absent.
        public var layer: String?

        public init(path: String, pairs: Int, hasScores: Bool, dim: Int, template: String? = nil, layer: String? = nil) {
            self.path = path
            self.pairs = pairs
            self.hasScores = hasScores
            self.dim = dim
            self.template = template
            self.layer = layer
        }

        /// From a file's metadata (no hidden states read).
        public init(path: String, metadata: HiddenStatesMetadata) {
            self.init(path: path, pairs: metadata.pairs ?? 0, hasScores: metadata.hasScores, dim: metadata.dim,
                      template: metadata.template, layer: metadata.attributes["layer"]?.stringValue)
        }

        /// Opens the file at `path` for its metadata only (no hidden states read).
        /// - Throws: ``HiddenStates/HiddenStatesError`` when the file cannot be opened.
        public init(path: String) throws {
            let file = try HiddenStatesFile(path: path)
            defer { file.close() }
            self.init(path: path, metadata: file.metadata)
        }

        init(_ split: TrainingSplit) {
            self.init(path: split.path, pairs: split.pairs.count, hasScores: split.scores != nil, dim: split.dim,
                      template: split.template, layer: split.layer)
        }
    }

    /// The one check of the inputs against each other and the configuration: both files have
    /// pairs, the loss and the dev evaluation have their scores, the widths agree. Front ends call
    /// it before loading the data (from metadata); ``init(configuration:train:dev:directory:toolVersion:memoryBudget:workers:)``
    /// calls it again on the splits.
    ///
    /// - Throws: ``TrainingError``: `noPairs`, `missingScores`, `splitDimensionMismatch`, `dimensionMismatch`.
    public static func checkInputs(train: InputSummary, dev: InputSummary, configuration: TrainingConfiguration) throws {
        guard train.pairs > 0 || !configuration.loss.needsPairs else { throw TrainingError.noPairs(path: train.path) }
        guard dev.pairs > 0 else { throw TrainingError.noPairs(path: dev.path) }
        if configuration.loss.needsScores && !train.hasScores {
            throw TrainingError.missingScores(path: train.path, loss: configuration.loss.rawValue)
        }
        guard dev.hasScores else { throw TrainingError.missingScores(path: dev.path, loss: "dev evaluation (Spearman)") }
        guard train.dim == dev.dim else {
            throw TrainingError.splitDimensionMismatch(train: train.path, trainDim: train.dim, dev: dev.path, devDim: dev.dim)
        }
        guard configuration.head.dim == train.dim else {
            throw TrainingError.dimensionMismatch(path: train.path, fileDim: train.dim, headDim: configuration.head.dim)
        }
        if let trainLayer = train.layer, let devLayer = dev.layer, HeadProvenance.conflict(trainLayer, devLayer) {
            throw TrainingError.splitLayerMismatch(train: train.path, trainLayer: trainLayer, dev: dev.path, devLayer: devLayer)
        }
        if let trainTemplate = train.template, let devTemplate = dev.template, HeadProvenance.conflict(trainTemplate, devTemplate) {
            throw TrainingError.splitTemplateMismatch(train: train.path, trainTemplate: trainTemplate,
                                                      dev: dev.path, devTemplate: devTemplate)
        }
    }

    /// The checks on the run directory that need no data: call before loading the splits so a
    /// wrong resume fails at once.
    ///
    /// - Returns: on resume with `train` and `dev` given, the inputs' digests it compared with the
    ///   checkpoint's — pass them to ``init(configuration:train:dev:directory:teacher:toolVersion:memoryBudget:workers:inputDigests:)``
    ///   so the files are not hashed twice; else `nil`.
    /// - Throws: ``TrainingError/runDirectoryInUse(path:)`` (a checkpoint exists and `resume` is
    ///   false), ``TrainingError/checkpointMissing(path:)``, ``TrainingError/checkpointCorrupt(path:detail:)``,
    ///   ``TrainingError/resumeMismatch(checkpoint:field:checkpointValue:requestedValue:)``.
    @discardableResult
    public static func preflight(configuration: TrainingConfiguration, directory: RunDirectory, resume: Bool,
                                 train: [String]? = nil, dev: String? = nil, teacher: [String] = []) throws -> Checkpoint.InputDigests? {
        try configuration.validate()
        let exists = FileManager.default.fileExists(atPath: directory.checkpoint.path)
        guard resume else {
            if exists { throw TrainingError.runDirectoryInUse(path: directory.url.path) }
            return nil
        }
        let checkpoint = try Checkpoint.read(from: directory.checkpoint)
        let inputs = train.flatMap { train in
            dev.map { Checkpoint.InputDigests(train: digest(ofFiles: train) ?? "", dev: ContentDigest.sha256Hex(ofFileAt: $0) ?? "",
                                              teacher: teacher.isEmpty ? nil : digest(ofFiles: teacher)) }
        }
        try checkResumable(checkpoint, configuration: configuration, directory: directory, inputs: inputs)
        return inputs
    }

    /// The one check that `checkpoint` may be continued with `configuration` on files whose digests
    /// are `inputs` (`nil`: not compared).
    static func checkResumable(_ checkpoint: Checkpoint, configuration: TrainingConfiguration, directory: RunDirectory,
                               inputs: Checkpoint.InputDigests?) throws {
        if let (field, checkpointValue, requestedValue) = checkpoint.configuration.firstDifference(from: configuration) {
            throw TrainingError.resumeMismatch(checkpoint: directory.checkpoint.path, field: field,
                                               checkpointValue: checkpointValue, requestedValue: requestedValue)
        }
        guard let inputs, let recorded = checkpoint.inputs else { return }
        let roles = [("train", recorded.train, inputs.train), ("dev", recorded.dev, inputs.dev),
                     ("teacher", recorded.teacher ?? "none", inputs.teacher ?? "none")]
        for (role, theirs, mine) in roles where theirs != mine {
            throw TrainingError.resumeMismatch(checkpoint: directory.checkpoint.path, field: role,
                                               checkpointValue: "the file with SHA-256 " + String(theirs.prefix(12)) + "…",
                                               requestedValue: "the file with SHA-256 " + String(mine.prefix(12)) + "…")
        }
    }
}
