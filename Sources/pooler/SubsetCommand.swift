import ArgumentParser
import Autodiff
import Foundation
import HiddenStates

/// `pooler subset`: cut a sample of scored pairs (and only their sentences) out of a file.
struct SubsetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subset",
        abstract: "Write a random sample of a file's pairs, with just the sentences they use.",
        discussion: """
            The sample is drawn without replacement with a seeded generator, so the same command \
            gives the same file. `make sample` makes data/ this way from the STS-B hidden states.
            """
    )

    @Option(help: "The source file (ragged or padded, with /pairs).")
    var input: String

    @Option(help: "Where to write the sample (ragged layout; written atomically).")
    var output: String

    @Option(parsing: .unconditional, help: "How many pairs to keep (all when larger than the file's count).")
    var pairs: Int

    @Option(help: "Seed of the draw.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "gzip level 0–9 of the hidden states.")
    var gzipLevel: Int = 9

    func validate() throws {
        if pairs < 1 { throw ValidationError("--pairs must be at least 1, got \(pairs).") }
        if !(0...9).contains(gzipLevel) { throw ValidationError("--gzip-level must be 0–9, got \(gzipLevel).") }
    }

    func run() throws {
        try OutputPaths.check(outputs: [("--output", output)], inputs: [("--input", input)])
        let cleanup = InterruptCleanup(outputs: [output])
        defer { withExtendedLifetime(cleanup) {} }
        try InputProbe.check([input])
        let source = try HiddenStatesFile(path: input)
        guard let available = source.metadata.pairs else {
            throw HiddenStatesError.missingDataset(
                path: input, dataset: "/pairs", hint: "subset samples pairs; this file holds sentences only.")
        }
        var generator = Xoshiro256StarStar(seed: seed)
        var order = Array(0..<available)
        order.shuffle(using: &generator)
        let selection = Array(order.prefix(pairs)).sorted()
        let summary = try PairSubset.write(
            from: source, pairs: selection, to: output,
            options: RaggedWriter.Options(storage: .float16, gzipLevel: gzipLevel),
            attributes: [
                "subset_of": .string(URL(fileURLWithPath: input).lastPathComponent),
                "subset_pairs": .string("\(selection.count) of \(available), seed \(seed)"),
            ])
        print("wrote \(output): \(summary.pairs) pairs, \(summary.sentences) sentences, \(summary.tokens) token rows")
    }
}
