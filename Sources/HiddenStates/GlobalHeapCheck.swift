import Foundation

/// A pre-check for a hang in HDF5 1.10.8: reading a variable-length string (`H5Aread`/`H5Dread` →
/// `H5T__conv_vlen` → `H5HG_read` → `H5HG__cache_heap_deserialize`) loops forever when a global
/// heap collection ("GCOL") holds a free-space object (index 0) of size 0, because the decoder
/// advances by that size. Strings are read from every file (root attributes), so before HDF5 loads
/// any collection, the file's collections are found by their signature and walked the same way.
/// The same walk catches an object whose size runs past its collection, which makes `H5HG_read`
/// `memcpy` that many bytes (a segfault).
///
/// The scan reads the whole file (memory-mapped), so it runs only for files up to `scanLimit`
/// bytes (a few ms). Before a string dataset is read, `StringReferenceCheck` reads just the
/// collections its references name (at any file size) and walks each with `walk`, which also lists
/// the objects each collection holds.
enum GlobalHeapCheck {
    /// Files larger than this are not scanned (default 64 MiB: ~10 ms when cached).
    static let scanLimit = 64 << 20

    /// Throws `corruptGlobalHeap` at the first collection whose objects would make HDF5 loop.
    static func check(_ path: String) throws {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped),
              data.count <= scanLimit else { return }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            let count = raw.count
            var from = 0
            while from + 16 <= count {
                guard let found = memchr(base + from, Int32(UInt8(ascii: "G")), count - from - 3) else { return }
                let offset = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if base[offset + 1] == UInt8(ascii: "C"), base[offset + 2] == UInt8(ascii: "O"),
                   base[offset + 3] == UInt8(ascii: "L"), let problem = problem(in: raw, at: offset) {
                    throw HiddenStatesError.corruptGlobalHeap(path: path, offset: offset, detail: problem)
                }
                from = offset + 1
            }
        }
    }

    /// What walking one collection found.
    enum Walk: Equatable {
        /// No version-1 collection of at least 4096 bytes starts there (e.g. a chance "GCOL" in raw data).
        case notACollection
        /// HDF5 would loop forever or copy past the collection's end; the reason.
        case corrupt(String)
        /// The collection's size and its objects: index (≥ 1) → object size in bytes, as HDF5 records
        /// them (a later object with the same index replaces an earlier one, as in HDF5).
        case objects(size: Int, [Int: UInt64])
    }

    /// Walks the collection at `offset` as `H5HG__cache_heap_deserialize` does (8-byte lengths and
    /// addresses); returns why HDF5 would not terminate, or nil (also for a chance "GCOL" in raw data
    /// that is not a version-1 collection).
    static func problem(in bytes: UnsafeRawBufferPointer, at offset: Int) -> String? {
        if case .corrupt(let reason) = walk(bytes, at: offset) { return reason }
        return nil
    }

    /// Walks the collection at `offset` of `bytes` (the whole file, or just the collection's block),
    /// recording each object as `H5HG__cache_heap_deserialize` does.
    static func walk(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Walk {
        func uint(_ at: Int, _ width: Int) -> UInt64? { LittleEndian.uint(bytes, at, width) }
        guard uint(offset, 4) == 0x4C4F_4347,  // "GCOL"
              uint(offset + 4, 1) == 1, let size = uint(offset + 8, 8), size >= 4096 else { return .notACollection }
        let end = offset + Int(min(size, UInt64(bytes.count - offset)))
        var objects: [Int: UInt64] = [:]
        var p = offset + 16
        let objectHeader = 16
        while p < end {
            if p + objectHeader > end { break }  // a tail too small for a header is free space
            guard let index = uint(p, 2), let objectSize = uint(p + 8, 8) else { break }
            // An object running past the collection's end makes H5HG_read copy `size` bytes from it
            // (a segfault for a huge size).
            let room = UInt64(end - p)
            if index == 0 {
                if objectSize == 0 { return .corrupt("its free-space object at offset \(p) has size 0") }
                if objectSize > room { return .corrupt("its free-space object at offset \(p) runs past the collection's end") }
                p += Int(objectSize)
            } else {
                if objectSize > room - UInt64(objectHeader) {
                    return .corrupt("object \(index) at offset \(p) has size \(objectSize), past the collection's end")
                }
                objects[Int(index)] = objectSize
                p += objectHeader + (Int(objectSize) + 7) / 8 * 8
            }
        }
        // A corrupt size may exceed Int.max (the walk stopped at the end of `bytes`).
        return .objects(size: Int(clamping: size), objects)
    }
}
