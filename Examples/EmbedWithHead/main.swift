// Load an exported head in an app and pool hidden states into sentence embeddings.
//
//   swift run EmbedWithHead runs/demo/head data/stsb-minilm-l6-sample/test.h5
//
// In an app, `hidden` comes from your encoder: one sentence's last hidden state, row-major
// [tokens, dim], real tokens only (no padding). Here it is read from an HDF5 file.
import Foundation
import HiddenStates
import Pooling

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: EmbedWithHead HEAD_DIR FILE.h5\n".utf8))
    exit(2)
}
do {
    let embedder = try SentenceEmbedder(contentsOf: URL(fileURLWithPath: arguments[0]))
    let file = try HiddenStatesFile(path: arguments[1])
    let batch = try file.read(sentences: [0, 1])
    let first = Array(batch.tokens(of: 0))    // [tokens, dim] of sentence 0
    let second = Array(batch.tokens(of: 1))
    let u = try embedder.embedding(of: first, tokens: batch.length(of: 0))   // [dim]
    let v = try embedder.embedding(of: second, tokens: batch.length(of: 1))
    let dot = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }
    let norms = (u.reduce(0) { $0 + $1 * $1 } * v.reduce(0) { $0 + $1 * $1 }).squareRoot()
    print("\(embedder.name): embeddings of \(u.count) values; cosine(sentence 0, sentence 1) = "
        + String(format: "%.4f", dot / norms))
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
