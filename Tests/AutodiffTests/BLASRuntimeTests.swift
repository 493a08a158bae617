import Testing
@testable import Autodiff

@Suite("BLAS kernel choice")
struct BLASRuntimeTests {
    static let avx512 = CPUFeatures(avx2: true, fma: true, f16c: true, avx512: true)
    static let avx2 = CPUFeatures(avx2: true, fma: true, f16c: true, avx512: false)
    static let sse = CPUFeatures(avx2: false, fma: false, f16c: false, avx512: false)

    @Test("a fallback core on an AVX-512 CPU asks for SkylakeX")
    func prescottOnAVX512() {
        #expect(BLASRuntime.recommendedCoreType(core: "Prescott", features: Self.avx512) == "SkylakeX")
    }

    @Test("a fallback core on an AVX2 CPU asks for Haswell, never SkylakeX")
    func prescottOnAVX2() {
        #expect(BLASRuntime.recommendedCoreType(core: "Prescott", features: Self.avx2) == "Haswell")
        #expect(BLASRuntime.recommendedCoreType(core: "Nehalem", features: Self.avx2) == "Haswell")
    }

    @Test("nothing is recommended when the CPU has no AVX2")
    func noAVX2() {
        #expect(BLASRuntime.recommendedCoreType(core: "Prescott", features: Self.sse) == nil)
    }

    @Test("fast cores are left alone", arguments: ["Haswell", "Zen", "SkylakeX", "Cooperlake"])
    func fastCoresKept(core: String) {
        #expect(BLASRuntime.recommendedCoreType(core: core, features: Self.avx512) == nil)
    }

    @Test("the running core is named and at least one thread is used")
    func runtimeReport() {
        #expect(!BLASRuntime.coreName.isEmpty)
        #expect(BLASRuntime.threads >= 1)
    }
}
