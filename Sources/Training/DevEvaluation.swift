import Autodiff
import Evaluation
import Pooling

/// Dev-set quality of a head: Spearman's ρ (×100) between the cosine of each pair's pooled
/// embeddings and the gold score — the STS figure.
public enum DevEvaluation {
    /// Pools every sentence of `split` (`blockSize` sentences at a time, so memory stays bounded)
    /// and returns `100 · ρ(cos, gold)`. Ties are ranked by their average rank, as scipy does.
    public static func spearman(of head: any PoolingHead, on split: TrainingSplit, blockSize: Int = 1024) -> Double {
        let dim = head.outputDim
        var values = [Float]()
        values.reserveCapacity(split.sentenceCount * dim)
        var lower = 0
        while lower < split.sentenceCount {
            let upper = min(split.sentenceCount, lower + blockSize)
            let (rows, segments) = split.packedRows(of: Array(lower..<upper))
            values.append(contentsOf: head.pooled(rows, segments: segments).scalars)  // [block, dim]
            lower = upper
        }
        let embeddings = SentenceEmbeddings(values: values, dim: dim)
        let cosines = embeddings.similarities(of: split.pairs.map { ($0.first, $0.second) }, using: .cosine)
        let gold = (split.scores ?? []).map(Double.init)
        return 100 * RankCorrelation.spearman(cosines, gold)
    }
}
