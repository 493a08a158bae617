import Foundation
import HiddenStates

/// Reading STS-B hidden states: all of train.h5 into Float32 (vs h5py + numpy), and streaming it in
/// batches of 64 sentences with bounded memory (sequential and locality-shuffled).
enum HiddenStatesBenchmark {
    static let path = "../shared/data/stsb-minilm-l6/train.h5"

    static func run() throws {
        guard FileManager.default.fileExists(atPath: path) else {
            print("\(path) not found; skipped")
            return
        }
        // Streaming first, so the baseline is not inflated by the whole-file read's freed memory.
        let baseline = Timing.residentMiB()
        var peak = baseline
        var rows = 0
        // POOLER_BENCH_CACHE_MIB overrides the chunk cache, to measure its effect on time and memory.
        var options = HiddenStatesFile.Options()
        if let mib = ProcessInfo.processInfo.environment["POOLER_BENCH_CACHE_MIB"].flatMap(Int.init) {
            options.chunkCacheBytes = mib << 20
        }
        let file = try HiddenStatesFile(path: path, options: options)
        var start = Timing.now()
        var batches = file.batches(size: 64)
        while let batch = try batches.next() {
            rows += batch.tokenCount
            peak = max(peak, Timing.residentMiB())
        }
        let sequential = Timing.now() - start
        var generator = SystemRandomNumberGenerator()
        start = Timing.now()
        var shuffled = file.batches(size: 64, order: file.localityShuffledOrder(using: &generator))
        while let batch = try shuffled.next() {
            rows += batch.tokenCount
            peak = max(peak, Timing.residentMiB())
        }
        let local = Timing.now() - start
        print(String(format: "stream train.h5, batches of 64: sequential %.3f s, locality-shuffled %.3f s; "
            + "peak RSS %.1f MiB above baseline %.1f MiB (limit 64; chunk cache %d MiB)", sequential, local,
            peak - baseline, baseline, options.chunkCacheBytes >> 20))
        file.close()

        let all = try Timing.best(repeats: 3) {
            let file = try HiddenStatesFile(path: path)
            let batch = try file.readAll()
            precondition(batch.tokenCount == file.metadata.tokens, "read \(batch.tokenCount) rows")
        }
        let meta = try HiddenStatesFile(path: path).metadata
        let values = Double(meta.tokens * meta.dim)
        print(String(format: "read all train.h5 [%d, %d] %@ → Float32: %.3f s (%.0f M values/s), incl. open + NaN check",
                     meta.tokens, meta.dim, meta.dtype.description, all, values / all / 1e6))
        print("h5py + numpy (f[\"tokens\"][...].astype(np.float32)), best of 3: " + h5pySeconds())
    }

    /// Times h5py in a child python3; "h5py not available" when it cannot be imported.
    static func h5pySeconds() -> String {
        let script = """
            import sys, time
            try:
                import h5py, numpy as np
            except ImportError:
                print("h5py not available"); sys.exit(0)
            best = 1e9
            with h5py.File(sys.argv[1], "r") as f:
                for _ in range(4):
                    t = time.perf_counter(); x = f["tokens"][...].astype(np.float32); best = min(best, time.perf_counter() - t)
            print("%.3f s (h5py %s, HDF5 %s)" % (best, h5py.__version__, h5py.version.hdf5_version))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        do {
            try process.run()
        } catch {
            return "h5py not available (python3 did not start: \(error))"
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !text.isEmpty ? text : "h5py not available"
    }
}
