import Foundation

/// Reading and writing the safetensors format (F32 tensors only).
///
/// Layout, as the specification (huggingface/safetensors) defines it:
/// ```
/// [8 bytes]  N, unsigned little-endian: the header's length in bytes
/// [N bytes]  UTF-8 JSON object: { name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
///                                 "__metadata__": {string: string} }, padded with spaces
/// [rest]     the byte buffer; offsets are relative to its start, and the tensors cover it
///            exactly: no gap, no overlap
/// ```
/// We pad the header so the buffer starts at a multiple of 8 bytes and write tensors sorted by name.
public enum SafeTensors {
    /// A named tensor: shape and row-major Float32 values.
    public struct Entry: Sendable, Equatable {
        public var shape: [Int]
        public var values: [Float]
        public init(shape: [Int], values: [Float]) {
            precondition(shape.reduce(1, *) == values.count,
                         "SafeTensors.Entry: shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
            self.shape = shape
            self.values = values
        }
    }

    /// A file's tensors and metadata.
    public struct Contents: Sendable, Equatable {
        public var tensors: [String: Entry]
        public var metadata: [String: String]
        public init(tensors: [String: Entry], metadata: [String: String]) {
            self.tensors = tensors
            self.metadata = metadata
        }
    }

    /// The largest header the reference implementation accepts (100 MB).
    static let maximumHeaderLength = 100_000_000

    /// The file's bytes: header length, padded JSON header, buffer.
    public static func encode(_ contents: Contents) throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        let names = contents.tensors.keys.sorted()
        for name in names {
            guard let entry = contents.tensors[name] else { continue }
            let bytes = entry.values.count * MemoryLayout<Float>.size
            header[name] = ["dtype": "F32", "shape": entry.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        if !contents.metadata.isEmpty { header["__metadata__"] = contents.metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so that 8 + N is a multiple of 8 (the spec allows trailing spaces).
        let padding = (8 - json.count % 8) % 8
        json.append(contentsOf: [UInt8](repeating: 0x20, count: padding))

        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for name in names {
            guard let entry = contents.tensors[name] else { continue }
            let littleEndian = entry.values.map { $0.bitPattern.littleEndian }
            littleEndian.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Writes `contents` to `url` atomically (a temporary file in the same folder, then rename).
    public static func write(_ contents: Contents, to url: URL) throws {
        let data = try encode(contents)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw SafeTensorsError.unwritable(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Reads and validates a safetensors file.
    public static func read(_ url: URL) throws -> Contents {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SafeTensorsError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode(data, path: url.path)
    }

    /// Parses and validates safetensors bytes; `path` names the source in errors.
    public static func decode(_ data: Data, path: String) throws -> Contents {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw SafeTensorsError.tooShort(path: path, size: bytes.count) }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(maximumHeaderLength), headerLength <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError.badHeaderLength(path: path, length: headerLength, fileSize: bytes.count)
        }
        let headerEnd = 8 + Int(headerLength)
        let headerBytes = bytes[8..<headerEnd]
        let header: [String: JSONValue]
        do {
            guard headerBytes.first == UInt8(ascii: "{") else { throw SafeTensorsError.headerNotJSON(path: path) }
            header = try JSONDecoder().decode([String: JSONValue].self, from: Data(headerBytes))
        } catch {
            throw SafeTensorsError.headerNotJSON(path: path)
        }

        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard case .object(let dictionary) = raw else {
                throw SafeTensorsError.malformedEntry(path: path, name: "__metadata__", detail: "is not an object")
            }
            for (key, value) in dictionary {
                guard case .string(let text) = value else {
                    throw SafeTensorsError.malformedEntry(
                        path: path, name: "__metadata__", detail: "value of \"\(key)\" is not a string")
                }
                metadata[key] = text
            }
        }

        struct Span { let name: String; let begin: Int; let end: Int; let shape: [Int] }
        var spans: [Span] = []
        for (name, raw) in header where name != "__metadata__" {
            guard case .object(let entry) = raw else {
                throw SafeTensorsError.malformedEntry(path: path, name: name, detail: "is not an object")
            }
            guard case .string(let dtype)? = entry["dtype"] else {
                throw SafeTensorsError.malformedEntry(path: path, name: name, detail: "has no \"dtype\" string")
            }
            guard dtype == "F32" else { throw SafeTensorsError.unsupportedDType(path: path, name: name, dtype: dtype) }
            guard let shape = integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw SafeTensorsError.malformedEntry(path: path, name: name, detail: "has no valid \"shape\"")
            }
            guard let offsets = integers(entry["data_offsets"]), offsets.count == 2,
                  offsets[0] >= 0, offsets[0] <= offsets[1]
            else {
                throw SafeTensorsError.malformedEntry(
                    path: path, name: name, detail: "has no valid \"data_offsets\" [begin, end]")
            }
            let expected = shape.reduce(1, *) * MemoryLayout<Float>.size
            guard offsets[1] - offsets[0] == expected else {
                throw SafeTensorsError.sizeMismatch(
                    path: path, name: name, shape: shape, bytes: offsets[1] - offsets[0])
            }
            spans.append(Span(name: name, begin: offsets[0], end: offsets[1], shape: shape))
        }

        // The tensors must tile the buffer exactly.
        spans.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        var previous: String?
        for span in spans {
            if span.begin < covered {
                throw SafeTensorsError.overlappingOffsets(path: path, first: previous ?? "", second: span.name)
            }
            if span.begin > covered {
                throw SafeTensorsError.gapInBuffer(path: path, at: covered, before: span.name)
            }
            covered = span.end
            previous = span.name
        }
        let bufferLength = bytes.count - headerEnd
        guard covered == bufferLength else {
            throw SafeTensorsError.bufferLengthMismatch(path: path, expected: covered, actual: bufferLength)
        }

        var tensors: [String: Entry] = [:]
        for span in spans {
            let count = (span.end - span.begin) / MemoryLayout<Float>.size
            var bits = [UInt32](repeating: 0, count: count)
            let start = headerEnd + span.begin
            bits.withUnsafeMutableBytes { destination in
                bytes.withUnsafeBytes { source in
                    destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start..<(start + 4 * count)]))
                }
            }
            let values = bits.map { Float(bitPattern: UInt32(littleEndian: $0)) }
            tensors[span.name] = Entry(shape: span.shape, values: values)
        }
        return Contents(tensors: tensors, metadata: metadata)
    }

    private static func integers(_ value: JSONValue?) -> [Int]? {
        guard case .array(let array)? = value else { return nil }
        var result: [Int] = []
        for element in array {
            guard case .number(let number) = element, let integer = Int(exactly: number) else { return nil }
            result.append(integer)
        }
        return result
    }

}

/// A safetensors file that cannot be read or does not follow the specification.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)
    case tooShort(path: String, size: Int)
    case badHeaderLength(path: String, length: UInt64, fileSize: Int)
    case headerNotJSON(path: String)
    case malformedEntry(path: String, name: String, detail: String)
    case unsupportedDType(path: String, name: String, dtype: String)
    case sizeMismatch(path: String, name: String, shape: [Int], bytes: Int)
    case overlappingOffsets(path: String, first: String, second: String)
    case gapInBuffer(path: String, at: Int, before: String)
    case bufferLengthMismatch(path: String, expected: Int, actual: Int)

    public var description: String {
        let hint = "hint: re-export the head with `pooler export`, or check how the file was written"
        switch self {
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .unwritable(path, reason):
            return "cannot write \(path): \(reason); hint: check the folder exists and is writable"
        case let .tooShort(path, size):
            return "\(path): \(size) bytes is too short for a safetensors file (8-byte header length first); \(hint)"
        case let .badHeaderLength(path, length, fileSize):
            return "\(path): header length \(length) does not fit in a file of \(fileSize) bytes "
                + "(or exceeds 100 MB); the file is truncated or not safetensors; \(hint)"
        case let .headerNotJSON(path):
            return "\(path): the header is not a JSON object; \(hint)"
        case let .malformedEntry(path, name, detail):
            return "\(path): tensor \"\(name)\" \(detail); \(hint)"
        case let .unsupportedDType(path, name, dtype):
            return "\(path): tensor \"\(name)\" has dtype \(dtype); pooler reads F32 only; "
                + "hint: convert it, e.g. in PyTorch with `t.float()` before `save_file`"
        case let .sizeMismatch(path, name, shape, bytes):
            return "\(path): tensor \"\(name)\" of shape \(shape) needs \(shape.reduce(1, *) * 4) bytes "
                + "but its offsets span \(bytes); \(hint)"
        case let .overlappingOffsets(path, first, second):
            return "\(path): tensors \"\(first)\" and \"\(second)\" overlap in the data buffer; \(hint)"
        case let .gapInBuffer(path, at, before):
            return "\(path): the data buffer has a gap at byte \(at), before tensor \"\(before)\"; \(hint)"
        case let .bufferLengthMismatch(path, expected, actual):
            return "\(path): the tensors cover \(expected) bytes but the data buffer holds \(actual) "
                + "(truncated or padded file); \(hint)"
        }
    }
}

/// A JSON value, for validating headers field by field.
enum JSONValue: Decodable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}
