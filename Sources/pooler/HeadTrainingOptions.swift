import ArgumentParser
import Pooling
import Training

extension HeadKind: ExpressibleByArgument {}
extension ScoreNormalization: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}

extension Warmup: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

/// The head and training flags `pooler train` and `pooler sweep` share: the head's shape, the loss
/// and the optimisation. One declaration, one validation and one mapping to
/// ``TrainingConfiguration``, so both commands accept the same flags with the same meaning.
struct HeadTrainingOptions: ParsableArguments {
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
    @Option(name: .customLong("score-normalization"),
            help: "Multihead: scores on RMS-normalised rows (rms: a huge row cannot saturate a head) or on the rows as they are (none). Default \(TrainingConfiguration.defaults.head.scoreNormalization.rawValue).")
    var scoreNormalization: ScoreNormalization?
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

    /// The training configuration these flags describe, for a file of width `dim`: the defaults
    /// (``TrainingConfiguration/defaults``) with every given flag in place (no distillation).
    func trainingConfiguration(dim: Int) -> TrainingConfiguration {
        var configuration = TrainingConfiguration.defaults
        configuration.head.kind = head
        configuration.head.dim = dim
        if let hidden { configuration.head.hidden = hidden }
        if let heads { configuration.head.heads = heads }
        if let keyDim { configuration.head.keyDim = keyDim }
        if let scoreNormalization { configuration.head.scoreNormalization = scoreNormalization }
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
        return configuration
    }

    /// The flag of each ``TrainingConfiguration`` field these options set, for naming fields in
    /// ``TrainingError`` messages: the one table of field → flag names. A field missing here
    /// (`head.dim`) has no flag and keeps its name.
    static let flags: [String: String] = [
        "head": "--head", "head.kind": "--head", "head.hidden": "--hidden", "head.heads": "--heads",
        "head.keyDim": "--key-dim", "head.scoreNormalization": "--score-normalization", "head.projection": "--projection", "head.normalize": "--normalize",
        "loss": "--loss", "scale": "--scale", "temperature": "--temperature", "symmetric": "--symmetric",
        "infonceThreshold": "--infonce-threshold", "epochs": "--epochs", "learningRate": "--lr",
        "batchSize": "--batch-size", "seed": "--seed", "warmup": "--warmup", "schedule": "--schedule",
        "weightDecay": "--weight-decay", "clipNorm": "--clip-norm", "patience": "--patience", "evalEvery": "--eval-every",
    ]

    /// Flags that only apply with another flag's value (e.g. `--scale` with `--loss cosent`).
    /// Value ranges need the file's dim; the commands check them with it before anything is read or created.
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
        try only(scoreNormalization != nil, "--score-normalization", head == .multihead, "--head multihead")
    }
}
