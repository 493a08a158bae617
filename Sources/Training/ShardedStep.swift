import Autodiff
import Foundation
import Pooling

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
    /// Run the shards on their own threads.
    var concurrent: Bool

    /// One shard's tape and outputs; touched by one thread at a time (fork-join).
    private final class Shard: @unchecked Sendable {
        let sentences: Range<Int>
        var tape = Tape()
        var parameters: [String: Variable] = [:]
        var output: Variable?
        /// `∂L/∂output`, set by the loss phase; `nil` when the loss was not finite.
        var seed: Tensor?
        var gradients: [String: Tensor] = [:]
        init(_ sentences: Range<Int>) { self.sentences = sentences }
    }

    /// Loss value and `∂L/∂θ` per parameter name for `batch`; `nil` gradients when the loss is not finite.
    func lossAndGradients(head: any PoolingHead, split: TrainingSplit, batch: PairBatch,
                          objective: TrainingObjective) -> (loss: Float, gradients: [String: Tensor]?) {
        let shards = Self.partition(batch.sentences, split).map(Shard.init)
        let sentences = batch.sentences
        var value = Float.nan
        run(shards.count, forward: { s in
            let shard = shards[s]
            let (rows, segments) = split.packedRows(of: Array(sentences[shard.sentences]))  // [T_s, dim]
            shard.parameters = head.parameterVariables(on: shard.tape)
            shard.output = head.forward(shard.tape.constant(rows), segments: segments, parameters: shard.parameters).embeddings
        }, loss: {
            let outputs = shards.compactMap { $0.output?.value }                               // [sentences_s, dim]
            let lossTape = Tape()
            let embeddings = lossTape.parameter(Tensor.concatenated(outputs, alongAxis: 0))    // [sentences, dim]
            let loss = objective.loss(embeddings, batch)
            value = loss.value.scalar
            guard value.isFinite else { return }
            lossTape.backward(loss)
            let dE = lossTape.gradient(of: embeddings)                                         // [sentences, dim]
            for shard in shards { shard.seed = dE.slice(alongAxis: 0, shard.sentences) }       // [sentences_s, dim]
        }, backward: { s in
            let shard = shards[s]
            guard let output = shard.output, let seed = shard.seed else { return }
            shard.tape.backward(from: output, seed: seed)
            shard.gradients = shard.parameters.mapValues { shard.tape.gradient(of: $0) }
        })
        guard value.isFinite else { return (value, nil) }
        var total = shards[0].gradients
        for shard in shards.dropFirst() {
            for (name, gradient) in shard.gradients { total[name]?.add(gradient) }
        }
        return (value, total)
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

    /// Runs `forward(s)` for every shard, then `loss()` on this thread once all forwards are
    /// done, then `backward(s)` for every shard. When `concurrent`, shards 1… run on one new
    /// thread each, created once for both phases (semaphores hand over between them), and
    /// shard 0 on this thread; otherwise everything runs in order on this thread.
    private func run(_ count: Int, forward: @escaping @Sendable (Int) -> Void, loss: () -> Void,
                     backward: @escaping @Sendable (Int) -> Void) {
        guard concurrent, count > 1 else {
            for i in 0..<count { forward(i) }
            loss()
            for i in 0..<count { backward(i) }
            return
        }
        let forwardDone = DispatchSemaphore(value: 0)
        let lossDone = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for i in 1..<count {
            group.enter()
            let thread = Thread {
                forward(i)
                forwardDone.signal()
                lossDone.wait()
                backward(i)
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        forward(0)
        for _ in 1..<count { forwardDone.wait() }
        loss()
        for _ in 1..<count { lossDone.signal() }
        backward(0)
        group.wait()
    }
}
