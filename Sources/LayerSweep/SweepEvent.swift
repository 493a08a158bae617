import Training

/// Progress of a ``LayerSweep`` run, for a display (called on the calling thread).
public enum SweepEvent: Sendable {
    /// Work on a layer begins: `index` of `count` (1-based).
    case layerStarted(layer: Int, index: Int, count: Int)
    /// A layer finished by an earlier run was read back (`--resume`); it is not redone.
    case layerReused(LayerResult)
    /// The layer's head is being trained.
    case training(layer: Int, TrainingEvent)
    /// A line from the evaluation (pooling, scoring).
    case evaluating(layer: Int, String)
    case layerFinished(LayerResult)
    /// The final paired comparison on test.
    case comparing(String)
}

/// How a ``LayerSweep`` run ended.
public enum SweepOutcome: Sendable {
    /// Every layer is done; the report is also written to the sweep folder.
    case completed(SweepReport)
    /// A stop was requested while training `layer`'s head: its checkpoint is saved, the layers
    /// before it are done; `resume` continues from there.
    case interrupted(layer: Int, checkpoint: String)
}
