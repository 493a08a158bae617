import Foundation
import Testing

/// `pooler evaluate --normalize`, `--tasks` and `--format mteb` on the committed sample.
@Suite("pooler evaluate: --normalize, --tasks, --format mteb")
struct EvaluateTasksTests {
    static let test = EvaluateCommandTests.sample.appendingPathComponent("test.h5").path
    static let dev = EvaluateCommandTests.sample.appendingPathComponent("dev.h5").path

    static func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try PoolerProcess.run(["evaluate", "--data", test, "--resamples", "100", "--format", "json", "--quiet"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test("--normalize changes dot/euclidean/manhattan, not cosine, and is recorded")
    func normalize() throws {
        let raw = try #require((Self.json(["--strategies", "mean"])["results"] as? [[String: Any]])?.first)
        let unit = try #require((Self.json(["--strategies", "mean", "--normalize"])["results"] as? [[String: Any]])?.first)
        #expect(raw["normalized"] as? Bool == false && unit["normalized"] as? Bool == true)
        let cosine = try #require(raw["spearman_cosine"] as? Double)
        #expect(abs(cosine - (unit["spearman_cosine"] as? Double ?? 0)) < 1e-6)
        #expect(abs((unit["spearman_dot"] as? Double ?? 0) - cosine) < 1e-6)
        #expect(abs((raw["spearman_dot"] as? Double ?? 0) - cosine) > 1)
        #expect(unit["spearman_max"] as? Double != nil && unit["pearson_max"] as? Double != nil)
    }

    @Test("the default output has STS only; --tasks adds retrieval and classification with intervals")
    func tasks() throws {
        let plain = try Self.json(["--strategies", "mean,cls"])
        #expect(Set(plain.keys) == ["results"])
        let all = try Self.json(["--strategies", "mean,cls", "--tasks", "sts,retrieval,classification"])
        #expect((all["results"] as? [[String: Any]])?.count == 2)
        let retrieval = try #require(all["retrieval"] as? [[String: Any]])
        #expect(retrieval.count == 2 && retrieval[1]["baseline"] as? String == "mean")
        for key in ["mrr_at_10", "ndcg_at_10", "recall_at_1", "recall_at_10", "ndcg_at_10_ci", "ndcg_at_10_diff",
                    "ndcg_at_10_p_value", "queries", "corpus"] {
            #expect(retrieval[1][key] != nil, "missing \(key)")
        }
        let classification = try #require(all["classification"] as? [[String: Any]])
        for key in ["ap", "accuracy", "f1", "ap_ci", "ap_diff_ci", "accuracy_threshold", "positives"] {
            #expect(classification[1][key] != nil, "missing \(key)")
        }
        let only = try Self.json(["--strategies", "mean", "--tasks", "retrieval"])
        #expect(Set(only.keys) == ["retrieval"])
        let table = try PoolerProcess.run(["evaluate", "--data", Self.test, "--strategies", "mean", "--resamples", "100",
                                           "--tasks", "sts,classification", "--quiet"])
        #expect(table.stdout.contains("Spearman cos") && table.stdout.contains("Pair classification"))
    }

    @Test("--format mteb writes METHOD/TASK.json with the splits into the --output folder")
    func mteb() throws {
        let scratch = try PoolingScratch()
        let folder = scratch.path("mteb")
        let result = try PoolerProcess.run(["evaluate", "--data", Self.dev, "--data", Self.test, "--strategies", "mean,cls",
                                            "--resamples", "100", "--format", "mteb", "--output", folder, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        for method in ["mean", "cls"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/\(method)/STSBenchmark.json"))
            let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
            let scores = try #require(object["scores"] as? [String: [[String: Any]]])
            #expect(Set(scores.keys) == ["dev", "test"])
            let main = try #require(scores["test"]?.first?["main_score"] as? Double)
            #expect(main > 0 && main < 1)
        }
    }

    @Test("--format mteb needs a folder that is not an input, and STS only")
    func mtebMisuse() throws {
        let noOutput = try PoolerProcess.run(["evaluate", "--data", Self.test, "--format", "mteb"])
        #expect(noOutput.status != 0 && noOutput.stderr.contains("--output FOLDER"))
        let file = try PoolerProcess.run(["evaluate", "--data", Self.test, "--format", "mteb", "--output", Self.test])
        #expect(file.status != 0 && file.stderr.contains("must be a folder"))
        let tasks = try PoolerProcess.run(["evaluate", "--data", Self.test, "--format", "mteb", "--output", "x",
                                           "--tasks", "retrieval"])
        #expect(tasks.status != 0 && tasks.stderr.contains("STS results only"))
        let unknown = try PoolerProcess.run(["evaluate", "--data", Self.test, "--tasks", "sts,clustering"])
        #expect(unknown.status != 0 && unknown.stderr.contains("clustering"))
    }

    @Test("--format mteb never writes over an input, and refuses two files that would be the same split")
    func mtebSafety() throws {
        let scratch = try PoolingScratch()
        let folder = scratch.path("results")
        // An HDF5 input that sits where the mean result would go.
        try FileManager.default.createDirectory(atPath: folder + "/mean", withIntermediateDirectories: true)
        let trap = folder + "/mean/STSBenchmark.json"
        try FileManager.default.copyItem(atPath: Self.test, toPath: trap)
        let before = try Data(contentsOf: URL(fileURLWithPath: trap))
        let overwrite = try PoolerProcess.run(["evaluate", "--data", trap, "--strategies", "mean", "--resamples", "100",
                                               "--format", "mteb", "--output", folder, "--quiet"])
        #expect(overwrite.status != 0 && overwrite.stderr.contains("is also the input"), "\(overwrite.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: trap)) == before)

        try FileManager.default.createDirectory(atPath: scratch.path("other"), withIntermediateDirectories: true)
        let copy = scratch.path("other/test.h5")
        try FileManager.default.copyItem(atPath: Self.test, toPath: copy)
        let twice = try PoolerProcess.run(["evaluate", "--data", Self.test, "--data", copy, "--strategies", "mean",
                                           "--resamples", "100", "--format", "mteb", "--output", scratch.path("twice"), "--quiet"])
        #expect(twice.status != 0 && twice.stderr.contains("would both be split 'test'"), "\(twice.stderr)")
    }
}
