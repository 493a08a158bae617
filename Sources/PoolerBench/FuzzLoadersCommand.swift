import Foundation
import FuzzSupport

/// `PoolerBench fuzz-loaders [--iterations N] [--seed S] [--folder DIR]`: mutated head folders
/// (config.json + model.safetensors) through `HeadExport.load` and mutated checkpoints through
/// `Checkpoint.read`, in this process; prints the outcome counts per loader and fails when an
/// error other than a typed one came out (a crash ends the process, with the mutant left in
/// `DIR/current/`).
enum FuzzLoadersCommand {
    static func run(_ arguments: [String]) throws -> Int32 {
        var iterations = 100_000
        var seed: UInt64 = 1
        var folder = "/dev/shm/pooler-fuzz-loaders"
        var index = 0
        while index < arguments.count {
            let flag = arguments[index]
            guard index + 1 < arguments.count else { throw UsageError(text: "\(flag) needs a value") }
            let value = arguments[index + 1]
            switch flag {
            case "--iterations": iterations = Int(value) ?? iterations
            case "--seed": seed = UInt64(value) ?? seed
            case "--folder": folder = value
            default: throw UsageError(text: "unknown option \(flag)")
            }
            index += 2
        }
        let fuzzer = try LoaderFuzzer(folder: URL(fileURLWithPath: folder))
        var failed = false
        for target in LoaderFuzzer.Target.allCases {
            let start = Date()
            let outcomes = try fuzzer.run(target, iterations: iterations, seed: seed)
            print(String(format: "fuzz-loaders %@: %@ in %.1f s", target.rawValue, outcomes.description,
                         Date().timeIntervalSince(start)))
            failed = failed || !outcomes.otherErrors.isEmpty
        }
        return failed ? 1 : 0
    }
}
