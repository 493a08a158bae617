import Foundation
import HiddenStates
import Pooling
import Testing
import Training

/// Misuse that used to destroy or corrupt a user's files: every case exits non-zero with a message
/// naming the flag and path, and leaves the inputs byte-identical and nothing stray behind.
@Suite("outputs never destroy inputs")
struct OutputSafetyTests {
    let scratch: PoolingScratch

    init() throws { scratch = try PoolingScratch() }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test("embed, subset and evaluate refuse an output that is an input: same path, a symlink or a hard link")
    func outputIsInput() throws {
        let input = try SyntheticPairs.writeForCLI(scratch.path("in.h5"))
        let before = try bytes(input)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link.h5"), withDestinationPath: input)
        try FileManager.default.linkItem(atPath: input, toPath: scratch.path("hard.h5"))
        for alias in [input, scratch.path("link.h5"), scratch.path("hard.h5"), scratch.url.path + "/./in.h5"] {
            let commands: [[String]] = [
                ["embed", "--input", input, "--strategy", "mean", "--output", alias],
                ["subset", "--input", input, "--pairs", "3", "--output", alias],
                ["evaluate", "--data", input, "--output", alias],
                ["evaluate", "--data", input, "--plot", alias],
            ]
            for arguments in commands {
                let result = try PoolerProcess.run(arguments)
                #expect(result.status != 0, "\(arguments)")
                #expect(result.stderr.contains("destroy the input") && result.stderr.contains(alias), "\(arguments): \(result.stderr)")
                #expect(try bytes(input) == before, "\(arguments) changed the input")
            }
        }
        let collide = try PoolerProcess.run(["evaluate", "--data", input, "--output", scratch.path("r.txt"), "--plot", scratch.path("r.txt")])
        #expect(collide.status != 0 && collide.stderr.contains("same file"))
    }

    @Test("/dev/stdout, a folder and a FIFO are refused as outputs; the device link survives")
    func specialTargets() throws {
        let input = try SyntheticPairs.writeForCLI(scratch.path("in.h5"))
        let fifo = scratch.path("fifo")
        #expect(mkfifo(fifo, 0o644) == 0)
        for target in ["/dev/stdout", "/dev/null", scratch.url.path, fifo] {
            let result = try PoolerProcess.run(["embed", "--input", input, "--strategy", "mean", "--output", target])
            #expect(result.status != 0, "\(target)")
            #expect(result.stderr.contains("not a regular file"), "\(target): \(result.stderr)")
        }
        var info = stat()
        #expect(lstat("/dev/stdout", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
        let empty = try PoolerProcess.run(["embed", "--input", input, "--strategy", "mean", "--output", ""])
        #expect(empty.status != 0 && empty.stderr.contains("--output is empty"))
    }

    @Test("a symlinked output is written through the link: the link stays, its target gets the result")
    func symlinkOutput() throws {
        let input = try SyntheticPairs.writeForCLI(scratch.path("in.h5"))
        let target = scratch.path("target.h5")
        try Data("old".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("out.h5"), withDestinationPath: target)
        let result = try PoolerProcess.run(["embed", "--input", input, "--strategy", "mean", "--output", scratch.path("out.h5")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path("out.h5")) == target)
        #expect(try PoolingScratch.embeddings(target).shape[0] > 0)
    }

    @Test("export --force replaces only an earlier export: never '', the run, its parent, the current folder or a foreign folder")
    func exportForce() throws {
        let (_, _) = try scratch.exportPerturbedHead(HeadConfiguration(kind: .additive, dim: 4, hidden: 3), to: "exp/run3/head")
        let sibling = scratch.path("exp/run4")
        try FileManager.default.createDirectory(atPath: sibling, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: sibling + "/notes.txt"))
        let run = scratch.path("exp/run3")
        let cases: [(out: String, directory: URL?, message: String)] = [
            ("", nil, "--out is empty"),
            (run, nil, "is the run folder"),
            (run + "/head", nil, "is the head folder"),
            (scratch.path("exp"), nil, "holds the run folder"),
            (".", scratch.url.appendingPathComponent("exp/run4"), "is the current folder"),
            ("..", scratch.url.appendingPathComponent("exp/run4"), "replacing it would delete it"),
            (sibling, nil, "not an earlier export"),
        ]
        for (out, directory, message) in cases {
            let result = try PoolerProcess.run(["export", run, "--out", out, "--force"], directory: directory)
            #expect(result.status != 0, "--out '\(out)'")
            #expect(result.stderr.contains(message), "--out '\(out)': \(result.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: run + "/head/model.safetensors"))
        #expect(FileManager.default.fileExists(atPath: sibling + "/notes.txt"))

        let exported = scratch.path("exports/a")
        #expect(try PoolerProcess.run(["export", run, "--out", exported]).status == 0)
        let again = try PoolerProcess.run(["export", run, "--out", exported])
        #expect(again.status != 0 && again.stderr.contains("pass --force"), "\(again.stderr)")
        #expect(try PoolerProcess.run(["export", run, "--out", exported, "--force"]).status == 0)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: exported + "/my-notes.txt"))
        let foreign = try PoolerProcess.run(["export", run, "--out", exported, "--force"])
        #expect(foreign.status != 0 && foreign.stderr.contains("my-notes.txt"))
        #expect(FileManager.default.fileExists(atPath: exported + "/my-notes.txt"))
    }

    @Test("SIGINT and SIGTERM during embed and subset remove the hidden temporary file", arguments: [SIGINT, SIGTERM])
    func interruptCleansUp(signal number: Int32) throws {
        let input = scratch.path("big.h5")
        try SyntheticPairs.write(path: input, pairs: 4000, dim: 64, seed: 9)
        for arguments in [["embed", "--input", input, "--strategy", "mean", "--batch-size", "1", "--output", scratch.path("out.h5")],
                          ["subset", "--input", input, "--pairs", "4000", "--gzip-level", "9", "--output", scratch.path("sub.h5")]] {
            let process = Process()
            process.executableURL = PoolerProcess.binary
            process.arguments = arguments
            let err = Pipe()
            process.standardError = err
            process.standardOutput = Pipe()
            try process.run()
            // Wait until the temporary file exists, then interrupt.
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, try !FileManager.default.contentsOfDirectory(atPath: scratch.url.path).contains(where: { $0.contains(".tmp-") }) {
                usleep(2_000)
            }
            kill(process.processIdentifier, number)
            process.waitUntilExit()
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty, "\(arguments[0]): \(leftovers)")
            if process.terminationStatus != 0 {  // it may have finished before the signal landed
                #expect(process.terminationStatus == 128 + number, "\(arguments[0]) exited \(process.terminationStatus)")
                #expect(process.terminationReason == .exit)
            }
        }
    }
}

extension SyntheticPairs {
    /// A small scored-pairs file for command-line tests.
    static func writeForCLI(_ path: String, pairs: Int = 12) throws -> String {
        try write(path: path, pairs: pairs, dim: 8, seed: 2)
        return path
    }
}
