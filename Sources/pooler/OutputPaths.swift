import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The checks every command runs on the paths it will write, before writing anything:
/// an output is never an input (compared by device and inode, after resolving links, and by
/// resolved path), never a folder or a special file (outputs are written to a temporary file and
/// renamed into place, which would replace a device link such as `/dev/stdout` with a regular
/// file), and never empty.
enum OutputPaths {
    /// A file's identity: device and inode (symbolic and hard links share it).
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64

        /// The identity of what `path` names, following links; `nil` if nothing is there.
        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// What kind of thing `path` names (following links), or `nil` if nothing is there.
    static func kind(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return "regular file"
        case S_IFDIR: return "folder"
        case S_IFCHR: return "character device"
        case S_IFBLK: return "block device"
        case S_IFIFO: return "FIFO (named pipe)"
        case S_IFSOCK: return "socket"
        default: return "special file"
        }
    }

    /// `path` with `.`/`..` and symbolic links resolved as far as the path exists (the missing
    /// tail is appended as written), made absolute.
    static func resolved(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        if let real = realpath(absolute.path, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        let parent = absolute.deletingLastPathComponent()
        guard parent.path != absolute.path else { return absolute.path }
        return URL(fileURLWithPath: resolved(parent.path)).appendingPathComponent(absolute.lastPathComponent).path
    }

    /// Whether `a` and `b` name the same file: the same resolved path, or the same device and inode.
    static func sameFile(_ a: String, _ b: String) -> Bool {
        if resolved(a) == resolved(b) { return true }
        guard let first = Identity(a), let second = Identity(b) else { return false }
        return first == second
    }

    /// Checks the file outputs of one command.
    /// - Parameters:
    ///   - outputs: `(flag, path)` of each file the command will write.
    ///   - inputs: `(flag, path)` of each file it reads (folders are expanded to their files by the caller).
    static func check(outputs: [(flag: String, path: String)], inputs: [(flag: String, path: String)]) throws {
        for (index, output) in outputs.enumerated() {
            guard !output.path.isEmpty else { throw CommandError.emptyPath(flag: output.flag) }
            if let kind = kind(of: output.path), kind != "regular file" {
                throw CommandError.outputNotRegularFile(flag: output.flag, path: output.path, kind: kind)
            }
            for input in inputs where !input.path.isEmpty && sameFile(output.path, input.path) {
                throw CommandError.outputIsInput(flag: output.flag, path: output.path, inputFlag: input.flag, input: input.path)
            }
            for other in outputs[..<index] where sameFile(output.path, other.path) {
                throw CommandError.outputsCollide(flag: output.flag, otherFlag: other.flag, path: output.path)
            }
        }
    }

    /// Checks a folder a command writes files into (`evaluate --format mteb --output`): not empty,
    /// not an existing file, and not an input; the files written inside it are checked with
    /// ``check(outputs:inputs:)`` once their names are known.
    static func checkFolder(_ folder: String, flag: String, inputs: [(flag: String, path: String)]) throws {
        guard !folder.isEmpty else { throw CommandError.emptyPath(flag: flag) }
        if let kind = kind(of: folder), kind != "folder" {
            throw CommandError.outputNotRegularFile(flag: flag, path: folder, kind: kind + " (this output must be a folder)")
        }
        for input in inputs where !input.path.isEmpty && sameFile(folder, input.path) {
            throw CommandError.outputIsInput(flag: flag, path: folder, inputFlag: input.flag, input: input.path)
        }
    }

    /// Checks a training run directory: not empty, not a file, not an input, and no input is
    /// replaced by what the run writes inside it.
    static func checkRunDirectory(_ out: String, inputs: [(flag: String, path: String)]) throws {
        guard !out.isEmpty else { throw CommandError.emptyPath(flag: "--out") }
        if let kind = kind(of: out), kind != "folder" {
            throw CommandError.outputNotRegularFile(flag: "--out", path: out, kind: kind + " (a run directory must be a folder)")
        }
        let written = ["summary.json", "log.jsonl", "head", "checkpoint"].map { URL(fileURLWithPath: out).appendingPathComponent($0).path }
        for input in inputs {
            for path in written where isSameOrInside(input.path, path) {
                throw CommandError.outputIsInput(flag: "--out", path: path, inputFlag: input.flag, input: input.path)
            }
        }
    }

    /// Whether `path` is `container` or lies inside it (resolved paths).
    static func isSameOrInside(_ path: String, _ container: String) -> Bool {
        let inner = resolved(path)
        let outer = resolved(container)
        return inner == outer || inner.hasPrefix(outer.hasSuffix("/") ? outer : outer + "/")
    }

    /// The files of a head argument (a head folder or a run folder with `head/`), as inputs.
    static func headInputs(flag: String, folder: URL) -> [(flag: String, path: String)] {
        ["config.json", "model.safetensors"].map { (flag, folder.appendingPathComponent($0).path) }
    }
}
