import ArgumentParser
import Encoder
import Foundation
import Pooling
import Training

/// `pooler export RUN_DIR --out DIR`: validate a trained head and write a clean, self-describing copy;
/// with `--sentence-transformers MODEL_DIR`, a complete sentence-transformers model folder.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Validate a trained head and write it as config.json + model.safetensors (+ a sentence-transformers module).",
        discussion: """
            RUN_DIR is a training run folder (the head is read from RUN_DIR/head/) or a head folder \
            itself. DIR receives config.json, model.safetensors, pooler_head.py (a PyTorch module for \
            sentence-transformers) and modules.json (a snippet showing where it goes). DIR is written \
            in a temporary folder beside it and renamed into place, so it is complete or absent.

            With --sentence-transformers MODEL_DIR, DIR is instead a complete sentence-transformers \
            model folder (Transformer → 1_PoolerHead, a model card README.md) that \
            SentenceTransformer(DIR, trust_remote_code=True) loads as is. The encoder is copied from \
            MODEL_DIR, truncated to the head's layer K (num_hidden_layers = K, later layers' weights \
            removed) when the head was trained on a layer before the last.
            """
    )

    @Argument(help: "Training run folder (with head/) or head folder (with config.json).")
    var runDirectory: String

    @Option(name: .long, help: "The export folder to create.")
    var out: String

    @Flag(help: "Replace DIR if it is an earlier export (never the run, a folder holding it, or any other folder).")
    var force = false

    @Option(name: .customLong("sentence-transformers"),
            help: "An encoder's model folder: write DIR as a complete sentence-transformers model (encoder + head).")
    var sentenceTransformers: String?

    @Flag(name: .customLong("ignore-head-provenance"),
          help: "With --sentence-transformers: export a head trained on another model anyway (the whole encoder is copied).")
    var ignoreHeadProvenance = false

    func validate() throws {
        if ignoreHeadProvenance, sentenceTransformers == nil {
            throw ValidationError("--ignore-head-provenance applies only with --sentence-transformers MODEL_DIR.")
        }
        if sentenceTransformers?.isEmpty == true { throw ValidationError("--sentence-transformers is empty; give a model folder.") }
    }

    /// The files an export folder holds; `--force` replaces only a folder with nothing else in it.
    static let exportedFiles: Set<String> = [
        HeadExport.configurationFileName, HeadExport.weightsFileName, SentenceTransformersModule.fileName, "modules.json",
    ]

    func run() throws {
        guard !out.isEmpty else { throw CommandError.emptyPath(flag: "--out") }
        let run = URL(fileURLWithPath: runDirectory)
        let source = try Self.headFolder(in: run)
        let head = try HeadExport.load(from: source)
        let destination = URL(fileURLWithPath: OutputPaths.resolved(out))
        let manager = FileManager.default
        let exists = OutputPaths.kind(of: destination.path) != nil
        var protected = [("the run folder", runDirectory), ("the head folder", source.path),
                         ("the current folder", manager.currentDirectoryPath)]
        // The sentence-transformers export: the encoder, the layers to keep and the run's scores, all checked before writing.
        var encoder: (model: ModelFolder, layers: Int?, summary: RunSummary?)?
        if let sentenceTransformers {
            let model = try ModelFolder(URL(fileURLWithPath: sentenceTransformers))
            let bert = try BertConfiguration(contentsOf: model.configurationURL)
            guard head.configuration.dim == bert.hiddenSize else {
                throw PoolingError.dimensionMismatch(source: model.configurationURL.path, expected: head.configuration.dim,
                                                     actual: bert.hiddenSize)
            }
            let layers = try SentenceTransformersFolder.layers(for: head, headPath: source.path, model: model,
                                                               modelLayers: bert.layerCount, ignoreProvenance: ignoreHeadProvenance)
            encoder = (model, layers, source == run ? nil : try SentenceTransformersFolder.summary(in: run))
            protected.append(("the model folder", sentenceTransformers))
        }
        try Self.checkDestination(destination, exists: exists, force: force, sentenceTransformers: encoder != nil,
                                  protected: protected)
        let parent = destination.deletingLastPathComponent()
        let temporary = parent.appendingPathComponent(
            InterruptCleanup.temporaryPrefix(for: destination.path) + UUID().uuidString)
        let cleanup = InterruptCleanup(outputs: [destination.path])
        defer { withExtendedLifetime(cleanup) {} }
        var report: TransformerCopy.Report?
        do {
            if let encoder {
                try manager.createDirectory(at: temporary, withIntermediateDirectories: false)
                report = try SentenceTransformersFolder.write(head: head, model: encoder.model, layers: encoder.layers,
                                                              summary: encoder.summary, to: temporary)
            } else {
                try HeadExport.write(head, to: temporary)
                try Data(SentenceTransformersModule.source().utf8)
                    .write(to: temporary.appendingPathComponent(SentenceTransformersModule.fileName), options: .atomic)
                try Data(SentenceTransformersModule.modulesJSON.utf8)
                    .write(to: temporary.appendingPathComponent("modules.json"), options: .atomic)
            }
            if exists {
                let old = parent.appendingPathComponent(".\(destination.lastPathComponent).old-\(UUID().uuidString)")
                try manager.moveItem(at: destination, to: old)
                try manager.moveItem(at: temporary, to: destination)
                try manager.removeItem(at: old)
            } else {
                try manager.moveItem(at: temporary, to: destination)
            }
        } catch {
            try? manager.removeItem(at: temporary)  // best-effort cleanup; the original error is what matters
            if error is PoolingError || error is SafeTensorsError || error is EncoderError || error is CommandError { throw error }
            throw PoolingError.unwritable(path: destination.path, reason: error.localizedDescription)
        }
        let configuration = head.configuration
        let shapes = head.parameters.keys.sorted().map { "\($0) \(head.parameters[$0]?.shape ?? [])" }
        print("exported \(configuration.kind.rawValue) head (dim \(configuration.dim)) from \(source.path) to \(destination.path)")
        print("tensors: \(shapes.joined(separator: ", "))")
        if let report, let encoder {
            let layers = report.truncated
                ? "truncated to \(report.layers) of \(report.sourceLayers) layers (\(report.removedLayerTensors) tensors removed)"
                : "all \(report.sourceLayers) layers, copied unchanged"
            print("sentence-transformers folder: encoder \(encoder.model.modelName) \(layers); Transformer → \(SentenceTransformersFolder.headFolderName)")
            if !report.droppedTensors.isEmpty { print("left out (not float): \(report.droppedTensors.joined(separator: ", "))") }
            print("load with: SentenceTransformer(\"\(destination.path)\", trust_remote_code=True)")
        }
    }

    /// What `--out` may be: not empty, not a protected folder (the head, the run, the current
    /// folder, the model folder) or a folder holding one of them; if it exists, `--force` is given
    /// and it is an earlier export of the same kind (a head config.json — for a
    /// sentence-transformers export in 1_PoolerHead/ — and only the files such an export writes).
    static func checkDestination(_ destination: URL, exists: Bool, force: Bool, sentenceTransformers: Bool = false,
                                 protected: [(name: String, path: String)]) throws {
        for (name, path) in protected where OutputPaths.isSameOrInside(path, destination.path) {
            let relation = OutputPaths.resolved(path) == destination.path ? "is \(name)" : "holds \(name) (\(path))"
            throw CommandError.exportRefused(path: destination.path, reason: "it \(relation); replacing it would delete it",
                                             hint: "give a new folder for the export, e.g. --out exports/my-head")
        }
        guard exists else { return }
        guard OutputPaths.kind(of: destination.path) == "folder" else {
            throw CommandError.exportRefused(path: destination.path, reason: "it exists and is not a folder",
                                             hint: "give a new folder for the export")
        }
        guard force else {
            throw CommandError.exportRefused(path: destination.path, reason: "it already exists",
                                             hint: "pass --force to replace an earlier export, or give a new folder")
        }
        let headFolder = sentenceTransformers
            ? destination.appendingPathComponent(SentenceTransformersFolder.headFolderName) : destination
        do {
            _ = try HeadExport.loadConfiguration(from: headFolder)
        } catch {
            throw CommandError.exportRefused(
                path: destination.path, reason: "it is not an earlier export (no valid head config.json: \(error))",
                hint: "--force replaces only an earlier export; give a new folder")
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: destination.path)) ?? ["(unreadable)"]
        let allowed = sentenceTransformers ? SentenceTransformersFolder.exportedFiles : exportedFiles
        let foreign = contents.filter { !allowed.contains($0) }.sorted()
        guard foreign.isEmpty else {
            throw CommandError.exportRefused(
                path: destination.path, reason: "it holds files an export does not write (\(foreign.prefix(5).joined(separator: ", ")))",
                hint: "move them away first, or give a new folder")
        }
    }

    /// `dir` itself when it holds config.json, else `dir/head`.
    static func headFolder(in directory: URL) throws -> URL {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory.appendingPathComponent(HeadExport.configurationFileName).path) {
            return directory
        }
        let head = directory.appendingPathComponent("head")
        guard manager.fileExists(atPath: directory.path) else {
            throw PoolingError.missingFile(path: directory.path, hint: "give a training run folder (with head/) or a head folder")
        }
        guard manager.fileExists(atPath: head.appendingPathComponent(HeadExport.configurationFileName).path) else {
            throw PoolingError.missingFile(
                path: head.appendingPathComponent(HeadExport.configurationFileName).path,
                hint: "no \(HeadExport.configurationFileName) in \(directory.path) or its head/ folder; give a training run "
                    + "folder (the trainer writes its head to RUN_DIR/head/) or a head folder")
        }
        return head
    }
}
