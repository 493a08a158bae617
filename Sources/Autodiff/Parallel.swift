import Foundation
import Parallelism

/// Splitting independent work items (segments, batch entries) across the cores.
///
/// Fork-join on plain POSIX threads (``ForkJoin`` in the Parallelism module). Bodies are
/// `@Sendable`; buffers reach them as `SendablePointer`s (see there for why that is sound).
enum Parallel {
    /// Cores available to this process.
    static let cores = ForkJoin.cores

    /// Below this many scalar operations in total, work stays on the calling thread.
    ///
    /// Starting a thread costs ~20–40 µs (clone, stack, join), and these ops (sgemv, softmax
    /// over segments) are memory-bound at ~2–4 scalar operations per ns, so splitting pays off
    /// only for a few hundred µs of work. The threshold also keeps the per-shard ops of a
    /// sharded training step (≈ 1 M operations each, both cores already busy) on their thread:
    /// at 2¹⁷ they spawned 4 extra threads per step for no gain.
    static let minimumWork = 1 << 21

    /// Calls `body(range)` for contiguous chunks covering `0..<count`: one chunk per core when
    /// `totalWork` (≈ scalar operations) is large enough, otherwise one chunk on this thread.
    /// Returns after every chunk finished. Chunks must write disjoint memory.
    static func forEachChunk(_ count: Int, totalWork: Int, _ body: @Sendable (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(count, cores)
        guard chunks > 1, totalWork >= minimumWork else {
            body(0..<count)
            return
        }
        ForkJoin.run(workers: chunks) { chunk in body((chunk * count / chunks)..<((chunk + 1) * count / chunks)) }
    }
}
