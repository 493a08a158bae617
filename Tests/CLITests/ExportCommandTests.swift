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
