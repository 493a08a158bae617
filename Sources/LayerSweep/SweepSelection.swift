import Evaluation

/// A (layer, method) of a sweep with its Spearman (cosine, ×100) on dev and test.
public struct SweepChoice: Codable, Equatable, Sendable {
    public var layer: Int
    public var method: String
    public var learned: Bool
    /// nil when undefined (JSON `null`).
    public var devSpearmanCosine: Double?
    public var testSpearmanCosine: Double?
    public var testSpearmanCosineCI: PairResampling.Interval?

    public init(layer: Int, result: MethodResult) {
        self.layer = layer
        method = result.method
        learned = result.learned
        devSpearmanCosine = Optional(result.dev.spearmanCosine).finite
        testSpearmanCosine = result.test.flatMap { Optional($0.spearmanCosine).finite }
        testSpearmanCosineCI = result.test.flatMap { $0.spearmanCosineCI.isDefined ? $0.spearmanCosineCI : nil }
    }
}

/// How a sweep chooses: by dev Spearman (cosine) alone, never by test.
public enum SweepSelection {
    /// The (layer, method) with the highest dev Spearman among the results `including` accepts;
    /// ties go to the earlier layer, then to the method listed first (fixed strategies before the
    /// head: the cheaper choice). Undefined (NaN) dev scores are never chosen; nil when none is defined.
    public static func best(_ layers: [LayerResult], including: (MethodResult) -> Bool = { _ in true }) -> SweepChoice? {
        var best: (layer: Int, result: MethodResult)?
        for layer in layers.sorted(by: { $0.layer < $1.layer }) {
            for result in layer.methods where including(result) && result.dev.spearmanCosine.isFinite {
                if best.map({ result.dev.spearmanCosine > $0.result.dev.spearmanCosine }) ?? true {
                    best = (layer.layer, result)
                }
            }
        }
        return best.map { SweepChoice(layer: $0.layer, result: $0.result) }
    }

    /// The best fixed strategy (chosen on dev) of the highest layer — the model's last layer when
    /// the sweep includes it or evaluated it as the reference (``LayerResult/referenceOnly``): what
    /// a user gets without a sweep and without training, the reference the choice is compared with.
    public static func lastLayerFixed(_ layers: [LayerResult]) -> SweepChoice? {
        guard let last = layers.max(by: { $0.layer < $1.layer }) else { return nil }
        return best([last], including: { !$0.learned })
    }
}
