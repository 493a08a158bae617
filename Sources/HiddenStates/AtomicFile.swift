import CHDF5
import Foundation

/// A file written under a temporary name in the destination's directory and renamed into place only
/// when complete, so readers never see a half-written file (rename is atomic within one file system).
struct AtomicFile {
    /// Where the file ends up.
    let destination: String
    /// Where it is written meanwhile: `.<name>.tmp-<pid>-<random>` next to `destination`.
    let temporary: String

    init(destination: String) throws {
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
