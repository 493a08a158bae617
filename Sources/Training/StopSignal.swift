import Dispatch
import Foundation
import Synchronization

/// A request to stop training at the next step boundary — set from a signal source, read by the
/// trainer between steps. The only shared mutable state of a run, guarded by a mutex.
public final class StopSignal: Sendable {
    private struct State {
        var requestedBy: Int32?
        /// Kept alive for as long as the signal is.
        var sources: [any DispatchSourceSignal] = []
    }
    private let state = Mutex(State())

    public init() {}

    /// Asks the trainer to stop; `signal` records why (e.g. `SIGINT`), 0 for a programmatic request.
    public func request(signal: Int32 = 0) {
        state.withLock { state in
            if state.requestedBy == nil { state.requestedBy = signal }
        }
    }

    /// Whether a stop was requested.
    public var isRequested: Bool {
        state.withLock { $0.requestedBy != nil }
    }

    /// The signal that requested the stop (0: requested in code), or `nil`.
    public var requestingSignal: Int32? {
        state.withLock { $0.requestedBy }
    }

    /// Turns SIGINT and SIGTERM into stop requests (handled on a dispatch queue, not in signal
    /// context). A second signal while a stop is pending exits at once with status 128 + signal.
    public func trapInterrupts() {
        // The sources are made inside the lock so that they belong to the guarded state.
        state.withLock { state in
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)  // the dispatch source sees it; the default action must not kill us
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [weak self] in
                    guard let self else { return }
                    if self.isRequested {
                        FileHandle.standardError.write(Data("\nsecond signal: exiting without saving\n".utf8))
                        exit(128 + number)
                    }
                    self.request(signal: number)
                }
                source.resume()
                state.sources.append(source)
            }
        }
    }
}
