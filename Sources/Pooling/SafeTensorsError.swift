/// A safetensors file that cannot be read or does not follow the specification.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)
    case tooShort(path: String, size: Int)
    case badHeaderLength(path: String, length: UInt64, fileSize: Int)
    case headerNotJSON(path: String)
    case malformedEntry(path: String, name: String, detail: String)
    /// A dtype this reader does not decode (or one the specification does not define).
    case unsupportedDType(path: String, name: String, dtype: String)
    /// A shape whose byte size does not fit in an `Int` (e.g. `[2⁶², 2⁶²]`).
    case shapeTooLarge(path: String, name: String, shape: [Int], dtype: String)
    case sizeMismatch(path: String, name: String, shape: [Int], dtype: String, needed: Int, bytes: Int)
    case overlappingOffsets(path: String, first: String, second: String)
    case gapInBuffer(path: String, at: Int, before: String)
    case bufferLengthMismatch(path: String, expected: Int, actual: Int)

    /// The dtypes ``SafeTensors`` decodes, for messages: `F32, F16, BF16`.
    static var supportedDTypes: String { SafeTensors.DType.allCases.map(\.rawValue).joined(separator: ", ") }

    public var description: String {
        let hint = "Hint: the file is truncated or was not written by a safetensors writer; re-save it "
            + "(safetensors' `save_file`, or `pooler export` for a head)."
        switch self {
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason). Hint: check the path and its permissions."
        case let .unwritable(path, reason):
            return "cannot write \(path): \(reason). Hint: check the folder exists and is writable."
        case let .tooShort(path, size):
            return "\(path): \(size) bytes is too short for a safetensors file (8-byte header length first). \(hint)"
        case let .badHeaderLength(path, length, fileSize):
            return "\(path): header length \(length) does not fit in a file of \(fileSize) bytes "
                + "(or exceeds 100 MB). \(hint)"
        case let .headerNotJSON(path):
            return "\(path): the header is not a JSON object. \(hint)"
        case let .malformedEntry(path, name, detail):
            return "\(path): tensor \"\(name)\" \(detail). \(hint)"
        case let .unsupportedDType(path, name, dtype):
            return "\(path): tensor \"\(name)\" has dtype \(dtype); pooler reads \(Self.supportedDTypes). "
                + "Hint: convert it, e.g. in PyTorch with `t.float()` before `save_file`."
        case let .shapeTooLarge(path, name, shape, dtype):
            return "\(path): tensor \"\(name)\" of shape \(shape) and dtype \(dtype) has more bytes than fit in memory "
                + "(the element count overflows). \(hint)"
        case let .sizeMismatch(path, name, shape, dtype, needed, bytes):
            return "\(path): tensor \"\(name)\" of shape \(shape) and dtype \(dtype) needs \(needed) bytes "
                + "but its offsets span \(bytes). \(hint)"
        case let .overlappingOffsets(path, first, second):
            return "\(path): tensors \"\(first)\" and \"\(second)\" overlap in the data buffer. \(hint)"
        case let .gapInBuffer(path, at, before):
            return "\(path): the data buffer has a gap at byte \(at), before tensor \"\(before)\". \(hint)"
        case let .bufferLengthMismatch(path, expected, actual):
            return "\(path): the tensors cover \(expected) bytes but the data buffer holds \(actual) "
                + "(truncated or padded file). \(hint)"
        }
    }
}
