import CHDF5

extension HiddenStatesFile {
    /// The `/pairs` of the file, `[P]`, each index checked against `0 ..< N` when the file was opened.
    /// - Throws: `missingDataset` when the file holds only sentences.
    public func pairs() throws -> [SentencePair] {
        guard let checkedPairs else {
            throw HiddenStatesError.missingDataset(path: path, dataset: "/pairs",
                                                   hint: "this file holds only sentences; use a split with /pairs and /scores.")
        }
        return checkedPairs
    }

    /// The gold `/scores`, `[P]`, one finite score per pair (checked when the file was opened).
    /// - Throws: `missingDataset` when absent.
    public func scores() throws -> [Float] {
        guard let checkedScores else {
            throw HiddenStatesError.missingDataset(path: path, dataset: "/scores",
                                                   hint: "this file has no gold scores; use a split with /pairs and /scores.")
        }
        return checkedScores
    }

    /// Reads and checks `/pairs` and `/scores` — the one place their rules live, so inspect, evaluate,
    /// train and subset all refuse the same files:
    /// - `/pairs` is `[P, 2]` integers, each in `0 ..< sentences`;
    /// - `/scores` is `[P]` numbers (needs `/pairs`), every one finite.
    ///
    /// - Throws: `wrongRank`, `wrongType`, `dimensionMismatch`, `pairIndexOutOfRange`, `missingDataset`,
    ///   `scoresCountMismatch`, `nonFiniteScore`, and the size checks of any dataset read.
    static func checkedPairsAndScores(file: HDF5Handle, path: String, names: [String], sentences: Int,
                                      budget: MemoryBudget) throws -> (pairs: [SentencePair]?, scores: [Float]?) {
        var pairs: [SentencePair]?
        if names.contains("pairs") {
            let dataset = try HDF5Dataset(file: file, path: path, name: "/pairs", budget: budget)
            try expect(dataset, rank: 2, floating: false)
            if dataset.shape[1] != 2 {
                throw HiddenStatesError.dimensionMismatch(path: path, dataset: "/pairs", what: "its second axis",
                                                          expected: 2, actual: dataset.shape[1])
            }
            pairs = try validatedPairs(dataset.readInt64(), path: path, sentences: sentences)
        }
        var scores: [Float]?
        if names.contains("scores") {
            let dataset = try HDF5Dataset(file: file, path: path, name: "/scores", budget: budget)
            try expect(dataset, rank: 1, floating: nil)
            guard let pairs else {
                throw HiddenStatesError.missingDataset(path: path, dataset: "/pairs",
                                                       hint: "/scores holds one gold score per pair; write /pairs [P, 2] with it.")
            }
            if dataset.count != pairs.count {
                throw HiddenStatesError.scoresCountMismatch(path: path, dataset: "/scores", scores: dataset.count,
                                                            pairs: pairs.count)
            }
            scores = try validatedScores(dataset.readFloat(), path: path)
        }
        return (pairs, scores)
    }

    /// `raw` (`[P × 2]`, row-major) as pairs, or `pairIndexOutOfRange` at the first index outside `0 ..< sentences`.
    static func validatedPairs(_ raw: [Int64], path: String, sentences: Int) throws -> [SentencePair] {
        var pairs: [SentencePair] = []
        pairs.reserveCapacity(raw.count / 2)
        for pair in 0..<(raw.count / 2) {
            for column in 0..<2 where raw[2 * pair + column] < 0 || raw[2 * pair + column] >= sentences {
                throw HiddenStatesError.pairIndexOutOfRange(path: path, dataset: "/pairs", pair: pair, column: column,
                                                            value: Int(raw[2 * pair + column]), sentences: sentences)
            }
            pairs.append(SentencePair(Int(raw[2 * pair]), Int(raw[2 * pair + 1])))
        }
        return pairs
    }

    /// `scores`, or `nonFiniteScore` at the first NaN or ±Inf.
    static func validatedScores(_ scores: [Float], path: String) throws -> [Float] {
        if let bad = scores.firstIndex(where: { !$0.isFinite }) {
            throw HiddenStatesError.nonFiniteScore(path: path, dataset: "/scores", pair: bad, value: scores[bad])
        }
        return scores
    }
}
