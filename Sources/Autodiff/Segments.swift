/// Boundaries of a ragged batch stored as packed rows.
///
/// A batch of `batch` sentences with `Lᵢ` tokens each is stored as one `[T, dim]` tensor with
/// `T = Σ Lᵢ` rows — all sentences' tokens concatenated — plus these offsets: sentence `i` owns
/// rows `offsets[i] ..< offsets[i + 1]`. `offsets[0] = 0`, `offsets[batch] = T`, and offsets never
/// decrease; an empty sentence (`offsets[i] == offsets[i + 1]`) is allowed.
///
/// Why packed rows rather than a padded `[batch, maxTokens, dim]` block: STS-B sentences average
/// about 15 tokens with a maximum near 70, so padding to the longest wastes most of the block (and
/// the work on it), and every op would need a mask. Packed, a per-token projection is one big GEMM
/// over all `T` rows of the batch, and the per-sentence ops (``Tensor/segmentSoftmax(_:)``,
/// ``Tensor/segmentWeightedSum(_:weights:)``, pooling) touch only real tokens.
public struct Segments: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `batch + 1` row offsets, from 0 to the row count.
    public let offsets: [Int]

    /// Segments from offsets (`offsets[0] == 0`, non-decreasing, at least one entry).
    public init(offsets: [Int]) {
        precondition(Segments.isValid(offsets), "Segments: offsets must start at 0 and never decrease, got \(offsets)")
        self.offsets = offsets
    }

    /// Segments of consecutive lengths (each ≥ 0).
    public init(lengths: [Int]) {
        precondition(lengths.allSatisfy { $0 >= 0 }, "Segments: negative length in \(lengths)")
        var offsets = [0]
        offsets.reserveCapacity(lengths.count + 1)
        for length in lengths { offsets.append(offsets[offsets.count - 1] + length) }
        self.offsets = offsets
    }

    static func isValid(_ offsets: [Int]) -> Bool {
        guard offsets.first == 0 else { return false }
        return zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 }
    }

    /// Number of segments (`batch`).
    public var count: Int { offsets.count - 1 }

    /// Number of rows covered (`T`).
    public var rowCount: Int { offsets[offsets.count - 1] }

    /// Rows of segment `i`.
    public func rows(_ i: Int) -> Range<Int> { offsets[i]..<offsets[i + 1] }

    /// Length of each segment.
    public var lengths: [Int] { zip(offsets.dropFirst(), offsets).map { $0 - $1 } }

    /// For each row, the segment it belongs to (`[T]`).
    public var segmentOfRows: [Int] {
        var result = [Int]()
        result.reserveCapacity(rowCount)
        for i in 0..<count { result.append(contentsOf: repeatElement(i, count: offsets[i + 1] - offsets[i])) }
        return result
    }

    public var description: String { "Segments(lengths: \(lengths))" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let offsets = try container.decode([Int].self)
        guard Segments.isValid(offsets) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "Segments offsets must start at 0 and never decrease, got \(offsets)")
        }
        self.offsets = offsets
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(offsets)
    }

    /// Precondition that `tensor` is packed rows `[T, …]` for these segments.
    func check(_ tensor: Tensor, _ op: String) {
        precondition(tensor.rank == 2 && tensor.shape[0] == rowCount,
                     "\(op): packed rows must have shape [\(rowCount), dim] for \(self), got \(tensor.shape)")
    }
}
