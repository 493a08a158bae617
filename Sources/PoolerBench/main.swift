import Foundation
import Autodiff
import Runtime

// `PoolerBench [NAME...]` runs the named benchmarks (all when none is named);
// `PoolerBench fuzz-hdf5 [--iterations N] [--seed S]` fuzzes the HDF5 reader.
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

// `PoolerBench fuzz-hdf5 …` is the HDF5 reader's fuzzer, not a benchmark (see FuzzHDF5Command.swift).
if CommandLine.arguments.dropFirst().first == "fuzz-loaders" {
    do {
        exit(try FuzzLoadersCommand.run(Array(CommandLine.arguments.dropFirst(2))))
    } catch {
        print("fuzz-loaders: \(error)")
        exit(2)
    }
}
if CommandLine.arguments.dropFirst().first == "fuzz-hdf5" {
    do {
        exit(try FuzzHDF5Command.run(Array(CommandLine.arguments.dropFirst(2))))
    } catch {
        print("fuzz-hdf5: \(error)")
        exit(2)
    }
}

BLASSetup.reexecWithFastKernelIfNeeded()
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
