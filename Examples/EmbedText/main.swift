// Text in, embeddings out, in Swift: a BERT model folder, a layer and a pooling (a fixed strategy or
// a learned head), then cosine similarities of the sentences given on the command line.
//
//   swift run EmbedText MODEL_DIR "A man plays a guitar." "Someone is playing music." "The sun is hot."
//   swift run EmbedText MODEL_DIR --head runs/layer3/head "A man plays a guitar." "Someone is playing music."
//
// With --head the layer comes from the head (it records the layer it was trained on), and only that
// many layers run.
import Encoder
import Foundation

var arguments = Array(CommandLine.arguments.dropFirst())
guard let model = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedText MODEL_DIR [--head HEAD_DIR] SENTENCE…\n".utf8))
    exit(64)
}
arguments.removeFirst()
var head: String?
if arguments.first == "--head", arguments.count >= 2 {
    head = arguments[1]
    arguments.removeFirst(2)
}
let sentences = arguments.isEmpty ? ["A man is playing a guitar.", "Someone is playing music.", "The sun is hot today."] : arguments

do {
    let folder = URL(fileURLWithPath: model)
    let embedder = try head.map { try TextEmbedder(modelFolder: folder, head: URL(fileURLWithPath: $0), normalize: true) }
        ?? TextEmbedder(modelFolder: folder, normalize: true)  // the model's own pooling (mean for all-MiniLM-L6-v2)
    let vectors = try embedder.embeddings(of: sentences, threads: 2)
    print("layer \(embedder.layer) of \(embedder.textEncoder.encoder.configuration.layerCount), \(embedder.embedder.name), dim \(embedder.dim)")
    for i in sentences.indices {
        for j in sentences.indices where j > i {
            let cosine = zip(vectors[i], vectors[j]).map(*).reduce(0, +)  // unit vectors: the dot is the cosine
            print(String(format: "%.3f", cosine), "\(sentences[i])  ↔  \(sentences[j])")
        }
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
