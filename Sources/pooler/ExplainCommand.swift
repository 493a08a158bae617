import ArgumentParser
import Evaluation
import Foundation
import HiddenStates
import Pooling

/// `pooler explain`: a head's weight on each token of one sentence.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show a learned head's attention weight on each token of a sentence (per head).",
        discussion: """
            Token strings come from the file's /input_ids and a vocabulary: --vocab (the model's \
            vocab.txt), or the file's own /vocab when it stores one; without either the ids are shown.
            """
    )

    @Option(help: "An exported head folder or a training run folder.")
    var head: String

    @Option(help: "An HDF5 hidden-states file.")
    var data: String

    @Option(help: "Index of the sentence in the file (0-based).")
    var sentence: Int

    @Option(help: "vocab.txt of the model (one token per line); default: the file's /vocab, if any.")
    var vocab: String?

    func validate() throws {
        if sentence < 0 { throw ValidationError("--sentence must be 0 or more, got \(sentence).") }
    }

    func run() throws {
        let head = try HeadExport.load(from: HeadArgument(parsing: head).folder)
        try InputProbe.check([data])
        let file = try HiddenStatesFile(path: data)
        defer { file.close() }
        let vocabulary = try vocab.map(TokenAttention.vocabulary(contentsOf:)) ?? file.vocabulary()
        let attention = try TokenAttention(head: head, file: file, sentence: sentence, vocabulary: vocabulary)
        print(attention.rendered(), terminator: "")
    }
}
