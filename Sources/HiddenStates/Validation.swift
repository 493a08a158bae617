/// The outcome of `HiddenStatesFile.validate()`.
public struct ValidationReport: Sendable {
    /// Problems found, in file order, at most `maxErrors` of them.
    public var errors: [HiddenStatesError]
    /// NaN or ±Inf values found in all hidden states (each sentence is reported once in `errors`).
    public var nonFiniteValues: Int
    /// Sentences holding at least one NaN or ±Inf.
    public var nonFiniteSentences: Int
    /// True when nothing was found.
    public var isValid: Bool { errors.isEmpty }
}

extension HiddenStatesFile {
    /// Checks what opening does not (opening already checked every size, every pair index and every
    /// score): the sentence texts, and every hidden state — streamed a few chunks
    /// at a time — for NaN/±Inf and for Fletcher-32 checksum failures (reading continues past a bad chunk).
    ///
    /// - Parameter maxErrors: stop recording after this many (counts keep going).
    public func validate(maxErrors: Int = 20) -> ValidationReport {
        HDF5.enter()
        defer { HDF5.leave() }
        var report = ValidationReport(errors: [], nonFiniteValues: 0, nonFiniteSentences: 0)
        func record(_ error: Error) {
            guard report.errors.count < maxErrors else { return }
            if let error = error as? HiddenStatesError {
                report.errors.append(error)
            } else {
                report.errors.append(.hdf5(path: path, object: hiddenStates.name, function: "read",
                                           stack: String(describing: error)))
            }
        }
        if metadata.hasSentenceTexts {
            do { _ = try sentenceTexts() } catch { record(error) }
        }

        // Blocks of whole sentences covering about one chunk of rows each.
        let rowsPerBlock = max(metadata.storage.chunk?.first ?? 4096, 1024)
        let n = metadata.sentences
        var lower = 0
        while lower < n {
            var upper = lower + 1
            while upper < n, offsets[upper + 1] - offsets[lower] <= rowsPerBlock { upper += 1 }
            do {
                let batch = try readUnchecked(sentences: Array(lower..<upper))
                scanFinite(batch, into: &report, maxErrors: maxErrors)
            } catch {
                record(error)
            }
            lower = upper
        }
        return report
    }

    /// Counts NaN/±Inf in `batch` and records the first one of each affected sentence.
    private func scanFinite(_ batch: PackedBatch, into report: inout ValidationReport, maxErrors: Int) {
        batch.tokens.withUnsafeBufferPointer { values in
            guard FiniteScan.firstNonFinite(values) != nil else { return }
            for k in 0..<batch.count {
                let rows = batch.rows(of: k)
                let slice = UnsafeBufferPointer(rebasing: values[(rows.lowerBound * batch.dim)..<(rows.upperBound * batch.dim)])
                guard let first = FiniteScan.firstNonFinite(slice) else { continue }
                report.nonFiniteSentences += 1
                report.nonFiniteValues += slice.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
                if report.errors.count < maxErrors {
                    report.errors.append(.nonFiniteValue(path: path, dataset: hiddenStates.name,
                                                         sentence: batch.sentences[k], token: first / batch.dim,
                                                         dim: first % batch.dim, value: slice[first]))
                }
            }
        }
    }
}
