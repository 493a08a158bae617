/// How a dataset is laid out on disk: contiguous or chunked, and which filters its chunks pass through.
public struct StorageInfo: Equatable, Sendable, CustomStringConvertible {
    /// One HDF5 filter in pipeline order.
    public enum Filter: Equatable, Sendable, CustomStringConvertible {
        case gzip(level: Int)
        case shuffle
        case fletcher32
        case szip
        case nbit
        case scaleOffset
        /// A registered third-party filter (e.g. 32001 blosc, 32004 lz4) by id and name.
        case other(id: Int, name: String)

        public var description: String {
            switch self {
            case .gzip(let level): return "gzip(\(level))"
            case .shuffle: return "shuffle"
            case .fletcher32: return "fletcher32"
            case .szip: return "szip"
            case .nbit: return "nbit"
            case .scaleOffset: return "scaleoffset"
            case .other(let id, let name): return name.isEmpty ? "filter \(id)" : "\(name) (\(id))"
            }
        }
    }

    /// Chunk shape when chunked, `nil` when contiguous or compact.
    public var chunk: [Int]?
    /// Filters applied to each chunk, in pipeline order (empty when uncompressed).
    public var filters: [Filter]
    /// The element size the shuffle filter records (its first parameter, which HDF5 unshuffles
    /// with), nil without shuffle.
    public var shuffleElementSize: Int?

    public init(chunk: [Int]?, filters: [Filter], shuffleElementSize: Int? = nil) {
        self.chunk = chunk
        self.filters = filters
        self.shuffleElementSize = shuffleElementSize
    }

    /// True when a Fletcher-32 checksum guards each chunk.
    public var isChecksummed: Bool { filters.contains(.fletcher32) }

    /// `chunked 4096 × 384, gzip(4) + shuffle` or `contiguous, uncompressed`.
    public var description: String {
        let layout = chunk.map { "chunked " + shapeText($0) } ?? "contiguous"
        let pipeline = filters.isEmpty ? "uncompressed" : filters.map(\.description).joined(separator: " + ")
        return "\(layout), \(pipeline)"
    }
}
