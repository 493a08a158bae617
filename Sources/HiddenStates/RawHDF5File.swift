import CHDF5
import Foundation

/// An open HDF5 file read a second time, byte by byte, beside HDF5: for the pre-checks that look at
/// what HDF5 1.10 would trust without bounds checks (`StringReferenceCheck`, `ObjectHeaderMessages`).
///
/// Addresses in an HDF5 file are relative to its base address, the user block size (`base`), and
/// take 8 bytes in every file these checks read (`open` gives nil for other offset or length sizes).
/// Every read is bounded by the file's size, so a corrupt address or length cannot make it read or
/// allocate more than the file holds.
final class RawHDF5File {
    let path: String
    /// The object the file was opened for (a dataset or `/`), named in errors.
    let objectName: String
    /// The user block size: relative address `a` is at byte `base + a` of the file.
    let base: UInt64
    /// The file's size in bytes.
    let size: UInt64
    private let descriptor: Int32

    private init(path: String, objectName: String, base: UInt64, size: UInt64, descriptor: Int32) {
        self.path = path
        self.objectName = objectName
        self.base = base
        self.size = size
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Opens the file holding `object` (a file, group, dataset or attribute identifier; the caller holds
    /// the HDF5 lock); nil when its superblock declares offsets or lengths other than 8 bytes.
    /// - Throws: `hdf5` when HDF5 cannot say, or the file cannot be opened or sized.
    static func holding(_ object: hid_t, path: String, objectName: String) throws -> RawHDF5File? {
        let file = try HDF5.handle(H5Iget_file_id(object), .file, "H5Iget_file_id", path: path, object: objectName)
        let creation = try HDF5.handle(H5Fget_create_plist(file.id), .propertyList, "H5Fget_create_plist",
                                       path: path, object: objectName)
        var addressBytes = 0
        var lengthBytes = 0
        var userBlock: hsize_t = 0
        try HDF5.check(H5Pget_sizes(creation.id, &addressBytes, &lengthBytes), "H5Pget_sizes",
                       path: path, object: objectName)
        try HDF5.check(H5Pget_userblock(creation.id, &userBlock), "H5Pget_userblock", path: path, object: objectName)
        guard addressBytes == 8, lengthBytes == 8 else { return nil }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw HiddenStatesError.hdf5(path: path, object: objectName, function: "open",
                                         stack: String(cString: strerror(errno)))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw HiddenStatesError.hdf5(path: path, object: objectName, function: "fstat", stack: reason)
        }
        return RawHDF5File(path: path, objectName: objectName, base: UInt64(userBlock), size: UInt64(max(info.st_size, 0)),
                           descriptor: descriptor)
    }

    /// The file offset of relative address `address`, or nil when that is not inside the file.
    func offset(of address: UInt64) -> UInt64? {
        let (offset, overflow) = address.addingReportingOverflow(base)
        return !overflow && offset < size ? offset : nil
    }

    /// `count` bytes at relative address `address`, or nil when they are not all inside the file.
    /// - Throws: `hdf5` (`pread` failed).
    func bytes(_ count: Int, atAddress address: UInt64) throws -> [UInt8]? {
        guard count >= 0, let offset = offset(of: address), UInt64(count) <= size - offset else { return nil }
        var buffer = [UInt8](repeating: 0, count: count)
        return try readFully(&buffer, at: offset) ? buffer : nil
    }

    /// `pread`s `buffer.count` bytes at file offset `offset`; false when the file is shorter.
    /// - Throws: `hdf5` (`pread` failed).
    func readFully(_ buffer: inout [UInt8], at offset: UInt64) throws -> Bool {
        try buffer.withUnsafeMutableBytes { raw in
            guard let start = raw.baseAddress else { return true }
            var done = 0
            while done < raw.count {
                let got = pread(descriptor, start + done, raw.count - done, off_t(offset) + off_t(done))
                if got < 0 {
                    if errno == EINTR { continue }
                    throw HiddenStatesError.hdf5(path: path, object: objectName, function: "pread",
                                                 stack: String(cString: strerror(errno)))
                }
                if got == 0 { return false }
                done += got
            }
            return true
        }
    }
}
