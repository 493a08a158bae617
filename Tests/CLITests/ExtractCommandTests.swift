import Autodiff
import Encoder
import Foundation
import HiddenStates
import Pooling
import Testing

/// `pooler extract` and `pooler embed --model` on the committed tiny random BERT
/// (Tests/EncoderTests/Fixtures/tiny-bert, made by scripts/make-tiny-bert.py).
@Suite("pooler extract and embed --model")
struct ExtractCommandTests {
    let scratch: PoolingScratch
    static let model = PythonReference.repositoryRoot.appendingPathComponent("Tests/EncoderTests/Fixtures/tiny-bert").path

    init() throws { scratch = try PoolingScratch() }

    func write(_ name: String, _ text: String) throws -> String {
        let path = scratch.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let pairs = """
        the cat sat on the mat\ta dog sat on a mat\t3.5
        the big red bird sings\tthe small blue bird sings\t4
        a man eats bread\tthe cat sat on the mat\t0.5
        the sun is high\tthe moon is low\t1.25

        """

    @Test("extract writes the ragged layout: deduplicated sentences, pairs, scores, ids, vocab; several layers from one pass")
    func layout() throws {
        let input = try write("pairs.tsv", Self.pairs)
        let output = scratch.path("states-L{layer}.h5")
        let result = try PoolerProcess.run(["extract", "--model", Self.model, "--input", input, "--output", output,
                                            "--layer", "0,1,last", "--dtype", "float32", "--batch-size", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        var previous: [Float]?
        for layer in [0, 1, 2] {
            let file = try HiddenStatesFile(path: scratch.path("states-L\(layer).h5"))
            #expect(file.metadata.sentences == 7)  // "the cat sat on the mat" stored once
            #expect(try file.pairs() == [SentencePair(0, 1), SentencePair(2, 3), SentencePair(4, 0), SentencePair(5, 6)])
            #expect(try file.scores() == [3.5, 4, 0.5, 1.25])
            #expect(file.metadata.attributes["layer"]?.description == (layer == 2 ? "last" : "\(layer)"))
            #expect(file.metadata.specialTokens?.firstIsSpecial == true)
            let texts = try file.sentenceTexts()
            #expect(texts[0] == "the cat sat on the mat")
            let tokens = try file.readAll().tokens
            #expect(tokens != previous)
            previous = tokens
        }
        // The states equal the library's forward of the same ids.
        let encoder = try TextEncoder(modelFolder: URL(fileURLWithPath: Self.model))
        let tokenized = try encoder.tokenized(["the cat sat on the mat"])
        let direct = try encoder.encoder.hiddenStates(ids: tokenized[0].ids, offsets: [0, tokenized[0].ids.count], layers: [1])
        let file = try HiddenStatesFile(path: scratch.path("states-L1.h5"))
        let stored = Array(try file.readAll().tokens.prefix(tokenized[0].ids.count * 32))
        #expect(zip(stored, direct[1]?.scalars ?? []).map { abs($0 - $1) }.max() ?? 1 <= 1e-5)
        #expect(try file.inputIDs().prefix(tokenized[0].ids.count).elementsEqual(tokenized[0].ids))
    }

    @Test("--layer all into ROOT/L{layer}/SPLIT.h5 makes the per-layer folders pooler sweep reads; a missing base folder is an error")
    func sweepLayout() throws {
        let input = try write("pairs.tsv", Self.pairs)
        let root = scratch.path("root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for split in ["train", "dev"] {
            let result = try PoolerProcess.run(["extract", "--model", Self.model, "--input", input, "--layer", "all", "--quiet",
                                                "--output", root + "/L{layer}/\(split).h5"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let sweep = try PoolerProcess.run(["sweep", "--root", root, "--out", scratch.path("sweep"), "--no-head",
                                           "--strategies", "mean,cls", "--resamples", "100", "--format", "json", "--quiet"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(sweep.stdout.utf8)) as? [String: Any]
        #expect((json?["layers"] as? [Any])?.count == 3)  // embeddings + the tiny model's 2 layers
        let typo = try PoolerProcess.run(["extract", "--model", Self.model, "--input", input, "--layer", "all", "--quiet",
                                          "--output", scratch.path("no-such-folder") + "/L{layer}/train.h5"])
        #expect(typo.status != 0 && typo.stderr.contains("no-such-folder") && typo.stderr.contains("does not exist"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("no-such-folder")))
    }

    @Test("every other command reads extract's output: evaluate, train, embed")
    func interoperates() throws {
        let input = try write("pairs.tsv", Self.pairs)
        let states = scratch.path("states.h5")
        #expect(try PoolerProcess.run(["extract", "--model", Self.model, "--input", input, "--output", states]).status == 0)
        let evaluated = try PoolerProcess.run(["evaluate", "--data", states, "--strategies", "mean,cls", "--format", "json", "--quiet"])
        #expect(evaluated.status == 0 && evaluated.stdout.contains("\"pairs\" : 4"), "\(evaluated.stderr)")
        let embedded = try PoolerProcess.run(["embed", "--input", states, "--strategy", "mean", "--output", scratch.path("e.h5")])
        #expect(embedded.status == 0, "\(embedded.stderr)")
    }

    @Test("embed --model: texts to .h5, .npy and .jsonl equal pooling extract's states; a head on another layer is refused")
    func embedTexts() throws {
        let input = try write("texts.txt", "the cat sat on the mat\na dog runs up the tree\nthe sea is blue\n")
        let h5 = scratch.path("e.h5")
        let result = try PoolerProcess.run(["embed", "--model", Self.model, "--input", input, "--output", h5, "--layer", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let embeddings = try PoolingScratch.embeddings(h5)
        #expect(embeddings.shape == [3, 32])
        let states = scratch.path("s.h5")
        #expect(try PoolerProcess.run(["extract", "--model", Self.model, "--input", input, "--output", states, "--layer", "1",
                                       "--dtype", "float32"]).status == 0)
        let (rows, segments) = try PoolingScratch.rows(states)
        #expect(PoolingScratch.maxDifference(embeddings, PoolingStrategy.mean.pooled(rows, segments: segments)) <= 1e-5)

        let npy = scratch.path("e.npy")
        #expect(try PoolerProcess.run(["embed", "--model", Self.model, "--input", input, "--output", npy, "--layer", "1"]).status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: npy))
        #expect(bytes.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0 && bytes.count == 10 + headerLength + 3 * 32 * 4)
        let jsonl = scratch.path("e.jsonl")
        #expect(try PoolerProcess.run(["embed", "--model", Self.model, "--input", input, "--output", jsonl]).status == 0)
        let lines = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3 && lines[0].hasPrefix("{\"text\":\"the cat sat on the mat\",\"embedding\":["))

        // A head trained on layer 1 of this model: used as is; on another layer only with the override.
        var configuration = HeadConfiguration(kind: .additive, dim: 32, hidden: 4)
        configuration.provenance = HeadProvenance(model: "tiny-bert", layer: "1")
        let (_, head) = try scratch.exportPerturbedHead(configuration, to: "head")
        let matching = try PoolerProcess.run(["embed", "--model", Self.model, "--input", input, "--head", head.path, "--output", scratch.path("h.h5")])
        #expect(matching.status == 0 && matching.stdout.contains("layer 1 of 2"), "\(matching.stderr)")
        let other = try PoolerProcess.run(["embed", "--model", Self.model, "--input", input, "--head", head.path, "--layer", "2",
                                           "--output", scratch.path("h2.h5")])
        #expect(other.status != 0 && other.stderr.contains("trained on layer 1"), "\(other.stderr)")
        let forced = try PoolerProcess.run(["embed", "--model", Self.model, "--input", input, "--head", head.path, "--layer", "2",
                                            "--ignore-head-provenance", "--output", scratch.path("h2.h5")])
        #expect(forced.status == 0, "\(forced.stderr)")

        // A head trained on prompted states (`extract_hidden_states.py --template`): the text path
        // encodes the bare text, so it is refused unless overridden.
        configuration.provenance.template = "This sentence : \"{sentence}\" means in one word:\""
        let (_, prompted) = try scratch.exportPerturbedHead(configuration, to: "prompted")
        let refused = try PoolerProcess.run(["embed", "--model", Self.model, "--input", input, "--head", prompted.path,
                                             "--output", scratch.path("p.h5")])
        #expect(refused.status != 0 && refused.stderr.contains("trained on template") && refused.stderr.contains("means in one word"),
                "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("p.h5")))
        let overridden = try PoolerProcess.run(["embed", "--model", Self.model, "--input", input, "--head", prompted.path,
                                                "--ignore-head-provenance", "--output", scratch.path("p.h5")])
        #expect(overridden.status == 0, "\(overridden.stderr)")
    }

    @Test("bad texts and model folders are typed errors naming the file and line; nothing is written", arguments: [
        ("bad-utf8", "texts.txt:2: not valid UTF-8"),
        ("empty-line", "texts.txt:2: empty sentence"),
        ("no-config", "config.json"),
        ("gpt2", "gpt2"),
        ("wrong-shape", "embeddings.word_embeddings.weight"),
        ("no-vocab", "vocab.txt"),
    ])
    func badInput(_ kind: String, _ message: String) throws {
        var text = Data("the cat sat\n".utf8)
        if kind == "bad-utf8" { text += Data([0x61, 0xFF, 0xFE, 0x0A]) }
        if kind == "empty-line" { text += Data("\n  \nthe dog\n".utf8) }
        let input = scratch.path("texts.txt")
        try text.write(to: URL(fileURLWithPath: input))
        let model = scratch.url.appendingPathComponent("model")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Self.model), to: model)
        let config = model.appendingPathComponent("config.json")
        switch kind {
        case "no-config": try FileManager.default.removeItem(at: config)
        case "no-vocab": try FileManager.default.removeItem(at: model.appendingPathComponent("vocab.txt"))
        case "gpt2", "wrong-shape":
            var json = try String(contentsOf: config, encoding: .utf8)
            json = kind == "gpt2" ? json.replacingOccurrences(of: "\"bert\"", with: "\"gpt2\"")
                : json.replacingOccurrences(of: "\"vocab_size\": 64", with: "\"vocab_size\": 65")
            try json.write(to: config, atomically: true, encoding: .utf8)
        default: break
        }
        for command in ["extract", "embed"] {
            let output = scratch.path("out.h5")
            let result = try PoolerProcess.run([command, "--model", model.path, "--input", input, "--output", output])
            #expect(result.status != 0 && result.status < 128, "\(command) \(kind)")
            #expect(result.stderr.contains(message), "\(command) \(kind): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output))
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).allSatisfy { !$0.contains(".tmp-") })
        }
    }
}
