import Foundation
import Testing
@testable import Pooling

@Suite("safetensors format")
struct SafeTensorsTests {
    static let contents = SafeTensors.Contents(
        tensors: [
            "b": .init(shape: [3], values: [1, -2, 3.5]),
            "a.weight": .init(shape: [2, 2], values: [0.25, 0, -1, 1e-8]),
            "empty": .init(shape: [0, 4], values: []),
        ],
        metadata: ["format": "pt", "pooler_version": "0.1.0"])

    /// Builds a file from a header JSON string and a buffer, as a malformed writer might.
    static func file(header: String, buffer: [UInt8]) -> Data {
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: buffer)
        return data
    }

    @Test("round trip keeps values, shapes and metadata; header is 8-byte aligned")
    func roundTrip() throws {
        let data = try SafeTensors.encode(Self.contents)
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + headerLength) % 8 == 0)
        #expect(data.count == 8 + headerLength + 4 * (3 + 4))
        #expect(try SafeTensors.decode(data, path: "x") == Self.contents)
    }

    @Test("a file written by the Python safetensors library (hex fixture) reads back")
    func pythonFixture() throws {
        // safetensors.numpy.save({"w": np.array([[1, 2], [3, 4]], np.float32)}, metadata={"format": "np"})
        let header = #"{"__metadata__":{"format":"np"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#
        let buffer: [Float] = [1, 2, 3, 4]
        let bytes = buffer.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        let contents = try SafeTensors.decode(Self.file(header: header, buffer: bytes), path: "fixture")
        #expect(contents.tensors["w"] == .init(shape: [2, 2], values: [1, 2, 3, 4]))
        #expect(contents.metadata == ["format": "np"])
    }

    struct Malformed: CustomTestStringConvertible, Sendable {
        let name: String
        let data: Data
        let expected: String
        var testDescription: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "too short", data: Data([1, 2, 3]), expected: "too short"),
        Malformed(name: "header length past the end",
                  data: Data([200, 0, 0, 0, 0, 0, 0, 0]) + Data("{}".utf8), expected: "header length 200"),
        Malformed(name: "header not JSON", data: file(header: "nonsense", buffer: []), expected: "not a JSON object"),
        Malformed(name: "a dtype pooler does not decode names the supported ones",
                  data: file(header: #"{"w":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}"#,
                             buffer: [UInt8](repeating: 0, count: 16)),
                  expected: "has dtype I64; pooler reads F32, F16, BF16"),
        Malformed(name: "a dtype the specification does not define",
                  data: file(header: #"{"w":{"dtype":"Q4","shape":[2],"data_offsets":[0,1]}}"#, buffer: [0]),
                  expected: "has dtype Q4; pooler reads F32, F16, BF16"),
        Malformed(name: "shape [2^62, 2^62] overflows",
                  data: file(header: #"{"w":{"dtype":"F32","shape":[4611686018427387904,4611686018427387904],"data_offsets":[0,16]}}"#,
                             buffer: [UInt8](repeating: 0, count: 16)),
                  expected: "more bytes than fit in memory"),
        Malformed(name: "shape [2^31, 2^31] F32: elements fit, bytes overflow",
                  data: file(header: #"{"w":{"dtype":"F32","shape":[2147483648,2147483648],"data_offsets":[0,0]}}"#, buffer: []),
                  expected: "more bytes than fit in memory"),
        Malformed(name: "a huge tensor whose offsets agree with its shape but lie past the end",
                  data: file(header: #"{"w":{"dtype":"F16","shape":[1048576,1048576],"data_offsets":[0,2199023255552]}}"#,
                             buffer: [0, 0]),
                  expected: "cover 2199023255552 bytes but the data buffer holds 2"),
        Malformed(name: "size does not match shape",
                  data: file(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, buffer: [0, 0, 0, 0]),
                  expected: "dtype F32 needs 8 bytes"),
        Malformed(name: "overlapping offsets",
                  data: file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                             buffer: [UInt8](repeating: 0, count: 8)),
                  expected: "overlap"),
        Malformed(name: "gap in the buffer",
                  data: file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                             buffer: [UInt8](repeating: 0, count: 8)),
                  expected: "gap at byte 0"),
        Malformed(name: "truncated buffer",
                  data: file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                             buffer: [UInt8](repeating: 0, count: 6)),
                  expected: "cover 8 bytes"),
        Malformed(name: "missing shape",
                  data: file(header: #"{"a":{"dtype":"F32","data_offsets":[0,0]}}"#, buffer: []),
                  expected: "no valid \"shape\""),
    ]

    @Test("malformed files give a typed error naming the file and the problem", arguments: malformed)
    func malformedFile(_ c: Malformed) {
        do {
            _ = try SafeTensors.decode(c.data, path: "/tmp/head/model.safetensors")
            Issue.record("\(c.name): decoded without error")
        } catch let error as SafeTensorsError {
            #expect(error.description.contains("/tmp/head/model.safetensors"))
            #expect(error.description.contains(c.expected), "\(error.description)")
        } catch {
            Issue.record("\(c.name): unexpected error \(error)")
        }
    }

    /// Little-endian bytes of 16-bit patterns.
    static func bytes(_ bits: [UInt16]) -> [UInt8] {
        bits.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    }

    @Test("F16 tensors decode exactly to Float32 (normals, subnormals, signed zero, infinity)")
    func float16() throws {
        // 1, -2, 0.5, 65504 (largest), 2^-24 (smallest subnormal), -0, +inf, 0.1 (rounded: 0.0999755859375)
        let bits: [UInt16] = [0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001, 0x8000, 0x7C00, 0x2E66, 0x3555]
        let expected: [Float] = [1, -2, 0.5, 65504, 0x1p-24, -0.0, .infinity, 0.0999755859375, 0.333251953125]
        let header = #"{"h":{"dtype":"F16","shape":[3,3],"data_offsets":[0,18]}}"#
        let contents = try SafeTensors.decode(Self.file(header: header, buffer: Self.bytes(bits)), path: "f16")
        let values = try #require(contents.tensors["h"]).values
        #expect(values.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(contents.tensors["h"]?.shape == [3, 3])
    }

    @Test("an F16 buffer at an odd byte offset decodes the same")
    func float16Unaligned() throws {
        let bits: [UInt16] = [0x3C00, 0xC000, 0x3800]
        let header = #"{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]}} "#  // 9 bytes: buffer at an odd address
        let contents = try SafeTensors.decode(Self.file(header: header, buffer: Self.bytes(bits)), path: "f16")
        #expect(contents.tensors["h"]?.values == [1, -2, 0.5])
    }

    @Test("BF16 tensors decode exactly: the top half of a binary32")
    func bfloat16() throws {
        let floats: [Float] = [1, -2.5, 3.140625, 1e30, -0.0, 0x1p-130]
        let bits = floats.map { UInt16($0.bitPattern >> 16) }
        let header = #"{"b":{"dtype":"BF16","shape":[6],"data_offsets":[0,12]}}"#
        let contents = try SafeTensors.decode(Self.file(header: header, buffer: Self.bytes(bits)), path: "bf16")
        #expect(contents.tensors["b"]?.values.map(\.bitPattern) == floats.map { $0.bitPattern & 0xFFFF_0000 })
    }

    @Test("a tensor left out by `including` is validated but not decoded (e.g. I64 position_ids)")
    func skippedTensor() throws {
        let header = #"{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"w":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}"#
        let buffer = [UInt8](repeating: 0, count: 16) + withUnsafeBytes(of: Float(7).bitPattern.littleEndian) { Array($0) }
        let contents = try SafeTensors.decode(Self.file(header: header, buffer: buffer), path: "x") { $0 != "ids" }
        #expect(contents.tensors == ["w": .init(shape: [1], values: [7])])
    }

    @Test("read memory-maps a written file and gives back the same contents")
    func readFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(Self.contents, to: url)
        #expect(try SafeTensors.read(url) == Self.contents)
    }
}
