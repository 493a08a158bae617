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
/// one extra read of each input; `POOLER_SKIP_PROBE=1` skips it for files you trust.
enum InputProbe {
    /// Probes every path that names an HDF5 file (other paths are left to the command's own checks).
    static func check(_ paths: [String]) throws {
        if ProcessInfo.processInfo.environment["POOLER_SKIP_PROBE"] == "1" { return }
        for path in Set(paths) where OutputPaths.kind(of: path) == "regular file" {
            try probe(path)
        }
    }

    static func probe(_ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["probe-file", path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return  // no child could start: the command reads the file itself
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let limit = 30 + Double(size) / 20e6  // seconds: generous for a full read on a slow disk
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw ProbeError.hang(path: path, seconds: Int(limit))
        }
        if process.terminationReason == .uncaughtSignal {
            throw ProbeError.crash(path: path, signal: process.terminationStatus)
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
