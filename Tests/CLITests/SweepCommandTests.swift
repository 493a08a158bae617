import Foundation
import Testing
import Training

/// `pooler sweep` on a small generated root (two layers, the same pairs, more signal in the second).
@Suite("pooler sweep")
struct SweepCommandTests {
    final class Scratch {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-cli-tests-\(UUID().uuidString)")
        var root: String { path("root") }
        init() throws {
            for (layer, signal) in [(0, Float(0.05)), (4, 1)] {
                let folder = url.appendingPathComponent("root/L\(layer)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for (split, pairs, seed) in [("train", 96, UInt64(1)), ("dev", 48, 2), ("test", 48, 3)] {
                    try SyntheticPairs.write(path: folder.appendingPathComponent("\(split).h5").path, pairs: pairs, dim: 8,
                                             seed: seed, signal: signal)
                }
            }
        }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    let scratch: Scratch
    init() throws { scratch = try Scratch() }

    func arguments(_ out: String, _ extra: [String] = []) -> [String] {
        ["sweep", "--root", scratch.root, "--out", scratch.path(out), "--epochs", "2", "--lr", "3e-2", "--hidden", "8",
         "--batch-size", "16", "--resamples", "200", "--strategies", "mean,max,last"] + extra
    }

    @Test("help lists sweep and its flags, with train's head flags")
    func help() throws {
        #expect(try PoolerProcess.run(["--help"]).stdout.contains("sweep"))
        let help = try PoolerProcess.run(["sweep", "--help"])
        for flag in ["--root", "--out", "--layers", "--strategies", "--no-head", "--head", "--projection", "--lr", "--epochs",
                     "--resume", "--format", "--plot"] {
            #expect(help.stdout.contains(flag), "\(flag) missing from help")
        }
    }

    @Test("JSON on stdout with the best object; progress on stderr; table, chart and report in the folder")
    func json() throws {
        let result = try PoolerProcess.run(arguments("out", ["--format", "json", "--plot", scratch.path("chart.svg")]))
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let best = try #require(json["best"] as? [String: Any])
        #expect(best["layer"] as? Int == 4)
        for key in ["method", "dev_spearman_cosine", "test_spearman_cosine"] { #expect(best[key] != nil, "\(key)") }
        let comparison = try #require(json["comparison"] as? [String: Any])
        #expect((comparison["reference"] as? [String: Any])?["layer"] as? Int == 4)
        #expect(result.stderr.contains("[1/2] layer 0") && result.stderr.contains("[2/2] layer 4"))
        for file in ["out/report.json", "out/table.txt", "out/chart.svg", "out/sweep.json", "out/L0/result.json",
                     "out/L4/run/head/config.json", "chart.svg"] {
            #expect(FileManager.default.fileExists(atPath: scratch.path(file)), "\(file)")
        }
        let table = try String(contentsOfFile: scratch.path("out/table.txt"), encoding: .utf8)
        #expect(table.contains("<- best") && table.contains("best on dev: L4"))

        // Run again without --resume: refused, nothing changed; with --resume: nothing redone, same report.
        let report = try Data(contentsOf: URL(fileURLWithPath: scratch.path("out/report.json")))
        let again = try PoolerProcess.run(arguments("out", ["--format", "json"]))
        #expect(again.status != 0 && again.stderr.contains("already holds a sweep") && again.stderr.contains("--resume"))
        let resumed = try PoolerProcess.run(arguments("out", ["--format", "json", "--resume"]))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.components(separatedBy: "finished earlier").count == 3)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.path("out/report.json"))) == report)
    }

    @Test("--layers checks only the chosen layers and the last one: an incomplete layer left out does not matter")
    func incompleteLayerLeftOut() throws {
        try FileManager.default.createDirectory(atPath: scratch.root + "/L2", withIntermediateDirectories: true)  // no files
        let chosen = try PoolerProcess.run(arguments("h", ["--layers", "0", "--no-head", "--quiet"]))
        #expect(chosen.status == 0, "\(chosen.stderr)")
        let all = try PoolerProcess.run(arguments("i", ["--no-head", "--quiet"]))
        #expect(all.status != 0 && all.stderr.contains("L2") && all.stderr.contains("train.h5"), "\(all.stderr)")
    }

    @Test("a test.h5 that does not match its train.h5 is refused before any head is trained, naming both files")
    func mismatchedTestSplit() throws {
        let test = scratch.root + "/L0/test.h5"
        try FileManager.default.removeItem(atPath: test)
        try SyntheticPairs.write(path: test, pairs: 48, dim: 16, seed: 3)
        let result = try PoolerProcess.run(arguments("j", ["--quiet"]))
        #expect(result.status != 0 && result.stderr.contains("dim 16") && result.stderr.contains(test)
                    && result.stderr.contains("train.h5"), "\(result.stderr)")
        #expect(!result.stderr.contains("--dev"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("j/L0/run")))
    }

    @Test("misuse: bad --layers, --out onto the inputs, distill, resume with other flags — typed errors, nothing written")
    func misuse() throws {
        let badLayers = try PoolerProcess.run(arguments("a", ["--layers", "0,x"]))
        #expect(badLayers.status == 64 && badLayers.stderr.contains("--layers: 'x' is not a layer number"))
        let missingLayer = try PoolerProcess.run(arguments("b", ["--layers", "0,7"]))
        #expect(missingLayer.status != 0 && missingLayer.stderr.contains("no folder L7") && missingLayer.stderr.contains("0,4"))
        let intoLayer = try PoolerProcess.run(["sweep", "--root", scratch.root, "--out", scratch.root + "/L4"])
        #expect(intoLayer.status != 0 && intoLayer.stderr.contains("--out"))
        #expect(!FileManager.default.fileExists(atPath: scratch.root + "/L4/sweep.json"))
        let ontoRoot = try PoolerProcess.run(["sweep", "--root", scratch.root, "--out", scratch.root])
        #expect(ontoRoot.status != 0 && ontoRoot.stderr.contains("--root"))
        let distill = try PoolerProcess.run(arguments("c", ["--loss", "distill"]))
        #expect(distill.status == 64 && distill.stderr.contains("teacher"))
        let scale = try PoolerProcess.run(arguments("d", ["--loss", "infonce", "--scale", "10"]))
        #expect(scale.status == 64 && scale.stderr.contains("--scale applies only to --loss cosent"))
        let ontoRecord = try PoolerProcess.run(arguments("f", ["--output", scratch.path("f/report.json")]))
        #expect(ontoRecord.status != 0 && ontoRecord.stderr.contains("--output"))
        let plotInside = try PoolerProcess.run(arguments("g", ["--plot", scratch.path("g/L4/run/head/config.json")]))
        #expect(plotInside.status != 0 && plotInside.stderr.contains("--plot") && plotInside.stderr.contains("--out"), "\(plotInside.stderr)")
        let newLayerFolder = try PoolerProcess.run(["sweep", "--root", scratch.root, "--out", scratch.root + "/L99"])
        #expect(newLayerFolder.status != 0 && newLayerFolder.stderr.contains("--root"), "\(newLayerFolder.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.root + "/L99"))
        for out in ["a", "b", "c", "d", "f", "g"] { #expect(!FileManager.default.fileExists(atPath: scratch.path(out)), "\(out)") }

        let first = try PoolerProcess.run(arguments("e", ["--no-head", "--quiet"]))
        #expect(first.status == 0, "\(first.stderr)")
        let other = try PoolerProcess.run(arguments("e", ["--no-head", "--quiet", "--resume", "--strategies", "mean"]))
        #expect(other.status != 0 && other.stderr.contains("--strategies") && other.stderr.contains("mean,max,last"))
        let withHead = try PoolerProcess.run(arguments("e", ["--quiet", "--resume"]))
        #expect(withHead.status != 0 && withHead.stderr.contains("--no-head"))
    }
}
