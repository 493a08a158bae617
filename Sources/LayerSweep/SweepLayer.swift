import Foundation

/// One layer of a sweep: the folder `ROOT/L<layer>/` and its split files.
public struct SweepLayer: Codable, Equatable, Sendable {
    /// The layer number (0: the embedding output; the folder's `L<layer>`).
    public var layer: Int
    /// `L<layer>`, the folder's name (and the layer's name in tables and charts).
    public var name: String { "L\(layer)" }
    public var train: String
    public var dev: String
    /// nil when the root has no test files (the report then has dev figures only).
    public var test: String?

    public init(layer: Int, train: String, dev: String, test: String?) {
        self.layer = layer
        self.train = train
        self.dev = dev
        self.test = test
    }

    /// The split files, in the order train, dev, test.
    public var files: [String] { [train, dev] + (test.map { [$0] } ?? []) }

    /// ``files`` absolute, with `.`, `..` and symbolic links resolved: the same files however the
    /// root was spelled.
    public var canonicalFiles: [String] {
        files.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path }
    }

    /// The layers under `root`: every subfolder named `L<k>` (k a non-negative integer), in
    /// increasing k, or only `requested` (in increasing order). Each must hold `train.h5` and
    /// `dev.h5`; `test.h5` is in every chosen layer or in none. Other entries are ignored.
    ///
    /// - Throws: ``SweepError/rootNotFound(path:)``, ``SweepError/noLayers(root:entries:)``,
    ///   ``SweepError/layerMissing(root:layer:available:)``, ``SweepError/splitMissing(layerFolder:split:reason:)``.
    public static func discover(root: String, requested: [Int]? = nil) throws -> [SweepLayer] {
        let manager = FileManager.default
        let found = try numbers(root: root)
        let chosen = try (requested.map { Array(Set($0)).sorted() } ?? found).map { k -> Int in
            guard found.contains(k) else { throw SweepError.layerMissing(root: root, layer: k, available: found) }
            return k
        }
        let folders = chosen.map { URL(fileURLWithPath: root).appendingPathComponent("L\($0)") }
        func file(_ folder: URL, _ split: String) -> String? {
            let path = folder.appendingPathComponent("\(split).h5").path
            return manager.fileExists(atPath: path) ? path : nil
        }
        let withTest = folders.filter { file($0, "test") != nil }
        return try zip(chosen, folders).map { k, folder in
            for split in ["train", "dev"] where file(folder, split) == nil {
                throw SweepError.splitMissing(layerFolder: folder.path, split: split, reason: "needed by every layer")
            }
            let test = file(folder, "test")
            if test == nil && !withTest.isEmpty {
                throw SweepError.splitMissing(layerFolder: folder.path, split: "test",
                                              reason: "\(withTest[0].lastPathComponent) has one")
            }
            return SweepLayer(layer: k, train: file(folder, "train") ?? "", dev: file(folder, "dev") ?? "", test: test)
        }
    }

    /// The `k` of every `L<k>` folder under `root`, in increasing order; nothing inside them is checked.
    /// - Throws: ``SweepError/rootNotFound(path:)``, ``SweepError/noLayers(root:entries:)``.
    public static func numbers(root: String) throws -> [Int] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SweepError.rootNotFound(path: root)
        }
        let entries = ((try? manager.contentsOfDirectory(atPath: root)) ?? []).sorted()
        let found = entries.compactMap { entry -> Int? in
            guard let k = number(ofFolderNamed: entry) else { return nil }
            var folder: ObjCBool = false
            let path = URL(fileURLWithPath: root).appendingPathComponent(entry).path
            return manager.fileExists(atPath: path, isDirectory: &folder) && folder.boolValue ? k : nil
        }.sorted()
        guard !found.isEmpty else { throw SweepError.noLayers(root: root, entries: entries) }
        return found
    }

    /// `k` for a folder name `L<k>` (`L0`, `L12`; not `L007`, `L+3`), else nil.
    public static func number(ofFolderNamed name: String) -> Int? {
        guard name.hasPrefix("L"), let k = Int(name.dropFirst()), k >= 0, "L\(k)" == name else { return nil }
        return k
    }
}
