import COpenBLAS
import CPlatform
#if canImport(Glibc)
import Glibc
#endif

/// CPU features that decide which BLAS kernels and float16 path can run here.
public struct CPUFeatures: Sendable, Equatable {
    public var avx2: Bool
    public var fma: Bool
    public var f16c: Bool
    /// AVX-512 F, BW, VL, DQ and CD together: what OpenBLAS' SkylakeX kernels need.
    public var avx512: Bool

    /// Features of the CPU this process runs on (CPUID plus OS register support).
    public static var current: CPUFeatures {
        let f = pooler_cpu_features_detect()
        return CPUFeatures(
            avx2: f.avx2 != 0, fma: f.fma != 0, f16c: f.f16c != 0,
            avx512: f.avx512f != 0 && f.avx512bw != 0 && f.avx512vl != 0
                && f.avx512dq != 0 && f.avx512cd != 0)
    }

    public init(avx2: Bool, fma: Bool, f16c: Bool, avx512: Bool) {
        self.avx2 = avx2
        self.fma = fma
        self.f16c = f16c
        self.avx512 = avx512
    }
}

/// What OpenBLAS is doing in this process, and whether its kernels fit the CPU.
///
/// Debian's OpenBLAS 0.3.21 does not recognise some recent CPUs and falls back to its
/// `Prescott` (SSE3) kernels, which run sgemm about 5× slower than the CPU can.
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when the library loads, so the fix is to set
/// that variable before the process starts:
///
/// ```
/// export OPENBLAS_CORETYPE=SkylakeX   # CPUs with AVX-512
/// export OPENBLAS_CORETYPE=Haswell    # CPUs with AVX2 + FMA
/// ```
///
/// `pooler` does this itself (`BLASSetup.reexecWithFastKernelIfNeeded` in the Runtime module, for
/// executables); library users can call ``report()`` to see the core in use and the recommended
/// setting. This type only reads: nothing in the libraries changes process-wide BLAS settings.
public enum BLASRuntime {
    /// Name of the kernel set OpenBLAS chose (e.g. `Haswell`, `SkylakeX`, `Zen`, `Prescott`).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS' build configuration string (version, threading model, max threads).
    public static var configuration: String {
        guard let config = openblas_get_config() else { return "unknown" }
        return String(cString: config)
    }

    /// Number of threads OpenBLAS uses for one call (set by executables: `BLASSetup.setThreads`).
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Cores whose kernels use AVX2 or better; any other core is a fallback on an AVX2 CPU.
    static let fastCores: Set<String> = [
        "haswell", "zen", "skylakex", "cooperlake", "sapphirerapids", "neoversen1", "neoversen2",
    ]

    /// The kernel to ask for when `core` is a slow fallback on a CPU with `features`,
    /// or `nil` when the current core is already fine or nothing better is safe to run.
    ///
    /// Never returns a kernel whose instructions the CPU lacks (that would be SIGILL).
    public static func recommendedCoreType(core: String, features: CPUFeatures) -> String? {
        guard !fastCores.contains(core.lowercased()) else { return nil }
        if features.avx512 { return "SkylakeX" }
        if features.avx2 && features.fma { return "Haswell" }
        return nil
    }

    /// A human-readable report: the core, whether it is slow here, and how to fix it.
    public static func report(environment: [String: String] = currentEnvironment()) -> Report {
        let core = coreName
        let features = CPUFeatures.current
        return Report(
            core: core, threads: threads, features: features,
            userSetting: environment["OPENBLAS_CORETYPE"],
            recommendation: recommendedCoreType(core: core, features: features))
    }

    /// The state of the BLAS kernels in this process.
    public struct Report: Sendable, CustomStringConvertible {
        public var core: String
        public var threads: Int
        public var features: CPUFeatures
        /// `OPENBLAS_CORETYPE` as the user set it, if at all.
        public var userSetting: String?
        /// A faster kernel this CPU supports, when the current one is a slow fallback.
        public var recommendation: String?

        public var isSlowFallback: Bool { recommendation != nil }

        public var description: String {
            var text = "OpenBLAS core \(core), \(threads) thread(s)"
            if let recommendation {
                text += ": a slow fallback on this CPU. Set OPENBLAS_CORETYPE=\(recommendation) "
                    + "before starting the process (OpenBLAS reads it only when it loads)."
            }
            return text
        }
    }

    /// This process' environment as a dictionary.
    public static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
