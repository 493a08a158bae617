/// Summary of sentence lengths (token rows per sentence) from packed offsets.
public struct TokenLengthStatistics: Equatable, Sendable {
    /// One histogram bar: sentences whose length lies in `lengths`.
    public struct Bin: Equatable, Sendable {
        public var lengths: ClosedRange<Int>
        public var count: Int
    }

    public var sentences: Int
    public var minimum: Int
    public var maximum: Int
    public var mean: Double
    /// Equal-width bins from `minimum` to `maximum` (at most the number asked for).
    public var histogram: [Bin]

    /// - Parameters:
    ///   - offsets: `[N + 1]` row boundaries.
    ///   - bins: histogram bars wanted (fewer when the lengths span fewer values).
    public init(offsets: [Int], bins: Int = 8) {
        let lengths = zip(offsets.dropFirst(), offsets).map { $0 - $1 }
        sentences = lengths.count
        minimum = lengths.min() ?? 0
        maximum = lengths.max() ?? 0
        mean = lengths.isEmpty ? 0 : Double(lengths.reduce(0, +)) / Double(lengths.count)
        let span = maximum - minimum + 1
        let width = max(1, (span + max(bins, 1) - 1) / max(bins, 1))
        let binCount = lengths.isEmpty ? 0 : (span + width - 1) / width
        var counts = [Int](repeating: 0, count: binCount)
        for length in lengths { counts[(length - minimum) / width] += 1 }
        let (low, high) = (minimum, maximum)
        histogram = counts.enumerated().map { index, count in
            let lower = low + index * width
            return Bin(lengths: lower...min(high, lower + width - 1), count: count)
        }
    }
}
