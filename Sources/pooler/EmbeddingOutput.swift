import Foundation
import HiddenStates
#if canImport(Glibc)
import Glibc
#endif

/// Where `pooler embed` writes embeddings, chosen by the output's extension:
/// ```
/// .h5 / .hdf5   /embeddings [N, D] float32 (+ /sentences), HDF5 (EmbeddingsWriter)
/// .npy          a NumPy array [N, D] float32 (little-endian, C order)
/// .jsonl        one {"text": …, "embedding": [...]} object per line
/// ```
/// Every kind is written to a hidden temporary file beside the destination and renamed into place
/// by ``finish()``; ``cancel()`` removes it.
final class EmbeddingOutput {
    enum Kind { case hdf5, npy, jsonl }

    let kind: Kind
    let path: String
    let dim: Int
    private var hdf5: EmbeddingsWriter?
    private var handle: FileHandle?
    private var temporary: String?
    /// The regular file written: `path`, or what a symbolic link at `path` points to.
    private var target: String
    private let rows: Int
    private var written = 0

    static func kind(of path: String) -> Kind? {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "h5", "hdf5": return .hdf5
        case "npy": return .npy
        case "jsonl": return .jsonl
        default: return nil
        }
    }

    /// - Parameter rows: the number of embeddings that will be appended (the .npy header needs it).
    init(path: String, dim: Int, rows: Int, attributes: [String: AttributeValue]) throws {
        guard let kind = Self.kind(of: path) else {
            throw CommandError.outputNotRegularFile(flag: "--output", path: path, kind: "file of unknown type (give .h5, .npy or .jsonl)")
        }
        self.kind = kind
        self.path = path
        self.dim = dim
        self.rows = rows
        target = path
        if kind == .hdf5 {
            hdf5 = try EmbeddingsWriter(path: path, dim: dim, attributes: attributes)
            return
        }
        // Written beside the file a link points to, so the rename stays on one file system and the link survives.
        let target = OutputPaths.resolved(path)
        self.target = target
        let temporary = URL(fileURLWithPath: target).deletingLastPathComponent()
            .appendingPathComponent(InterruptCleanup.temporaryPrefix(for: target) + UUID().uuidString).path
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
            throw CommandError.outputNotRegularFile(flag: "--output", path: path, kind: "path whose folder cannot be written")
        }
        self.temporary = temporary
        self.handle = handle
        if kind == .npy { try write(Self.npyHeader(rows: rows, dim: dim)) }
    }

    /// The NumPy format 1.0 header for a `[rows, dim]` little-endian float32 C-order array.
    static func npyHeader(rows: Int, dim: Int) -> Data {
        var dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(dim)), }"
        let unpadded = 6 + 2 + 2 + dictionary.utf8.count + 1
        dictionary += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(dictionary.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(dictionary.utf8))
        return data
    }

    private func write(_ data: Data) throws {
        do {
            try handle?.write(contentsOf: data)
        } catch {
            throw CommandError.outputNotRegularFile(flag: "--output", path: path, kind: "file that cannot be written (\(error.localizedDescription))")
        }
    }

    /// Appends `[block, dim]` embeddings (row-major) and their texts (nil: the input has none;
    /// JSON Lines then writes each row's index).
    func append(_ block: [Float], texts: [String]?) throws {
        let rows = block.count / max(dim, 1)
        switch kind {
        case .hdf5:
            try hdf5?.append(block, texts: texts)
        case .npy:
            try write(block.withUnsafeBytes { Data($0) })  // x86_64/arm64 are little-endian
        case .jsonl:
            var lines = ""
            for row in 0..<rows {
                let values = block[(row * dim)..<((row + 1) * dim)].map { "\($0)" }.joined(separator: ",")
                var key = "\"index\":\(written + row)"
                if let text = texts?[row] {
                    let quoted = try JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
                    key = "\"text\":" + String(decoding: quoted.dropFirst().dropLast(), as: UTF8.self)
                }
                lines += "{\(key),\"embedding\":[\(values)]}\n"
            }
            try write(Data(lines.utf8))
        }
        written += rows
    }

    /// Completes the file and renames it into place.
    func finish() throws {
        if let hdf5 { return try hdf5.finish() }
        guard kind != .npy || written == rows else {
            cancel()
            throw CommandError.outputNotRegularFile(flag: "--output", path: path, kind: "file promised \(rows) rows but given \(written)")
        }
        do {
            try handle?.synchronize()
            try handle?.close()
        } catch {
            cancel()
            throw CommandError.outputNotRegularFile(flag: "--output", path: path, kind: "file that cannot be written (\(error.localizedDescription))")
        }
        handle = nil
        guard let temporary else { return }
        guard rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            cancel()
            throw CommandError.outputNotRegularFile(flag: "--output", path: path, kind: "file that cannot be renamed into place (\(reason))")
        }
        self.temporary = nil
    }

    /// Removes the partial output.
    func cancel() {
        hdf5?.cancel()
        try? handle?.close()
        handle = nil
        if let temporary { _ = unlink(temporary) }
        temporary = nil
    }
}
