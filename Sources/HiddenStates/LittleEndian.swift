/// Little-endian integers in bytes read raw from a file (HDF5 stores its own structures so).
enum LittleEndian {
    /// The unsigned integer of `width` (≤ 8) bytes at `at` (counted from the collection's start),
    /// or nil when they do not all lie inside `bytes`.
    static func uint<C: RandomAccessCollection>(_ bytes: C, _ at: Int, _ width: Int) -> UInt64?
    where C.Element == UInt8, C.Index == Int {
        guard at >= 0, width >= 0, width <= 8, at <= bytes.count - width else { return nil }
        let start = bytes.startIndex + at
        var value: UInt64 = 0
        for k in 0..<width { value |= UInt64(bytes[start + k]) << (8 * UInt64(k)) }
        return value
    }
}
