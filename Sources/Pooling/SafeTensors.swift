import Foundation

/// Reading and writing the safetensors format: F32, F16 and BF16 tensors read (decoded to
/// Float32), F32 written.
///
/// Layout, as the specification (huggingface/safetensors) defines it:
/// ```
/// [8 bytes]  N, unsigned little-endian: the header's length in bytes
/// [N bytes]  UTF-8 JSON object: { name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
///                                 "__metadata__": {string: string} }, padded with spaces
/// [rest]     the byte buffer; offsets are relative to its start, and the tensors cover it
///            exactly: no gap, no overlap
/// ```
/// Reading validates the whole header before it allocates anything: every shape's element
/// count and byte size are computed with overflow checks and must equal the tensor's
/// `data_offsets` span, which must lie inside the file. We pad the header so the buffer starts
/// at a multiple of 8 bytes and write tensors sorted by name.
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

    /// The element types this reader decodes (to Float32).
    public enum DType: String, CaseIterable, Sendable {
        /// IEEE 754 binary32, copied.
        case f32 = "F32"
        /// IEEE 754 binary16, converted exactly (F16C when the CPU has it).
        case f16 = "F16"
        /// bfloat16 (the top 16 bits of a binary32), converted exactly by a shift.
        case bf16 = "BF16"

        /// Bytes per element.
        public var byteCount: Int { self == .f32 ? 4 : 2 }
    }

    /// Bytes per element of every dtype the specification defines, so that a tensor this reader
    /// does not decode (e.g. BERT's I64 `position_ids`) is still checked and can be skipped.
    static let elementSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
        "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4,
        "I64": 8, "U64": 8, "F64": 8,
    ]

    /// The largest header the reference implementation accepts (100 MB).
    static let maximumHeaderLength = 100_000_000

    /// The file's bytes: header length, padded JSON header, buffer (all tensors F32).
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

    /// Reads and validates a safetensors file; decodes the tensors whose name `including` accepts
    /// (all by default). The file is memory-mapped when possible, not copied.
    ///
    /// - Throws: ``SafeTensorsError`` naming the file (and tensor) for anything malformed, and
    ///   ``SafeTensorsError/unsupportedDType(path:name:dtype:)`` for an included tensor that is
    ///   not F32, F16 or BF16.
    public static func read(_ url: URL, including: (String) -> Bool = { _ in true }) throws -> Contents {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SafeTensorsError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode(data, path: url.path, including: including)
    }
}
