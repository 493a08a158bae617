import Autodiff
import COpenBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide OpenBLAS settings: for executables only (`pooler`, `PoolerBench`, the examples).
/// Libraries never change them; they take thread counts as parameters (e.g. `Trainer`'s `workers`).
/// The read-only queries (core name, thread count, ``BLASRuntime/report(environment:)``) stay in Autodiff.
public enum BLASSetup {
    /// Environment variable set by the re-exec so that it happens at most once.
    public static let reexecMarker = "POOLER_BLAS_REEXEC"

    /// Re-executes the current program with `OPENBLAS_CORETYPE` set to a fast kernel when
    /// OpenBLAS picked a slow fallback (see ``BLASRuntime``) and the user did not set the variable.
    /// Call first thing in `main`, before other threads start.
    ///
    /// Returns normally (doing nothing) when the core is fine, when the user chose a core,
    /// when a re-exec already happened, or when `execv` fails. On success it does not return.
    public static func reexecWithFastKernelIfNeeded(arguments: [String] = CommandLine.arguments) {
        let environment = BLASRuntime.currentEnvironment()
        guard environment["OPENBLAS_CORETYPE"] == nil, environment[reexecMarker] == nil,
            let kernel = BLASRuntime.recommendedCoreType(core: BLASRuntime.coreName, features: .current)
        else { return }
        setenv("OPENBLAS_CORETYPE", kernel, 1)
        setenv(reexecMarker, "1", 1)
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        execv("/proc/self/exe", cArguments)
        // execv returned: it failed. Carry on with the slow core rather than dying.
        for pointer in cArguments { free(pointer) }
        unsetenv("OPENBLAS_CORETYPE")
    }

    /// Sets the number of threads OpenBLAS uses for one call (process-wide).
    ///
    /// For training, set 1 once before the run: the trainer's parallelism comes from its workers
    /// (two shards per batch, two halves of the dev set), each calling single-threaded BLAS; BLAS
    /// threads inside each worker would only oversubscribe the cores.
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}
