import Foundation
import Pooling
import Testing

/// `pooler export RUN --sentence-transformers MODEL --out FOLDER` on the tiny BERT fixture (2 layers)
/// with a head trained on layer 1: the folder, the truncation, and sentence-transformers' output.
@Suite("pooler export --sentence-transformers")
struct SentenceTransformersExportTests {
    let scratch: PoolingScratch

    init() throws { scratch = try PoolingScratch() }

    static let model = ExtractCommandTests.model
    static let script = PythonReference.repositoryRoot.appendingPathComponent("Tests/Scripts/encode_sentence_transformers.py")

    static let sentenceTransformersAvailable: Bool = {
        do {
            return try PythonReference.run(["-c", "import torch, numpy, safetensors, sentence_transformers"]).status == 0
        } catch {
            return false
        }
    }()

    static let texts = """
        the cat sat on the mat
        a dog sat on a mat
        the big red bird sings
        the sun is high
        a man eats bread and the moon is low

        """

    /// A perturbed additive head on layer 1 of tiny-bert, exported into `run/head`, and the folder exported from it.
    func export(layer: String = "1", model: String = "tiny-bert", template: String = "unknown",
                extra: [String] = []) throws -> (run: String, out: String, result: PoolerProcess) {
        var configuration = HeadConfiguration(kind: .additive, dim: 32, hidden: 5, projection: true, normalize: false)
        configuration.provenance = HeadProvenance(model: model, layer: layer, trainingDataHash: "abc123", template: template)
        _ = try scratch.exportPerturbedHead(configuration, to: "run/head")
        let out = scratch.path("st-model")
        let result = try PoolerProcess.run(["export", scratch.path("run"), "--sentence-transformers", Self.model, "--out", out] + extra)
        return (scratch.path("run"), out, result)
    }

    @Test("the folder: modules.json, the encoder truncated to the head's layer, the head module and the card")
    func layout() throws {
        let (_, out, result) = try export()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("truncated to 1 of 2 layers"), "\(result.stdout)")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out))
        #expect(files.isSuperset(of: ["modules.json", "pooler_head.py", "config.json", "model.safetensors", "vocab.txt",
                                      "tokenizer_config.json", "sentence_bert_config.json", "README.md", "1_PoolerHead"]))
        #expect(!files.contains("1_Pooling") && !files.contains("2_Normalize"))
        let modules = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/modules.json"))) as? [[String: Any]]
        #expect(modules?.compactMap { $0["type"] as? String } == ["sentence_transformers.models.Transformer", "pooler_head.PoolerHead"])
        #expect(modules?.compactMap { $0["path"] as? String } == ["", "1_PoolerHead"])

        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/config.json"))) as? [String: Any]
        #expect(config?["num_hidden_layers"] as? Int == 1)
        #expect(config?["hidden_size"] as? Int == 32)
        let weights = try SafeTensors.read(URL(fileURLWithPath: out + "/model.safetensors"))
        let original = try SafeTensors.read(URL(fileURLWithPath: Self.model + "/model.safetensors")) { !$0.hasSuffix("position_ids") }
        #expect(weights.tensors.count == original.tensors.count - 16)  // layer 1's 16 tensors; the I64 position_ids left out
        #expect(!weights.tensors.keys.contains { $0.contains("encoder.layer.1.") })
        #expect(weights.tensors.keys.contains("bert.encoder.layer.0.attention.self.query.weight"))
        for (name, entry) in weights.tensors { #expect(original.tensors[name] == entry, "\(name) changed") }

        let head = try HeadExport.load(from: URL(fileURLWithPath: out + "/1_PoolerHead"))
        #expect(head.configuration.provenance.layer == "1")
        #expect(FileManager.default.fileExists(atPath: out + "/1_PoolerHead/pooler_head.py"))
        let card = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        for phrase in ["additive", "| hidden | 5 |", "projection | yes", "normalize | no", "tiny-bert", "truncated to its first 1 layers",
                       "abc123"] {
            #expect(card.contains(phrase), "card lacks '\(phrase)'")
        }
        #expect(!card.lowercased().contains("mean pooling +"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).allSatisfy { !$0.hasPrefix(".") })

        // --force replaces an earlier export of this kind; a head export with the flag is refused.
        let again = try PoolerProcess.run(["export", scratch.path("run"), "--sentence-transformers", Self.model, "--out", out, "--force"])
        #expect(again.status == 0, "\(again.stderr)")
        try Data("x".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        let foreign = try PoolerProcess.run(["export", scratch.path("run"), "--sentence-transformers", Self.model, "--out", out, "--force"])
        #expect(foreign.status != 0 && foreign.stderr.contains("notes.txt"), "\(foreign.stderr)")
    }

    @Test("a head of another model is refused unless --ignore-head-provenance; a bad layer is a typed error")
    func provenance() throws {
        let (_, out, refused) = try export(model: "all-MiniLM-L6-v2")
        #expect(refused.status != 0 && refused.stderr.contains("all-MiniLM-L6-v2") && refused.stderr.contains("--ignore-head-provenance"),
                "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let forced = try PoolerProcess.run(["export", scratch.path("run"), "--sentence-transformers", Self.model, "--out", out,
                                            "--ignore-head-provenance"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let last = try PoolerProcess.run(["export", scratch.path("run"), "--ignore-head-provenance", "--out", scratch.path("x")])
        #expect(last.status != 0 && last.stderr.contains("--sentence-transformers"))
        try FileManager.default.removeItem(atPath: out)
        let (_, badOut, bad) = try export(layer: "7")
        #expect(bad.status != 0 && bad.stderr.contains("'7'"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: badOut))
        // Trained on prompted states: sentence-transformers would encode the bare text.
        let (_, promptOut, prompted) = try export(template: "Summarise: {sentence}")
        #expect(prompted.status != 0 && prompted.stderr.contains("Summarise: {sentence}"), "\(prompted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: promptOut))
        let (_, bareOut, bare) = try export(template: "none")
        #expect(bare.status == 0 && FileManager.default.fileExists(atPath: bareOut), "\(bare.stderr)")
    }

    @Test("with the head's layer the last, the encoder is copied byte for byte")
    func lastLayer() throws {
        let (_, out, result) = try export(layer: "last")
        #expect(result.status == 0, "\(result.stderr)")
        for name in ["config.json", "model.safetensors", "vocab.txt"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/" + name)) == Data(contentsOf: URL(fileURLWithPath: Self.model + "/" + name)))
        }
    }

    @Test("SentenceTransformer(FOLDER, trust_remote_code=True).encode equals pooler embed --model --head to 1e-5",
          .enabled(if: SentenceTransformersExportTests.sentenceTransformersAvailable,
                   "skipped: python3 with torch, numpy, safetensors and sentence-transformers is needed (pip install sentence-transformers)"))
    func matchesEmbed() throws {
        let (run, out, result) = try export()
        #expect(result.status == 0, "\(result.stderr)")
        let texts = scratch.path("texts.txt")
        try Data(Self.texts.utf8).write(to: URL(fileURLWithPath: texts))
        let npy = scratch.path("e.npy")
        let embed = try PoolerProcess.run(["embed", "--model", Self.model, "--head", run, "--input", texts, "--output", npy])
        #expect(embed.status == 0, "\(embed.stderr)")
        let python = try PythonReference.run([Self.script.path, out, texts, npy])
        #expect(python.status == 0, "\(python.stderr)")
        let line = python.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let report = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(report?["modules"] as? [String] == ["Transformer", "PoolerHead"], "\(line)")
        #expect(report?["layers"] as? Int == 1, "\(line)")
        #expect(report?["shape"] as? [Int] == [5, 32], "\(line)")
        let difference = report?["max_abs_diff"] as? Double ?? .infinity
        #expect(difference <= 1e-5, "sentence-transformers vs pooler embed: max abs diff \(difference)")
    }

    @Test("sentence-transformers' spellings of the fixed strategies are accepted", arguments: [
        ("lasttoken", PoolingStrategy.last), ("weightedmean", .weightedMean), ("mean_sqrt_len_tokens", .meanSqrtLen), ("cls", .cls),
    ])
    func aliases(_ alias: String, _ strategy: PoolingStrategy) throws {
        #expect(try FixedPooling(parsing: alias).strategies == [strategy])
        #expect(try FixedPooling(parsing: "mean+" + alias).name == "mean+" + strategy.rawValue)
        let input = try scratch.writeHiddenStates("in.h5", dim: 8, specialTokens: true)
        let viaAlias = try PoolerProcess.run(["embed", "--input", input, "--strategy", alias, "--output", scratch.path("a.h5")])
        let canonical = try PoolerProcess.run(["embed", "--input", input, "--strategy", strategy.rawValue, "--output", scratch.path("c.h5")])
        #expect(viaAlias.status == 0 && canonical.status == 0, "\(viaAlias.stderr)")
        #expect(PoolingScratch.maxDifference(try PoolingScratch.embeddings(scratch.path("a.h5")),
                                             try PoolingScratch.embeddings(scratch.path("c.h5"))) == 0)
    }
}
