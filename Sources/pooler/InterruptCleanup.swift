import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Removes a command's partial outputs when SIGINT or SIGTERM ends it.
///
/// Writers put their work in hidden temporary files beside the destination, named
/// `.<name>.tmp-<pid>-…` (AtomicFile, export folders), and rename them into place when done. On a
/// signal this removes every such file or folder of this process next to each registered output,
/// says so on standard error and exits with 128 + signal, without running exit handlers (the
/// HDF5 library's could wait for a lock the interrupted main thread holds).
final class InterruptCleanup: @unchecked Sendable {
    private let outputs: [String]
    private var sources: [DispatchSourceSignal] = []

    /// Starts watching for SIGINT and SIGTERM; keep the value alive while writing.
    init(outputs: [String]) {
        self.outputs = outputs
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)  // the dispatch source receives it instead of the default action
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [outputs] in
                let removed = Self.removePartialOutputs(of: outputs)
                let name = number == SIGINT ? "SIGINT" : "SIGTERM"
                let note = removed.isEmpty ? "" : "; removed the partial output \(removed.joined(separator: ", "))"
                FileHandle.standardError.write(Data("\ninterrupted by \(name)\(note). Nothing was written.\n".utf8))
                _exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The temporary-name prefix of this process's partial outputs for `destination`.
    static func temporaryPrefix(for destination: String) -> String {
        ".\(URL(fileURLWithPath: destination).lastPathComponent).tmp-\(getpid())-"
    }

    /// Removes this process's temporaries beside each output; returns what it removed.
    static func removePartialOutputs(of outputs: [String]) -> [String] {
        var removed: [String] = []
        // Writers put the temporary beside the file a symbolic link points to: look there.
        for output in Set(outputs + outputs.map(OutputPaths.resolved)) {
            let folder = URL(fileURLWithPath: output).deletingLastPathComponent()
            let prefix = temporaryPrefix(for: output)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names where name.hasPrefix(prefix) {
                let path = folder.appendingPathComponent(name).path
                if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
            }
        }
        return removed
    }

    deinit {
        for source in sources { source.cancel() }
        for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
    }
}
