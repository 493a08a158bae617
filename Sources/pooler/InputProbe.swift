import ArgumentParser
import Foundation
import HiddenStates
#if canImport(Glibc)
import Glibc
#endif

/// Reads hidden-states inputs once in a child process before a command touches them.
///
/// The HDF5 library (1.10) can crash or hang on some corrupt files — a mutated string heap, a
/// string length of gigabytes, a chunk map pointing outside its buffer — before any check of ours
/// can see the problem (a fuzz run of 100,000 mutated files found such cases; see
/// `PoolerBench fuzz-hdf5`). A crash inside the library would end the user's command with a
/// signal, so each input is first read in full by `pooler probe-file` in a child process: if that
/// child dies of a signal or exceeds its time limit, the command stops with a typed error naming
/// the file; otherwise the command goes on (and reports any typed error itself). The probe costs
/// one extra read of each input, in as many children at once as there are cores (a sweep has
/// dozens of inputs); `POOLER_SKIP_PROBE=1` skips it for files you trust.
enum InputProbe {
    /// Probes every path that names an HDF5 file (other paths are left to the command's own checks),
    /// up to `concurrency` at a time. When several fail, the error names the first in `paths` order.
    static func check(_ paths: [String], concurrency: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        if ProcessInfo.processInfo.environment["POOLER_SKIP_PROBE"] == "1" { return }
        var seen = Set<String>()
        let files = paths.filter { seen.insert($0).inserted && OutputPaths.kind(of: $0) == "regular file" }
        var failures: [Int: ProbeError] = [:]
        var running: [(index: Int, probe: Probe)] = []
        var next = 0
        while next < files.count || !running.isEmpty {
            while running.count < max(1, concurrency), next < files.count {
                if let probe = Probe(files[next]) { running.append((next, probe)) }
                next += 1
            }
            usleep(5_000)
            running.removeAll { item in
                guard let outcome = item.probe.poll() else { return false }
                if case .failed(let error) = outcome { failures[item.index] = error }
                return true
            }
        }
        if let first = failures.keys.min(), let error = failures[first] { throw error }
    }

    /// One `pooler probe-file` child and its deadline.
    struct Probe {
        let path: String
        let process: Process
        let limit: Double
        let deadline: Date

        enum Outcome {
            case passed
            case failed(ProbeError)
        }

        /// Starts the child; nil when none could start (the command then reads the file itself).
        init?(_ path: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            process.arguments = ["probe-file", path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do {
                try process.run()
            } catch {
                return nil
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            self.path = path
            self.process = process
            limit = 30 + Double(size) / 20e6  // seconds: generous for a full read on a slow disk
            deadline = Date().addingTimeInterval(limit)
        }

        /// nil while the child runs within its deadline; else how it ended (a child past its
        /// deadline is killed).
        func poll() -> Outcome? {
            if process.isRunning {
                guard Date() >= deadline else { return nil }
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return .failed(.hang(path: path, seconds: Int(limit)))
            }
            if process.terminationReason == .uncaughtSignal {
                return .failed(.crash(path: path, signal: process.terminationStatus))
            }
            return .passed
        }
    }

    enum ProbeError: Error, CustomStringConvertible {
        case crash(path: String, signal: Int32)
        case hang(path: String, seconds: Int)

        var description: String {
            switch self {
            case let .crash(path, signal):
                let name = signal == SIGSEGV ? "SIGSEGV" : signal == SIGBUS ? "SIGBUS" : signal == SIGFPE ? "SIGFPE"
                    : signal == SIGABRT ? "SIGABRT" : "signal \(signal)"
                return "\(path): the file is corrupt: reading it crashes the HDF5 library (\(name) in a test read). "
                    + "Nothing was read or written. Hint: re-create the file (e.g. `pooler extract`), or check it with `h5dump`."
            case let .hang(path, seconds):
                return "\(path): the file is corrupt: a test read did not finish within \(seconds) s (the HDF5 library loops "
                    + "on it). Nothing was read or written. Hint: re-create the file, or check it with `h5dump`."
            }
        }
    }
}

/// `pooler probe-file FILE` (hidden): reads everything of a hidden-states file once; used by ``InputProbe``.
struct ProbeFileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe-file", abstract: "Read a hidden-states file once (used internally).", shouldDisplay: false)

    @Argument var path: String

    func run() throws {
        // In the order the commands read: opening (root attributes, offsets, pairs, scores) first.
        let file = try HiddenStatesFile(path: path)
        _ = try? HDF5Reader(path: path).attributes()
        defer { file.close() }
        var batches = file.batches(size: 1024)
        while try batches.next() != nil {}
        // Strings twice: a corrupt string heap can pass the first read and crash the library on the next.
        for _ in 0..<2 {
            if file.metadata.hasSentenceTexts { _ = try file.sentenceTexts() }
            _ = try file.vocabulary()
        }
        if file.metadata.hasInputIDs { _ = try file.inputIDs() }
        _ = file.validate(maxErrors: 1)
    }
}
