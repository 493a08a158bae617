import Foundation
import HiddenStates
import Pooling
import Testing
import Training

/// The prompt template (`template` attribute, written by `Examples/extract_hidden_states.py
/// --template`) travels from the training file into the head's provenance, and a head is refused
/// on states made with another prompt — in `train`, `evaluate`, `embed` and `explain`.
@Suite("prompt template provenance")
struct TemplateProvenanceTests {
    static let prompt = "This sentence : \"{sentence}\" means in one word:\""

    final class Scratch {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("template-tests-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    /// Pair files with the prompt, with `none` (bare sentences) and without the attribute.
    static func files(_ scratch: Scratch) throws -> (prompted: String, promptedDev: String, bare: String, unrecorded: String) {
        let paths = (scratch.path("prompted.h5"), scratch.path("prompted-dev.h5"), scratch.path("bare.h5"), scratch.path("unrecorded.h5"))
        try SyntheticPairs.write(path: paths.0, pairs: 60, dim: 8, seed: 1, extraAttributes: ["template": .string(prompt)])
        try SyntheticPairs.write(path: paths.1, pairs: 30, dim: 8, seed: 2, extraAttributes: ["template": .string(prompt)])
        try SyntheticPairs.write(path: paths.2, pairs: 30, dim: 8, seed: 2, extraAttributes: ["template": .string("none")])
        try SyntheticPairs.write(path: paths.3, pairs: 30, dim: 8, seed: 2)
        return paths
    }

    @Test("the head records the training file's template; evaluate, embed and explain refuse states made with another one")
    func recordedAndChecked() throws {
        let scratch = try Scratch()
        let (prompted, promptedDev, bare, unrecorded) = try Self.files(scratch)
        let run = scratch.path("run")
        let trained = try PoolerProcess.run(["train", "--train", prompted, "--dev", promptedDev, "--out", run,
                                             "--epochs", "1", "--hidden", "4", "--batch-size", "16", "--quiet"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let configuration = try HeadExport.loadConfiguration(from: URL(fileURLWithPath: run).appendingPathComponent("head"))
        #expect(configuration.provenance.template == Self.prompt)

        // Same prompt, or a file that does not say: pooled.
        for data in [promptedDev, unrecorded] {
            let result = try PoolerProcess.run(["evaluate", "--data", data, "--head", run, "--resamples", "100", "--quiet"])
            #expect(result.status == 0, "\(data): \(result.stderr)")
        }
        // Bare sentences: refused, naming the file, both templates and the fix.
        let evaluated = try PoolerProcess.run(["evaluate", "--data", bare, "--head", run, "--resamples", "100", "--quiet"])
        #expect(evaluated.status != 0)
        for part in [bare, "no template", "means in one word", "--template"] {
            #expect(evaluated.stderr.contains(part), "evaluate: \(part) missing from \(evaluated.stderr)")
        }
        let output = scratch.path("embeddings.h5")
        let embedded = try PoolerProcess.run(["embed", "--input", bare, "--head", run, "--output", output])
        #expect(embedded.status != 0 && embedded.stderr.contains(bare), "embed: \(embedded.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output), "embed wrote \(output) anyway")
        let explained = try PoolerProcess.run(["explain", "--data", bare, "--head", run, "--sentence", "0"])
        #expect(explained.status != 0 && explained.stderr.contains("means in one word"), "explain: \(explained.stderr)")
    }

    @Test("train refuses train and dev files extracted with different templates")
    func trainDevMismatch() throws {
        let scratch = try Scratch()
        let (prompted, _, bare, unrecorded) = try Self.files(scratch)
        let refused = try PoolerProcess.run(["train", "--train", prompted, "--dev", bare, "--out", scratch.path("run"), "--quiet"])
        #expect(refused.status != 0)
        for part in [prompted, bare, "no template", "--template"] {
            #expect(refused.stderr.contains(part), "\(part) missing from \(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("run/checkpoint")))
        // A dev file that does not record its template is not second-guessed.
        let accepted = try PoolerProcess.run(["train", "--train", prompted, "--dev", unrecorded, "--out", scratch.path("run2"),
                                              "--epochs", "1", "--hidden", "4", "--batch-size", "16", "--quiet"])
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }

    @Test("provenance without a template (heads written before it was recorded) reads as unknown and is never refused")
    func olderHeads() throws {
        let json = #"{"model": "m", "layer": "last", "training_data_hash": "", "pooler_version": "0.1.0"}"#
        let provenance = try JSONDecoder().decode(HeadProvenance.self, from: Data(json.utf8))
        #expect(provenance.template == HeadProvenance.unknown)
        try provenance.checkTemplate("none", source: "x.h5")
        try provenance.checkTemplate(Self.prompt, source: "x.h5")
        let prompted = HeadProvenance(template: Self.prompt)
        try prompted.checkTemplate(nil, source: "x.h5")
        try prompted.checkTemplate(HeadProvenance.unknown, source: "x.h5")
        try prompted.checkTemplate(Self.prompt, source: "x.h5")
        #expect(throws: PoolingError.self) { try prompted.checkTemplate("none", source: "x.h5") }
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(prompted)) as? [String: Any]
        #expect(encoded?["template"] as? String == Self.prompt)
    }
}
