import Foundation

/// The most memory one read of a file's data may allocate, checked before allocating.
///
/// Every size a reader takes from a file (extents, chunk shapes, offsets) is multiplied with
/// overflow checks (`Sizes`) and compared with the budget first, so a corrupt or hostile file gives
/// `exceedsMemoryBudget` or `sizeOverflow` instead of a crash or an out-of-memory kill.
/// Libraries take the budget as a parameter (`HiddenStatesFile.Options.memoryBudget`); an
/// executable may read it from the environment (`init(environment:)`, `POOLER_MEMORY_BUDGET`).
/// The `pooler` commands do not: they read in batches and keep the standard budget.
public struct MemoryBudget: Equatable, Sendable, CustomStringConvertible {
    /// Bytes one read may allocate.
    public var bytes: Int

    public init(bytes: Int) {
        precondition(bytes > 0, "memory budget \(bytes) must be positive")
        self.bytes = bytes
    }

    /// 8 GiB, or half the physical memory when that is less.
    public static var standard: MemoryBudget {
        let half = ProcessInfo.processInfo.physicalMemory / 2
        return MemoryBudget(bytes: Int(min(UInt64(8) << 30, max(half, UInt64(256) << 20))))
    }

    /// Name of the environment variable executables read (`init(environment:)`).
    public static let environmentVariable = "POOLER_MEMORY_BUDGET"

    /// Parses `8G`, `512M`, `64K` (powers of 1024, optional trailing `B`/`iB`) or a plain byte count.
    public init?(parsing text: String) {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) && digits.count > suffix.count {
            digits.removeLast(suffix.count)
            break
        }
        let shifts: [Character: Int] = ["K": 10, "M": 20, "G": 30, "T": 40]
        var shift = 0
        if let last = digits.last, let found = shifts[last] {
            shift = found
            digits.removeLast()
        }
        guard let value = Int(digits), value > 0 else { return nil }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: 1 << shift)
        guard !overflow else { return nil }
        self.init(bytes: scaled)
    }

    /// `POOLER_MEMORY_BUDGET` from `environment` when set and valid, else `standard`.
    /// For executables only: a library takes its budget as a parameter.
    /// - Throws: a description of the bad value when the variable is set but unparsable.
    public init(environment: [String: String]) throws {
        guard let text = environment[Self.environmentVariable] else {
            self = .standard
            return
        }
        guard let parsed = MemoryBudget(parsing: text) else {
            throw MemoryBudgetParseError(text: text)
        }
        self = parsed
    }

    public var description: String { byteText(bytes) }

    /// Throws `exceedsMemoryBudget` when `bytes` is more than the budget.
    func check(_ bytes: Int, path: String, dataset: String, what: String) throws {
        if bytes > self.bytes {
            throw HiddenStatesError.exceedsMemoryBudget(path: path, dataset: dataset, what: what, bytes: bytes,
                                                        budget: self.bytes)
        }
    }

    /// `count × elementBytes` with an overflow check, then `check`ed.
    func check(count: Int, elementBytes: Int, path: String, dataset: String, what: String) throws {
        let bytes = try Sizes.product([count, elementBytes], path: path, dataset: dataset, what: what)
        try check(bytes, path: path, dataset: dataset, what: what)
    }
}

/// `POOLER_MEMORY_BUDGET` is set to something that is not a size.
public struct MemoryBudgetParseError: Error, CustomStringConvertible {
    public let text: String
    public var description: String {
        "\(MemoryBudget.environmentVariable)=\(text) is not a size. Hint: write bytes or a number with K, M, G or T, e.g. 16G."
    }
}

/// Overflow-checked arithmetic on sizes read from a file.
enum Sizes {
    /// The product of `factors` (each ≥ 0), or `sizeOverflow` naming `what`.
    static func product(_ factors: [Int], path: String, dataset: String, what: String) throws -> Int {
        var result = 1
        for factor in factors {
            guard factor >= 0 else {
                throw HiddenStatesError.sizeOverflow(path: path, dataset: dataset, what: "\(what) (negative size \(factor))")
            }
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow {
                throw HiddenStatesError.sizeOverflow(path: path, dataset: dataset,
                                                     what: "\(what) (\(factors.map(String.init).joined(separator: " × ")))")
            }
            result = next
        }
        return result
    }

    /// `a + b`, or `sizeOverflow` naming `what`.
    static func sum(_ a: Int, _ b: Int, path: String, dataset: String, what: String) throws -> Int {
        let (result, overflow) = a.addingReportingOverflow(b)
        if overflow { throw HiddenStatesError.sizeOverflow(path: path, dataset: dataset, what: "\(what) (\(a) + \(b))") }
        return result
    }
}
