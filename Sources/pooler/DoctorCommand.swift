import ArgumentParser
import Autodiff
import Runtime
import HiddenStates

/// `pooler doctor`: what this machine gives the toolkit, and what to fix.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Report the BLAS kernels, threads, HDF5 version and CPU features in use.",
        discussion: """
            Exits with status 1 when something would make pooler slow or wrong here, \
            after saying how to fix it.
            """
    )

    func run() throws {
        let environment = BLASRuntime.currentEnvironment()
        let blas = BLASRuntime.report(environment: environment)
        let cpu = blas.features
        func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

        var problems: [String] = []
        print("pooler \(PoolerVersion.string)")
        print("BLAS core:      \(blas.core)", terminator: "")
        if let setting = blas.userSetting {
            let how = environment[BLASSetup.reexecMarker] != nil ? "chosen by pooler" : "set by you"
            print(" (OPENBLAS_CORETYPE=\(setting), \(how))")
        } else {
            print(" (detected by OpenBLAS)")
        }
        print("BLAS threads:   \(blas.threads)")
        print("BLAS config:    \(BLASRuntime.configuration)")
        print("HDF5 library:   \(HDF5Library.version)")
        print("CPU AVX2+FMA:   \(yesNo(cpu.avx2 && cpu.fma))")
        print("CPU AVX-512:    \(yesNo(cpu.avx512))")
        print("CPU F16C:       \(yesNo(cpu.f16c))")

        if let better = blas.recommendation {
            problems.append(
                "OpenBLAS is using its \(blas.core) kernels, a slow fallback on this CPU (sgemm ~5× slower). "
                    + "Fix: export OPENBLAS_CORETYPE=\(better)"
                    + (blas.userSetting != nil ? " (you set OPENBLAS_CORETYPE=\(blas.userSetting ?? ""))." : "."))
        }
        if !cpu.f16c {
            problems.append(
                "The CPU has no F16C: float16 files are converted by a portable loop (slower, still exact).")
        }
        if problems.isEmpty {
            print("status:         ok")
        } else {
            for problem in problems { print("problem:        \(problem)") }
            throw ExitCode(1)
        }
    }
}
