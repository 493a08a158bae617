import Autodiff
import Foundation
import Testing
@testable import Pooling

@Suite("head configuration, export and loading")
struct HeadExportTests {
    let folder = Fixture.temporaryFolder()

    private func export(_ configuration: HeadConfiguration) throws -> any PoolingHead {
        let head = Fixture.perturbedHead(configuration)
        try HeadExport.write(head, to: folder)
        return head
    }

    private func expectLoadError(_ expected: PoolingError) {
        #expect(throws: expected) { try HeadExport.load(from: folder) }
    }

    @Test("configuration JSON round trip; snake_case keys; defaults fill optional fields")
    func configurationCoding() throws {
        let configuration = HeadConfiguration(kind: .multihead, dim: 8, heads: 2, keyDim: 4, projection: true,
                                              provenance: HeadProvenance(model: "m", layer: "last", trainingDataHash: "abc", poolerVersion: "0.1.0"))
        let data = try HeadExport.configurationData(configuration)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"key_dim\" : 4") && text.contains("\"training_data_hash\" : \"abc\""))
        #expect(try JSONDecoder().decode(HeadConfiguration.self, from: data) == configuration)
        let minimal = Data(#"{"kind": "additive", "dim": 16, "format_version": 1}"#.utf8)
        #expect(try JSONDecoder().decode(HeadConfiguration.self, from: minimal) == HeadConfiguration(kind: .additive, dim: 16, formatVersion: 1))
    }

    @Test("each kind writes only its own size fields; older files with all of them still load")
    func unusedFieldsLeftOut() throws {
        func keys(_ configuration: HeadConfiguration) throws -> Set<String> {
            let object = try JSONSerialization.jsonObject(with: HeadExport.configurationData(configuration)) as? [String: Any]
            return Set(object?.keys.map { $0 } ?? [])
        }
        let additive = try keys(HeadConfiguration(kind: .additive, dim: 8, hidden: 4))
        #expect(additive.contains("hidden") && !additive.contains("heads") && !additive.contains("key_dim"))
        let multihead = try keys(HeadConfiguration(kind: .multihead, dim: 8, heads: 2, keyDim: 4))
        #expect(!multihead.contains("hidden") && multihead.contains("heads") && multihead.contains("key_dim"))
        let old = Data((#"{"kind": "additive", "dim": 8, "hidden": 4, "heads": 4, "key_dim": 64, "projection": false,"#
            + #" "normalize": false, "format_version": 1}"#).utf8)
        let loaded = try JSONDecoder().decode(HeadConfiguration.self, from: old)
        #expect(loaded.kind == .additive && loaded.hidden == 4)
        #expect(multihead.contains("score_normalization") && !additive.contains("score_normalization"))
    }

    @Test("multihead score_normalization: rms for new heads, none for heads written before it existed, else refused")
    func scoreNormalizationCoding() throws {
        #expect(HeadConfiguration(kind: .multihead, dim: 8).scoreNormalization == .rms)
        let older = Data(#"{"kind": "multihead", "dim": 8, "heads": 2, "key_dim": 4, "format_version": 1}"#.utf8)
        #expect(try JSONDecoder().decode(HeadConfiguration.self, from: older).scoreNormalization == ScoreNormalization.none)
        let raw = HeadConfiguration(kind: .multihead, dim: 8, heads: 2, keyDim: 4, scoreNormalization: .none)
        #expect(try JSONDecoder().decode(HeadConfiguration.self, from: HeadExport.configurationData(raw)) == raw)
        let unknown = Data(#"{"kind": "multihead", "dim": 8, "score_normalization": "l2", "format_version": 1}"#.utf8)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(HeadConfiguration.self, from: unknown) }
    }

    @Test("validation rejects impossible configurations with typed errors")
    func validation() throws {
        #expect(throws: PoolingError.invalidConfiguration(path: "c", field: "dim", value: "0", requirement: "must be positive")) {
            try HeadConfiguration(kind: .additive, dim: 0).validate(path: "c")
        }
        #expect(throws: PoolingError.self) { try HeadConfiguration(kind: .multihead, dim: 10, heads: 4).validate() }
        #expect(throws: PoolingError.self) { try HeadConfiguration(kind: .multihead, dim: 8, keyDim: 0).validate() }
        #expect(throws: PoolingError.self) { try HeadConfiguration(kind: .additive, dim: 8, hidden: -1).validate() }
        #expect(throws: PoolingError.unsupportedFormatVersion(path: "c", found: 3, supported: 2)) {
            try HeadConfiguration(kind: .additive, dim: 8, formatVersion: 3).validate(path: "c")
        }
        try HeadConfiguration(kind: .multihead, dim: 8, scoreNormalization: .none, formatVersion: 1).validate()
    }

    @Test("export then load gives the same head and the same embeddings", arguments: Fixture.configurations.keys.sorted())
    func roundTrip(name: String) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        guard let configuration = Fixture.configurations[name] else { return }
        let head = try export(configuration)
        let loaded = try HeadExport.load(from: folder)
        #expect(loaded.configuration == head.configuration)
        #expect(loaded.parameters == head.parameters)
        let rows = Fixture.rows(Fixture.segments, dim: configuration.dim)
        #expect(loaded.pooled(rows, segments: Fixture.segments) == head.pooled(rows, segments: Fixture.segments))
        let weights = try SafeTensors.read(folder.appendingPathComponent("model.safetensors"))
        #expect(weights.metadata == ["format": "pt", "pooler_format_version": "2", "head": configuration.kind.rawValue,
                                     HeadExport.digestKey: ContentDigest.sha256Hex(tensors: head.parameters)])
    }

    @Test("loading reports missing, unexpected and misshapen tensors by name and shape")
    func tensorErrors() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let head = try export(HeadConfiguration(kind: .additive, dim: 4, hidden: 3))
        let weightsURL = folder.appendingPathComponent("model.safetensors")
        let path = weightsURL.path
        var contents = HeadExport.weights(head)

        contents.tensors["attention.v"] = nil
        try SafeTensors.write(contents, to: weightsURL)
        expectLoadError(.missingTensor(path: path, name: "attention.v", expectedShape: [3]))

        contents.tensors["attention.v"] = .init(shape: [4], values: [0, 0, 0, 0])
        try SafeTensors.write(contents, to: weightsURL)
        expectLoadError(.wrongShape(path: path, name: "attention.v", expected: [3], actual: [4]))

        contents.tensors["attention.v"] = .init(shape: [3], values: [0, .nan, 0])
        try SafeTensors.write(contents, to: weightsURL)
        expectLoadError(.nonFiniteParameter(path: path, name: "attention.v", index: 1))

        contents.tensors["attention.v"] = .init(shape: [3], values: [0, 0, 0])
        contents.tensors["projection.weight"] = .init(shape: [4, 4], values: [Float](repeating: 0, count: 16))
        try SafeTensors.write(contents, to: weightsURL)
        expectLoadError(.unexpectedTensor(path: path, name: "projection.weight", shape: [4, 4]))

        contents.tensors["projection.weight"] = nil
        contents.metadata["head"] = "multihead"
        try SafeTensors.write(contents, to: weightsURL)
        expectLoadError(.headKindMismatch(path: path, configuration: "additive", weights: "multihead"))

        try Data("not safetensors".utf8).write(to: weightsURL)
        #expect(throws: PoolingError.self) { try HeadExport.load(from: folder) }
    }

    @Test("loading reports missing folders, files and broken configurations")
    func fileErrors() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: PoolingError.self) { try HeadExport.load(from: folder) }
        _ = try export(HeadConfiguration(kind: .multihead, dim: 4, heads: 2, keyDim: 2))
        let configURL = folder.appendingPathComponent("config.json")

        try Data(#"{"kind": "additive", "format_version": 1}"#.utf8).write(to: configURL)
        do {
            _ = try HeadExport.load(from: folder)
            Issue.record("expected an error")
        } catch let error as PoolingError {
            #expect(error.description.contains("'dim'") && error.description.contains(configURL.path))
        }

        try Data(#"{"kind": "attention", "dim": 4, "format_version": 1}"#.utf8).write(to: configURL)
        do {
            _ = try HeadExport.load(from: folder)
            Issue.record("expected an error")
        } catch let error as PoolingError {
            #expect(error.description.contains("kind") && error.description.contains("multihead"))
        }

        try Data(#"{"kind": "multihead", "dim": 4, "heads": 3, "format_version": 1}"#.utf8).write(to: configURL)
        expectLoadError(.invalidConfiguration(path: configURL.path, field: "heads", value: "3",
                                              requirement: "dim 4 must be divisible by heads (each head weights dim/heads dimensions)"))

        // dim that disagrees with the weights: wrong shape, naming the tensor.
        try Data(#"{"kind": "multihead", "dim": 8, "heads": 2, "key_dim": 2, "format_version": 1}"#.utf8).write(to: configURL)
        expectLoadError(.wrongShape(path: folder.appendingPathComponent("model.safetensors").path,
                                    name: "keys.weight", expected: [2, 8], actual: [2, 4]))

        try FileManager.default.removeItem(at: configURL)
        #expect(throws: PoolingError.self) { try HeadExport.load(from: folder) }
    }
}
