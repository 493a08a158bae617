import Foundation
import HiddenStates
import Testing

/// `pooler inspect` on files generated here (never on shared data).
@Suite("pooler inspect")
struct InspectCommandTests {
    /// A temporary directory removed when the test's suite instance goes away.
    final class Scratch {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-tests-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    let scratch: Scratch

    init() throws { scratch = try Scratch() }

    private func path(_ name: String) -> String { scratch.url.appendingPathComponent(name).path }

    /// A valid ragged float16 file of 5 sentences (lengths 2…6), 2 pairs with scores.
    private func writeValid(_ name: String) throws -> String {
        let output = path(name)
        let writer = try RaggedWriter(path: output, dim: 4, options: .init(chunkRows: 8),
                                      attributes: ["special_tokens": .string("cls_first,sep_last"),
                                                   "model": .string("tiny"), "hidden_size": .int(4),
                                                   "dropout": .double(0.5), "layers": .ints([1, 2])])
        for length in 2...6 {
            try writer.append(sentence: ArraySlice((0..<(length * 4)).map { Float($0) / 16 }), text: "s\(length)")
        }
        try writer.finish(pairs: [SentencePair(0, 1), SentencePair(2, 4)], scores: [1, 2])
        return output
    }

    /// A ragged file whose sentence 1 holds a NaN.
    private func writeNaN(_ name: String) throws -> String {
        let output = path(name)
        let writer = try HDF5Writer(path: output)
        var tokens = [Float](repeating: 0.5, count: 12)
        tokens[5] = .nan
        try writer.createDataset("/tokens", shape: [6, 2], type: .float32, values: .floats(tokens))
        try writer.createDataset("/offsets", shape: [3], type: .int64, values: .integers([0, 2, 6]))
        try writer.close()
        return output
    }

    @Test("a valid file: layout, sizes, dtype, storage, attributes, lengths; exit 0")
    func valid() throws {
        let file = try writeValid("valid.h5")
        let result = try PoolerProcess.run(["inspect", file])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        for expected in ["layout:          ragged", "sentences N:     5", "token rows T:    20", "pairs P:         2 (with scores)",
                         "dim D:           4", "dtype:           float16", "chunked 8 × 4, shuffle + gzip(4)",
                         "special tokens:  cls_first, sep_last", "model = tiny", "min 2, mean 4.0, max 6", "valid:           yes"] {
            #expect(result.stdout.contains(expected), "missing \"\(expected)\" in:\n\(result.stdout)")
        }
    }

    @Test("--json prints one array of objects with the agreed keys; any invalid file makes the exit non-zero")
    func json() throws {
        let good = try writeValid("good.h5")
        let bad = try writeNaN("nan.h5")
        let missing = path("missing.h5")
        let result = try PoolerProcess.run(["inspect", "--json", good, bad, missing])
        #expect(result.status == 1)
        let objects = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(objects.count == 3)
        let jsonl = try PoolerProcess.run(["inspect", "--jsonl", good, bad, missing])
        let lines = jsonl.stdout.split(separator: "\n")
        #expect(jsonl.status == 1 && lines.count == 3)
        for (line, object) in zip(lines, objects) {
            let parsed = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(parsed["path"] as? String == object["path"] as? String)
        }
        // One key style: snake_case everywhere.
        for object in objects {
            for key in object.keys { #expect(key == key.lowercased(), "key \(key) is not snake_case") }
        }
        for key in ["path", "layout", "sentences", "tokens", "pairs", "dim", "dtype", "valid", "errors"] {
            #expect(objects[0][key] != nil, "key \(key) missing")
        }
        #expect(objects[0]["valid"] as? Bool == true)
        // HDF5 attributes keep their types.
        let attributes = try #require(objects[0]["attributes"] as? [String: Any])
        #expect(attributes["hidden_size"] as? Int == 4 && attributes["dropout"] as? Double == 0.5)
        #expect(attributes["layers"] as? [Int] == [1, 2] && attributes["model"] as? String == "tiny")
        #expect(objects[0]["special_tokens"] as? [String] != nil)
        #expect(objects[0]["sentences"] as? Int == 5)
        #expect(objects[0]["tokens"] as? Int == 20)
        #expect(objects[0]["dtype"] as? String == "float16")
        #expect(objects[1]["valid"] as? Bool == false)
        let nanErrors = objects[1]["errors"] as? [String] ?? []
        #expect(nanErrors.first?.contains("sentence 1, token 0, dim 1") == true, "\(nanErrors)")
        #expect(objects[2]["valid"] as? Bool == false)
        #expect((objects[2]["errors"] as? [String])?.first?.contains("no such file") == true)
    }

    @Test("an invalid file prints its error with the file and where; exit 1")
    func invalid() throws {
        let bad = try writeNaN("nan.h5")
        let result = try PoolerProcess.run(["inspect", bad])
        #expect(result.status == 1)
        #expect(result.stdout.contains("valid:           NO"))
        #expect(result.stdout.contains("\(bad): /tokens holds nan at sentence 1"))
    }

    @Test("inspect without files prints usage")
    func noFiles() throws {
        let result = try PoolerProcess.run(["inspect"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("Usage"))
    }
}
