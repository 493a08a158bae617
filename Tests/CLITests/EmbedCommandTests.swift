import Autodiff
import Foundation
import HiddenStates
import Pooling
import Testing

/// `pooler embed` on files generated here.
@Suite("pooler embed")
struct EmbedCommandTests {
    let scratch: PoolingScratch

    init() throws { scratch = try PoolingScratch() }

    @Test("--strategy mean+max writes the packed pooling, with texts, streaming in small batches")
    func strategy() throws {
        let input = try scratch.writeHiddenStates("in.h5", dim: 6)
        let output = scratch.path("out.h5")
        let result = try PoolerProcess.run(["embed", "--input", input, "--strategy", "mean+max", "--output", output,
                                            "--batch-size", "3", "--normalize"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("7/7 sentences"))
        let (rows, segments) = try PoolingScratch.rows(input)
        let expected = try FixedPooling(parsing: "mean+max", normalize: true).pooled(rows, segments: segments)
        let written = try PoolingScratch.embeddings(output)
        #expect(written.shape == [7, 12])
        #expect(PoolingScratch.maxDifference(written, expected) <= 1e-6)
        #expect(try HDF5Reader(path: output).strings("/sentences") == (0..<7).map { "sentence \($0)" })
    }

    @Test("mean-nospecial uses the file's special_tokens attribute")
    func noSpecial() throws {
        let input = try scratch.writeHiddenStates("in.h5", dim: 4)
        let output = scratch.path("out.h5")
        let result = try PoolerProcess.run(["embed", "--input", input, "--strategy", "mean-nospecial", "--output", output])
        #expect(result.status == 0, "\(result.stderr)")
        let (rows, segments) = try PoolingScratch.rows(input)
        let expected = PoolingStrategy.meanNoSpecial.pooled(rows, segments: segments, specialTokens: .clsFirstSepLast)
        #expect(PoolingScratch.maxDifference(try PoolingScratch.embeddings(output), expected) <= 1e-6)

        let bare = try scratch.writeHiddenStates("bare.h5", dim: 4, specialTokens: false)
        let refused = try PoolerProcess.run(["embed", "--input", bare, "--strategy", "mean-nospecial", "--output", scratch.path("no.h5")])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--special-tokens"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("no.h5")))
    }

    @Test("--head matches Examples/python/pool.py to 1e-5",
          .enabled(if: PythonReference.isAvailable,
                   "skipped: python3 with numpy, h5py and safetensors is needed (pip install numpy h5py safetensors)"),
          arguments: ["additive", "multihead", "multihead raw scores"])
    func headMatchesPython(kind: String) throws {
        let configuration = kind == "additive"
            ? HeadConfiguration(kind: .additive, dim: 8, hidden: 5, projection: true, normalize: false)
            : HeadConfiguration(kind: .multihead, dim: 8, heads: 2, keyDim: 3,
                                scoreNormalization: kind == "multihead" ? .rms : .none, projection: true, normalize: true)
        let (head, folder) = try scratch.exportPerturbedHead(configuration, to: "head")
        let input = try scratch.writeHiddenStates("in.h5", dim: 8)
        let swiftOutput = scratch.path("swift.h5")
        let pythonOutput = scratch.path("python.h5")
        let embedded = try PoolerProcess.run(["embed", "--input", input, "--head", folder.path, "--output", swiftOutput,
                                              "--batch-size", "2"])
        #expect(embedded.status == 0, "\(embedded.stderr)")
        let python = try PythonReference.run([PythonReference.script.path, folder.path, input, "--output", pythonOutput])
        #expect(python.status == 0, "\(python.stderr)")
        let swift = try PoolingScratch.embeddings(swiftOutput)
        let reference = try PoolingScratch.embeddings(pythonOutput)
        #expect(swift.shape == [PoolingScratch.lengths.count, 8])
        #expect(PoolingScratch.maxDifference(swift, reference) <= 1e-5)
        // The head is not mean pooling.
        let (rows, segments) = try PoolingScratch.rows(input)
        #expect(PoolingScratch.maxDifference(swift, rows.segmentMean(segments)) > 1e-2)
        #expect(PoolingScratch.maxDifference(swift, head.pooled(rows, segments: segments)) <= 1e-6)
    }

    @Test("pool.py piped into head stops quietly, without a BrokenPipeError traceback",
          .enabled(if: PythonReference.isAvailable,
                   "skipped: python3 with numpy, h5py and safetensors is needed (pip install numpy h5py safetensors)"))
    func poolScriptIntoHead() throws {
        let (_, folder) = try scratch.exportPerturbedHead(HeadConfiguration(kind: .additive, dim: 384, hidden: 4), to: "head")
        // Megabytes of output, far more than a pipe holds: the pipe closes while the script still writes.
        let input = EvaluateCommandTests.sample.appendingPathComponent("test.h5").path
        let command = "python3 '\(PythonReference.script.path)' '\(folder.path)' '\(input)' | head -n 1"
        let result = try PoolerProcess.run(executable: URL(fileURLWithPath: "/bin/sh"), ["-c", command])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").count == 1)
        #expect(!result.stderr.contains("BrokenPipeError") && !result.stderr.contains("Traceback"), "\(result.stderr)")
    }

    @Test("clear errors: flags, unknown strategy, missing file, head dimension")
    func errors() throws {
        let input = try scratch.writeHiddenStates("in.h5", dim: 4)
        let output = scratch.path("out.h5")

        let neither = try PoolerProcess.run(["embed", "--input", input, "--output", output])
        #expect(neither.status != 0 && neither.stderr.contains("--strategy"))
        let both = try PoolerProcess.run(["embed", "--input", input, "--output", output, "--strategy", "mean", "--head", "x"])
        #expect(both.status != 0 && both.stderr.contains("not both"))

        let unknown = try PoolerProcess.run(["embed", "--input", input, "--output", output, "--strategy", "mean+avg"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("'avg'") && unknown.stderr.contains("weighted-mean") && unknown.stderr.contains("mean-sqrt-len"))

        let missing = try PoolerProcess.run(["embed", "--input", scratch.path("nope.h5"), "--output", output, "--strategy", "mean"])
        #expect(missing.status != 0 && missing.stderr.contains("nope.h5"))

        let (_, folder) = try scratch.exportPerturbedHead(HeadConfiguration(kind: .additive, dim: 6, hidden: 2), to: "head6")
        let mismatch = try PoolerProcess.run(["embed", "--input", input, "--output", output, "--head", folder.path])
        #expect(mismatch.status != 0)
        #expect(mismatch.stderr.contains("dimension 4") && mismatch.stderr.contains("expects 6"))

        let noHead = try PoolerProcess.run(["embed", "--input", input, "--output", output, "--head", scratch.path("absent")])
        #expect(noHead.status != 0 && noHead.stderr.contains("absent"))
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
