import Foundation
import HiddenStates
import Testing
import Training

/// `pooler train` on small generated files (never on shared data).
@Suite("pooler train")
struct TrainCommandTests {
    final class Scratch {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("train-cli-tests-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    let scratch: Scratch
    let train: String
    let dev: String

    init() throws {
        scratch = try Scratch()
        train = scratch.path("train.h5")
        dev = scratch.path("dev.h5")
        try SyntheticPairs.write(path: train, pairs: 200, seed: 1)
        try SyntheticPairs.write(path: dev, pairs: 80, seed: 2)
    }

    private func arguments(_ out: String, _ extra: [String] = []) -> [String] {
        ["train", "--train", train, "--dev", dev, "--out", scratch.path(out), "--epochs", "2", "--lr", "1e-2",
         "--batch-size", "32", "--hidden", "16", "--quiet"] + extra
    }

    @Test("train is listed and documents its flags")
    func help() throws {
        #expect(try PoolerProcess.run(["--help"]).stdout.contains("train"))
        let help = try PoolerProcess.run(["train", "--help"])
        for flag in ["--train", "--dev", "--head", "--loss", "--warmup", "--schedule", "--resume", "--eval-every", "--infonce-threshold"] {
            #expect(help.stdout.contains(flag), "\(flag) missing from help")
        }
    }

    @Test("a run prints the untrained score, trains, and fills the run directory")
    func run() throws {
        let result = try PoolerProcess.run(arguments("run"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("untrained head: dev Spearman"))
        #expect(result.stdout.contains("done: best dev Spearman"))
        for file in ["head/config.json", "head/model.safetensors", "log.jsonl", "summary.json", "checkpoint/checkpoint.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: scratch.path("run/\(file)")), "\(file) missing")
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("run/summary.json"))))
        let train = (summary as? [String: Any])?["train"] as? [String: Any]
        #expect((train?["sha256"] as? String)?.count == 64)
        // No Swift enum encodings, one key style.
        let configuration = (summary as? [String: Any])?["configuration"] as? [String: Any]
        #expect(configuration?["warmup"] as? [String: Double] == ["fraction": 0.1])
        #expect(configuration?["learning_rate"] != nil && (summary as? [String: Any])?["best_dev_spearman"] != nil)
        let log = try String(contentsOfFile: scratch.path("run/log.jsonl"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 3)  // initial + 2 epochs

        let again = try PoolerProcess.run(arguments("run"))
        #expect(again.status != 0)
        #expect(again.stderr.contains("already holds a run") && again.stderr.contains("--resume"))

        let mismatch = try PoolerProcess.run(arguments("run", ["--resume", "--seed", "5"]))
        #expect(mismatch.status != 0)
        #expect(mismatch.stderr.contains("seed"), "\(mismatch.stderr)")
    }

    @Test("several --train files are all used, each with its --teacher; a changed teacher refuses --resume")
    func distillSeveralTrains() throws {
        let second = scratch.path("second.h5")
        try SyntheticPairs.write(path: second, pairs: 120, seed: 3)
        let base = ["train", "--train", train, "--train", second, "--teacher", train + ":mean", "--teacher", second + ":mean",
                    "--dev", dev, "--out", scratch.path("distill"), "--epochs", "1", "--lr", "1e-2", "--batch-size", "32",
                    "--hidden", "16", "--loss", "distill"]
        let result = try PoolerProcess.run(base)
        #expect(result.status == 0, "\(result.stderr)")
        let sentences = try [train, second].map { path -> Int in
            let split = try TrainingSplit.load(path: path)
            return split.sentenceCount
        }.reduce(0, +)
        #expect(result.stderr.contains("training on \(sentences) sentences"), "\(result.stderr)")
        var changed = base + ["--resume"]
        if let index = changed.firstIndex(of: second + ":mean") { changed[index] = second + ":max" }
        let refused = try PoolerProcess.run(changed)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("teacher"), "\(refused.stderr)")
        let combined = try PoolerProcess.run(arguments("combined", ["--teacher", train + ":mean", "--distill-weight", "0.5"]))
        #expect(combined.status == 0, "\(combined.stderr)")
        let log = try String(contentsOfFile: scratch.path("combined/log.jsonl"), encoding: .utf8)
        #expect(log.contains("\"train_loss_parts\":{\"cosent\""), "\(log)")
    }

    @Test("bad flags and mismatches are clear errors before any work", arguments: [
        (["--loss", "distill"], "--loss distill needs --teacher"),
        (["--distill-weight", "2"], "--distill-weight applies only"),
        (["--distill-metric", "mse"], "--distill-metric applies only"),
        (["--scale", "10", "--loss", "infonce"], "--scale applies only"),
        (["--temperature", "0.1"], "--temperature applies only"),
        (["--heads", "4"], "--heads applies only"),
        (["--score-normalization", "none"], "--score-normalization applies only"),
        (["--head", "multihead", "--heads", "2", "--score-normalization", "l2"], "--score-normalization"),
        (["--lr", "-1"], "--lr"),
        (["--epochs", "0"], "--epochs"),
        (["--warmup", "1.5"], "--warmup"),
        (["--loss", "softmax"], "--loss"),
        (["--batch-size", "1", "--loss", "infonce"], "at least 2"),
        (["--loss", "infonce", "--infonce-threshold", "9"], "no pair scores ≥ --infonce-threshold 9"),
        (["--resume"], "no checkpoint"),
    ])
    func badFlags(_ extra: [String], _ message: String) throws {
        let result = try PoolerProcess.run(arguments("bad-\(UUID().uuidString)", extra))
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }

    @Test("dim mismatch between files, missing files and files without pairs are named")
    func fileErrors() throws {
        let wide = scratch.path("wide.h5")
        try SyntheticPairs.write(path: wide, pairs: 10, dim: 8, seed: 3)
        let mismatch = try PoolerProcess.run(["train", "--train", train, "--dev", wide, "--out", scratch.path("x")])
        #expect(mismatch.status != 0)
        #expect(mismatch.stderr.contains("dim 16") && mismatch.stderr.contains("dim 8") && mismatch.stderr.contains(wide))

        // The same width from another layer: refused, both layers named.
        let layer3 = scratch.path("layer3.h5")
        try SyntheticPairs.write(path: layer3, pairs: 10, seed: 3, extraAttributes: ["layer": .string("3")])
        let otherLayer = try PoolerProcess.run(["train", "--train", train, "--dev", layer3, "--out", scratch.path("v")])
        #expect(otherLayer.status != 0 && otherLayer.stderr.contains("holds layer last") && otherLayer.stderr.contains("layer 3")
                    && otherLayer.stderr.contains(layer3), "\(otherLayer.stderr)")

        let missing = try PoolerProcess.run(["train", "--train", scratch.path("nope.h5"), "--dev", dev, "--out", scratch.path("y")])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("nope.h5"))

        let unscored = scratch.path("unscored.h5")
        try SyntheticPairs.write(path: unscored, pairs: 10, seed: 4, withScores: false)
        let noScores = try PoolerProcess.run(["train", "--train", unscored, "--dev", dev, "--out", scratch.path("z")])
        #expect(noScores.status != 0)
        #expect(noScores.stderr.contains("no gold /scores") && noScores.stderr.contains("infonce"))
        let infonce = try PoolerProcess.run(["train", "--train", unscored, "--dev", dev, "--out", scratch.path("w"),
                                             "--loss", "infonce", "--epochs", "1", "--quiet"])
        #expect(infonce.status == 0, "\(infonce.stderr)")
    }

    @Test("SIGINT saves a checkpoint and exits; --resume finishes with the weights of an uninterrupted run")
    func interruptAndResume() throws {
        let bigTrain = scratch.path("big-train.h5")
        try SyntheticPairs.write(path: bigTrain, pairs: 2000, seed: 5)
        func args(_ out: String) -> [String] {
            ["train", "--train", bigTrain, "--dev", dev, "--out", scratch.path(out), "--epochs", "12", "--patience", "0",
             "--batch-size", "16", "--hidden", "16", "--eval-every", "20", "--lr", "1e-2"]
        }
        let straight = try PoolerProcess.run(args("straight") + ["--quiet"])
        #expect(straight.status == 0, "\(straight.stderr)")

        let process = Process()
        process.executableURL = PoolerProcess.binary
        process.arguments = args("interrupted")
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Wait until training is under way (a few evaluations logged), then interrupt.
        let log = scratch.path("interrupted/log.jsonl")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: log, encoding: .utf8), text.split(separator: "\n").count >= 3 { break }
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGINT)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        _ = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 0 {
            Issue.record("the run finished before SIGINT arrived; make the data larger")
            return
        }
        #expect(process.terminationStatus == 130)
        #expect(stdout.contains("checkpoint saved"))
        #expect(stdout.contains("resume with: pooler train") && stdout.contains("--resume"))

        let resumed = try PoolerProcess.run(args("interrupted") + ["--resume", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let a = try Data(contentsOf: URL(fileURLWithPath: scratch.path("straight/head/model.safetensors")))
        let b = try Data(contentsOf: URL(fileURLWithPath: scratch.path("interrupted/head/model.safetensors")))
        #expect(a == b, "resumed head differs from the uninterrupted run's")
        func result(_ text: String) -> String? { text.split(separator: "\n").first { $0.hasPrefix("done:") }.map(String.init) }
        #expect(result(straight.stdout) != nil && result(straight.stdout) == result(resumed.stdout))
        // The resumed run records the inputs' digests its resume check computed: the same as a fresh run's.
        func digests(_ run: String) throws -> [String?] {
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("\(run)/summary.json"))))
            let object = summary as? [String: Any]
            return ["train", "dev"].map { ((object?[$0] as? [String: Any])?["sha256"] as? String) }
        }
        let straightDigests = try digests("straight")
        let resumedDigests = try digests("interrupted")
        #expect(straightDigests.allSatisfy { ($0?.count ?? 0) == 64 } && straightDigests == resumedDigests)
    }
}
