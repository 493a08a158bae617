import Autodiff
import Foundation
import HiddenStates
import Pooling
import Testing
import Training

/// Hostile or careless input to the commands: each case is a typed error naming the file or flag,
/// a non-zero exit (not a signal), and nothing written outside the intended output.
@Suite("misuse: typed errors, nothing silently wrong")
struct MisuseTests {
    let scratch: PoolingScratch

    init() throws { scratch = try PoolingScratch() }

    /// A ragged float32 file: `lengths.count` sentences with `value` in every cell, pairs (2p, 2p+1) and `scores`.
    func write(_ name: String, lengths: [Int], dim: Int = 4, value: (Int) -> Float, scores: [Float]) throws -> String {
        let path = scratch.path(name)
        let writer = try RaggedWriter(path: path, dim: dim, options: .init(storage: .float32, chunkRows: 16, gzipLevel: nil))
        for (s, length) in lengths.enumerated() {
            try writer.append(sentence: ArraySlice((0..<(length * dim)).map { value(s * 1000 + $0) }), text: "sentence \(s)")
        }
        let pairs = (0..<scores.count).map { SentencePair(2 * $0, 2 * $0 + 1) }
        try writer.finish(pairs: pairs, scores: scores)
        return path
    }

    func train(_ out: String, train: String, dev: String, _ extra: [String] = []) throws -> PoolerProcess {
        try PoolerProcess.run(["train", "--train", train, "--dev", dev, "--out", out, "--epochs", "1", "--quiet",
                               "--hidden", "8"] + extra)
    }

    @Test("one pair, constant gold scores and all-zero tokens: statistics are undefined, never significant; JSON null; no NaN in the chart")
    func undefinedStatistics() throws {
        let onePair = try write("one.h5", lengths: [3, 2], value: { Float($0 % 7) - 3 }, scores: [2])
        let constant = try write("constant.h5", lengths: [3, 2, 4, 2, 3, 5], value: { Float(($0 * 37) % 11) - 5 }, scores: [3, 3, 3])
        let zeros = try write("zeros.h5", lengths: [3, 2, 4, 2, 3, 5], value: { _ in 0 }, scores: [1, 2, 3])
        for file in [onePair, constant, zeros] {
            let json = try PoolerProcess.run(["evaluate", "--data", file, "--strategies", "mean,max", "--format", "json", "--quiet"])
            #expect(json.status == 0, "\(json.stderr)")
            #expect(json.stdout.contains("\"spearman_cosine\" : null") && json.stdout.contains("undefined"), "\(json.stdout)")
            #expect(!json.stdout.contains("\"significant\" : true"))
            let table = try PoolerProcess.run(["evaluate", "--data", file, "--strategies", "mean,max", "--quiet",
                                               "--plot", scratch.path("chart.svg")])
            #expect(table.status == 0 && table.stdout.contains("n/a"), "\(table.stdout)")
            #expect(!table.stdout.split(separator: "\n").contains { $0.hasSuffix("*") }, "\(table.stdout)")
            let svg = try String(contentsOfFile: scratch.path("chart.svg"), encoding: .utf8)
            #expect(!svg.lowercased().contains("nan") && svg.contains("undefined"))
        }
    }

    @Test("hidden states near the float32 limit: embed and evaluate stop, naming the sentence; nothing written")
    func overflowingStates() throws {
        let huge = try write("huge.h5", lengths: [3, 2, 4, 2], value: { $0 >= 2000 ? 3e38 : 1 }, scores: [1, 4])
        let output = scratch.path("emb.h5")
        let embedded = try PoolerProcess.run(["embed", "--input", huge, "--strategy", "mean", "--output", output])
        #expect(embedded.status != 0 && embedded.stderr.contains("sentence 2") && embedded.stderr.contains("non-finite"), "\(embedded.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
        let evaluated = try PoolerProcess.run(["evaluate", "--data", huge, "--quiet"])
        #expect(evaluated.status != 0 && evaluated.stderr.contains("sentence 2"), "\(evaluated.stderr)")
    }

    @Test("a dev set with one pair or constant scores is refused before training, and no run folder is left")
    func unscorableDev() throws {
        let trainFile = try SyntheticPairs.writeForCLI(scratch.path("train.h5"), pairs: 20)
        let onePair = try write("dev1.h5", lengths: [3, 2], dim: 8, value: { Float($0 % 5) }, scores: [2])
        let constant = try write("devc.h5", lengths: [3, 2, 4, 2, 3, 5], dim: 8, value: { Float($0 % 5) }, scores: [3, 3, 3])
        for (dev, message) in [(onePair, "1 pair"), (constant, "every gold score is 3")] {
            let out = scratch.path("run-\(UUID().uuidString)")
            let result = try train(out, train: trainFile, dev: dev)
            #expect(result.status != 0 && result.stderr.contains(message) && result.stderr.contains(dev), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    @Test("negative numbers and oversized values get range messages; nothing is created", arguments: [
        (["--epochs", "-1"], "--epochs -1 is invalid"),
        (["--lr", "-0.5"], "--lr -0.5 is invalid"),
        (["--batch-size", "-3"], "--batch-size -3 is invalid"),
        (["--hidden", "100000000"], "the limit is 100000000"),
        (["--head", "multihead", "--heads", "0"], "heads"),
    ])
    func badValues(_ extra: [String], _ message: String) throws {
        let trainFile = try SyntheticPairs.writeForCLI(scratch.path("t.h5"), pairs: 20)
        let out = scratch.path("run")
        let arguments = ["train", "--train", trainFile, "--dev", trainFile, "--out", out, "--quiet"]
            + (extra.contains("--hidden") || extra.contains("--heads") ? extra : ["--hidden", "8"] + extra)
        let result = try PoolerProcess.run(arguments)
        #expect(result.status != 0 && result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("'dim' = 0") && !result.stderr.contains("Missing value"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("special_tokens='foo' is named as unrecognised; evaluate takes --special-tokens as its hint says")
    func unrecognisedSpecialTokens() throws {
        let path = scratch.path("foo.h5")
        let writer = try RaggedWriter(path: path, dim: 4, options: .init(storage: .float32, chunkRows: 8, gzipLevel: nil),
                                      attributes: ["special_tokens": .string("foo")])
        for s in 0..<6 { try writer.append(sentence: ArraySlice((0..<12).map { Float(($0 * 7 + s * 3) % 5) })) }
        try writer.finish(pairs: [SentencePair(0, 1), SentencePair(2, 3), SentencePair(4, 5)], scores: [1, 2, 4])
        for arguments in [["embed", "--input", path, "--strategy", "mean-nospecial", "--output", scratch.path("o.h5")],
                          ["evaluate", "--data", path, "--strategies", "mean-nospecial", "--baseline", "none", "--quiet"]] {
            let result = try PoolerProcess.run(arguments)
            #expect(result.status != 0 && result.stderr.contains("'foo'") && result.stderr.contains(path), "\(result.stderr)")
        }
        let overridden = try PoolerProcess.run(["evaluate", "--data", path, "--strategies", "mean-nospecial", "--baseline", "none", "--quiet",
                                                "--special-tokens", "cls_first,sep_last"])
        #expect(overridden.status == 0, "\(overridden.stderr)")
    }

    @Test("--resamples beyond the bound is refused at once")
    func resamplesBound() throws {
        let file = try SyntheticPairs.writeForCLI(scratch.path("d.h5"))
        let result = try PoolerProcess.run(["evaluate", "--data", file, "--resamples", "9223372036854775807"])
        #expect(result.status != 0 && result.stderr.contains("100–1000000"), "\(result.stderr)")
    }

    @Test("--resume refuses other --train/--dev files, a flipped bit and out-of-range cursors")
    func resumeChecks() throws {
        let trainFile = try SyntheticPairs.writeForCLI(scratch.path("train.h5"), pairs: 40)
        let devFile = try SyntheticPairs.writeForCLI(scratch.path("dev.h5"), pairs: 20)
        let other = scratch.path("other.h5")
        try SyntheticPairs.write(path: other, pairs: 40, dim: 8, seed: 77)
        let out = scratch.path("run")
        #expect(try train(out, train: trainFile, dev: devFile).status == 0)
        let swapped = try train(out, train: other, dev: devFile, ["--resume"])
        #expect(swapped.status != 0 && swapped.stderr.contains("--train = the file with SHA-256"), "\(swapped.stderr)")
        let swappedDev = try train(out, train: trainFile, dev: other, ["--resume"])
        #expect(swappedDev.status != 0 && swappedDev.stderr.contains("--dev = the file with SHA-256"), "\(swappedDev.stderr)")

        let path = out + "/checkpoint/checkpoint.safetensors"
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var flipped = original
        flipped[flipped.count - 5] ^= 0x10  // inside the last tensor's bytes
        try flipped.write(to: URL(fileURLWithPath: path))
        let corrupt = try train(out, train: trainFile, dev: devFile, ["--resume"])
        #expect(corrupt.status != 0 && corrupt.stderr.contains("SHA-256"), "\(corrupt.stderr)")

        for cursor in [999, -3] {
            try original.write(to: URL(fileURLWithPath: path))
            var checkpoint = try Checkpoint.read(from: URL(fileURLWithPath: path))
            checkpoint.progress.batchesInEpoch = cursor
            try checkpoint.write(to: URL(fileURLWithPath: path))
            let result = try train(out, train: trainFile, dev: devFile, ["--resume"])
            #expect(result.status != 0 && result.stderr.contains("checkpoint") && result.stderr.contains("\(cursor)"), "\(result.stderr)")
            #expect(result.status < 128)
        }
    }

    @Test("a flipped bit in an exported head's weights is refused by every loader")
    func flippedHeadWeights() throws {
        let (_, folder) = try scratch.exportPerturbedHead(HeadConfiguration(kind: .additive, dim: 4, hidden: 3), to: "head")
        let weights = folder.appendingPathComponent("model.safetensors")
        var data = try Data(contentsOf: weights)
        data[data.count - 3] ^= 0x01
        try data.write(to: weights)
        #expect(throws: PoolingError.self) { try HeadExport.load(from: folder) }
        let input = try SyntheticPairs.writeForCLI(scratch.path("in.h5"))
        let result = try PoolerProcess.run(["embed", "--input", input, "--head", folder.path, "--output", scratch.path("o.h5")])
        #expect(result.status != 0 && result.stderr.contains("SHA-256"), "\(result.stderr)")
    }

    @Test("two trainers on one --out: the second is refused, naming the holder's PID")
    func runLock() throws {
        let directory = scratch.url.appendingPathComponent("locked")
        let lock = try RunLock(directory)
        #expect(throws: TrainingError.self) { try RunLock(directory) }
        do {
            _ = try RunLock(directory)
        } catch let error as TrainingError {
            #expect(error.description.contains("PID \(getpid())"))
        }
        let trainFile = try SyntheticPairs.writeForCLI(scratch.path("t.h5"), pairs: 20)
        let result = try train(directory.path, train: trainFile, dev: trainFile)
        #expect(result.status != 0 && result.stderr.contains("in use by another pooler train"), "\(result.stderr)")
        withExtendedLifetime(lock) {}
    }
}
