import Autodiff
import Foundation
import HiddenStates

/// Small generated pair files with a signal attention can learn and mean pooling only partly sees —
/// for tests, demos and smoke runs (no model or download needed).
///
/// Each pair `p` has a latent `z ∈ ℝ^{dim−1}` and a partner `z′ = α z + √(1 − α²) n` (α uniform in
/// [−0.2, 1]); the gold score is `5 · max(0, cos(z, z′))`. A sentence is 2–4 *content* tokens
/// `[+1, z + 0.1 ε]` mixed with 2–8 *filler* tokens `[−1, 1.5 ε]`: mean pooling averages the
/// filler in, a head that learns to weight tokens by their first coordinate does not.
///
/// `signal` scales the latent in the content tokens (`[+1, signal · z + 0.1 ε]`) without changing
/// any random draw: files written with the same seed and different signals hold the same pairs and
/// gold scores with more or less of the information in the tokens, like the layers of one model.
public enum SyntheticPairs {
    /// The split in memory: `2 · pairs` sentences, `pairs` pairs (sentence `2p` with `2p + 1`).
    public static func split(pairs: Int, dim: Int = 16, seed: UInt64, withScores: Bool = true,
                             signal: Float = 1, path: String = "synthetic") -> TrainingSplit {
        precondition(pairs > 0 && dim >= 2, "SyntheticPairs: need pairs > 0 and dim ≥ 2, got \(pairs), \(dim)")
        var generator = Xoshiro256StarStar(seed: seed)
        var tokens: [Float] = []
        var offsets = [0]
        var scores: [Float] = []
        func normal(_ count: Int) -> [Float] { Tensor.randomNormal([count], using: &generator).scalars }
        func appendSentence(_ latent: [Float]) {
            let content = Int.random(in: 2...4, using: &generator)
            let filler = Int.random(in: 2...8, using: &generator)
            var kinds = [Bool](repeating: true, count: content) + [Bool](repeating: false, count: filler)
            kinds.shuffle(using: &generator)
            for isContent in kinds {
                let noise = normal(dim - 1)
                tokens.append(isContent ? 1 : -1)
                for j in 0..<(dim - 1) { tokens.append(isContent ? signal * latent[j] + 0.1 * noise[j] : 1.5 * noise[j]) }
            }
            offsets.append(offsets[offsets.count - 1] + kinds.count)
        }
        for _ in 0..<pairs {
            let z = normal(dim - 1)
            let alpha = Float.random(in: -0.2...1, using: &generator)
            let n = normal(dim - 1)
            let partner = zip(z, n).map { alpha * $0 + (1 - alpha * alpha).squareRoot() * $1 }
            appendSentence(z)
            appendSentence(partner)
            let dot = zip(z, partner).map(*).reduce(0, +)
            let norms = (z.map { $0 * $0 }.reduce(0, +) * partner.map { $0 * $0 }.reduce(0, +)).squareRoot()
            scores.append(5 * max(0, dot / norms))
        }
        let rows = offsets[offsets.count - 1]
        return TrainingSplit(path: path, tokens: Tensor(shape: [rows, dim], scalars: tokens), offsets: offsets,
                             pairs: (0..<pairs).map { SentencePair(2 * $0, 2 * $0 + 1) }, scores: withScores ? scores : nil)
    }

    /// Writes ``split(pairs:dim:seed:withScores:signal:path:)`` as a ragged float32 HDF5 file at `path`,
    /// with root attributes `model` = `synthetic`, `layer` = `last` and `extraAttributes`.
    public static func write(path: String, pairs: Int, dim: Int = 16, seed: UInt64, withScores: Bool = true,
                             signal: Float = 1, extraAttributes: [String: AttributeValue] = [:]) throws {
        let split = split(pairs: pairs, dim: dim, seed: seed, withScores: withScores, signal: signal, path: path)
        let attributes: [String: AttributeValue] = ["model": .string("synthetic"), "layer": .string("last")]
        let writer = try RaggedWriter(path: path, dim: dim, options: .init(storage: .float32, chunkRows: 1024, gzipLevel: nil),
                                      attributes: attributes.merging(extraAttributes) { $1 })
        try split.tokens.withUnsafeBufferPointer { all in
            for sentence in 0..<split.sentenceCount {
                try writer.append(sentence: ArraySlice(all[(split.offsets[sentence] * dim)..<(split.offsets[sentence + 1] * dim)]))
            }
        }
        try writer.finish(pairs: split.pairs, scores: split.scores)
    }
}
