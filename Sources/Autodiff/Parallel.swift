#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Splitting independent work items (segments, batch entries) across the cores.
///
/// Fork-join on plain POSIX threads: on the Linux toolchain measured here,
/// `DispatchQueue.concurrentPerform` ran its iterations one after another (2 × the single-thread
/// wall time for 2 iterations), while two pthreads ran side by side.
enum Parallel {
    /// Cores available to this process.
    static let cores = ProcessInfo.processInfo.activeProcessorCount

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
    static func forEachChunk(_ count: Int, totalWork: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(count, cores)
        guard chunks > 1, totalWork >= minimumWork else {
            body(0..<count)
            return
        }
        func range(_ chunk: Int) -> Range<Int> { (chunk * count / chunks)..<((chunk + 1) * count / chunks) }
        withoutActuallyEscaping(body) { body in
            var threads: [pthread_t] = []
            for chunk in 1..<chunks {
                let job = Unmanaged.passRetained(ChunkJob(body: body, range: range(chunk))).toOpaque()
                var thread = pthread_t()
                let started = pthread_create(&thread, nil, { context in
                    guard let context else { return nil }
                    Unmanaged<ChunkJob>.fromOpaque(context).takeRetainedValue().run()
                    return nil
                }, job)
                if started == 0 {
                    threads.append(thread)
                } else {
                    // No thread available: do this chunk here rather than fail.
                    Unmanaged<ChunkJob>.fromOpaque(job).takeRetainedValue().run()
                }
            }
            body(range(0))
            for thread in threads { pthread_join(thread, nil) }
        }
    }
}

/// One chunk of a fork-join; `@unchecked Sendable` because ``Parallel/forEachChunk(_:totalWork:_:)``
/// joins every thread before `body` goes out of scope and chunks touch disjoint memory.
private final class ChunkJob: @unchecked Sendable {
    let body: (Range<Int>) -> Void
    let range: Range<Int>

    init(body: @escaping (Range<Int>) -> Void, range: Range<Int>) {
        self.body = body
        self.range = range
    }

    func run() { body(range) }
}
