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

    @Flag(help: "Replace DIR if it is an earlier export (never the run, a folder holding it, or any other folder).")
    var force = false

    /// The files an export folder holds; `--force` replaces only a folder with nothing else in it.
    static let exportedFiles: Set<String> = [
        HeadExport.configurationFileName, HeadExport.weightsFileName, SentenceTransformersModule.fileName, "modules.json",
    ]

    func run() throws {
        guard !out.isEmpty else { throw CommandError.emptyPath(flag: "--out") }
        let source = try Self.headFolder(in: URL(fileURLWithPath: runDirectory))
        let head = try HeadExport.load(from: source)
        let destination = URL(fileURLWithPath: OutputPaths.resolved(out))
        let manager = FileManager.default
        let exists = OutputPaths.kind(of: destination.path) != nil
        try Self.checkDestination(destination, exists: exists, force: force,
                                  protected: [("the run folder", runDirectory), ("the head folder", source.path),
                                              ("the current folder", manager.currentDirectoryPath)])
        let parent = destination.deletingLastPathComponent()
        let temporary = parent.appendingPathComponent(
            InterruptCleanup.temporaryPrefix(for: destination.path) + UUID().uuidString)
        let cleanup = InterruptCleanup(outputs: [destination.path])
        defer { withExtendedLifetime(cleanup) {} }
        do {
            try HeadExport.write(head, to: temporary)
            try Data(SentenceTransformersModule.source().utf8)
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

    /// What `--out` may be: not empty, not a protected folder (the head, the run, the current
    /// folder) or a folder holding one of them; if it exists, `--force` is given and it is an
    /// earlier export (a head config.json and only the files an export writes).
    static func checkDestination(_ destination: URL, exists: Bool, force: Bool,
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
        do {
            _ = try HeadExport.loadConfiguration(from: destination)
        } catch {
            throw CommandError.exportRefused(
                path: destination.path, reason: "it is not an earlier export (no valid head config.json: \(error))",
                hint: "--force replaces only an earlier export; give a new folder")
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: destination.path)) ?? ["(unreadable)"]
        let foreign = contents.filter { !exportedFiles.contains($0) }.sorted()
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
