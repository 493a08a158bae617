import Autodiff
import HiddenStates

/// How reading one (possibly corrupt) file ended.
public enum FuzzOutcome: Equatable, Sendable {
    /// Everything was read without error.
    case ok
    /// A `HiddenStatesError` was thrown; `kind` is its case name (e.g. `implausibleStorage`).
    case typedError(kind: String)
    /// Some other error escaped (a bug: every user-caused failure should be a `HiddenStatesError`).
    case otherError(description: String)
}

/// Opens `path` with `HiddenStatesFile` and reads everything it offers — metadata, offsets, all tokens,
/// sentences in reverse and in a locality-shuffled order, streaming batches, pairs, scores, texts,
/// token ids, the vocabulary, `validate()` — then every dataset and attribute again with `HDF5Reader`.
/// Every step runs even after an earlier one failed (to reach more code); the first error decides
/// the outcome.
public func readEverything(at path: String, options: HiddenStatesFile.Options) -> FuzzOutcome {
    var first: Error?
    func step(_ body: () throws -> Void) {
        do { try body() } catch { if first == nil { first = error } }
    }
    do {
        let file = try HiddenStatesFile(path: path, options: options)
        defer { file.close() }
        let metadata = file.metadata
        precondition(file.offsets.count == metadata.sentences + 1, "offsets and sentence count disagree")
        step { _ = try file.readAll() }
        step { _ = try file.read(sentences: Array((0..<metadata.sentences).reversed())) }
        step {
            var batches = file.batches(size: 3)
            while try batches.next() != nil {}
        }
        step {
            var generator = SplitMix64(seed: 7)
            var batches = file.batches(size: 2, order: file.localityShuffledOrder(using: &generator, window: 3))
            while try batches.next() != nil {}
        }
        if metadata.pairs != nil { step { _ = try file.pairs() } }
        if metadata.hasScores { step { _ = try file.scores() } }
        if metadata.hasSentenceTexts { step { _ = try file.sentenceTexts() } }
        if metadata.hasInputIDs { step { _ = try file.inputIDs() } }
        step { _ = try file.vocabulary() }
        let report = file.validate(maxErrors: 5)
        if first == nil, let error = report.errors.first { first = error }
    } catch {
        first = first ?? error
    }
    step {
        let reader = try HDF5Reader(path: path)
        _ = try reader.attributes()
        for name in ["/tokens", "/offsets", "/hidden_states", "/attention_mask", "/pairs", "/scores", "/input_ids",
                     "/sentences", "/vocab"] {
            step {
                let type: ElementType
                do {
                    type = try reader.elementType(name)
                } catch HiddenStatesError.missingDataset {
                    return  // not every layout has every dataset
                }
                _ = try reader.shape(name)
                _ = try reader.storage(name)
                if type == .string {
                    _ = try reader.strings(name)
                } else if type.isInteger {
                    _ = try reader.integers(name)
                } else {
                    _ = try reader.floats(name)
                }
            }
        }
    }
    guard let first else { return .ok }
    if let typed = first as? HiddenStatesError { return .typedError(kind: typed.caseName) }
    return .otherError(description: String(describing: first))
}

extension HiddenStatesError {
    /// The case name, e.g. `implausibleStorage` (for counting outcomes).
    /// `.hdf5` also names the failed function, e.g. `hdf5(H5Dread)`.
    public var caseName: String {
        if case .hdf5(_, _, let function, _) = self { return "hdf5(\(function))" }
        return Mirror(reflecting: self).children.first?.label ?? "\(self)"
    }
}
