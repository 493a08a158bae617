/// One attribute message (object header message type 0x000C) split into its parts, as HDF5 1.10
/// decodes it; for `AttributeCheck`, which needs the attribute's raw value. Files with
/// 8-byte lengths only.
///
/// ```
/// version 1:  u8 version = 1 | u8 reserved | u16 name size (with its NUL)
///             u16 datatype size | u16 dataspace size
///             name | datatype | dataspace, each padded with zeros to a multiple of 8 bytes | value
/// version 2:  as version 1 but byte 1 is flags (0x01 datatype shared, 0x02 dataspace shared)
///             and nothing is padded
/// version 3:  as version 2, with a u8 name character set after the sizes, before the name
/// ```
/// The value, not padded, holds one element per dataspace element, each of the datatype's size
/// in the file; for a variable-length type that is a 16-byte reference (u32 length, u64 global heap
/// collection address, u32 object index) whatever size the datatype records.
struct AttributeMessage {
    /// The name, without its terminating NUL (HDF5 reads it up to the first NUL).
    let name: [UInt8]
    let isDatatypeShared: Bool
    let isDataspaceShared: Bool
    /// The datatype encoding (a shared-message reference when `isDatatypeShared`).
    let datatype: ArraySlice<UInt8>
    /// The dataspace encoding (a shared-message reference when `isDataspaceShared`).
    let dataspace: ArraySlice<UInt8>
    /// Everything after the dataspace to the end of the message: the value, then any padding.
    let value: ArraySlice<UInt8>
    /// Why the name, datatype or dataspace runs past the end of the message, or nil. HDF5 1.10
    /// decodes them anyway and copies the value from past the message (memory it does not own);
    /// what does not fit is then empty (the name: what fits of it).
    let overrun: String?

    /// Splits `body`; nil for an unknown version.
    init?(_ body: ArraySlice<UInt8>) {
        let bytes = Array(body)
        guard let version = bytes.first, (1...3).contains(version),
              let nameSize = LittleEndian.uint(bytes, 2, 2),
              let datatypeSize = LittleEndian.uint(bytes, 4, 2),
              let dataspaceSize = LittleEndian.uint(bytes, 6, 2) else { return nil }
        let flags = version == 1 ? 0 : bytes.count > 1 ? bytes[1] : 0
        func padded(_ size: UInt64) -> Int { version == 1 ? (Int(size) + 7) / 8 * 8 : Int(size) }
        var p = version == 3 ? 9 : 8
        isDatatypeShared = flags & 0x01 != 0
        isDataspaceShared = flags & 0x02 != 0
        guard padded(nameSize) <= bytes.count - p else {
            name = Array(bytes[min(p, bytes.count)...].prefix { $0 != 0 })
            (datatype, dataspace, value) = ([], [], [])
            overrun = "its \(nameSize)-byte name runs past the end of its \(bytes.count)-byte attribute message"
            return
        }
        name = Array(bytes[p..<(p + Int(nameSize))].prefix { $0 != 0 })
        p += padded(nameSize)
        var parts: [ArraySlice<UInt8>] = []
        for (size, what) in [(datatypeSize, "datatype"), (dataspaceSize, "dataspace")] {
            guard padded(size) <= bytes.count - p else {
                (datatype, dataspace, value) = ([], [], [])
                overrun = "its \(size)-byte \(what) runs past the end of its \(bytes.count)-byte attribute message"
                return
            }
            parts.append(bytes[p..<(p + Int(size))])
            p += padded(size)
        }
        datatype = parts[0]
        dataspace = parts[1]
        value = bytes[p...]
        overrun = nil
    }

    /// True when the datatype is variable-length (class 9: a sequence or a string; low 4 bits of
    /// its first byte, the high 4 being its version); nil when the datatype is shared or empty.
    var isVariableLength: Bool? {
        guard !isDatatypeShared, let first = datatype.first else { return nil }
        return first & 0x0F == 9
    }

    /// Bytes of one element of the value: the size the datatype records (bytes 4–7 of its
    /// encoding), or 16 for a variable-length type (a reference, whatever size is recorded); nil when
    /// the datatype is shared or too short.
    var elementBytes: Int? {
        guard !isDatatypeShared, let first = datatype.first,
              let size = LittleEndian.uint(datatype, 4, 4) else { return nil }
        return first & 0x0F == 9 ? StringReferenceCheck.referenceBytes : Int(size)
    }

    /// The number of elements the dataspace holds; nil when it is shared or cannot be decoded.
    ///
    /// ```
    /// version 1:  u8 version = 1 | u8 rank | u8 flags | 5 reserved | rank × u64 sizes | …
    ///             (rank 0: scalar)
    /// version 2:  u8 version = 2 | u8 rank | u8 flags | u8 kind (0 scalar, 1 simple, 2 null)
    ///             | rank × u64 sizes | …
    /// ```
    var elementCount: Int? {
        guard !isDataspaceShared else { return nil }
        let space = Array(dataspace)
        guard space.count >= 4, space[1] <= 32 else { return nil }
        let rank = Int(space[1])
        let sizesAt: Int
        switch space[0] {
        case 1:
            if rank == 0 { return 1 }
            sizesAt = 8
        case 2:
            switch space[3] {
            case 0: return 1
            case 2: return 0
            case 1 where rank > 0: sizesAt = 4
            default: return nil
            }
        default:
            return nil
        }
        var count = 1
        for k in 0..<rank {
            guard let size = LittleEndian.uint(space, sizesAt + 8 * k, 8), size <= UInt64(Int.max) else {
                return nil
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(size))
            guard !overflow else { return nil }
            count = product
        }
        return count
    }
}
