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
        Malformed(name: "wrong dtype",
                  data: file(header: #"{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, buffer: [0, 0, 0, 0]),
                  expected: "dtype F16"),
        Malformed(name: "size does not match shape",
                  data: file(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, buffer: [0, 0, 0, 0]),
                  expected: "needs 8 bytes"),
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
}
