import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An advisory lock (`flock`) on a run directory, held while one process trains in it, so two
/// `pooler train` runs (or two `--resume`s) on the same `--out` cannot interleave their
/// checkpoints and `log.jsonl`. The lock file `RUN_DIR/.lock` holds the holder's PID for the
/// message the second process prints. The kernel releases the lock when the holder exits, however it exits.
public final class RunLock {
    public static let fileName = ".lock"
    private let descriptor: Int32
    /// Whether acquiring created the run directory (so a run that fails before writing can remove it).
    public let createdDirectory: Bool
    public let directory: URL

    /// Creates `directory` if needed and takes the lock without waiting.
    /// - Throws: ``TrainingError/runDirectoryLocked(path:holder:)`` when another process holds it,
    ///   ``TrainingError/writeFailed(path:detail:)`` when the directory or lock file cannot be made.
    public init(_ directory: URL) throws {
        self.directory = directory
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        let existed = manager.fileExists(atPath: directory.path, isDirectory: &isDirectory)
        if existed && !isDirectory.boolValue {
            throw TrainingError.writeFailed(path: directory.path, detail: "it is a file, not a run directory; choose another run directory")
        }
        if !existed {
            do {
                try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw TrainingError.writeFailed(path: directory.path, detail: error.localizedDescription)
            }
        }
        createdDirectory = !existed
        let path = directory.appendingPathComponent(Self.fileName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TrainingError.writeFailed(path: path, detail: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.recordedHolder(fd)
            close(fd)
            throw TrainingError.runDirectoryLocked(path: directory.path, holder: holder)
        }
        descriptor = fd
        let record = Array("pid \(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = record.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// The holder's record (`pid N`), read from the lock file.
    private static func recordedHolder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        let text = count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return text.isEmpty ? "PID unknown" : text.replacingOccurrences(of: "pid", with: "PID")
    }

    /// Removes the directory if acquiring created it and nothing but the lock file is in it.
    public func removeDirectoryIfUnused() {
        guard createdDirectory else { return }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [Self.fileName, "?"]
        guard contents.allSatisfy({ $0 == Self.fileName }) else { return }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
