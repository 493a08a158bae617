import CHDF5

/// A pre-check for a hang of HDF5 1.10.8 (memory growing without bound) when it lists the root
/// group of a file that keeps its links in a symbol table (HDF5's default format): the link names
/// live in a local heap, and `H5HL__fl_deserialize` follows the heap's free list, allocating a node
/// per block, until the end marker (offset 1), so a block that points back to itself or to an
/// earlier one makes it allocate forever.
///
/// ```
/// symbol table message (0x0011):  u64 v1 B-tree address | u64 local heap address
/// local heap:  "HEAP" | u8 version = 0 | 3 reserved | u64 data segment size
///              | u64 offset of the first free block (1: none) | u64 data segment address
/// free block, in the data segment:  u64 offset of the next free block (1: none) | u64 its size
/// ```
/// The root group's header is walked raw (`ObjectHeaderMessages`) and its heap's free list followed
/// block by block. Only a list that revisits a block is rejected (`corruptGroupHeap`): other damage
/// (a block past the data segment) HDF5 reports as an error itself, and a header or heap that cannot
/// be read is left to HDF5.
enum LocalHeapCheck {
    /// Symbol table message type.
    static let symbolTableMessage: UInt16 = 0x0011
    /// Free blocks followed at most (each is at least 16 bytes; HDF5 writes a handful).
    static let blockLimit = 1 << 20

    /// Checks the root group of the open `file` (the caller holds the HDF5 lock).
    /// - Throws: `corruptGroupHeap`, `hdf5` (a failed `pread` or file query).
    static func check(_ file: HDF5Handle, path: String) throws {
        guard let (raw, header) = try ObjectHeaderMessages.read(ObjectHeaderMessages.basicInfo(file.id), holding: file.id,
                                                                path: path, objectName: "/", byteLimit: 1 << 20),
              let table = header.messages.first(where: { $0.type == symbolTableMessage && !$0.isShared }),
              let heapAddress = LittleEndian.uint(table.body, 8, 8),
              let heap = try raw.bytes(32, atAddress: heapAddress), heap.starts(with: "HEAP".utf8), heap[4] == 0,
              let size = LittleEndian.uint(heap, 8, 8), let first = LittleEndian.uint(heap, 16, 8),
              let data = LittleEndian.uint(heap, 24, 8) else { return }
        var visited = Set<UInt64>()
        var block = first
        while block != 1, block < size, visited.count < blockLimit {
            guard visited.insert(block).inserted else {
                let at = raw.offset(of: heapAddress).map { Int(clamping: $0) } ?? 0
                throw HiddenStatesError.corruptGroupHeap(
                    path: path, offset: at,
                    detail: "its free list comes back to the block at offset \(block) of its \(size)-byte data segment")
            }
            guard let free = try raw.bytes(16, atAddress: data &+ block),
                  let next = LittleEndian.uint(free, 0, 8) else { return }
            block = next
        }
    }
}
