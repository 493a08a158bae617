import ArgumentParser
import Foundation
import Pooling

/// `pooler export RUN_DIR --out DIR`: validate a trained head and write a clean, self-describing copy.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Validate a trained head and write it as config.json + model.safetensors (+ a sentence-transformers module).",
        discussion: """
            RUN_DIR is a training run folder (the head is read from RUN_DIR/head/) or a head folder \
            itself. DIR receives config.json, model.safetensors, pooler_head.py (a PyTorch module for \
            sentence-transformers) and modules.json (a snippet showing where it goes). DIR is written \
            in a temporary folder beside it and renamed into place, so it is complete or absent.
            """
    )

    @Argument(help: "Training run folder (with head/) or head folder (with config.json).")
    var runDirectory: String

    @Option(name: .long, help: "The export folder to create.")
    var out: String

    @Flag(help: "Replace DIR if it exists.")
    var force = false

    func run() throws {
        let source = try Self.headFolder(in: URL(fileURLWithPath: runDirectory))
        let head = try HeadExport.load(from: source)
        let destination = URL(fileURLWithPath: out).standardizedFileURL
        let manager = FileManager.default
        let exists = manager.fileExists(atPath: destination.path)
        if exists && !force {
            throw PoolingError.unwritable(path: destination.path, reason: "it already exists (pass --force to replace it)")
        }
        let parent = destination.deletingLastPathComponent()
        let temporary = parent.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(UUID().uuidString)")
        do {
            try HeadExport.write(head, to: temporary)
            try Data(SentenceTransformersModule.source.utf8)
                .write(to: temporary.appendingPathComponent(SentenceTransformersModule.fileName), options: .atomic)
            try Data(SentenceTransformersModule.modulesJSON.utf8)
                .write(to: temporary.appendingPathComponent("modules.json"), options: .atomic)
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
            if error is PoolingError || error is SafeTensorsError { throw error }
            throw PoolingError.unwritable(path: destination.path, reason: error.localizedDescription)
        }
        let configuration = head.configuration
        let shapes = head.parameters.keys.sorted().map { "\($0) \(head.parameters[$0]?.shape ?? [])" }
        print("exported \(configuration.kind.rawValue) head (dim \(configuration.dim)) from \(source.path) to \(destination.path)")
        print("tensors: \(shapes.joined(separator: ", "))")
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
