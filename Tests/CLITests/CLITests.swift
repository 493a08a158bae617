import Foundation
import Testing

/// Runs the built `pooler` binary and captures its output.
struct PoolerProcess {
    var status: Int32
    var stdout: String
    var stderr: String

    /// The directory holding the test runner (`….xctest`) also holds the built executables.
    static var binary: URL {
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return runner.deletingLastPathComponent().appendingPathComponent("pooler")
    }

    static func run(_ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil) throws -> PoolerProcess {
        try run(executable: binary, arguments, environment: environment, directory: directory)
    }

    /// Runs any program and captures its output.
    static func run(executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                    directory: URL? = nil) throws -> PoolerProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return PoolerProcess(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

@Suite("pooler command line")
struct CLITests {
    @Test("--help lists the commands")
    func help() throws {
        let result = try PoolerProcess.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("doctor"))
    }

    @Test("a bad flag prints usage and exits non-zero")
    func badFlag() throws {
        let result = try PoolerProcess.run(["--no-such-flag"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("Usage"))
    }

    @Test("--version prints the version")
    func version() throws {
        let result = try PoolerProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: ".").count == 3)
    }

    @Test("doctor names the BLAS core and HDF5 version")
    func doctor() throws {
        let result = try PoolerProcess.run(["doctor"])
        #expect(result.stdout.contains("BLAS core:"))
        #expect(result.stdout.contains("HDF5 library:   1."))
    }

    @Test("doctor flags an explicitly chosen slow core and keeps the user's choice")
    func doctorSlowCore() throws {
        let result = try PoolerProcess.run(["doctor"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(result.stdout.contains("BLAS core:      Prescott"))
        // On a CPU with AVX2 the fallback is reported as a problem with its fix.
        if result.stdout.contains("CPU AVX2+FMA:   yes") {
            #expect(result.status == 1)
            #expect(result.stdout.contains("export OPENBLAS_CORETYPE="))
        }
    }
}
