import Foundation
import HiddenStates
import Pooling
import Testing

@Suite("pooler explain")
struct ExplainCommandTests {
    @Test("shows one row per token with the vocabulary's strings, per head")
    func explain() throws {
        let scratch = try PoolingScratch()
        let data = scratch.path("ids.h5")
        let writer = try RaggedWriter(path: data, dim: 4)
        try writer.append(sentence: ArraySlice((0..<12).map { Float($0) / 7 }), text: "hello world", inputIDs: [0, 2, 1])
        try writer.finish()
        let vocab = scratch.path("vocab.txt")
        try "[CLS]\n[SEP]\nhello\n".write(toFile: vocab, atomically: true, encoding: .utf8)
        let (_, head) = try scratch.exportPerturbedHead(HeadConfiguration(kind: .multihead, dim: 4, heads: 2, keyDim: 2), to: "h")
        let result = try PoolerProcess.run(["explain", "--head", head.path, "--data", data, "--sentence", "0", "--vocab", vocab])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sentence: hello world"))
        #expect(result.stdout.contains("head 1"))
        for token in ["[CLS]", "hello", "[SEP]"] { #expect(result.stdout.contains(token)) }

        // Without --vocab, a vocabulary stored in the file is used.
        let stored = scratch.path("stored.h5")
        let storedWriter = try RaggedWriter(path: stored, dim: 4)
        try storedWriter.append(sentence: ArraySlice((0..<12).map { Float($0) / 7 }), text: "hello world", inputIDs: [0, 2, 1])
        try storedWriter.finish(vocabulary: ["[CLS]", "[SEP]", "hello"])
        let fromFile = try PoolerProcess.run(["explain", "--head", head.path, "--data", stored, "--sentence", "0"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(fromFile.stdout.contains("hello") && fromFile.stdout.contains("[SEP]"))

        let outOfRange = try PoolerProcess.run(["explain", "--head", head.path, "--data", data, "--sentence", "5"])
        #expect(outOfRange.status != 0)
        #expect(outOfRange.stderr.contains(data))
    }
}
