import Autodiff
import Foundation
import HiddenStates
import Testing

/// Examples/extract_hidden_states.py on tiny random decoders made offline by
/// scripts/make-tiny-decoder.py: Tests/Scripts/check_decoder_extraction.py checks padding sides,
/// position ids, --append-eos and --layer in Python; here `pooler` reads what it wrote.
@Suite("decoder extraction (Python extractor)")
struct DecoderExtractionTests {
    let scratch: PoolingScratch

    init() throws { scratch = try PoolingScratch() }

    static let script = PythonReference.repositoryRoot.appendingPathComponent("Tests/Scripts/check_decoder_extraction.py")

    static let torchAvailable: Bool = {
        do {
            return try PythonReference.run(["-c", "import torch, transformers, tokenizers, h5py, numpy"]).status == 0
        } catch {
            return false
        }
    }()

    @Test("left and right padding agree, --append-eos puts EOS last, --layer writes one file per layer; pooler reads them",
          .enabled(if: DecoderExtractionTests.torchAvailable,
                   "skipped: python3 with torch, transformers, tokenizers, h5py and numpy is needed (pip install torch transformers h5py numpy)"))
    func extraction() throws {
        let folder = scratch.path("decoder")
        let check = try PythonReference.run([Self.script.path, folder])
        #expect(check.status == 0, "\(check.stdout)\n\(check.stderr)")
        guard check.status == 0 else { return }
        #expect(check.stdout.contains("all checks passed"))

        let files = ["right.h5", "left.h5", "eos.h5", "gpt2-eos.h5", "layers/L0/pairs.h5", "layers/L2/pairs.h5"]
            + (0...3).map { "all/L\($0)/pairs.h5" }
        for file in files {
            let inspect = try PoolerProcess.run(["inspect", "\(folder)/\(file)"])
            #expect(inspect.status == 0, "\(file): \(inspect.stderr)")
            #expect(inspect.stdout.contains("valid:           yes"), "\(file): \(inspect.stdout)")
        }
        for file in ["all/L3/pairs.h5", "all/L0/pairs.h5", "eos.h5"] {
            let evaluate = try PoolerProcess.run(["evaluate", "--data", "\(folder)/\(file)", "--strategies", "last,mean",
                                                  "--format", "csv", "--quiet"])
            #expect(evaluate.status == 0, "\(file): \(evaluate.stderr)")
            let rows = evaluate.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
            #expect(rows.map { $0.count > 1 ? $0[1] : "" } == ["last", "mean"], "\(file): \(evaluate.stdout)")
        }

        // The recorded layout: BOS first and the appended EOS last, so `*-nospecial` leaves both out
        // and `last` pools the EOS row.
        let eos = try HiddenStatesFile(path: "\(folder)/eos.h5")
        #expect(eos.metadata.specialTokens?.firstIsSpecial == true && eos.metadata.specialTokens?.lastIsSpecial == true)
        #expect(eos.metadata.attributes["layer"]?.description == "last")
        #expect(eos.metadata.attributes["num_layers"]?.intValue == 3)
        let ids = try eos.inputIDs()
        #expect(eos.offsets.dropFirst().allSatisfy { ids[$0 - 1] == 2 }, "EOS (id 2) ends every sentence")
        let nospecial = try PoolerProcess.run(["evaluate", "--data", "\(folder)/eos.h5", "--strategies", "mean,mean-nospecial",
                                               "--format", "csv", "--quiet"])
        #expect(nospecial.status == 0, "\(nospecial.stderr)")
        let scores = nospecial.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(scores.count == 2 && scores[0].count > 3 && scores[1].count > 3 && scores[0][3] != scores[1][3],
                "mean-nospecial leaves BOS and EOS out, so it scores differently from mean: \(nospecial.stdout)")
        let embedded = scratch.path("last.h5")
        let embed = try PoolerProcess.run(["embed", "--input", "\(folder)/eos.h5", "--strategy", "last", "--output", embedded])
        #expect(embed.status == 0, "\(embed.stderr)")
        let tokens = try eos.readAll().tokens
        let dim = eos.metadata.dim
        let eosRows = eos.offsets.dropFirst().flatMap { tokens[(($0 - 1) * dim)..<($0 * dim)] }
        let expected = Tensor(shape: [eos.metadata.sentences, dim], scalars: Array(eosRows))
        #expect(PoolingScratch.maxDifference(try PoolingScratch.embeddings(embedded), expected) == 0)
    }
}
