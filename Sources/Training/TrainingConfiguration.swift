import Pooling

/// Which loss trains the head.
public enum LossKind: String, Codable, CaseIterable, Sendable {
    /// ``CoSENTLoss`` on graded gold scores (the default).
    case cosent
    /// ``InfoNCELoss`` with in-batch negatives on the positive pairs.
    case infonce
    /// ``CosineMSELoss``, for comparison.
    case cosineMSE = "cosine-mse"
    /// ``DistillationLoss`` towards a teacher's embeddings only; trains on sentences, pairs optional.
    case distill

    /// Whether the loss reads gold scores (InfoNCE only needs them to pick positives).
    public var needsScores: Bool { self == .cosent || self == .cosineMSE }
    /// Whether the loss trains on pairs (distill trains on sentences).
    public var needsPairs: Bool { self != .distill }
}

/// Distillation towards a teacher's embeddings: alone (`loss` ``LossKind/distill``) or added to
/// a pair loss:
/// ```
/// L = L_pair + weight · scale · L_distill
/// ```
/// where `scale` is the pair loss's own logit scale (CoSENT's `scale`, InfoNCE's 1/temperature,
/// 1 for cosine-MSE), so that `weight` 1 puts a cosine distance on the same footing as the
/// scaled cosine differences inside CoSENT (the PyTorch reference multiplied the distillation
/// loss by 20 = CoSENT's default scale; `weight` 1 here reproduces it). Alone, `L = L_distill`.
public struct Distillation: Codable, Equatable, Sendable {
    public var metric: DistillMetric
    /// Weight of the distillation term in a combined loss (ignored by `loss` distill). Default 1.
    public var weight: Float
    /// The teacher's fixed pooling of a hidden-states file (`mean`), or `nil` for an embeddings file.
    public var teacherPooling: String?

    public init(metric: DistillMetric = .cosine, weight: Float = 1, teacherPooling: String? = nil) {
        self.metric = metric
        self.weight = weight
        self.teacherPooling = teacherPooling
    }
}

/// Everything that determines a training run's result. Two runs with equal configurations and equal
/// inputs produce identical weights, whatever the trainer's worker count; resuming refuses a different one.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    /// The head to train (`dim` must equal the hidden states' width).
    public var head: HeadConfiguration
    public var loss: LossKind
    /// CoSENT's scale (inverse temperature). Default 20.
    public var scale: Float
    /// InfoNCE's temperature (scale = 1/temperature). Default 0.05.
    public var temperature: Float
    /// InfoNCE: also the loss with positives as queries against anchors. Default false.
    public var symmetric: Bool
    /// InfoNCE: a pair is a positive when its gold score ≥ this. Default 4.0 (of 0–5); files without
    /// scores use every pair.
    public var infonceThreshold: Float
    /// Passes over the training pairs. Default 8.
    public var epochs: Int
    /// Peak learning rate. Default 3e-4 (the reference configuration: demo, showcase, issue quality checks).
    public var learningRate: Float
    /// Pairs per optimiser step. Default 64.
    public var batchSize: Int
    /// Seeds the head's initialisation and the per-epoch shuffles.
    public var seed: UInt64
    public var warmup: Warmup
    public var schedule: ScheduleKind
    /// AdamW's decoupled weight decay λ (none on the head's `parametersWithoutDecay`). Default 0.01.
    public var weightDecay: Float
    /// Largest global gradient norm; 0 turns clipping off. Default 1.0.
    public var clipNorm: Float
    /// Stop after this many evaluations without a better dev Spearman; 0 never stops early. Default 3.
    public var patience: Int
    /// Evaluate on dev every this many steps as well as after each epoch; `nil`: after each epoch only.
    public var evalEvery: Int?
    /// Distillation towards a teacher, alone or added to the pair loss; `nil`: none.
    public var distillation: Distillation?

    public init(head: HeadConfiguration, loss: LossKind = .cosent, scale: Float = 20, temperature: Float = 0.05,
                symmetric: Bool = false, infonceThreshold: Float = 4, epochs: Int = 8, learningRate: Float = 3e-4,
                batchSize: Int = 64, seed: UInt64 = 42, warmup: Warmup = .fraction(0.1), schedule: ScheduleKind = .cosine,
                weightDecay: Float = 0.01, clipNorm: Float = 1, patience: Int = 3, evalEvery: Int? = nil,
                distillation: Distillation? = nil) {
        self.head = head
        self.loss = loss
        self.scale = scale
        self.temperature = temperature
        self.symmetric = symmetric
        self.infonceThreshold = infonceThreshold
        self.epochs = epochs
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.seed = seed
        self.warmup = warmup
        self.schedule = schedule
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
        self.patience = patience
        self.evalEvery = evalEvery
        self.distillation = distillation
    }

    /// Every field at its default (the initialiser's): what a front end shows and starts from.
    /// `head` is ``HeadConfiguration/defaults``, whose `dim` 0 stands for the data's width.
    public static let defaults = TrainingConfiguration(head: .defaults)

    /// Checks every value against its range; errors name the field (`learningRate`), which a front
    /// end may rename (``TrainingError/description(naming:)``).
    /// - Throws: ``TrainingError/invalidValue(field:value:expected:)`` or ``TrainingError/batchTooSmall(field:value:minimum:)``.
    public func validate() throws {
        func require(_ condition: Bool, _ field: String, _ value: String, _ expected: String) throws {
            if !condition { throw TrainingError.invalidValue(field: field, value: value, expected: expected) }
        }
        try require(epochs >= 1, "epochs", "\(epochs)", "at least 1")
        try require(learningRate.isFinite && learningRate > 0, "learningRate", "\(learningRate)", "a positive number such as 3e-4")
        try require(batchSize >= 1, "batchSize", "\(batchSize)", "at least 1")
        try require(scale.isFinite && scale > 0, "scale", "\(scale)", "a positive number (CoSENT default \(Self.defaults.scale))")
        try require(temperature.isFinite && temperature > 0, "temperature", "\(temperature)", "a positive number (default \(Self.defaults.temperature))")
        try require(infonceThreshold.isFinite, "infonceThreshold", "\(infonceThreshold)", "a finite score")
        try require(weightDecay.isFinite && weightDecay >= 0, "weightDecay", "\(weightDecay)", "0 or more")
        try require(clipNorm.isFinite && clipNorm >= 0, "clipNorm", "\(clipNorm)", "0 (off) or more")
        try require(patience >= 0, "patience", "\(patience)", "0 (never stop early) or more")
        if let evalEvery { try require(evalEvery >= 1, "evalEvery", "\(evalEvery)", "at least 1 step") }
        if case .fraction(let fraction) = warmup {
            try require((0...1).contains(fraction), "warmup", "\(fraction)", "a fraction in [0, 1] or a step count")
        }
        if case .steps(let steps) = warmup { try require(steps >= 0, "warmup", "\(steps)", "0 or more steps") }
        if loss == .distill, distillation == nil {
            try require(false, "teacher", "none", "a teacher's embeddings for the distill loss")
        }
        if let distillation {
            try require(distillation.weight.isFinite && distillation.weight > 0, "distillWeight", "\(distillation.weight)",
                        "a positive weight (default 1)")
        }
        if loss == .infonce, batchSize < 2 { throw TrainingError.batchTooSmall(field: "batchSize", value: batchSize, minimum: 2) }
        do {
            try head.validate(path: "head configuration")
        } catch let error as PoolingError {
            throw TrainingError.invalidValue(field: "head", value: "\(head.kind)", expected: error.description)
        }
    }

    /// The first field whose value differs from `other`'s, as (name, self's value, other's value); `nil` when equal.
    /// Provenance is not compared (it records where the data came from, not how to train).
    public func firstDifference(from other: TrainingConfiguration) -> (field: String, mine: String, theirs: String)? {
        var a = self
        var b = other
        a.head.provenance = HeadProvenance()
        b.head.provenance = HeadProvenance()
        // Fields the head's kind ignores are not stored, so they cannot differ; a checkpoint of
        // format 1 holds the same settings as format 2 (its multihead score_normalization is none).
        a.head = a.head.canonical
        b.head = b.head.canonical
        a.head.formatVersion = HeadConfiguration.currentFormatVersion
        b.head.formatVersion = HeadConfiguration.currentFormatVersion
        let fields: [(String, String, String)] = [
            ("head.kind", "\(a.head.kind)", "\(b.head.kind)"), ("head.dim", "\(a.head.dim)", "\(b.head.dim)"),
            ("head.hidden", "\(a.head.hidden)", "\(b.head.hidden)"), ("head.heads", "\(a.head.heads)", "\(b.head.heads)"),
            ("head.keyDim", "\(a.head.keyDim)", "\(b.head.keyDim)"),
            ("head.scoreNormalization", a.head.scoreNormalization.rawValue, b.head.scoreNormalization.rawValue),
            ("head.projection", "\(a.head.projection)", "\(b.head.projection)"),
            ("head.normalize", "\(a.head.normalize)", "\(b.head.normalize)"),
            ("loss", a.loss.rawValue, b.loss.rawValue), ("scale", "\(a.scale)", "\(b.scale)"),
            ("temperature", "\(a.temperature)", "\(b.temperature)"), ("symmetric", "\(a.symmetric)", "\(b.symmetric)"),
            ("infonceThreshold", "\(a.infonceThreshold)", "\(b.infonceThreshold)"),
            ("epochs", "\(a.epochs)", "\(b.epochs)"), ("learningRate", "\(a.learningRate)", "\(b.learningRate)"),
            ("batchSize", "\(a.batchSize)", "\(b.batchSize)"), ("seed", "\(a.seed)", "\(b.seed)"),
            ("warmup", "\(a.warmup)", "\(b.warmup)"), ("schedule", a.schedule.rawValue, b.schedule.rawValue),
            ("weightDecay", "\(a.weightDecay)", "\(b.weightDecay)"), ("clipNorm", "\(a.clipNorm)", "\(b.clipNorm)"),
            ("patience", "\(a.patience)", "\(b.patience)"),
            ("distillMetric", a.distillation?.metric.rawValue ?? "none", b.distillation?.metric.rawValue ?? "none"),
            ("distillWeight", a.distillation.map { "\($0.weight)" } ?? "none", b.distillation.map { "\($0.weight)" } ?? "none"),
            ("teacher", a.distillation.map { $0.teacherPooling ?? "embeddings file" } ?? "none",
             b.distillation.map { $0.teacherPooling ?? "embeddings file" } ?? "none"),
            ("evalEvery", a.evalEvery.map { "\($0)" } ?? "per epoch", b.evalEvery.map { "\($0)" } ?? "per epoch"),
        ]
        if let different = fields.first(where: { $0.1 != $0.2 }) { return different }
        return a == b ? nil : ("configuration", "\(a)", "\(b)")
    }
}
