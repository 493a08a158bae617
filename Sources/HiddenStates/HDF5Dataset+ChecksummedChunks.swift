import CHDF5

extension HDF5Dataset {
    /// The most chunks one read looks up (one B-tree lookup each); past it the read is not checked.
    static let checksummedChunkLimit = 1 << 16

    /// A pre-check for a crash of HDF5 1.10.8 reading chunks guarded by a Fletcher-32 checksum: its
    /// filter takes the checksum's 4 bytes off a chunk's stored size without checking it, so a chunk
    /// that stores fewer than 4 bytes makes it checksum (and read) gigabytes (a segfault).
    ///
    /// Before `H5Dread` of the hyperslab `start ..< start + count`, each chunk it touches is looked up
    /// (`H5Dget_chunk_info_by_coord`, once per chunk per dataset); a stored chunk of fewer than 4 bytes
    /// whose filter mask does not skip the checksum gives `checksumMismatch`. Unwritten chunks (read as
    /// the fill value, unfiltered) are fine. Not checked: datasets without Fletcher-32, and reads that
    /// touch more than `checksummedChunkLimit` chunks.
    /// - Throws: `checksumMismatch`.
    func checkChecksummedChunks(start: [Int], count: [Int]) throws {
        guard let (chunk, filter) = checksummedChunk, chunk.count == shape.count, start.count == shape.count,
              count.count == shape.count, chunk.allSatisfy({ $0 > 0 }), count.allSatisfy({ $0 > 0 }) else { return }
        let lower = shape.indices.map { start[$0] / chunk[$0] }
        let upper = shape.indices.map { (start[$0] + count[$0] - 1) / chunk[$0] }
        var touched = 1
        for axis in shape.indices {
            let (product, overflow) = touched.multipliedReportingOverflow(by: upper[axis] - lower[axis] + 1)
            if overflow || product > Self.checksummedChunkLimit { return }
            touched = product
        }
        var grid = lower
        while true {
            if !checkedChunks.contains(grid) {
                try checkChecksummedChunk(at: grid, chunk: chunk, filter: filter)
                checkedChunks.insert(grid)
            }
            // Next grid coordinate, last axis fastest.
            var axis = grid.count - 1
            while axis >= 0 {
                grid[axis] += 1
                if grid[axis] <= upper[axis] { break }
                grid[axis] = lower[axis]
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    /// Checks the chunk at grid coordinates `grid` (chunk shape `chunk`, Fletcher-32 at pipeline index `filter`).
    private func checkChecksummedChunk(at grid: [Int], chunk: [Int], filter: Int) throws {
        var offset = shape.indices.map { hsize_t(grid[$0] * chunk[$0]) }
        var mask: UInt32 = 0
        var address: haddr_t = 0
        var stored: hsize_t = 0
        guard H5Dget_chunk_info_by_coord(handle.id, &offset, &mask, &address, &stored) >= 0 else {
            _ = H5Eclear2(hid_t(H5E_DEFAULT))
            return  // left to H5Dread to report
        }
        let skipped = filter < 32 && mask & (UInt32(1) << UInt32(filter)) != 0
        guard address != haddr_t.max, stored < 4, !skipped else { return }
        let first = grid[0] * chunk[0]
        let rows = first..<min(first + chunk[0], shape[0])
        throw HiddenStatesError.checksumMismatch(
            path: path, dataset: name, rows: rows,
            detail: "its chunk at element (\(offset.map { String($0) }.joined(separator: ", "))) stores \(stored) bytes, "
                + "fewer than the 4 bytes of its Fletcher-32 checksum")
    }
}
