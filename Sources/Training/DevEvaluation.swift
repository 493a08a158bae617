import Autodiff
import Evaluation
import Parallelism
import Pooling

/// Dev-set quality of a head: Spearman's ρ (×100) between the cosine of each pair's pooled
/// embeddings and the gold score — the STS figure.
public enum DevEvaluation {
    /// Parts the sentences are split into (fixed: the result must not depend on the machine).
    static let parts = 2

    /// Pools every sentence of `split` and returns `100 · ρ(cos, gold)`. Ties are ranked by their
    /// average rank, as scipy does.
    ///
    /// The sentences are split into ``parts`` fixed halves (by index, whatever `workers` is), each
    /// pooled `blockSize` sentences at a time (so memory stays bounded) on its own worker when
    /// `workers > 1`, one after the other otherwise: any worker count gives the same bits.
    ///
    /// - Parameters:
    ///   - workers: threads to pool on (1: this thread only). Default 1.
    ///   - blockSize: sentences pooled per call. Default 1024.
    public static func spearman(of head: any PoolingHead, on split: TrainingSplit, workers: Int = 1,
                                blockSize: Int = 1024) -> Double {
        let dim = head.outputDim
        let count = split.sentenceCount
        let ranges = (0..<parts).map { part in (part * count / parts)..<((part + 1) * count / parts) }
        var values = [Float](repeating: 0, count: count * dim)                  // [sentences, dim]
        values.withUnsafeMutableBufferPointer { buffer in
            let output = SendablePointer(buffer)
            // Each part writes only its own sentences' rows.
            let pool: @Sendable (Int) -> Void = { part in
                var lower = ranges[part].lowerBound
                while lower < ranges[part].upperBound {
                    let upper = min(ranges[part].upperBound, lower + blockSize)
                    let (rows, segments) = split.packedRows(of: Array(lower..<upper))
                    let block = head.pooled(rows, segments: segments).scalars   // [upper - lower, dim]
                    _ = UnsafeMutableBufferPointer(rebasing: output.pointer[(lower * dim)..<(upper * dim)])
                        .update(fromContentsOf: block)
                    lower = upper
                }
            }
            if workers > 1 {
                ForkJoin.run(workers: parts, pool)
            } else {
                for part in 0..<parts { pool(part) }
            }
        }
        let embeddings = SentenceEmbeddings(values: values, dim: dim)
        let cosines = embeddings.similarities(of: split.pairs.map { ($0.first, $0.second) }, using: .cosine)
        let gold = (split.scores ?? []).map(Double.init)
        return 100 * RankCorrelation.spearman(cosines, gold)
    }
}
