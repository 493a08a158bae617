import CHDF5

/// The element type of an HDF5 dataset, as numpy would name it.
public enum ElementType: Equatable, Hashable, Sendable, CustomStringConvertible {
    case float16, float32, float64
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64
    /// h5py's `bool` (an HDF5 enum over int8).
    case bool
    /// Variable- or fixed-length text.
    case string
    /// Anything else (compound, opaque, array…), described by its HDF5 class.
    case other(String)

    public var description: String {
        switch self {
        case .float16: return "float16"
        case .float32: return "float32"
        case .float64: return "float64"
        case .int8: return "int8"
        case .uint8: return "uint8"
        case .int16: return "int16"
        case .uint16: return "uint16"
        case .int32: return "int32"
        case .uint32: return "uint32"
        case .int64: return "int64"
        case .uint64: return "uint64"
        case .bool: return "bool"
        case .string: return "string"
        case .other(let name): return name
        }
    }

    /// True for the three IEEE floating-point widths.
    public var isFloatingPoint: Bool { self == .float16 || self == .float32 || self == .float64 }

    /// True for signed and unsigned integers of any width (not `bool`).
    public var isInteger: Bool {
        switch self {
        case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64: return true
        default: return false
        }
    }

    /// Classifies an HDF5 datatype identifier.
    init(hdf5Type type: hid_t) {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            switch size {
            case 2: self = .float16
            case 4: self = .float32
            case 8: self = .float64
            default: self = .other("float\(size * 8)")
            }
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch (size, signed) {
            case (1, true): self = .int8
            case (1, false): self = .uint8
            case (2, true): self = .int16
            case (2, false): self = .uint16
            case (4, true): self = .int32
            case (4, false): self = .uint32
            case (8, true): self = .int64
            case (8, false): self = .uint64
            default: self = .other("int\(size * 8)")
            }
        case H5T_ENUM:
            self = H5Tget_nmembers(type) == 2 && size == 1 ? .bool : .other("enum")
        case H5T_STRING: self = .string
        case H5T_COMPOUND: self = .other("compound")
        case H5T_ARRAY: self = .other("array")
        case H5T_OPAQUE: self = .other("opaque")
        case H5T_VLEN: self = .other("vlen")
        case H5T_REFERENCE: self = .other("reference")
        case H5T_BITFIELD: self = .other("bitfield")
        default: self = .other("unknown")
        }
    }
}

/// The element type hidden states are stored in on disk.
public enum StorageType: String, Codable, CaseIterable, Sendable {
    case float16, float32
}
