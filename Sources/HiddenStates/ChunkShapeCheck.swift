import CHDF5

/// Pre-checks for crashes of HDF5 1.10.8 on a corrupt chunk shape, which it trusts without
/// comparing it with the dataspace (HDF5 never writes such a shape, and refuses to create one):
///
/// - a chunked layout message with no chunk dimensions, or a zero one: `H5Dopen2` divides by it
///   (SIGFPE) while it sets the dataset up, so this is read from the raw layout message
///   (`layoutProblem`) before `H5Dopen2`;
/// - a chunk rank other than the dataspace's (e.g. a scalar dataspace with a 1-D chunk): `H5Dread`
///   maps chunks without end, exhausting memory;
/// - a chunk dimension larger than a fixed (not unlimited) maximum dimension: `H5Dread` copies past
///   the chunk buffer its filters produced (a segfault).
///
/// The last two are checked through HDF5's own view of the dataset once it is open (`problem`).
/// Each gives `corruptChunkShape`.
enum ChunkShapeCheck {
    /// Layout message type.
    static let layoutMessage: UInt16 = 0x0008

    /// Before `H5Dopen2(file, name)`: the dataset's raw layout message, found by walking its object
    /// header (`ObjectHeaderMessages`). Does nothing when HDF5 cannot find the object, when the
    /// header cannot be walked, or when the layout is not version 3 or 4 chunked (then `H5Dopen2`
    /// goes ahead as before).
    /// - Throws: `corruptChunkShape`, `hdf5` (a failed `pread` or file query).
    static func checkLayout(in file: hid_t, dataset name: String, path: String, budget: MemoryBudget) throws {
        var info = H5O_info_t()
        guard H5Oget_info_by_name2(file, name, &info, UInt32(H5O_INFO_BASIC), hid_t(H5P_DEFAULT)) >= 0 else {
            _ = H5Eclear2(hid_t(H5E_DEFAULT))
            return
        }
        guard info.type == H5O_TYPE_DATASET,
              let (_, header) = try ObjectHeaderMessages.read(info, holding: file, path: path, objectName: name,
                                                              byteLimit: budget.bytes),
              let layout = header.messages.first(where: { $0.type == layoutMessage && !$0.isShared }),
              let problem = layoutProblem(layout.body) else { return }
        throw HiddenStatesError.corruptChunkShape(path: path, dataset: name, detail: problem)
    }

    /// Why a chunked layout message would make `H5Dopen2` divide by zero, or nil.
    ///
    /// ```
    /// version 3, chunked:  u8 version = 3 | u8 class = 2 | u8 dimensionality | u64 B-tree address
    ///                      | dimensionality × u32 sizes (the chunk's, then the element size)
    /// version 4, chunked:  u8 version = 4 | u8 class = 2 | u8 flags | u8 dimensionality
    ///                      | u8 width | dimensionality × `width`-byte sizes (likewise) | index …
    /// ```
    /// The dimensionality is the dataspace rank + 1: the last size is the element's, in bytes.
    static func layoutProblem(_ body: ArraySlice<UInt8>) -> String? {
        let bytes = Array(body)
        guard bytes.count >= 3, bytes[1] == 2 else { return nil }
        let dimensionality: Int
        let width: Int
        let sizesAt: Int
        switch bytes[0] {
        case 3:
            dimensionality = Int(bytes[2])
            (width, sizesAt) = (4, 3 + 8)
        case 4:
            guard bytes.count >= 5, (1...8).contains(bytes[4]) else { return nil }
            dimensionality = Int(bytes[3])
            (width, sizesAt) = (Int(bytes[4]), 5)
        default:
            return nil
        }
        guard dimensionality >= 2 else {
            return "its layout message declares \(max(dimensionality - 1, 0)) chunk dimensions"
        }
        for axis in 0..<(dimensionality - 1) {
            guard let size = LittleEndian.uint(bytes, sizesAt + width * axis, width) else { return nil }
            if size == 0 { return "its layout message declares a chunk size of 0 along axis \(axis)" }
        }
        return nil
    }

    /// Why chunks of `chunk` cannot belong to a dataspace of `shape` with maximum sizes `maxShape`
    /// (nil for an unlimited axis), or nil.
    static func problem(chunk: [Int], shape: [Int], maxShape: [Int?]) -> String? {
        guard chunk.count == shape.count else {
            return "its chunks have \(chunk.count) dimensions (\(shapeText(chunk))) but its dataspace has \(shape.count)"
        }
        for axis in chunk.indices {
            if chunk[axis] == 0 { return "its chunks (\(shapeText(chunk))) have size 0 along axis \(axis)" }
            if axis < maxShape.count, let limit = maxShape[axis], chunk[axis] > limit {
                return "its chunks (\(shapeText(chunk))) are larger along axis \(axis) than that axis's fixed "
                    + "size \(limit) (shape \(shapeText(shape)))"
            }
        }
        return nil
    }
}
