import Autodiff

/// The configured loss applied to a batch's sentence embeddings: a pair loss, distillation
/// towards a teacher, or both (``Distillation``: `L = L_pair + weight · scale · L_distill`).
struct TrainingObjective {
    let kind: LossKind
    let cosent: CoSENTLoss
    let infoNCE: InfoNCELoss
    let cosineMSE: CosineMSELoss
    let distillation: DistillationLoss?
    /// Teacher embedding of every training sentence `[N, dim]`, when distilling.
    let teacher: Tensor?
    /// Factor of the distillation term in a combined loss: `weight · scale` of the pair loss.
    let distillFactor: Float

    init(_ configuration: TrainingConfiguration, scoreRange: ClosedRange<Float>, teacher: Tensor? = nil) {
        kind = configuration.loss
        cosent = CoSENTLoss(scale: configuration.scale)
        infoNCE = InfoNCELoss(temperature: configuration.temperature, symmetric: configuration.symmetric)
        cosineMSE = CosineMSELoss(scoreRange: scoreRange)
        if let settings = configuration.distillation, let teacher {
            distillation = DistillationLoss(metric: settings.metric)
            self.teacher = teacher
            let scale: Float = switch configuration.loss {
            case .cosent: configuration.scale
            case .infonce: 1 / configuration.temperature
            case .cosineMSE, .distill: 1
            }
            distillFactor = settings.weight * scale
        } else {
            distillation = nil
            self.teacher = nil
            distillFactor = 0
        }
    }

    /// Names of the terms a combined loss logs separately (empty for a single loss).
    var partNames: [String] {
        distillation != nil && kind != .distill ? [kind.rawValue, LossKind.distill.rawValue] : []
    }

    /// The loss (shape `[]`) of `batch` given `embeddings` `[batch.sentences.count, dim]`, and the
    /// value of each term named by ``partNames`` (unweighted).
    func loss(_ embeddings: Variable, _ batch: PairBatch) -> (total: Variable, parts: [Float]) {
        let distilled = distillation.flatMap { loss in
            teacher.map { loss(embeddings, teacher: $0.gathering(rows: batch.sentences)) }  // teacher rows [sentences, dim]
        }
        if kind == .distill, let distilled { return (distilled, []) }
        let pair = pairLoss(embeddings, batch)
        guard let distilled else { return (pair, []) }
        return (pair + distilled * distillFactor, [pair.value.scalar, distilled.value.scalar])
    }

    private func pairLoss(_ embeddings: Variable, _ batch: PairBatch) -> Variable {
        switch kind {
        case .cosent, .cosineMSE, .distill:
            // Scores are checked before training starts for these losses.
            let gold = batch.gold ?? [Float](repeating: 0, count: batch.count)
            let cosines = embeddings.pairCosines(first: batch.first, second: batch.second)  // [pairs]
            return kind == .cosineMSE ? cosineMSE(cosines, gold: gold) : cosent(cosines, gold: gold)
        case .infonce:
            return infoNCE(anchors: embeddings.gathering(rows: batch.first),       // [pairs, dim]
                           positives: embeddings.gathering(rows: batch.second),    // [pairs, dim]
                           anchorSentences: batch.firstSentences, positiveSentences: batch.secondSentences)
        }
    }
}
