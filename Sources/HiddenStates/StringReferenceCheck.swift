import CHDF5
import CZlib
import Foundation

/// A pre-check for crashes of HDF5 1.10.8 reading variable-length strings from a corrupt file.
///
/// On disk each element of a variable-length string dataset is a 16-byte reference: `uint32` length
/// in bytes, the `uint64` address of a global heap collection, `uint32` object index (little-endian).
/// `H5Dread` → `H5T__conv_vlen` trusts all three: it sizes (and clears) its conversion buffer by the
/// length (a huge length is a multi-GB `memset`), and `H5HG_read` indexes the collection's object
/// table by the index without a bounds check and copies the object's size into that buffer (a
/// segfault, or a read of whatever lies at the garbage address). So before `H5Dread`, the references
/// are read raw, without conversion (contiguous: `pread` at `H5Dget_offset`; chunked: `H5Dread_chunk`,
/// with deflate, shuffle and Fletcher-32 undone here), and each one is checked against the
/// collection it names, read with `pread` and walked as HDF5 would (`GlobalHeapCheck.walk`):
///
/// - address 0 is a null string (HDF5 reads nothing, whatever the length);
/// - otherwise the address must start a valid collection inside the file, the index must be one of
///   its objects (≥ 1), and the object must hold exactly `length` bytes (HDF5 writes it so; a larger
///   object would overflow HDF5's conversion buffer);
/// - the lengths together must fit the memory budget;
/// - the characters must be 1 byte wide: `H5T__conv_vlen` clears length × the width the datatype
///   declares for its characters, so a corrupt width (e.g. 2^31) is a multi-GB `memset` per string.
///
/// Only referenced collections are read, so the check costs the same at any file size. Compact
/// datasets (raw data inside the object header), n-D chunked ones and filters other than deflate,
/// shuffle and Fletcher-32 are not checked (read as before). Variable-length string attributes are
/// checked the same way (`AttributeCheck`).
struct StringReferenceCheck {
    /// What holds the references: named in errors and budget checks.
    enum Holder {
        /// A dataset, by its HDF5 path (`/sentences`).
        case dataset(String)
        /// An attribute, labelled as `/@name` or `/dataset@name`.
        case attribute(String)

        var name: String {
            switch self {
            case .dataset(let name), .attribute(let name): return name
            }
        }
    }

    let holder: Holder
    let budget: MemoryBudget
    let file: RawHDF5File
    /// The width its datatype declares for a character (1 in every file HDF5 writes).
    let characterBytes: Int
    var path: String { file.path }
    /// The holder's name, as budget and size errors name it.
    var dataset: String { holder.name }

    init(holder: Holder, budget: MemoryBudget, file: RawHDF5File, characterBytes: Int) {
        self.holder = holder
        self.budget = budget
        self.file = file
        self.characterBytes = characterBytes
    }

    /// The width of a character of the variable-length string type `type` (its base type's size),
    /// or 1 when HDF5 cannot say.
    static func characterBytes(of type: hid_t) -> Int {
        let base = H5Tget_super(type)
        guard base >= 0 else {
            _ = H5Eclear2(hid_t(H5E_DEFAULT))
            return 1
        }
        defer { H5Tclose(base) }
        return max(H5Tget_size(base), 1)
    }

    /// Bytes of one stored reference (8-byte addresses; files with other sizes are not checked).
    static let referenceBytes = 16

    /// What a collection address leads to: its objects, or why it cannot be read.
    private enum Collection {
        case objects([Int: UInt64])
        case unusable(String)
    }

    private var collections: [UInt64: Collection] = [:]

    func corrupt(_ element: Int, _ detail: String) -> HiddenStatesError {
        switch holder {
        case .dataset(let name):
            return .corruptStringReference(path: path, dataset: name, element: element, detail: detail)
        case .attribute(let label):
            return .corruptStringAttribute(path: path, attribute: label, element: element, detail: detail)
        }
    }

    /// Checks `count` references in `bytes` (16 each), the first being element `first`.
    mutating func check(_ bytes: UnsafeRawBufferPointer, first: Int, count: Int, totalLength: inout Int) throws {
        // The callers pass `count` whole references; a field past the end would read as 0 (a null string).
        func uint(_ at: Int, _ width: Int) -> UInt64 { LittleEndian.uint(bytes, at, width) ?? 0 }
        for i in 0..<count {
            let at = i * Self.referenceBytes
            let length = uint(at, 4)
            let address = uint(at + 4, 8)
            let index = uint(at + 12, 4)
            guard address != 0 else { continue }  // a null string: HDF5 follows nothing
            let element = first + i
            if characterBytes != 1 && length > 0 {
                throw corrupt(element, "its characters are declared \(characterBytes) bytes wide, not 1 "
                              + "(HDF5 would allocate \(length) × \(characterBytes) bytes for it)")
            }
            let collection: Collection
            if let known = collections[address] {
                collection = known
            } else {
                collection = try load(address)
                collections[address] = collection
            }
            let objects: [Int: UInt64]
            switch collection {
            case .unusable(let reason):
                throw corrupt(element, "it refers to a global heap collection at address \(address), but \(reason)")
            case .objects(let found):
                objects = found
            }
            guard index >= 1, let size = objects[Int(index)] else {
                let held = objects.isEmpty ? "no objects" : "objects \(objects.keys.sorted().prefix(8).map(String.init).joined(separator: ", "))\(objects.count > 8 ? ", …" : "")"
                throw corrupt(element, "it refers to object \(index) of the global heap collection at address "
                              + "\(address), which holds \(held)")
            }
            guard size == length else {
                throw corrupt(element, "its stored length is \(length) bytes but global heap object \(index) "
                              + "(collection at address \(address)) holds \(size) bytes")
            }
            totalLength = try Sizes.sum(totalLength, Int(length), path: path, dataset: dataset,
                                        what: "the length of all of its strings")
        }
    }

    /// Reads and walks the collection at heap address `address`.
    private func load(_ address: UInt64) throws -> Collection {
        let fileSize = file.size
        guard let offset = file.offset(of: address), fileSize - offset >= 16 else {
            return .unusable("that is past the end of the file (\(fileSize) bytes)")
        }
        var header = [UInt8](repeating: 0, count: 16)
        guard try file.readFully(&header, at: offset) else { return .unusable("it cannot be read") }
        guard header[0...3].elementsEqual("GCOL".utf8) else {
            return .unusable("no collection starts there (no \"GCOL\" signature)")
        }
        guard header[4] == 1 else { return .unusable("its version is \(header[4]), not 1") }
        let size = LittleEndian.uint(header, 8, 8) ?? 0  // inside the 16 bytes read
        guard size >= 4096 else { return .unusable("its size \(size) is less than the 4096 bytes of the smallest") }
        guard size <= fileSize - offset else {
            return .unusable("its size \(size) runs past the end of the file (\(fileSize) bytes)")
        }
        try budget.check(Int(size), path: path, dataset: dataset, what: "a global heap collection")
        var block = [UInt8](repeating: 0, count: Int(size))
        guard try file.readFully(&block, at: offset) else { return .unusable("it cannot be read") }
        switch block.withUnsafeBytes({ GlobalHeapCheck.walk($0, at: 0) }) {
        case .notACollection: return .unusable("it is not a version-1 collection")
        case .corrupt(let reason): return .unusable(reason)
        case .objects(_, let objects): return .objects(objects)
        }
    }
}

extension HDF5Dataset {
    /// Checks every stored reference of a variable-length string dataset before `H5Dread` follows
    /// them (`StringReferenceCheck`); nothing to do for fixed-length strings.
    /// - Throws: `corruptStringReference`, `exceedsMemoryBudget`, `sizeOverflow`, `hdf5`.
    func checkStringReferences() throws {
        guard count > 0, H5Tis_variable_str(fileType.id) > 0 else { return }
        guard let file = try RawHDF5File.holding(handle.id, path: path, objectName: name) else { return }
        let creation = try HDF5.handle(H5Dget_create_plist(handle.id), .propertyList, "H5Dget_create_plist",
                                       path: path, object: name)
        let layout = H5Pget_layout(creation.id)
        guard layout == H5D_CONTIGUOUS || (layout == H5D_CHUNKED && shape.count == 1) else { return }
        var check = StringReferenceCheck(holder: .dataset(name), budget: budget, file: file,
                                         characterBytes: StringReferenceCheck.characterBytes(of: fileType.id))
        let referenceBytes = StringReferenceCheck.referenceBytes
        var totalLength = 0
        if layout == H5D_CONTIGUOUS {
            let address = H5Dget_offset(handle.id)
            _ = H5Eclear2(hid_t(H5E_DEFAULT))
            // HADDR_UNDEF: never written (every element is the null fill value) or in external files.
            guard address != haddr_t.max else { return }
            let offset = UInt64(address)
            let bytes = try Sizes.product([count, referenceBytes], path: path, dataset: name,
                                          what: "its stored string references")
            try budget.check(bytes, path: path, dataset: name, what: "its stored string references")
            guard offset <= file.size, UInt64(bytes) <= file.size - offset else {
                let fit = offset <= file.size ? Int((file.size - offset) / UInt64(referenceBytes)) : 0
                throw HiddenStatesError.corruptStringReference(
                    path: path, dataset: name, element: fit,
                    detail: "its references (\(bytes) bytes at byte \(offset)) run past the end of the file (\(file.size) bytes)")
            }
            var raw = [UInt8](repeating: 0, count: bytes)
            guard try file.readFully(&raw, at: offset) else {
                throw HiddenStatesError.corruptStringReference(path: path, dataset: name, element: 0,
                                                               detail: "its references cannot be read")
            }
            try raw.withUnsafeBytes { try check.check($0, first: 0, count: count, totalLength: &totalLength) }
        } else {
            let layout = try storage()
            guard let chunkRows = layout.chunk?.first, chunkRows > 0, Self.isUndoable(layout.filters) else { return }
            let filters = layout.filters
            // HDF5 unshuffles with the size the filter records; the check below reads 16-byte references.
            if let size = layout.shuffleElementSize, size != referenceBytes {
                throw HiddenStatesError.corruptStringReference(
                    path: path, dataset: name, element: 0,
                    detail: "its shuffle filter is set for \(size)-byte elements, not the \(referenceBytes)-byte string references")
            }
            let chunkBytes = try Sizes.product([chunkRows, referenceBytes], path: path, dataset: name,
                                               what: "one chunk of its string references")
            try budget.check(chunkBytes, path: path, dataset: name, what: "one chunk of its string references")
            let largest = UInt64(compressBound(uLong(chunkBytes))) + 64 + 4 * UInt64(filters.count)
            for first in stride(from: 0, to: count, by: chunkRows) {
                var offset = [hsize_t(first)]
                var mask: UInt32 = 0
                var address: haddr_t = 0
                var stored: hsize_t = 0
                try HDF5.check(H5Dget_chunk_info_by_coord(handle.id, &offset, &mask, &address, &stored),
                               "H5Dget_chunk_info_by_coord", path: path, object: "\(name) element \(first)")
                // Not stored: HDF5 gives the fill value (null strings) without touching the heap.
                guard address != haddr_t.max, stored > 0 else { continue }
                let elements = min(chunkRows, count - first)
                guard stored <= largest else {
                    throw HiddenStatesError.corruptStringReference(
                        path: path, dataset: name, element: first,
                        detail: "its chunk (elements \(first) ..< \(first + elements)) claims \(stored) stored bytes, "
                            + "more than \(chunkBytes) bytes of references can take")
                }
                var raw = [UInt8](repeating: 0, count: Int(stored))
                try HDF5.check(H5Dread_chunk(handle.id, hid_t(H5P_DEFAULT), &offset, &mask, &raw), "H5Dread_chunk",
                               path: path, object: "\(name) element \(first)")
                guard let decoded = Self.unfilter(raw, filters: filters, mask: mask, chunkBytes: chunkBytes) else {
                    throw HiddenStatesError.corruptStringReference(
                        path: path, dataset: name, element: first,
                        detail: "its chunk (elements \(first) ..< \(first + elements)) does not decode "
                            + "(\(filters.count) filters) to \(chunkBytes) bytes of references")
                }
                try decoded.withUnsafeBytes {
                    try check.check($0, first: first, count: elements, totalLength: &totalLength)
                }
            }
        }
        // The strings, their pointers and HDF5's per-string conversion buffer.
        let total = try Sizes.sum(totalLength, count * 8, path: path, dataset: name, what: "all of its strings")
        try budget.check(total, path: path, dataset: name, what: "all of its strings")
    }

    /// Whether every filter of the pipeline (from ``storage()``) is one undone here (deflate,
    /// shuffle, Fletcher-32).
    private static func isUndoable(_ filters: [StorageInfo.Filter]) -> Bool {
        filters.allSatisfy { filter in
            switch filter {
            case .gzip, .shuffle, .fletcher32: return true
            default: return false
            }
        }
    }

    /// Undoes `filters` (in reverse pipeline order, skipping those `mask` says were skipped) on one
    /// stored chunk; nil unless it decodes to exactly `chunkBytes`.
    private static func unfilter(_ stored: [UInt8], filters: [StorageInfo.Filter], mask: UInt32,
                                 chunkBytes: Int) -> [UInt8]? {
        let applied = filters.indices.filter { $0 >= 32 || mask & (1 << UInt32($0)) == 0 }
        var data = stored
        for k in applied.reversed() {
            switch filters[k] {
            case .fletcher32:
                guard data.count >= 4 else { return nil }
                data.removeLast(4)
            case .gzip:
                // The size before deflate: the chunk plus any checksums applied earlier in the pipeline.
                let expected = chunkBytes + 4 * applied.filter { $0 < k && filters[$0] == .fletcher32 }.count
                guard let inflated = RawChunkCodec.inflate(data, expected: expected) else { return nil }
                data = inflated
            case .shuffle:  // the stored elements are the 16-byte references
                data = RawChunkCodec.unshuffle(data, elementSize: StringReferenceCheck.referenceBytes)
            default:
                return nil
            }
        }
        return data.count == chunkBytes ? data : nil
    }
}
