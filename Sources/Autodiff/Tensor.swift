/// A dense Float32 tensor: row-major contiguous `scalars` and a `shape`.
///
/// `Tensor` is a value type (its storage is a copy-on-write Swift array). Every operation on
/// it is a pure forward function — the inference path: nothing is recorded, nothing retained.
/// To differentiate, wrap tensors in a ``Tape`` (``Tape/parameter(_:)``) and use ``Variable``.
///
/// Element `[i₀, i₁, …, iₙ₋₁]` lives at `Σ iₖ · strideₖ` with `strideₙ₋₁ = 1` and
/// `strideₖ = strideₖ₊₁ · shape[k+1]`. A rank-0 tensor (shape `[]`) holds one scalar.
public struct Tensor: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Extent of each axis; the product is `scalars.count`.
    public private(set) var shape: [Int]
    /// The elements, row-major. Mutate through ``withUnsafeMutableBufferPointer(_:)``.
    public internal(set) var scalars: [Float]

    /// A tensor of `shape` holding `scalars` (row-major); their counts must agree.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor: shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A rank-1 tensor, shape `[scalars.count]`.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A rank-2 tensor from rows, shape `[rows.count, rows[0].count]`; rows must be equally long.
    public init(_ rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns },
                     "Tensor: rows of unequal length \(rows.map(\.count))")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// A rank-0 tensor holding `value`.
    public init(scalar value: Float) {
        self.init(shape: [], scalars: [value])
    }

    /// A tensor of `shape` with every element `value`.
    public init(repeating value: Float, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// All zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// All ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// A tensor whose storage `body` fills completely (no zero-fill first). Internal fast path.
    init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        self.shape = shape
        self.scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            body(buffer)
            initialized = count
        }
    }

    /// Number of elements.
    public var count: Int { scalars.count }

    /// Number of axes.
    public var rank: Int { shape.count }

    /// The only element of a one-element tensor (any rank).
    public var scalar: Float {
        precondition(scalars.count == 1, "Tensor.scalar: shape \(shape) holds \(scalars.count) elements, not 1")
        return scalars[0]
    }

    /// Element at a full multi-index, e.g. `t[2, 5]`.
    public subscript(indices: Int...) -> Float {
        get { scalars[flatIndex(indices)] }
        set { scalars[flatIndex(indices)] = newValue }
    }

    /// Row-major flat position of a multi-index.
    func flatIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == shape.count, "Tensor: index \(indices) for shape \(shape)")
        var flat = 0
        for (axis, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[axis], "Tensor: index \(indices) out of shape \(shape)")
            flat = flat * shape[axis] + index
        }
        return flat
    }

    /// Multi-index of a row-major flat position (for messages).
    func multiIndex(ofFlat flat: Int) -> [Int] {
        var rest = flat
        var result = [Int](repeating: 0, count: shape.count)
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
            result[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return result
    }

    /// Read access to the contiguous storage.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// In-place access to the contiguous storage (e.g. an optimizer step); the count is fixed.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        let count = scalars.count
        let result = try scalars.withUnsafeMutableBufferPointer(body)
        precondition(scalars.count == count, "Tensor: storage count changed inside withUnsafeMutableBufferPointer")
        return result
    }

    public var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(scalars.count > 8 ? ", …" : "")])"
    }

    private enum CodingKeys: String, CodingKey { case shape, scalars }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try container.decode([Int].self, forKey: .shape)
        let scalars = try container.decode([Float].self, forKey: .scalars)
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == scalars.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .scalars, in: container,
                debugDescription: "Tensor shape \(shape) needs \(shape.reduce(1, *)) scalars, found \(scalars.count)")
        }
        self.init(shape: shape, scalars: scalars)
    }

    /// Resolves a possibly negative axis (`-1` is the last) against this rank.
    func normalizedAxis(_ axis: Int, _ op: String) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        precondition(resolved >= 0 && resolved < rank, "\(op): axis \(axis) out of range for shape \(shape)")
        return resolved
    }

    /// The tensor viewed as `[outer, length, inner]` around `axis` (for axis-wise kernels).
    func axisView(_ axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }
}
