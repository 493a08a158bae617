import CHDF5
import Foundation

/// A small low-level HDF5 reader for any file (embeddings outputs, fixtures): dataset names, shapes,
/// types, whole datasets as `Float`/`Int64`/`String`, and attributes. The counterpart of `HDF5Writer`;
/// hidden-states files are read with `HiddenStatesFile`.
public final class HDF5Reader {
    public let path: String
    let file: HDF5Handle

    /// Opens an existing HDF5 file for reading (a regular file; see `InputFile`).
    public init(path: String) throws {
        self.path = path
        file = try HDF5.locked { try InputFile.openHDF5(path) }
    }

    /// Runs `body` on dataset `name` while holding the HDF5 lock.
    private func with<T>(_ name: String, _ body: (HDF5Dataset) throws -> T) throws -> T {
        HDF5.enter()
        defer { HDF5.leave() }
        return try body(try open(name))
    }

    private func open(_ name: String) throws -> HDF5Dataset {
        guard H5Lexists(file.id, name, hid_t(H5P_DEFAULT)) > 0 else {
            throw HiddenStatesError.missingDataset(path: path, dataset: name, hint: "check the dataset name (h5ls lists them).")
        }
        return try HDF5Dataset(file: file, path: path, name: name)
    }

    /// Shape of dataset `name`, e.g. `[N, D]`.
    public func shape(_ name: String) throws -> [Int] { try with(name) { $0.shape } }

    /// Element type of dataset `name`.
    public func elementType(_ name: String) throws -> ElementType { try with(name) { $0.elementType } }

    /// Chunking and filters of dataset `name`.
    public func storage(_ name: String) throws -> StorageInfo { try with(name) { try $0.storage() } }

    /// Every element of a numeric dataset as `Float`, row-major.
    public func floats(_ name: String) throws -> [Float] { try with(name) { try $0.readFloat() } }

    /// Every element of an integer dataset as `Int64`, row-major.
    public func integers(_ name: String) throws -> [Int64] { try with(name) { try $0.readInt64() } }

    /// Every element of a string dataset.
    public func strings(_ name: String) throws -> [String] { try with(name) { try $0.readStrings() } }

    /// Root attribute `name`.
    public func attribute(_ name: String) throws -> AttributeValue {
        HDF5.enter()
        defer { HDF5.leave() }
        return try HDF5Attributes.read(name, of: file.id, path: path, objectName: "/")
    }

    /// All root attributes.
    public func attributes() throws -> [String: AttributeValue] {
        HDF5.enter()
        defer { HDF5.leave() }
        return try HDF5Attributes.readAll(of: file.id, path: path, objectName: "/")
    }
}
