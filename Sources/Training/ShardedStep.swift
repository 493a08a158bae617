import Autodiff
import Parallelism
import Pooling
import Synchronization

/// The gradient of one batch computed on two cores: the batch's sentences are split into two
/// shards of about equal token count, each pooled and back-propagated on its own thread and tape.
///
/// ```
/// E_s = head.forward(rows of shard s)                 [sentences_s, dim]   (thread s, tape s)
/// E   = [E_0; E_1],  L = loss(E),  dE = ∂L/∂E         [sentences, dim]     (loss tape, caller's thread)
/// g_s = ∂L/∂θ via tape s seeded with dE[shard s]                           (thread s)
/// g   = g_0 + g_1                                                           (fixed order)
/// ```
/// The split depends only on the batch, never on the thread count, so one thread (shards one
/// after the other) and two threads give identical numbers. Small per-sentence work (tanh, softmax,
/// segment sums) and the GEMMs both spread over the cores this way, where BLAS threading alone
/// leaves the elementwise work on one core.
struct ShardedStep {
    /// Shards per batch (fixed: the result must not depend on the machine).
    static let shards = 2
    /// Threads the shards run on: 1 runs them one after the other on the caller's thread; more
    /// than `shards` gives no more speed.
    var workers: Int

    /// One shard's sentences and its tape's state. Each phase's worker holds the lock for the whole
    /// phase (uncontended: one worker per shard, phases separated by joins), which lets Swift check
    /// that the tape never crosses threads unguarded.
    private final class Shard: Sendable {
        struct State {
            var tape = Tape()
            var parameters: [String: Variable] = [:]
            var output: Variable?
            /// `∂L/∂output`, set by the loss phase; `nil` when the loss was not finite.
            var seed: Tensor?
            var gradients: [String: Tensor] = [:]
        }
        let sentences: Range<Int>
        let state = Mutex(State())
        init(_ sentences: Range<Int>) { self.sentences = sentences }
    }

    /// Loss value, its terms' values (``TrainingObjective/partNames``) and `∂L/∂θ` per parameter
    /// name for `batch`; `nil` gradients when the loss is not finite.
    func lossAndGradients(head: any PoolingHead, split: TrainingSplit, batch: PairBatch,
                          objective: TrainingObjective) -> (loss: Float, parts: [Float], gradients: [String: Tensor]?) {
        let shards = Self.partition(batch.sentences, split).map(Shard.init)
        let sentences = batch.sentences
        let concurrent = workers > 1
        // Phase 1, per shard: pool the shard's sentences on its own tape.
        each(shards.count, concurrently: concurrent) { s in
            let shard = shards[s]
            shard.state.withLock { state in
                let (rows, segments) = split.packedRows(of: Array(sentences[shard.sentences]))  // [T_s, dim]
                state.parameters = head.parameterVariables(on: state.tape)
                state.output = head.forward(state.tape.constant(rows), segments: segments,
                                            parameters: state.parameters).embeddings            // [sentences_s, dim]
            }
        }
        // Phase 2, this thread: the loss over the whole batch and its gradient per shard.
        let outputs = shards.compactMap { shard in shard.state.withLock { $0.output?.value } }  // [sentences_s, dim]
        let lossTape = Tape()
        let embeddings = lossTape.parameter(Tensor.concatenated(outputs, alongAxis: 0))         // [sentences, dim]
        let (loss, parts) = objective.loss(embeddings, batch)
        let value = loss.value.scalar
        guard value.isFinite else { return (value, parts, nil) }
        lossTape.backward(loss)
        let dE = lossTape.gradient(of: embeddings)                                              // [sentences, dim]
        for shard in shards {
            let seed = dE.slice(alongAxis: 0, shard.sentences)                                  // [sentences_s, dim]
            shard.state.withLock { $0.seed = seed }
        }
        // Phase 3, per shard: back-propagate the shard's part of dE through its tape.
        each(shards.count, concurrently: concurrent) { s in
            shards[s].state.withLock { state in
                guard let output = state.output, let seed = state.seed else { return }
                state.tape.backward(from: output, seed: seed)
                let tape = state.tape
                state.gradients = state.parameters.mapValues { tape.gradient(of: $0) }
            }
        }
        let gradients = shards.map { shard in shard.state.withLock { $0.gradients } }
        var total = gradients[0]
        for shardGradients in gradients.dropFirst() {
            for (name, gradient) in shardGradients { total[name]?.add(gradient) }
        }
        return (value, parts, total)
    }

    /// `body(s)` for every shard: on ``ForkJoin`` workers (one each, shard 0 on this thread) when
    /// `concurrently`, else in order on this thread. A step starts one thread per phase (forward,
    /// backward), ~20–40 µs each (see `Parallel.minimumWork`) against ~3 ms for an additive-head step
    /// of 64 pairs; the one thread per step of the earlier semaphore hand-over measured no faster.
    private func each(_ count: Int, concurrently: Bool, _ body: @Sendable (Int) -> Void) {
        if concurrently {
            ForkJoin.run(workers: count, body)
        } else {
            for s in 0..<count { body(s) }
        }
    }

    /// Contiguous ranges of `sentences` with about equal token counts (none empty when possible).
    static func partition(_ sentences: [Int], _ split: TrainingSplit) -> [Range<Int>] {
        guard sentences.count >= shards else { return [0..<sentences.count] }
        let lengths = sentences.map { split.offsets[$0 + 1] - split.offsets[$0] }
        let total = lengths.reduce(0, +)
        var ranges: [Range<Int>] = []
        var start = 0
        var cumulative = 0
        for (i, length) in lengths.enumerated() {
            cumulative += length
            let boundary = total * (ranges.count + 1) / shards
            if ranges.count < shards - 1, cumulative >= boundary, i + 1 < sentences.count {
                ranges.append(start..<(i + 1))
                start = i + 1
            }
        }
        ranges.append(start..<sentences.count)
        return ranges
    }
}
