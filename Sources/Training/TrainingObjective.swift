import Autodiff

/// The configured loss applied to a batch's sentence embeddings.
struct TrainingObjective {
    let kind: LossKind
    let cosent: CoSENTLoss
    let infoNCE: InfoNCELoss
    let cosineMSE: CosineMSELoss

    init(_ configuration: TrainingConfiguration, scoreRange: ClosedRange<Float>) {
        kind = configuration.loss
        cosent = CoSENTLoss(scale: configuration.scale)
        infoNCE = InfoNCELoss(temperature: configuration.temperature, symmetric: configuration.symmetric)
        cosineMSE = CosineMSELoss(scoreRange: scoreRange)
    }

    /// The loss (shape `[]`) of `batch` given `embeddings` `[batch.sentences.count, dim]`.
    func loss(_ embeddings: Variable, _ batch: PairBatch) -> Variable {
        switch kind {
        case .cosent, .cosineMSE:
            // Scores are checked before training starts for these losses.
            let gold = batch.gold ?? [Float](repeating: 0, count: batch.count)
            let cosines = embeddings.pairCosines(first: batch.first, second: batch.second)  // [pairs]
            return kind == .cosent ? cosent(cosines, gold: gold) : cosineMSE(cosines, gold: gold)
        case .infonce:
            return infoNCE(anchors: embeddings.gathering(rows: batch.first),       // [pairs, dim]
                           positives: embeddings.gathering(rows: batch.second),    // [pairs, dim]
                           anchorSentences: batch.firstSentences, positiveSentences: batch.secondSentences)
        }
    }
}
