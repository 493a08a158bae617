import Foundation
import Autodiff

// `PoolerBench [NAME...]` runs the named benchmarks (all when none is named).
// Each prints its figure beside the reference it is compared with. Memory figures (RSS above a
// baseline) are meaningful only for a benchmark run alone in its process, as `make bench` does.
let benchmarks: [(name: String, run: () throws -> Void)] = [
    ("sgemm", SGEMMBenchmark.run),
    ("autodiff", AutodiffBenchmark.run),
    ("hiddenstates", HiddenStatesBenchmark.run),
    ("evaluation", EvaluationBenchmark.run),
    ("training", TrainingBenchmark.run),
    ("encoder", EncoderBenchmark.run),
]

BLASRuntime.reexecWithFastKernelIfNeeded()
// As in `pooler`: multi-MB tensors are reused from the heap rather than mapped per op.
AllocatorTuning.reuseLargeBlocks()
let requested = Array(CommandLine.arguments.dropFirst())
let unknown = requested.filter { name in !benchmarks.contains { $0.name == name } }
if !unknown.isEmpty {
    print("unknown benchmark(s): \(unknown.joined(separator: ", ")); known: "
        + benchmarks.map(\.name).joined(separator: ", "))
    exit(2)
}
print(BLASRuntime.report())
for benchmark in benchmarks where requested.isEmpty || requested.contains(benchmark.name) {
    print("== \(benchmark.name)")
    do {
        try benchmark.run()
    } catch {
        print("benchmark \(benchmark.name) failed: \(error)")
        exit(1)
    }
}
