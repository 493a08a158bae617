import CHDF5
import Foundation

/// A file written under a temporary name in the destination's directory and renamed into place only
/// when complete, so readers never see a half-written file (rename is atomic within one file system).
struct AtomicFile {
    /// Where the file ends up.
    let destination: String
    /// Where it is written meanwhile: `.<name>.tmp-<pid>-<random>` next to `destination`.
    let temporary: String

    init(destination requested: String) throws {
        // Rename replaces what is at the path: a symbolic link is followed to its (regular) target
        // so the link survives, and anything else that is not a regular file is refused.
        let destination = try Self.regularTarget(of: requested)
        let url = URL(fileURLWithPath: destination)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw HiddenStatesError.writeFailed(path: destination, detail: "the directory \(directory) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw HiddenStatesError.writeFailed(path: destination, detail: "the directory \(directory) is not writable")
        }
        self.destination = destination
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(suffix)").path
    }

    /// The regular file `path` names (a link resolved to its target), or `path` if nothing is there.
    static func regularTarget(of path: String) throws -> String {
        var info = stat()
        guard lstat(path, &info) == 0 else { return path }
        var target = path
        if info.st_mode & S_IFMT == S_IFLNK {
            guard let real = realpath(path, nil) else {
                throw HiddenStatesError.writeFailed(path: path, detail: "it is a symbolic link to nothing; remove the link or give another path")
            }
            target = String(cString: real)
            free(real)
            guard stat(target, &info) == 0 else { return target }
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            let kind = type == S_IFDIR ? "a folder" : type == S_IFIFO ? "a FIFO" : type == S_IFCHR ? "a character device"
                : type == S_IFSOCK ? "a socket" : "not a regular file"
            throw HiddenStatesError.writeFailed(
                path: path, detail: "it is \(kind); outputs are written to a temporary file and renamed into place, "
                    + "so give the path of a regular file")
        }
        return target
    }

    /// Moves the finished temporary file over `destination`.
    func commit() throws {
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw HiddenStatesError.writeFailed(path: destination, detail: "renaming \(temporary) failed: \(reason)")
        }
    }

    /// Removes the temporary file (after a failure or a cancel).
    func discard() {
        _ = unlink(temporary)
    }
}

extension AtomicFile {
    /// Creates the HDF5 file under the temporary name (the caller holds the HDF5 lock).
    func createHDF5() throws -> HDF5Handle {
        try HDF5.handle(
            H5Fcreate(temporary, pooler_H5F_ACC_EXCL(), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)),
            .file, "H5Fcreate", path: destination, object: "/")
    }

    /// Flushes and closes `file`, then renames it into place.
    func commit(_ file: HDF5Handle) throws {
        try HDF5.check(H5Fflush(file.id, H5F_SCOPE_GLOBAL), "H5Fflush", path: destination, object: "/")
        try HDF5.check(file.close(), "H5Fclose", path: destination, object: "/")
        try commit()
    }

    /// Closes `file` (if open) and removes the temporary file: nothing appears at `destination`.
    func discard(_ file: HDF5Handle?) {
        _ = file?.close()
        discard()
    }
}
