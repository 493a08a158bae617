import CHDF5
/// The messages of one HDF5 object header, read raw from the file (`RawHDF5File`) in the order
/// HDF5 1.10 reads them, for pre-checks that must see what HDF5 will trust before it acts on it
/// (`AttributeCheck`). Files with 8-byte offsets and lengths only.
///
/// Version 1 header, at the object's address:
/// ```
/// byte 0   u8 version = 1 | u8 reserved | u16 number of messages
/// byte 4   u32 reference count
/// byte 8   u32 bytes of messages in the first chunk | 4 bytes padding
/// byte 16  messages: u16 type | u16 size | u8 flags | 3 reserved | `size` bytes (8-byte aligned)
/// ```
/// Version 2 header:
/// ```
/// "OHDR" | u8 version = 2 | u8 flags
/// [4 × u32 access, modification, change and birth times   if flags & 0x20]
/// [u16 most compact attributes | u16 fewest dense ones    if flags & 0x10]
/// bytes of messages in the first chunk: 1, 2, 4 or 8 bytes wide (1 << (flags & 0x03))
/// messages: u8 type | u16 size | u8 flags | [u16 creation order if flags & 0x04] | `size` bytes
/// a gap smaller than a message prefix | u32 checksum
/// ```
/// A continuation message (type 0x0010: u64 address, u64 length) names one more chunk of `length`
/// bytes; chunks are read first to last, each one's continuations queued after those already
/// found (as HDF5 does). A version-1 chunk is just messages; a version-2 one is
/// `"OCHK" | messages | gap | u32 checksum`. Checksums are not verified: HDF5 verifies them when it
/// loads the header and refuses a mismatch.
///
/// A message whose flags have bit 1 (0x02) set is shared: its body refers to a message stored
/// elsewhere (the shared-message table or another object header) instead of holding it.
struct ObjectHeaderMessages {
    /// One header message: its type, whether it is shared, and its body (`size` bytes).
    struct Message {
        let type: UInt16
        let isShared: Bool
        let body: ArraySlice<UInt8>
    }

    /// Attribute message type.
    static let attribute: UInt16 = 0x000C
    /// Header continuation message type.
    static let continuation: UInt16 = 0x0010
    /// At most this many chunks are followed (HDF5 writes a handful; a corrupt header may loop).
    static let chunkLimit = 4096

    /// The messages found, in HDF5's order. A walk that stops early (a chunk past the end of the
    /// file, a message running past its chunk, a continuation without its signature) keeps the
    /// messages found before.
    private(set) var messages: [Message] = []

    /// The messages of the header at relative address `address`, or nil when no version-1 or
    /// version-2 header starts there. At most `byteLimit` bytes are read in all.
    /// - Throws: `hdf5` (a failed `pread`).
    static func read(_ file: RawHDF5File, at address: UInt64, byteLimit: Int) throws -> ObjectHeaderMessages? {
        guard let offset = file.offset(of: address) else { return nil }
        let prefixBytes = Int(min(UInt64(64), file.size - offset))
        guard let prefix = try file.bytes(prefixBytes, atAddress: address) else { return nil }
        var header = ObjectHeaderMessages()
        var read = 0
        // (relative address, bytes) of each chunk's messages, first to last.
        var chunks: [(address: UInt64, count: Int)] = []
        let version: Int
        var creationOrder = false
        if prefix.starts(with: "OHDR".utf8) {
            guard prefix.count >= 7, prefix[4] == 2 else { return nil }
            version = 2
            let flags = prefix[5]
            creationOrder = flags & 0x04 != 0
            var p = 6
            if flags & 0x20 != 0 { p += 16 }
            if flags & 0x10 != 0 { p += 4 }
            let width = 1 << Int(flags & 0x03)
            guard let size = LittleEndian.uint(prefix, p, width) else { return nil }
            chunks.append((address &+ UInt64(p + width), clamp(size)))
        } else {
            guard prefix.count >= 16, prefix[0] == 1, let size = LittleEndian.uint(prefix, 8, 4) else { return nil }
            version = 1
            chunks.append((address &+ 16, clamp(size)))
        }
        var visited: Set<UInt64> = [address]
        var next = 0
        while next < chunks.count {
            let chunk = chunks[next]
            next += 1
            guard next <= chunkLimit, chunk.count <= byteLimit - read,
                  let bytes = try file.bytes(chunk.count, atAddress: chunk.address) else { break }
            read += chunk.count
            for continuation in header.walk(bytes, version: version, creationOrder: creationOrder) {
                guard visited.insert(continuation.address).inserted else { continue }
                if version == 1 {
                    chunks.append((continuation.address, clamp(continuation.length)))
                } else {
                    // "OCHK" | messages | checksum: the signature is checked when the chunk is read.
                    guard continuation.length >= 8,
                          let signature = try file.bytes(4, atAddress: continuation.address),
                          signature.elementsEqual("OCHK".utf8) else { continue }
                    chunks.append((continuation.address &+ 4, clamp(continuation.length - 8)))
                }
            }
        }
        return header
    }

    /// Appends the messages of one chunk's message bytes; returns the continuations they name.
    private mutating func walk(_ bytes: [UInt8], version: Int,
                               creationOrder: Bool) -> [(address: UInt64, length: UInt64)] {
        let prefix = version == 1 ? 8 : (creationOrder ? 6 : 4)
        var continuations: [(address: UInt64, length: UInt64)] = []
        var p = 0
        while bytes.count - p >= prefix {
            let type = version == 1 ? LittleEndian.uint(bytes, p, 2) : LittleEndian.uint(bytes, p, 1)
            let sizeAt = version == 1 ? p + 2 : p + 1
            guard let type, let size = LittleEndian.uint(bytes, sizeAt, 2), let flags = LittleEndian.uint(bytes, sizeAt + 2, 1) else { break }
            let start = p + prefix
            guard Int(size) <= bytes.count - start else { break }
            let message = Message(type: UInt16(type), isShared: flags & 0x02 != 0,
                                  body: bytes[start..<(start + Int(size))])
            messages.append(message)
            if message.type == Self.continuation, !message.isShared,
               let address = LittleEndian.uint(bytes, start, 8), let length = LittleEndian.uint(bytes, start + 8, 8), size >= 16 {
                continuations.append((address, length))
            }
            p = start + Int(size)
        }
        return continuations
    }

    /// A chunk size as a count, saturated (a size past the end of the file fails when it is read).
    private static func clamp(_ size: UInt64) -> Int { Int(min(size, UInt64(Int.max))) }

}

extension ObjectHeaderMessages {
    /// The file holding `object` and the header of the object HDF5 described in `info`
    /// (`H5Oget_info…`; the caller holds the HDF5 lock), or nil when HDF5 gave no address, the
    /// file's offsets are not 8 bytes, or no header starts there. At most `byteLimit` bytes are read.
    /// - Throws: `hdf5` (a failed `pread` or file query).
    static func read(_ info: H5O_info_t?, holding object: hid_t, path: String, objectName: String,
                     byteLimit: Int) throws -> (file: RawHDF5File, header: ObjectHeaderMessages)? {
        guard let info, info.addr != haddr_t.max,
              let file = try RawHDF5File.holding(object, path: path, objectName: objectName),
              let header = try read(file, at: UInt64(info.addr), byteLimit: byteLimit) else { return nil }
        return (file, header)
    }

    /// `H5Oget_info2(object)` (basic fields), or nil (HDF5's error cleared) when it fails.
    static func basicInfo(_ object: hid_t) -> H5O_info_t? {
        var info = H5O_info_t()
        guard H5Oget_info2(object, &info, UInt32(H5O_INFO_BASIC)) >= 0 else {
            _ = H5Eclear2(hid_t(H5E_DEFAULT))
            return nil
        }
        return info
    }
}
