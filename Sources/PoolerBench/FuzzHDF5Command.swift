import Foundation
import FuzzSupport
import HiddenStates

/// `PoolerBench fuzz-hdf5 [--iterations N] [--seed S] [--start I] [--seeds DIR] [--current PATH]
///                        [--timeout SECONDS] [--write-seeds DIR] [--replay FILE]`
///
/// Mutates the committed seed files and reads every mutant with `HiddenStatesFile` in this process.
/// Before each read the mutant is written to `--current` (default `.fuzz/current.h5`, with
/// `current.h5.txt` naming seed and iteration), so after a crash or a hang (the watchdog aborts
/// after `--timeout` s) `PoolerBench fuzz-hdf5 --replay .fuzz/current.h5` reproduces it, and
/// `--seed S --start I --iterations 1` regenerates the same mutant.
enum FuzzHDF5Command {
    static func run(_ arguments: [String]) throws -> Int32 {
        var iterations = 100_000
        var seed: UInt64 = 1
        var start = 0
        var seedFolder = FuzzSeeds.committedFolder
        var current = ".fuzz/current.h5"
        var timeout = 30.0
        var skip = Set<Int>()
        var summary: String?
        var supervise = false
        var index = 0
        func value(_ flag: String) throws -> String {
            index += 1
            guard index < arguments.count else { throw UsageError(text: "\(flag) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            let flag = arguments[index]
            switch flag {
            case "--iterations": iterations = try number(try value(flag), flag)
            case "--seed": seed = UInt64(try number(try value(flag), flag))
            case "--start": start = try number(try value(flag), flag)
            case "--seeds": seedFolder = try value(flag)
            case "--current": current = try value(flag)
            case "--timeout": timeout = Double(try number(try value(flag), flag))
            case "--skip": skip = Set(try value(flag).split(separator: ",").map { try number(String($0), flag) })
            case "--summary": summary = try value(flag)
            case "--supervise": supervise = true
            case "--write-seeds":
                let folder = try value(flag)
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for path in try FuzzSeeds.write(to: folder) { print("wrote \(path)") }
                return 0
            case "--replay":
                let path = try value(flag)
                let options = HiddenStatesFile.Options(decompressionThreads: 2, memoryBudget: MemoryBudget(bytes: 64 << 20))
                print("\(path): \(readEverything(at: path, options: options))")
                return 0
            default: throw UsageError(text: "unknown option \(flag)")
            }
            index += 1
        }
        let seedFiles = try FileManager.default.contentsOfDirectory(atPath: seedFolder)
            .filter { $0.hasSuffix(".h5") }.sorted()
            .map { URL(fileURLWithPath: seedFolder).appendingPathComponent($0).path }
        guard !seedFiles.isEmpty else { throw UsageError(text: "no .h5 seed files in \(seedFolder)") }
        if supervise {
            return try FuzzSupervisor(seed: seed, range: start..<(start + iterations), seedFolder: seedFolder,
                                      current: current, timeout: timeout).run()
        }
        let fuzzer = try HDF5Fuzzer(seedFiles: seedFiles, seed: seed, currentPath: current)
        CrashNote.install()
        let watchdog = Watchdog(timeout: timeout, note: current)
        print("fuzz-hdf5: \(seedFiles.count) seeds from \(seedFolder), seed \(seed), iterations \(start) ..< \(start + iterations); "
            + "each mutant is written to \(current) before it is read")
        let began = Date()
        let outcomes = try fuzzer.run(start..<(start + iterations), skipping: skip, willRead: watchdog.arm) { iteration, counts in
            if let summary, (iteration + 1 - start) % 500 == 0 { try? FuzzSupervisor.save(counts, to: summary) }
            if (iteration + 1 - start) % 10_000 == 0 {
                let seconds = Date().timeIntervalSince(began)
                print("  \(iteration + 1 - start) inputs in \(String(format: "%.0f", seconds)) s: \(counts.ok) ok, "
                    + "\(counts.typedErrors) typed, \(counts.otherErrors) other, \(counts.leaks) leaks")
                fflush(nil)  // all streams: progress shows up when piped
            }
        }
        watchdog.disarm()
        if let summary { try FuzzSupervisor.save(outcomes, to: summary) }
        let seconds = Date().timeIntervalSince(began)
        print(outcomes)
        print("time: \(String(format: "%.1f", seconds)) s (\(String(format: "%.0f", Double(outcomes.iterations) / seconds)) inputs/s); "
            + "no crash, no hang over \(String(format: "%.0f", timeout)) s")
        return outcomes.otherErrors == 0 && outcomes.leaks == 0 ? 0 : 1
    }

    private static func number(_ text: String, _ flag: String) throws -> Int {
        guard let value = Int(text), value >= 0 else { throw UsageError(text: "\(flag) \(text) is not a count") }
        return value
    }
}

struct UsageError: Error, CustomStringConvertible {
    let text: String
    var description: String {
        "\(text). Usage: PoolerBench fuzz-hdf5 [--iterations N] [--seed S] [--start I] [--seeds DIR] "
            + "[--current PATH] [--timeout SECONDS] [--supervise] [--skip I,J] [--summary FILE] | --write-seeds DIR | --replay FILE"
    }
}

/// Aborts the process when one input takes longer than `timeout` seconds (a hang), saying where the input is.
final class Watchdog: @unchecked Sendable {
    private let condition = NSCondition()
    private var iteration = -1
    private var armedAt = Date.distantFuture
    private let timeout: TimeInterval
    private let note: String

    init(timeout: TimeInterval, note: String) {
        self.timeout = timeout
        self.note = note
        let thread = Thread { [self] in watch() }
        thread.start()
    }

    func arm(_ iteration: Int) {
        condition.lock()
        self.iteration = iteration
        armedAt = Date()
        condition.unlock()
    }

    func disarm() {
        condition.lock()
        armedAt = .distantFuture
        condition.unlock()
    }

    private func watch() {
        while true {
            Thread.sleep(forTimeInterval: 1)
            condition.lock()
            let stuck = Date().timeIntervalSince(armedAt) > timeout
            let current = iteration
            condition.unlock()
            if stuck {
                FileHandle.standardError.write(Data(
                    "fuzz-hdf5: HANG — iteration \(current) ran over \(timeout) s; its input is \(note) (see \(note).txt)\n".utf8))
                abort()
            }
        }
    }
}

/// On SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT, prints where the crashing input is before dying.
enum CrashNote {
    static func install() {
        for signal in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT] {
            _ = Glibc.signal(signal) { number in
                let message: StaticString = "fuzz-hdf5: CRASH — the input being read is .fuzz/current.h5 (or --current), seed and iteration in current.h5.txt; rerun with --replay\n"
                _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
                _ = Glibc.signal(number, SIG_DFL)
                _ = raise(number)
            }
        }
    }
}

/// `--supervise`: runs the fuzzer in child processes so a crash or hang inside HDF5 is recorded and
/// the run goes on. Each child writes its counts every 500 inputs; when one dies, the input it was
/// reading is kept as `<current folder>/crashes/iteration-N.h5` and a new child resumes at the last
/// saved point, skipping every input that crashed so far.
struct FuzzSupervisor {
    let seed: UInt64
    let range: Range<Int>
    let seedFolder: String
    let current: String
    let timeout: Double

    static func save(_ outcomes: HDF5Fuzzer.Outcomes, to path: String) throws {
        try JSONEncoder().encode(outcomes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    func run() throws -> Int32 {
        let folder = URL(fileURLWithPath: current).deletingLastPathComponent()
        let crashes = folder.appendingPathComponent("crashes")
        try FileManager.default.createDirectory(at: crashes, withIntermediateDirectories: true)
        let summary = folder.appendingPathComponent("summary.json").path
        var total = HDF5Fuzzer.Outcomes()
        var crashed: [Int] = []
        var next = range.lowerBound
        let began = Date()
        while next < range.upperBound {
            try? FileManager.default.removeItem(atPath: summary)
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["fuzz-hdf5", "--seed", "\(seed)", "--start", "\(next)",
                               "--iterations", "\(range.upperBound - next)", "--seeds", seedFolder,
                               "--current", current, "--timeout", "\(Int(timeout))", "--summary", summary]
                + (crashed.isEmpty ? [] : ["--skip", crashed.map(String.init).joined(separator: ",")])
            try child.run()
            child.waitUntilExit()
            let part = (try? JSONDecoder().decode(HDF5Fuzzer.Outcomes.self,
                                                  from: Data(contentsOf: URL(fileURLWithPath: summary))))
                ?? HDF5Fuzzer.Outcomes()
            total.add(part)
            if part.next > next { next = part.next }
            let normal = child.terminationReason == .exit && (child.terminationStatus == 0 || child.terminationStatus == 1)
            if normal { break }
            // The child died: the note next to the input names the iteration it was reading.
            let note = (try? String(contentsOfFile: current + ".txt", encoding: .utf8)) ?? ""
            let words = note.split(separator: " ")
            guard let at = words.firstIndex(of: "iteration"), at + 1 < words.count, let iteration = Int(words[at + 1]) else {
                print("fuzz-hdf5: a child died without a note; stopping")
                return 2
            }
            crashed.append(iteration)
            let kept = crashes.appendingPathComponent("iteration-\(iteration).h5")
            try? FileManager.default.removeItem(at: kept)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: current), to: kept)
            print("fuzz-hdf5: iteration \(iteration) crashed or hung the reader (signal/status \(child.terminationStatus)); "
                + "input kept as \(kept.path); resuming at \(next)")
            fflush(nil)
            if part.next == 0 && next <= iteration { next = max(next, range.lowerBound) }
        }
        total.crashed = crashed
        let seconds = Date().timeIntervalSince(began)
        print("supervised run, seed \(seed), iterations \(range.lowerBound) ..< \(range.upperBound):")
        print(total)
        print("time: \(String(format: "%.1f", seconds)) s (\(String(format: "%.0f", Double(total.iterations) / seconds)) inputs/s)")
        return crashed.isEmpty && total.otherErrors == 0 && total.leaks == 0 ? 0 : 1
    }
}
