#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Runs one body per worker on plain POSIX threads and waits for all of them: the one way this
/// package runs work in parallel (Autodiff's segment ops and batched GEMMs, HiddenStates' chunk
/// decoding, Training's sharded step and dev evaluation).
///
/// POSIX threads rather than `DispatchQueue.concurrentPerform`, which ran its iterations one after
/// another on the Linux toolchain measured here (2 × the single-thread wall time for 2
/// iterations), while two pthreads ran side by side. Bodies are `@Sendable`, so Swift 6 checks
/// everything they capture; a body that must reach memory through an unsafe pointer captures it
/// as a ``SendablePointer``.
public enum ForkJoin {
    /// Cores available to this process.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Stack size of each worker thread: as large as a main thread's default, so deep tapes
    /// (recursive backward passes) behave the same on any worker.
    public static let stackSize = 8 << 20

    /// Calls `body(worker)` for `worker` in `0 ..< workers`: worker 0 on the calling thread, the
    /// others on new threads. Returns after every call finished.
    public static func run(workers: Int, _ body: @Sendable (Int) -> Void) {
        run(workers: workers, onCallingThread: { body(0) }, body)
    }

    /// Calls `caller()` on the calling thread and `body(worker)` for `worker` in `1 ..< workers` on
    /// new threads; returns after every call finished.
    ///
    /// `caller` is not `@Sendable`: it may use state bound to this thread or owned by the caller
    /// (the HDF5 lock the caller holds, a non-`Sendable` file object). Falls back to running a
    /// worker inline (after `caller`) when its thread cannot start, so bodies must not wait on
    /// each other's progress except through `caller`'s.
    public static func run(workers: Int, onCallingThread caller: () -> Void, _ body: @Sendable (Int) -> Void) {
        guard workers > 1 else {
            caller()
            return
        }
        withoutActuallyEscaping(body) { body in
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            pthread_attr_setstacksize(&attributes, stackSize)
            var threads: [pthread_t] = []
            var inline: [Int] = []
            for worker in 1..<workers {
                let job = Unmanaged.passRetained(ForkJoinJob(body: body, worker: worker)).toOpaque()
                var thread = pthread_t()
                let started = pthread_create(&thread, &attributes, { context in
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
            caller()
            for worker in inline { body(worker) }
            for thread in threads { pthread_join(thread, nil) }
        }
    }
}

/// One worker of a fork-join (its body is `@Sendable`, so the job is checked `Sendable`).
/// `ForkJoin.run` joins every thread before the non-escaping body goes out of scope.
private final class ForkJoinJob: Sendable {
    let body: @Sendable (Int) -> Void
    let worker: Int

    init(body: @escaping @Sendable (Int) -> Void, worker: Int) {
        self.body = body
        self.worker = worker
    }

    func run() { body(worker) }
}
