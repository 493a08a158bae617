import CHDF5
import Foundation

/// Opening a user's file for reading: the one place every reader entry point (`HiddenStatesFile`,
/// `HDF5Reader`) goes through, so a folder, a FIFO or a device is refused before HDF5 sees it (a FIFO
/// would block `H5Fopen` forever) and a file locked by a writer gives `fileLocked`.
enum InputFile {
    /// `st_mode & S_IFMT` values (POSIX; the macros do not import into Swift).
    private static let typeMask: UInt32 = 0o170000
    private static let kinds: [UInt32: String] = [
        0o010000: "a FIFO (named pipe)",
        0o020000: "a character device",
        0o060000: "a block device",
        0o140000: "a socket",
        0o120000: "a symbolic link",
    ]
    private static let regular: UInt32 = 0o100000
    private static let directory: UInt32 = 0o040000

    /// Throws unless `path` names a regular file (symbolic links are followed).
    /// - Throws: `fileNotFound`, `isFolder`, `notRegularFile`.
    static func requireRegularFile(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR || code == ENAMETOOLONG || code == ELOOP {
                throw HiddenStatesError.fileNotFound(path: path)
            }
            throw HiddenStatesError.notRegularFile(path: path,
                                                   kind: "not accessible (\(String(cString: strerror(code))))")
        }
        let type = UInt32(info.st_mode) & typeMask
        if type == regular { return }
        if type == directory { throw HiddenStatesError.isFolder(path: path) }
        throw HiddenStatesError.notRegularFile(path: path, kind: kinds[type] ?? "a special file")
    }

    /// Opens `path` read-only with HDF5 after `requireRegularFile` (the caller holds the HDF5 lock).
    /// - Throws: as `requireRegularFile`, then `notHDF5`, `truncatedFile`, `fileLocked`, `hdf5`,
    ///   `corruptGlobalHeap`, `corruptGroupHeap`.
    static func openHDF5(_ path: String) throws -> HDF5Handle {
        try requireRegularFile(path)
        let file = try HDF5.handle(H5Fopen(path, pooler_H5F_ACC_RDONLY(), hid_t(H5P_DEFAULT)), .file, "H5Fopen",
                               path: path, object: "/")
        // After H5Fopen (which rejects non-HDF5 and truncated files first), before any string is read
        // and before the root group's links are listed.
        try GlobalHeapCheck.check(path)
        try LocalHeapCheck.check(file, path: path)
        return file
    }
}
