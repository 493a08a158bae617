import Foundation
import HiddenStates

/// A seeded mutation fuzzer for the hidden-states reader, run in-process: each iteration mutates a
/// seed file (`ByteMutator`), writes the mutant to `currentPath` (and what made it to
/// `currentPath + ".txt"`) *before* reading it, then reads everything (`readEverything`). A crash
/// or hang therefore leaves its input behind; `mutant(seed:iteration:)` regenerates it alone.
public struct HDF5Fuzzer {
    /// What a run counted.
    public struct Outcomes: Codable, Sendable, CustomStringConvertible {
        public var iterations = 0
        public var ok = 0
        public var typedErrors = 0
        public var otherErrors = 0
        /// Iterations after which HDF5 objects were still open (a handle leak).
        public var leaks = 0
        /// Typed errors by case name.
        public var byKind: [String: Int] = [:]
        /// The first few other errors, for the report.
        public var otherExamples: [String] = []
        /// Iterations that crashed or hung the process (filled in by a supervising process).
        public var crashed: [Int] = []
        /// The next iteration to run (for resuming after a crash).
        public var next = 0

        public init() {}

        /// Adds the counts of `other` (a later part of the same run).
        public mutating func add(_ other: Outcomes) {
            iterations += other.iterations
            ok += other.ok
            typedErrors += other.typedErrors
            otherErrors += other.otherErrors
            leaks += other.leaks
            for (kind, count) in other.byKind { byKind[kind, default: 0] += count }
            otherExamples += other.otherExamples.prefix(max(0, 5 - otherExamples.count))
            crashed += other.crashed
            next = other.next
        }

        public var description: String {
            var lines = ["\(iterations) inputs: \(ok) ok, \(typedErrors) typed errors, \(otherErrors) other errors, "
                + "\(leaks) handle leaks, \(crashed.count) crashes or hangs"
                + (crashed.isEmpty ? "" : " (iterations \(crashed.map(String.init).joined(separator: ", ")))")]
            for (kind, count) in byKind.sorted(by: { $0.value > $1.value }) {
                lines.append("  \(kind): \(count)")
            }
            for example in otherExamples { lines.append("  other: \(example)") }
            return lines.joined(separator: "\n")
        }
    }

    public let mutator: ByteMutator
    public let seed: UInt64
    /// Where each mutant is written before it is read.
    public let currentPath: String
    public var options: HiddenStatesFile.Options

    /// - Parameters:
    ///   - seedFiles: paths of valid seed files.
    ///   - seed: the run's seed; iteration `i`'s mutant depends only on it and `i`.
    ///   - currentPath: where each mutant goes (its folder is created).
    ///   - memoryBudget: the budget the reader is opened with (small: mutated sizes hit it early).
    public init(seedFiles: [String], seed: UInt64, currentPath: String,
                memoryBudget: MemoryBudget = MemoryBudget(bytes: 64 << 20)) throws {
        let seeds = try seedFiles.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
        mutator = ByteMutator(seeds: seeds)
        self.seed = seed
        self.currentPath = currentPath
        options = HiddenStatesFile.Options(chunkCacheBytes: 1 << 20, decompressionThreads: 2, memoryBudget: memoryBudget)
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: currentPath).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
    }

    /// Runs iterations `range`; `progress` is called after each with its index and the counts so far;
    /// `willRead` just before each read (e.g. to arm a watchdog).
    /// Iterations in `skipping` are not run (inputs known to crash HDF5, kept by a supervisor).
    public func run(_ range: Range<Int>, skipping: Set<Int> = [], willRead: (Int) -> Void = { _ in },
                    progress: (Int, Outcomes) -> Void = { _, _ in }) throws -> Outcomes {
        var outcomes = Outcomes()
        outcomes.next = range.lowerBound
        for iteration in range {
            outcomes.next = iteration + 1
            if skipping.contains(iteration) { continue }
            let mutant = mutator.mutant(seed: seed, iteration: iteration)
            let note = "seed \(seed) iteration \(iteration) base seed file #\(mutant.seedIndex) "
                + "operations \(mutant.operations.map(\.rawValue).joined(separator: ","))\n"
            // Written (each by rename, so a new inode: HDF5 never mistakes it for the last file) before reading.
            try Data(note.utf8).write(to: URL(fileURLWithPath: currentPath + ".txt"), options: .atomic)
            try Data(mutant.bytes).write(to: URL(fileURLWithPath: currentPath), options: .atomic)
            var options = self.options
            options.decompressionThreads = iteration % 2 == 0 ? 2 : 1
            willRead(iteration)
            let outcome = readEverything(at: currentPath, options: options)
            outcomes.iterations += 1
            switch outcome {
            case .ok: outcomes.ok += 1
            case .typedError(let kind):
                outcomes.typedErrors += 1
                outcomes.byKind[kind, default: 0] += 1
            case .otherError(let description):
                outcomes.otherErrors += 1
                if outcomes.otherExamples.count < 5 { outcomes.otherExamples.append("iteration \(iteration): \(description)") }
            }
            if HDF5Library.openObjectCount > 0 { outcomes.leaks += 1 }
            progress(iteration, outcomes)
        }
        return outcomes
    }
}
