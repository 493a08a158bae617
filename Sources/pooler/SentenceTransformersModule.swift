import Foundation

/// The files `pooler export` writes so an exported head runs inside sentence-transformers.
///
/// The PyTorch module is a real file, `Sources/pooler/Resources/pooler_head.py`; the CLI tests run
/// it against `pooler embed` when torch is installed (skipped, saying so, otherwise), and
/// `Examples/python/pool.py` (numpy) is the always-tested independent reference of the same math.
/// docs/sentence-transformers.md records the end-to-end checks in sentence-transformers 6.2.
///
/// sentence-transformers (checked: 6.2) calls `load(model_folder, subfolder="1_PoolerHead", token=..., ...)`
/// when `load` takes more than one parameter, so `load` must honour `subfolder`; since 6.0 it needs
/// `trust_remote_code=True` for a module class outside its own namespace and resolves
/// `pooler_head.PoolerHead` from `pooler_head.py` beside the model's `modules.json`.
enum SentenceTransformersModule {
    static let fileName = "pooler_head.py"

    /// A `modules.json` for a sentence-transformers model folder whose module 1 is this export
    /// (copied into the model folder as `1_PoolerHead/`), replacing the usual `1_Pooling`.
    static let modulesJSON = """
        [
          {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
          {"idx": 1, "name": "1", "path": "1_PoolerHead", "type": "pooler_head.PoolerHead"}
        ]

        """

    /// The module's source: `pooler_head.py`, shipped as a resource beside the executable
    /// (`Pooler_pooler.resources/`), or in `../share/pooler/` of an installed binary.
    /// - Throws: ``CommandError/resourceMissing(name:searched:)`` when neither holds it.
    static func source() throws -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let running = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let folders = [running, executable].flatMap { folder in
            [folder.appendingPathComponent("Pooler_pooler.resources"),
             folder.deletingLastPathComponent().appendingPathComponent("share/pooler")]
        }
        for folder in folders {
            let url = folder.appendingPathComponent(fileName)
            if let data = FileManager.default.contents(atPath: url.path) { return String(decoding: data, as: UTF8.self) }
        }
        throw CommandError.resourceMissing(name: fileName, searched: folders.map(\.path))
    }
}
