import Autodiff
import Parallelism

/// One forward pass over a batch of packed sentences, with its buffers allocated once per batch.
///
/// Buffers (T rows of the batch, H hidden, I intermediate, L_max the longest sentence):
/// ```
/// hidden   [T, H]    hᵏ, the running state
/// qkv      [T, 3H]   fused query | key | value projections
/// context  [T, H]    attention output before its dense layer
/// attended [T, H]    a = LayerNorm(hᵏ⁻¹ + c W_oᵀ + b_o)
/// inner    [T, I]    GELU(a W₁ᵀ + b₁)
/// scores   [threads, L_max²]  one attention matrix per worker
/// ```
final class BertForward {
    let c: BertConfiguration
    let weights: BertWeights
    let offsets: [Int]
    let threads: Int
    let rows: Int
    let longest: Int
    let hidden: FloatBuffer
    let qkv: FloatBuffer
    let context: FloatBuffer
    let attended: FloatBuffer
    let inner: FloatBuffer
    let scores: FloatBuffer
    /// Whether the dense GEMMs are split by rows over the workers: only when OpenBLAS runs single-
    /// threaded (the executable's choice), so that its own threads never compete with ours.
    let splitsGEMMs: Bool

    /// Below this many floats a pass over rows stays on the calling thread (a thread start
    /// costs ~20–40 µs; elementwise passes run at a few floats per ns).
    let minimumParallelFloats: Int

    /// - Parameters:
    ///   - splitsGEMMs: split the dense GEMMs by rows over the workers (default: when `threads > 1`
    ///     and OpenBLAS runs on one thread).
    ///   - minimumParallelFloats: see the property (tests set 0 to run every pass on the workers).
    init(configuration: BertConfiguration, weights: BertWeights, offsets: [Int], threads: Int,
         splitsGEMMs: Bool? = nil, minimumParallelFloats: Int = 1 << 16) {
        self.minimumParallelFloats = minimumParallelFloats
        c = configuration
        self.weights = weights
        self.offsets = offsets
        self.threads = threads
        rows = offsets[offsets.count - 1]
        longest = zip(offsets.dropFirst(), offsets).map { $0 - $1 }.max() ?? 0
        let h = c.hiddenSize
        hidden = FloatBuffer(count: rows * h)
        qkv = FloatBuffer(count: rows * 3 * h)
        context = FloatBuffer(count: rows * h)
        attended = FloatBuffer(count: rows * h)
        inner = FloatBuffer(count: rows * c.intermediateSize)
        scores = FloatBuffer(count: threads * longest * longest)
        self.splitsGEMMs = splitsGEMMs ?? (threads > 1 && BLASRuntime.threads == 1)
    }

    /// Runs layers 1 … max(layers) (no more: early exit) and returns the requested states `[T, H]`.
    func run(ids: [Int32], tokenTypes: [Int32]?, layers: Set<Int>) -> [Int: Tensor] {
        var result: [Int: Tensor] = [:]
        embed(ids: ids, tokenTypes: tokenTypes)
        if layers.contains(0) { result[0] = snapshot() }
        let depth = layers.max() ?? 0
        for k in stride(from: 1, through: depth, by: 1) {
            layer(weights.layers[k - 1])
            if layers.contains(k) { result[k] = snapshot() }
        }
        return result
    }

    /// The running state as a tensor `[T, H]` (a copy).
    func snapshot() -> Tensor { Tensor(shape: [rows, c.hiddenSize], scalars: hidden.array) }

    /// `h⁰ = LayerNorm(word[id] + position[p] + tokenType[type])`, p = row − sentence start.
    func embed(ids: [Int32], tokenTypes: [Int32]?) {
        let h = c.hiddenSize
        let e = weights.embeddings
        let epsilon = c.layerNormEpsilon
        let sentenceOfRow = Segments(offsets: offsets).segmentOfRows
        let (offsets, out) = (offsets, hidden.base)
        let (word, position, type) = (e.word.pointer, e.position.pointer, e.tokenType.pointer)
        let (gain, bias) = (e.normGain.pointer, e.normBias.pointer)
        forEachRowChunk(rows, width: h) { range in
            for t in range {
                let w = word + Int(ids[t]) * h
                let p = position + (t - offsets[sentenceOfRow[t]]) * h
                let s = type + Int(tokenTypes?[t] ?? 0) * h
                let y = out + t * h
                for j in 0..<h { y[j] = w[j] + p[j] + s[j] }
                LayerNorm.normalizeRow(y, width: h, gain: gain, bias: bias, epsilon: epsilon)
            }
        }
    }

    /// One transformer layer: `hidden ← hᵏ` from `hᵏ⁻¹`.
    func layer(_ w: BertWeights.Layer) {
        let (t, h, i) = (rows, c.hiddenSize, c.intermediateSize)
        let (hidden, qkv, context, attended, inner) = (hidden.base, qkv.base, context.base, attended.base, inner.base)
        // Q | K | V = h W_qkvᵀ + b_qkv   [T, 3H]
        dense(hidden, inputs: h, weight: w.qkvWeight, bias: w.qkvBias, into: qkv)
        attention(qkv: qkv, into: context)
        // a = LayerNorm(h + c W_oᵀ + b_o)   [T, H]
        dense(context, inputs: h, weight: w.attentionOutWeight, bias: w.attentionOutBias, residual: hidden, into: attended)
        normalize(attended, gain: w.attentionNormGain, bias: w.attentionNormBias)
        // GELU(a W₁ᵀ + b₁)   [T, I]
        dense(attended, inputs: h, weight: w.intermediateWeight, bias: w.intermediateBias, into: inner)
        forEachRowChunk(t, width: i) { range in
            Activation.gelu(inner + range.lowerBound * i, count: range.count * i)
        }
        // hᵏ = LayerNorm(a + GELU(…) W₂ᵀ + b₂)   [T, H]
        dense(inner, inputs: i, weight: w.outputWeight, bias: w.outputBias, residual: attended, into: hidden)
        normalize(hidden, gain: w.outputNormGain, bias: w.outputNormBias)
    }

    /// Self-attention of every sentence; consecutive sentence ranges of about equal work (Σ L²)
    /// on the workers, each with its own scores scratch.
    func attention(qkv: UnsafeMutablePointer<Float>, into context: UnsafeMutablePointer<Float>) {
        let (h, heads, longest, offsets, scores) = (c.hiddenSize, c.headCount, longest, offsets, scores.base)
        let chunks = Self.balancedChunks(offsets: offsets, workers: threads)
        ForkJoin.run(workers: chunks.count) { worker in
            let scratch = scores + worker * longest * longest
            for s in chunks[worker] {
                let start = offsets[s]
                SelfAttention.sentence(qkv: qkv + start * 3 * h, length: offsets[s + 1] - start, hidden: h,
                                       heads: heads, context: context + start * h, scores: scratch)
            }
        }
    }

    /// LayerNorm of every row of `x` `[T, H]` in place, row chunks on the workers.
    func normalize(_ x: UnsafeMutablePointer<Float>, gain: FloatBuffer, bias: FloatBuffer) {
        let (width, epsilon, g, b) = (c.hiddenSize, c.layerNormEpsilon, gain.pointer, bias.pointer)
        forEachRowChunk(rows, width: width) { range in
            LayerNorm.normalize(x + range.lowerBound * width, rows: range.count, width: width,
                                gain: g, bias: b, epsilon: epsilon)
        }
    }

    /// ``dense(_:rows:inputs:weight:bias:residual:into:)`` over all rows: one call, or one per
    /// worker on its row block when ``splitsGEMMs``.
    func dense(_ x: UnsafePointer<Float>, inputs: Int, weight: FloatBuffer, bias: FloatBuffer,
               residual: UnsafePointer<Float>? = nil, into y: UnsafeMutablePointer<Float>) {
        guard splitsGEMMs else {
            Self.dense(x, rows: rows, inputs: inputs, weight: weight, bias: bias, residual: residual, into: y)
            return
        }
        let (rows, outputs) = (rows, bias.count)
        forEachRowChunk(rows, width: outputs) { range in
            let first = range.lowerBound
            Self.dense(x + first * inputs, rows: range.count, inputs: inputs, weight: weight, bias: bias,
                       residual: residual.map { $0 + first * outputs }, into: y + first * outputs)
        }
    }

    /// `y = x Wᵀ + b` (`+ residual` when given, `[rows, outputs]`) for `rows` rows, `W` `[outputs, inputs]`:
    /// the bias (plus residual) is laid into `y`, then one `cblas_sgemm` over all rows adds `x Wᵀ` (β = 1).
    static func dense(_ x: UnsafePointer<Float>, rows: Int, inputs: Int, weight: FloatBuffer, bias: FloatBuffer,
                      residual: UnsafePointer<Float>? = nil, into y: UnsafeMutablePointer<Float>) {
        let outputs = bias.count
        let b = bias.pointer
        for r in 0..<rows {
            let row = y + r * outputs
            if let residual {
                let source = residual + r * outputs
                for j in 0..<outputs { row[j] = source[j] + b[j] }
            } else {
                row.update(from: b, count: outputs)
            }
        }
        UnsafeGEMM.multiply(m: rows, n: outputs, k: inputs, x, lda: inputs, weight.pointer, ldb: inputs,
                            transposeB: true, beta: 1, into: y, ldc: outputs)
    }

    /// Calls `body` on contiguous row ranges covering `0 ..< rows`: one per worker when the pass
    /// is large enough, otherwise one on this thread. Ranges write disjoint rows.
    func forEachRowChunk(_ rows: Int, width: Int, _ body: (Range<Int>) -> Void) {
        let workers = min(threads, rows)
        guard workers > 1, rows * width >= minimumParallelFloats else {
            if rows > 0 { body(0..<rows) }
            return
        }
        ForkJoin.run(workers: workers) { k in body((k * rows / workers)..<((k + 1) * rows / workers)) }
    }

    /// Consecutive sentence ranges, at most one per worker, with about equal attention work
    /// `Σ (L² + L)` each (a sorted-by-length batch splits about evenly by count).
    static func balancedChunks(offsets: [Int], workers: Int) -> [Range<Int>] {
        let count = offsets.count - 1
        let cost = (0..<count).map { s -> Int in let l = offsets[s + 1] - offsets[s]; return l * l + l }
        let total = cost.reduce(0, +)
        let workers = max(1, min(workers, count))
        guard workers > 1, total > 0 else { return [0..<count] }
        var chunks: [Range<Int>] = []
        var start = 0
        var accumulated = 0
        for s in 0..<count {
            accumulated += cost[s]
            if chunks.count < workers - 1, accumulated * workers >= total * (chunks.count + 1) {
                chunks.append(start..<(s + 1))
                start = s + 1
            }
        }
        chunks.append(start..<count)
        return chunks
    }
}
