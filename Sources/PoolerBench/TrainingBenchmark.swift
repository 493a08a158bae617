import Autodiff
import COpenBLAS
import Foundation
import Pooling
import Runtime
import Training

/// One training epoch over STS-B train (5749 pairs, CoSENT, batch 64, data in memory, 2 threads)
/// per head, against the targets (additive ≤ 0.45 s, multihead ≤ 0.30 s; PyTorch on CPU ~0.9 s and
/// ~0.6 s), with pairs/s and the fraction of raw sgemm FLOP/s the head's GEMMs reach.
enum TrainingBenchmark {
    static let folder = "../shared/data/stsb-minilm-l6"

    static func run() throws {
        let trainPath = "\(folder)/train.h5"
        let devPath = "\(folder)/dev.h5"
        guard FileManager.default.fileExists(atPath: trainPath), FileManager.default.fileExists(atPath: devPath) else {
            print("\(folder) not found; skipped")
            return
        }
        BLASSetup.setThreads(2)  // for the raw sgemm figure the heads are compared with
        var start = Timing.now()
        let train = try TrainingSplit.load(path: trainPath)
        let dev = try TrainingSplit.load(path: devPath)
        print(String(format: "load train.h5 + dev.h5 into memory: %.2f s, RSS %.0f MiB", Timing.now() - start, Timing.residentMiB()))
        let rowsPerEpoch = epochRows(train, batchSize: 64)
        let peak = sgemmPeak(rows: rowsPerEpoch / 90, dim: train.dim, hidden: 128)
        // As `pooler train` does: single-threaded BLAS, the trainer's two workers supply the parallelism.
        BLASSetup.setThreads(1)
        for (kind, target, pytorch) in [(HeadKind.additive, 0.45, 0.9), (.multihead, 0.30, 0.6)] {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pooler-bench-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let configuration = TrainingConfiguration(head: HeadConfiguration(kind: kind, dim: train.dim), epochs: 3,
                                                      learningRate: 3e-4, batchSize: 64, patience: 0)
            let trainer = try Trainer(configuration: configuration, train: train, dev: dev, directory: RunDirectory(scratch), workers: 2)
            var epochSeconds: [Double] = []
            var epochStart = 0.0
            var epochCPU: [(user: Double, system: Double)] = []
            var cpuStart = (user: 0.0, system: 0.0)
            var evaluationSeconds = 0.0
            var evaluationStart = 0.0
            start = Timing.now()
            _ = try trainer.run { event in
                switch event {
                case .stepped(let report):
                    if report.batchInEpoch == 1 {
                        epochStart = Timing.now()
                        cpuStart = Timing.processCPU()
                    }
                    if report.batchInEpoch == report.batchesPerEpoch {
                        epochSeconds.append(Timing.now() - epochStart)
                        let cpu = Timing.processCPU()
                        epochCPU.append((cpu.user - cpuStart.user, cpu.system - cpuStart.system))
                        evaluationStart = Timing.now()
                    }
                case .evaluated(let record) where record.kind == .epoch:
                    evaluationSeconds = Timing.now() - evaluationStart
                default: break
                }
            }
            // The first step of an epoch starts its clock, so add one step's share back.
            let epoch = (epochSeconds.dropFirst().min() ?? epochSeconds.first ?? .nan) * 90 / 89
            // CPU time (both threads) of the same epochs, scaled the same way; the least-CPU epoch.
            let cpu = (epochCPU.dropFirst().min { $0.user + $0.system < $1.user + $1.system } ?? epochCPU.first)
                .map { (user: $0.user * 90 / 89, system: $0.system * 90 / 89) } ?? (user: .nan, system: .nan)
            let flops = gemmFLOPs(kind, rows: rowsPerEpoch, dim: train.dim)
            print(String(format: "%@ + CoSENT, 1 epoch (5749 pairs, batch 64): %.3f s = %.0f pairs/s (target ≤ %.2f s; "
                + "PyTorch CPU ~%.1f s); head GEMMs %.1f GFLOP/s = %.0f%% of sgemm %.0f GFLOP/s; dev evaluation %.3f s",
                kind.rawValue, epoch, Double(train.pairs.count) / epoch, target, pytorch, flops / epoch / 1e9,
                100 * flops / epoch / 1e9 / peak, peak, evaluationSeconds))
            print(String(format: "    CPU time of that epoch (2 threads): user %.3f s + system %.3f s", cpu.user, cpu.system))
        }
        print(String(format: "RSS after training both heads: %.0f MiB (limit for `pooler train`: 600 MiB peak)", Timing.residentMiB()))
    }

    /// Token rows pooled per epoch: the distinct sentences of each batch of 64 pairs (file order; shuffled is within 1%).
    static func epochRows(_ split: TrainingSplit, batchSize: Int) -> Int {
        var rows = 0
        for lower in stride(from: 0, to: split.pairs.count, by: batchSize) {
            var seen = Set<Int>()
            for pair in split.pairs[lower..<min(split.pairs.count, lower + batchSize)] {
                for sentence in [pair.first, pair.second] where seen.insert(sentence).inserted {
                    rows += split.offsets[sentence + 1] - split.offsets[sentence]
                }
            }
        }
        return rows
    }

    /// GEMM FLOPs per epoch of the head (forward and the weight gradient; the rows need no gradient).
    /// Additive: `H Wᵀ` and `dW = dAᵀ H`, each `2·T·dim·hidden`. Multihead: `H U` and `dU = Hᵀ dS`,
    /// each `2·T·dim·heads`.
    static func gemmFLOPs(_ kind: HeadKind, rows: Int, dim: Int) -> Double {
        let width = kind == .additive ? 128.0 : 4.0
        return 2 * 2 * Double(rows) * Double(dim) * width
    }

    /// Raw sgemm GFLOP/s on one batch's forward shape `[rows, dim]·[dim, hidden]`.
    static func sgemmPeak(rows: Int, dim: Int, hidden: Int) -> Double {
        let a = [Float](repeating: 0.5, count: rows * dim)
        let b = [Float](repeating: 0.25, count: hidden * dim)
        var c = [Float](repeating: 0, count: rows * hidden)
        let seconds = Timing.best(repeats: 20) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(hidden), Int32(dim),
                        1, a, Int32(dim), b, Int32(dim), 0, &c, Int32(hidden))
        }
        return 2 * Double(rows) * Double(dim) * Double(hidden) / seconds / 1e9
    }
}
