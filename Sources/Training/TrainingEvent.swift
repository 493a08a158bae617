import Autodiff

/// One line of `log.jsonl`: a dev evaluation (before training, every N steps, after each epoch).
public struct EvaluationRecord: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// Before any step: the untrained head (mean pooling).
        case initial
        /// Every `--eval-every` steps.
        case steps
        /// After an epoch.
        case epoch
    }

    public var kind: Kind
    /// Epoch (1-based) the evaluation belongs to; 0 for the initial one.
    public var epoch: Int
    /// Optimiser steps taken.
    public var step: Int
    /// Mean training loss over the steps since the previous record (`nil` for the initial one).
    public var trainLoss: Double?
    /// Learning rate of the latest step.
    public var learningRate: Double?
    /// Dev Spearman ×100 now, and the best so far.
    public var devSpearman: Double
    public var bestDevSpearman: Double
    /// Whether this evaluation is the new best.
    public var isBest: Bool
    /// Training pairs per second over the run so far (steps only, evaluation excluded).
    public var pairsPerSecond: Double?
    public var elapsedSeconds: Double
    /// A combined loss's terms, each its mean over the same steps, unweighted (`cosent`, `distill`).
    public var trainLossParts: [String: Double]?
}

/// Where a step stands, for progress displays.
public struct StepReport: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var batchInEpoch: Int
    public var batchesPerEpoch: Int
    public var step: Int
    public var totalSteps: Int
    public var loss: Float
    public var learningRate: Float
    public var pairsPerSecond: Double
    /// Estimated seconds until the last step (evaluations excluded).
    public var remainingSeconds: Double
    /// A combined loss's terms and their values at this step (empty for a single loss).
    public var partNames: [String] = []
    public var partLosses: [Float] = []
}

/// What the trainer reports while it runs.
public enum TrainingEvent: Sendable {
    /// Training begins (or resumes) with this plan.
    /// `pairs` counts what the loss trains on, named by `unit` (`pairs`; `sentences` for distill).
    case started(pairs: Int, batchesPerEpoch: Int, totalSteps: Int, resumedAtStep: Int?, unit: String = "pairs")
    case evaluated(EvaluationRecord)
    case stepped(StepReport)
    case checkpointed(path: String)
}

/// How a run ended.
public struct TrainingOutcome: Sendable {
    public enum Reason: String, Codable, Sendable {
        /// Every epoch ran.
        case completed
        /// Patience ran out.
        case earlyStopped = "early-stopped"
        /// A stop was requested (SIGINT/SIGTERM); the checkpoint holds the state.
        case interrupted
    }

    public var reason: Reason
    public var initialDevSpearman: Double
    public var best: TrainingProgress.Best?
    public var steps: Int
    public var epochsCompleted: Int
    /// The checkpoint file (always written before returning).
    public var checkpoint: String
    /// The exported head folder, when the run finished (completed or stopped early).
    public var headFolder: String?
    /// The final weights (the current ones, not necessarily the best).
    public var finalParameters: [String: Tensor]
    /// The weights of the best dev evaluation (exported as the head).
    public var bestParameters: [String: Tensor]
}
