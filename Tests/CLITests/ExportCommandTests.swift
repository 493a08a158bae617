import Autodiff
import Foundation
import Pooling
import Testing

/// `pooler export` on heads generated here.
@Suite("pooler export")
struct ExportCommandTests {
    let scratch: PoolingScratch

    init() throws { scratch = try PoolingScratch() }

    @Test("a run folder's head/ is validated and copied with the sentence-transformers files")
    func exportRun() throws {
        let configuration = HeadConfiguration(kind: .multihead, dim: 8, heads: 4, keyDim: 2, projection: true,
                                              provenance: HeadProvenance(model: "tiny", layer: "last"))
        let (head, _) = try scratch.exportPerturbedHead(configuration, to: "run/head")
        let out = scratch.path("exported")
        let result = try PoolerProcess.run(["export", scratch.path("run"), "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == ["config.json", "model.safetensors", "modules.json", "pooler_head.py"])
        let loaded = try HeadExport.load(from: URL(fileURLWithPath: out))
        #expect(loaded.configuration == head.configuration)
        #expect(loaded.parameters == head.parameters)
        let module = try String(contentsOfFile: scratch.path("exported/pooler_head.py"), encoding: .utf8)
        #expect(module.contains("class PoolerHead(nn.Module)"))
        let modules = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("exported/modules.json"))))
        #expect((modules as? [[String: Any]])?.count == 2)
        // No temporary folders left beside the export.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).allSatisfy { !$0.hasPrefix(".") })
    }

    @Test("a head folder is accepted directly; an existing DIR needs --force")
    func headFolderAndForce() throws {
        let (_, folder) = try scratch.exportPerturbedHead(HeadConfiguration(kind: .additive, dim: 4, hidden: 3), to: "head")
        let out = scratch.path("exported")
        #expect(try PoolerProcess.run(["export", folder.path, "--out", out]).status == 0)
        let again = try PoolerProcess.run(["export", folder.path, "--out", out])
        #expect(again.status != 0 && again.stderr.contains("--force"))
        let forced = try PoolerProcess.run(["export", folder.path, "--out", out, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
    }

    @Test("invalid heads are refused with the tensor, shapes and path; nothing is written")
    func invalid() throws {
        let out = scratch.path("exported")
        let missing = try PoolerProcess.run(["export", scratch.path("no-run"), "--out", out])
        #expect(missing.status != 0 && missing.stderr.contains("no-run"))

        let (head, folder) = try scratch.exportPerturbedHead(HeadConfiguration(kind: .additive, dim: 4, hidden: 3), to: "run/head")
        var contents = HeadExport.weights(head)
        contents.tensors["attention.weight"] = .init(shape: [3, 5], values: [Float](repeating: 0, count: 15))
        try SafeTensors.write(contents, to: folder.appendingPathComponent("model.safetensors"))
        let wrong = try PoolerProcess.run(["export", scratch.path("run"), "--out", out])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("attention.weight") && wrong.stderr.contains("[3, 5]") && wrong.stderr.contains("[3, 4]"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}

/// The PyTorch module `pooler export` ships is a real file (Sources/pooler/Resources/pooler_head.py),
/// run here against `pooler embed`.
@Suite("exported PyTorch module")
struct ExportedTorchModuleTests {
    let scratch: PoolingScratch

    init() throws { scratch = try PoolingScratch() }

    static let resource = PythonReference.repositoryRoot.appendingPathComponent("Sources/pooler/Resources/pooler_head.py")
    static let script = PythonReference.repositoryRoot.appendingPathComponent("Tests/Scripts/run_pooler_head.py")

    static let torchAvailable: Bool = {
        do {
            return try PythonReference.run(["-c", "import torch, h5py, numpy, safetensors"]).status == 0
        } catch {
            return false
        }
    }()

    @Test("export writes the shipped pooler_head.py byte for byte")
    func shipsTheFile() throws {
        let (_, folder) = try scratch.exportPerturbedHead(HeadConfiguration(kind: .additive, dim: 4, hidden: 3), to: "run/head")
        let out = scratch.path("exported")
        let result = try PoolerProcess.run(["export", folder.path, "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/pooler_head.py")) == Data(contentsOf: Self.resource))
    }

    @Test("pooler_head.py equals pooler embed to 1e-5 (right and left padding)",
          .enabled(if: ExportedTorchModuleTests.torchAvailable,
                   "skipped: python3 with torch, h5py, numpy and safetensors is needed (pip install torch h5py safetensors)"),
          arguments: ["additive", "multihead", "multihead raw scores"])
    func matchesEmbed(kind: String) throws {
        let configuration = kind == "additive"
            ? HeadConfiguration(kind: .additive, dim: 8, hidden: 5, projection: true, normalize: false)
            : HeadConfiguration(kind: .multihead, dim: 8, heads: 2, keyDim: 3,
                                scoreNormalization: kind == "multihead" ? .rms : .none, projection: true, normalize: true)
        let (_, folder) = try scratch.exportPerturbedHead(configuration, to: "run/head")
        let exported = scratch.path("exported")
        #expect(try PoolerProcess.run(["export", folder.path, "--out", exported]).status == 0)
        let input = try scratch.writeHiddenStates("in.h5", dim: 8)
        let swiftOutput = scratch.path("swift.h5")
        #expect(try PoolerProcess.run(["embed", "--input", input, "--head", exported, "--output", swiftOutput]).status == 0)
        let expected = try PoolingScratch.embeddings(swiftOutput)
        for side in ["right", "left"] {
            let torchOutput = scratch.path("torch-\(side).h5")
            let run = try PythonReference.run([Self.script.path, exported, input, torchOutput, side])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(PoolingScratch.maxDifference(try PoolingScratch.embeddings(torchOutput), expected) <= 1e-5, "\(side) padding")
        }
    }
}
