// Train an attention head with InfoNCE (in-batch negatives) from positive pairs.
//
//   swift run TrainInfoNCE data/stsb-minilm-l6-sample/train.h5 data/stsb-minilm-l6-sample/dev.h5 runs/infonce
//
// Pairs whose gold score is ≥ 4 (of 5) are the positives; every other sentence in the batch is
// a negative. A file without /scores is all positives. The dev file (with scores) picks the
// best epoch by Spearman of cosine. The run folder gets the exported head in head/.
import Foundation
import Pooling
import Runtime
import Training

// Process setup belongs to executables (module Runtime): a fast BLAS kernel if OpenBLAS picked a
// slow fallback, and one BLAS thread, since the trainer's workers supply the parallelism.
BLASSetup.reexecWithFastKernelIfNeeded()
BLASSetup.setThreads(1)
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: TrainInfoNCE TRAIN.h5 DEV.h5 RUN_DIR\n".utf8))
    exit(2)
}
do {
    let train = try TrainingSplit.load(path: arguments[0])
    let dev = try TrainingSplit.load(path: arguments[1])
    let configuration = TrainingConfiguration(
        head: HeadConfiguration(kind: .multihead, dim: train.dim, heads: 4),
        loss: .infonce, temperature: 0.05, symmetric: true, infonceThreshold: 4,
        epochs: 10, learningRate: 3e-4, batchSize: 64, seed: 7)
    let trainer = try Trainer(
        configuration: configuration, train: train, dev: dev,
        directory: RunDirectory(URL(fileURLWithPath: arguments[2])))
    let outcome = try trainer.run { event in
        if case .evaluated(let record) = event {
            print("epoch \(record.epoch): dev Spearman " + String(format: "%.2f", record.devSpearman))
        }
    }
    print("untrained dev Spearman " + String(format: "%.2f", outcome.initialDevSpearman) + "; best "
        + (outcome.best.map { String(format: "%.2f at epoch %d", $0.devSpearman, $0.epoch) } ?? "none"))
    print("head: \(outcome.headFolder ?? "not written")")
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
