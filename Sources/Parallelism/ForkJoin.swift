#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Runs one body per worker on plain POSIX threads and waits for all of them.
///
/// POSIX threads rather than `DispatchQueue.concurrentPerform`, which ran its iterations one after
/// another on the Linux toolchain measured here (2 × the single-thread wall time for 2
/// iterations), while two pthreads ran side by side. Used by Autodiff (segment ops) and
/// HiddenStates (parallel chunk decoding), which must not depend on each other.
public enum ForkJoin {
    /// Cores available to this process.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Calls `body(worker)` for `worker` in `0 ..< workers`: worker 0 on the calling thread (so it may
    /// use thread-bound state such as the HDF5 lock the caller holds), the others on new threads.
    /// Returns after every call finished. Falls back to running a worker inline when no thread starts.
    public static func run(workers: Int, _ body: (Int) -> Void) {
        guard workers > 1 else {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { body in
            var threads: [pthread_t] = []
            var inline: [Int] = []
            for worker in 1..<workers {
                let job = Unmanaged.passRetained(ForkJoinJob(body: body, worker: worker)).toOpaque()
                var thread = pthread_t()
                let started = pthread_create(&thread, nil, { context in
                    guard let context else { return nil }
                    Unmanaged<ForkJoinJob>.fromOpaque(context).takeRetainedValue().run()
                    return nil
                }, job)
                if started == 0 {
                    threads.append(thread)
                } else {
                    Unmanaged<ForkJoinJob>.fromOpaque(job).release()
                    inline.append(worker)
                }
            }
            body(0)
            // Workers that got no thread run after worker 0: bodies must not wait on each other.
            for worker in inline { body(worker) }
            for thread in threads { pthread_join(thread, nil) }
        }
    }
}

/// One worker of a fork-join; `@unchecked Sendable` because `ForkJoin.run` joins every thread before
/// `body` goes out of scope, and callers coordinate shared state themselves.
private final class ForkJoinJob: @unchecked Sendable {
    let body: (Int) -> Void
    let worker: Int

    init(body: @escaping (Int) -> Void, worker: Int) {
        self.body = body
        self.worker = worker
    }

    func run() { body(worker) }
}
