import CPlatform
import Foundation

extension SafeTensors {
    /// One tensor's header entry, validated: its bytes are `begin ..< end` of the buffer.
    struct Span {
        let name: String
        let dtype: String
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    /// Parses and validates safetensors bytes; `path` names the source in errors. Decodes the
    /// tensors whose name `including` accepts; the others are validated and skipped.
    ///
    /// Steps: header length → header JSON → metadata and entries (checked sizes) → tiling of
    /// the buffer → decoding of the included tensors.
    public static func decode(_ data: Data, path: String, including: (String) -> Bool = { _ in true }) throws -> Contents {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let headerEnd = 8 + (try headerLength(bytes, path: path))
            let header = try headerObject(UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd]), path: path)
            let metadata = try self.metadata(header["__metadata__"], path: path)
            let bufferLength = bytes.count - headerEnd
            let spans = try header.compactMap { name, raw in
                name == "__metadata__" ? nil : try span(name: name, raw, path: path)
            }
            try checkTiling(spans, bufferLength: bufferLength, path: path)
            let buffer = UnsafeRawBufferPointer(rebasing: bytes[headerEnd...])
            var tensors: [String: Entry] = [:]
            for span in spans where including(span.name) {
                tensors[span.name] = try decodeTensor(span, buffer: buffer, path: path)
            }
            return Contents(tensors: tensors, metadata: metadata)
        }
    }

    /// The dtype name (`"F32"`, `"I64"`, …) of every tensor in a safetensors file, from its
    /// validated header; nothing is decoded. Lets a caller skip tensors ``read(_:including:)``
    /// cannot decode (e.g. BERT's I64 `position_ids`).
    /// - Throws: ``SafeTensorsError`` naming the file for anything malformed.
    public static func dtypes(of url: URL) throws -> [String: String] {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SafeTensorsError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let headerEnd = 8 + (try headerLength(bytes, path: url.path))
            let header = try headerObject(UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd]), path: url.path)
            let spans = try header.compactMap { name, raw in
                name == "__metadata__" ? nil : try span(name: name, raw, path: url.path)
            }
            try checkTiling(spans, bufferLength: bytes.count - headerEnd, path: url.path)
            return Dictionary(uniqueKeysWithValues: spans.map { ($0.name, $0.dtype) })
        }
    }

    /// The header length `N` from the first 8 bytes (little-endian), checked against the file size.
    static func headerLength(_ bytes: UnsafeRawBufferPointer, path: String) throws -> Int {
        guard bytes.count >= 8 else { throw SafeTensorsError.tooShort(path: path, size: bytes.count) }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(maximumHeaderLength), length <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError.badHeaderLength(path: path, length: length, fileSize: bytes.count)
        }
        return Int(length)
    }

    /// The header as a JSON object.
    static func headerObject(_ bytes: UnsafeRawBufferPointer, path: String) throws -> [String: JSONValue] {
        guard bytes.first == UInt8(ascii: "{"),
              let header = try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes))
        else { throw SafeTensorsError.headerNotJSON(path: path) }
        return header
    }

    /// The `__metadata__` string map (empty when absent).
    static func metadata(_ raw: JSONValue?, path: String) throws -> [String: String] {
        guard let raw else { return [:] }
        guard case .object(let dictionary) = raw else {
            throw SafeTensorsError.malformedEntry(path: path, name: "__metadata__", detail: "is not an object")
        }
        var metadata: [String: String] = [:]
        for (key, value) in dictionary {
            guard case .string(let text) = value else {
                throw SafeTensorsError.malformedEntry(
                    path: path, name: "__metadata__", detail: "value of \"\(key)\" is not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    /// One entry, validated: known dtype, non-negative shape whose byte size
    /// `Π shape · elementSize` (overflow-checked) equals `end − begin`. That the spans lie inside
    /// the buffer follows from the tiling check, which runs before anything is allocated.
    static func span(name: String, _ raw: JSONValue, path: String) throws -> Span {
        guard case .object(let entry) = raw else {
            throw SafeTensorsError.malformedEntry(path: path, name: name, detail: "is not an object")
        }
        guard case .string(let dtype)? = entry["dtype"] else {
            throw SafeTensorsError.malformedEntry(path: path, name: name, detail: "has no \"dtype\" string")
        }
        guard let elementSize = elementSizes[dtype] else {
            throw SafeTensorsError.unsupportedDType(path: path, name: name, dtype: dtype)
        }
        guard let shape = integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
            throw SafeTensorsError.malformedEntry(path: path, name: name, detail: "has no valid \"shape\"")
        }
        guard let offsets = integers(entry["data_offsets"]), offsets.count == 2,
              offsets[0] >= 0, offsets[0] <= offsets[1]
        else {
            throw SafeTensorsError.malformedEntry(
                path: path, name: name, detail: "has no valid \"data_offsets\" [begin, end]")
        }
        guard let bytes = byteCount(shape: shape, elementSize: elementSize) else {
            throw SafeTensorsError.shapeTooLarge(path: path, name: name, shape: shape, dtype: dtype)
        }
        guard offsets[1] - offsets[0] == bytes else {
            throw SafeTensorsError.sizeMismatch(
                path: path, name: name, shape: shape, dtype: dtype, needed: bytes, bytes: offsets[1] - offsets[0])
        }
        return Span(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    /// `Π shape · elementSize`, or nil when it overflows `Int`.
    static func byteCount(shape: [Int], elementSize: Int) -> Int? {
        var product = elementSize
        for extent in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: extent)
            if overflow { return nil }
            product = next
        }
        return product
    }

    /// The tensors must cover the buffer exactly: sorted by offset, no gap, no overlap.
    static func checkTiling(_ spans: [Span], bufferLength: Int, path: String) throws {
        let sorted = spans.sorted { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        var previous: String?
        for span in sorted {
            if span.begin < covered {
                throw SafeTensorsError.overlappingOffsets(path: path, first: previous ?? "", second: span.name)
            }
            if span.begin > covered {
                throw SafeTensorsError.gapInBuffer(path: path, at: covered, before: span.name)
            }
            covered = span.end
            previous = span.name
        }
        guard covered == bufferLength else {
            throw SafeTensorsError.bufferLengthMismatch(path: path, expected: covered, actual: bufferLength)
        }
    }

    /// Decodes one validated span of `buffer` to Float32.
    static func decodeTensor(_ span: Span, buffer: UnsafeRawBufferPointer, path: String) throws -> Entry {
        guard let dtype = DType(rawValue: span.dtype) else {
            throw SafeTensorsError.unsupportedDType(path: path, name: span.name, dtype: span.dtype)
        }
        let count = (span.end - span.begin) / dtype.byteCount
        let source = UnsafeRawBufferPointer(rebasing: buffer[span.begin..<span.end])
        let values = [Float](unsafeUninitializedCapacity: count) { destination, initialized in
            if count > 0, let target = destination.baseAddress, let raw = source.baseAddress {
                convert(raw, dtype: dtype, count: count, into: target)
            }
            initialized = count
        }
        return Entry(shape: span.shape, values: values)
    }

    /// `count` little-endian elements of `dtype` at `source` (any alignment) → Float32.
    static func convert(_ source: UnsafeRawPointer, dtype: DType, count: Int, into target: UnsafeMutablePointer<Float>) {
        switch dtype {
        case .f32:
            UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: 4 * count)
            #if _endian(big)
            for i in 0..<count { target[i] = Float(bitPattern: UInt32(littleEndian: target[i].bitPattern)) }
            #endif
        case .f16:
            if Int(bitPattern: source) % MemoryLayout<UInt16>.alignment == 0 {
                pooler_half_to_float(source.assumingMemoryBound(to: UInt16.self), target, count)
            } else {  // an odd header length (not what writers do): realign first
                let halves = [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(start: source, count: 2 * count))
                    initialized = count
                }
                halves.withUnsafeBufferPointer { h in
                    if let base = h.baseAddress { pooler_half_to_float(base, target, count) }
                }
            }
        case .bf16:
            // bfloat16 is the top half of a binary32: bits << 16.
            for i in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                target[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        }
    }

    /// An array of JSON integers (exact; a fractional or out-of-range number gives nil).
    static func integers(_ value: JSONValue?) -> [Int]? {
        guard case .array(let array)? = value else { return nil }
        var result: [Int] = []
        for element in array {
            switch element {
            case .integer(let integer): result.append(integer)
            case .number(let number):
                guard let integer = Int(exactly: number) else { return nil }
                result.append(integer)
            default: return nil
            }
        }
        return result
    }
}
