import Foundation
import Pooling
import Testing
@testable import Encoder

@Suite("model folders: layouts, configuration, weights")
struct ModelFolderTests {
    /// The error `body` throws, if it is an ``EncoderError``.
    func encoderError(_ body: () throws -> Void) -> EncoderError? {
        do { try body() } catch let error as EncoderError { return error } catch { return nil }
        return nil
    }

    @Test("the fixture folder: configuration, tokenizer paths, max_seq_length and native pooling")
    func fixtureFolder() throws {
        let encoder = try BertEncoder(folder: TinyBert.folder)
        #expect(encoder.configuration == BertConfiguration(
            hiddenSize: 32, layerCount: 2, headCount: 4, intermediateSize: 64, layerNormEpsilon: 1e-12,
            maxPositions: 40, typeVocabularySize: 2, vocabularySize: 64))
        let folder = try #require(encoder.folder)
        #expect(folder.vocabularyURL.lastPathComponent == "vocab.txt")
        #expect(folder.tokenizerConfigurationURL?.lastPathComponent == "tokenizer_config.json")
        #expect(folder.maxSequenceLength == 32)
        #expect(folder.nativePooling == [.mean])
        let bare = try ModelFolder(TinyBert.f16Folder)
        #expect(bare.tokenizerConfigurationURL == nil && bare.maxSequenceLength == nil && bare.nativePooling == nil)
    }

    @Test("a sentence-transformers folder whose modules.json puts the transformer in a subfolder")
    func modulesSubfolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TinyBert.folder, to: root.appendingPathComponent("0_Transformer"))
        try FileManager.default.moveItem(at: root.appendingPathComponent("0_Transformer/1_Pooling"),
                                         to: root.appendingPathComponent("1_Pooling"))
        try TinyBert.editJSON(root.appendingPathComponent("1_Pooling/config.json")) {
            $0["pooling_mode_mean_tokens"] = false
            $0["pooling_mode_cls_token"] = true
            $0["pooling_mode_max_tokens"] = true
        }
        let modules = #"[{"idx":0,"name":"0","path":"0_Transformer","type":"sentence_transformers.models.Transformer"},"#
            + #"{"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"}]"#
        try Data(modules.utf8).write(to: root.appendingPathComponent("modules.json"))
        let encoder = try BertEncoder(folder: root)
        let folder = try #require(encoder.folder)
        #expect(folder.transformerFolder.lastPathComponent == "0_Transformer")
        #expect(folder.weightsURL.path.hasSuffix("0_Transformer/model.safetensors"))
        #expect(folder.maxSequenceLength == 32)
        #expect(folder.nativePooling == [.cls, .max])  // sentence-transformers' concatenation order
    }

    @Test("a folder without config, weights or vocabulary: missingFile naming the file and what a folder needs",
          arguments: ["config.json", "model.safetensors", "vocab.txt", ""])
    func missingFile(_ name: String) throws {
        let folder = try TinyBert.copy(TinyBert.folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = name.isEmpty ? folder.appendingPathComponent("nowhere") : folder.appendingPathComponent(name)
        if !name.isEmpty { try FileManager.default.removeItem(at: missing) }
        let error = encoderError { _ = try BertEncoder(folder: name.isEmpty ? missing : folder) }
        guard case .missingFile(let path, _)? = error else { Issue.record("\(name): \(String(describing: error))"); return }
        #expect(path == missing.path)
        #expect(error?.description.contains("config.json, model.safetensors and vocab.txt") == true)
    }

    @Test("only pytorch_model.bin: the hint says how to convert it")
    func pytorchOnly() throws {
        let folder = try TinyBert.copy(TinyBert.folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.moveItem(at: folder.appendingPathComponent("model.safetensors"),
                                         to: folder.appendingPathComponent("pytorch_model.bin"))
        let error = encoderError { _ = try BertEncoder(folder: folder) }
        #expect(error?.description.contains("safe_serialization=True") == true)
    }

    struct ConfigCase: Sendable, CustomTestStringConvertible {
        let name: String
        let change: @Sendable (inout [String: Any]) -> Void
        let expected: [String]
        var testDescription: String { name }
    }

    static let configCases: [ConfigCase] = [
        ConfigCase(name: "model_type gpt2", change: { $0["model_type"] = "gpt2" },
                   expected: ["model_type \"gpt2\" is not supported; supported: bert"]),
        ConfigCase(name: "hidden_act relu", change: { $0["hidden_act"] = "relu" },
                   expected: ["hidden_act \"relu\" is not supported; supported: gelu"]),
        ConfigCase(name: "missing hidden_size", change: { $0["hidden_size"] = nil },
                   expected: ["field \"hidden_size\"", "missing"]),
        ConfigCase(name: "hidden_size a string", change: { $0["hidden_size"] = "32" },
                   expected: ["field \"hidden_size\" is \"32\"; expected an integer"]),
        ConfigCase(name: "heads do not divide hidden_size", change: { $0["num_attention_heads"] = 5 },
                   expected: ["field \"num_attention_heads\" is 5; expected a divisor of hidden_size 32"]),
        ConfigCase(name: "layer_norm_eps negative", change: { $0["layer_norm_eps"] = -1 },
                   expected: ["field \"layer_norm_eps\"", "positive number"]),
        ConfigCase(name: "relative position embeddings", change: { $0["position_embedding_type"] = "relative_key" },
                   expected: ["position_embedding_type", "\"absolute\""]),
    ]

    @Test("config.json problems give typed errors naming config.json and the field", arguments: configCases)
    func badConfiguration(_ c: ConfigCase) throws {
        let folder = try TinyBert.copy(TinyBert.folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        try TinyBert.editJSON(folder.appendingPathComponent("config.json"), c.change)
        let error = encoderError { _ = try BertEncoder(folder: folder) }
        let message = error?.description ?? "no error"
        #expect(message.contains(folder.appendingPathComponent("config.json").path), "\(message)")
        #expect(message.contains("Hint:"), "\(message)")
        for text in c.expected { #expect(message.contains(text), "\(message)") }
    }

    @Test("a config.json that is not JSON")
    func notJSON() throws {
        let folder = try TinyBert.copy(TinyBert.folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{ nope".utf8).write(to: folder.appendingPathComponent("config.json"))
        let error = encoderError { _ = try BertEncoder(folder: folder) }
        #expect(error == .malformedJSON(path: folder.appendingPathComponent("config.json").path, detail: "not valid JSON"))
    }

    @Test("a tensor whose shape disagrees with the configuration, and a missing tensor, are named")
    func badWeights() throws {
        let folder = try TinyBert.copy(TinyBert.folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        var contents = try SafeTensors.read(url) { !$0.hasSuffix("position_ids") }
        contents.tensors["bert.encoder.layer.1.intermediate.dense.weight"] = .init(shape: [32, 64], values: [Float](repeating: 0, count: 2048))
        try SafeTensors.write(contents, to: url)
        #expect(encoderError { _ = try BertEncoder(folder: folder) } == .tensorShapeMismatch(
            path: url.path, name: "encoder.layer.1.intermediate.dense.weight", expected: [64, 32], actual: [32, 64]))

        contents.tensors["bert.encoder.layer.1.intermediate.dense.weight"] = nil
        try SafeTensors.write(contents, to: url)
        let missing = encoderError { _ = try BertEncoder(folder: folder) }
        #expect(missing == .missingTensor(path: url.path, name: "encoder.layer.1.intermediate.dense.weight"))
        #expect(missing?.description.contains("Hint:") == true)

        try Data([1, 2, 3]).write(to: url)
        let unreadable = encoderError { _ = try BertEncoder(folder: folder) }
        guard case .unreadableWeights(let path, let reason)? = unreadable else { Issue.record("\(String(describing: unreadable))"); return }
        #expect(path == url.path && reason.contains("too short"))
    }

    @Test("sentence-transformers pooling flags map to strategies; unknown or no modes are typed errors")
    func poolingFlags() throws {
        func strategies(_ fields: [String: JSONValue]) throws -> [PoolingStrategy] {
            try SentenceTransformersPooling.strategies(JSONFile(path: "1_Pooling/config.json", fields: fields))
        }
        #expect(try strategies(["pooling_mode_lasttoken": .bool(true)]) == [.last])
        #expect(try strategies(["pooling_mode_weightedmean_tokens": .bool(true), "pooling_mode_mean_sqrt_len_tokens": .bool(true)])
            == [.meanSqrtLen, .weightedMean])
        #expect(encoderError { _ = try strategies(["pooling_mode_mean_tokens": .bool(false)]) }
            == .unsupportedPooling(path: "1_Pooling/config.json", modes: [],
                                   supported: SentenceTransformersPooling.modes.map(\.flag)))
        let unknown = encoderError { _ = try strategies(["pooling_mode_mean_tokens": .bool(true), "pooling_mode_fancy": .bool(true)]) }
        #expect(unknown?.description.contains("pooling_mode_fancy") == true)
        #expect(encoderError { _ = try strategies(["pooling_mode_mean_tokens": .integer(1)]) }
            == .invalidField(path: "1_Pooling/config.json", field: "pooling_mode_mean_tokens", value: "1", expected: "true or false"))
    }
}
