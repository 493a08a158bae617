/// Rank correlation as STS benchmarks report it (scipy's conventions).
public enum RankCorrelation {
    /// Ranks `values` from 1 to n; tied values all get the average of the ranks they span.
    ///
    /// ```
    /// averageRanks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    /// ```
    /// This is `scipy.stats.rankdata(method="average")`; STS gold scores have many ties, and any
    /// other tie rule changes Spearman in the second decimal.
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            // positions start..<end (0-based) hold ranks start+1 ... end; their mean:
            let rank = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = rank }
            start = end
        }
        return ranks
    }

    /// Pearson's correlation coefficient.
    ///
    /// ```
    /// r = Σ (x_i − x̄)(y_i − ȳ) / √(Σ (x_i − x̄)² · Σ (y_i − ȳ)²)
    /// ```
    /// Returns NaN when either input is constant or fewer than two values are given.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "pearson: \(x.count) values against \(y.count)")
        let n = Double(x.count)
        guard x.count >= 2 else { return .nan }
        let meanX = x.reduce(0, +) / n
        let meanY = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            let dx = x[i] - meanX, dy = y[i] - meanY
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return .nan }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Spearman's rank correlation: Pearson's r of the average ranks (`scipy.stats.spearmanr`).
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        pearson(averageRanks(x), averageRanks(y))
    }
}
