import Autodiff
import Evaluation
import Foundation
import Pooling

/// `pooler evaluate`'s work end to end on the STS-B test file: read, pool with 5 fixed
/// strategies and 2 heads, score 4 similarities, bootstrap 1000 resamples with paired
/// differences. Target ≤ 1.5 s; prints the numpy/scipy equivalent's time beside it.
enum EvaluationBenchmark {
    static let file = "../shared/data/stsb-minilm-l6/test.h5"

    static func perturbed(_ configuration: HeadConfiguration) -> any PoolingHead {
        var head = makeHead(configuration, seed: 1)
        var generator = Xoshiro256StarStar(seed: 2)
        for name in head.parameters.keys.sorted() {
            guard let value = head.parameters[name] else { continue }
            head.parameters[name] = value + Tensor.randomNormal(value.shape, standardDeviation: 0.05, using: &generator)
        }
        return head
    }

    static func run() throws {
        guard FileManager.default.fileExists(atPath: file) else {
            print("skipped: \(file) not found (run from the project root, beside ../shared)")
            return
        }
        let heads = [
            ComparisonRun.NamedHead(name: "additive", head: perturbed(HeadConfiguration(kind: .additive, dim: 384))),
            ComparisonRun.NamedHead(name: "multihead", head: perturbed(HeadConfiguration(kind: .multihead, dim: 384))),
        ]
        let run = ComparisonRun(
            datasets: [file], strategies: ["mean", "cls", "max", "last", "mean-nospecial"], heads: heads,
            baseline: "mean", evaluator: SimilarityEvaluator(resamples: 1000), seed: 0)
        var results: [StrategyResult] = []
        let seconds = try Timing.best(repeats: 3) { results = try run.run() }
        print("evaluate test.h5 (\(results.first?.pairs ?? 0) pairs), 5 strategies + 2 heads, 1000 resamples: "
            + String(format: "%.2f s", seconds) + " (target ≤ 1.5 s)")
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "scripts/bench_evaluate_numpy.py", file, "1000"]
        let pipe = Pipe()
        python.standardOutput = pipe
        python.standardError = FileHandle.nullDevice
        do {
            try python.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            python.waitUntilExit()
            if python.terminationStatus == 0 {
                print("numpy/scipy equivalent (scripts/bench_evaluate_numpy.py): "
                    + output.trimmingCharacters(in: .whitespacesAndNewlines) + " s")
            } else {
                print("numpy/scipy equivalent not run: python3 with numpy, scipy and h5py is needed")
            }
        } catch {
            print("numpy/scipy equivalent not run: \(error)")
        }
    }
}
