import Foundation

/// Shows training progress on standard error: a redrawn bar on a terminal
/// (`epoch 2/8 ▕████░░░░▏ 45/90 loss 3.412 1234 pairs/s ETA 0:12`), plain lines every few
/// seconds otherwise (logs, CI). Evaluations always get their own line.
public final class ProgressDisplay {
    private let isTerminal: Bool
    private let quiet: Bool
    private let interval: Double
    private var lastDraw = -Double.infinity
    private var barVisible = false
    private let write: (String) -> Void
    private let report: (String) -> Void

    /// - Parameters:
    ///   - quiet: print nothing but evaluations.
    ///   - isTerminal: draw a bar (default: whether stderr is a terminal).
    ///   - write: where progress goes (default: stderr).
    ///   - report: where evaluation lines go (default: stdout).
    public init(quiet: Bool = false, isTerminal: Bool = isatty(STDERR_FILENO) != 0,
                write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) },
                report: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }) {
        self.quiet = quiet
        self.isTerminal = isTerminal
        self.interval = isTerminal ? 0.1 : 5
        self.write = write
        self.report = report
    }

    /// Handles one trainer event.
    public func handle(_ event: TrainingEvent) {
        switch event {
        case let .started(pairs, batches, total, resumedAt, unit):
            guard !quiet else { return }
            let resumed = resumedAt.map { ", resuming after step \($0)" } ?? ""
            line("training on \(pairs) \(unit): \(batches) batches per epoch, \(total) steps\(resumed)")
        case .stepped(let report):
            guard !quiet else { return }
            let now = Trainer.now()
            let last = report.step == report.totalSteps || report.batchInEpoch == report.batchesPerEpoch
            guard now - lastDraw >= interval || (isTerminal && last) else { return }
            lastDraw = now
            if isTerminal {
                write("\r\u{1B}[2K" + Self.bar(report))
                barVisible = true
            } else {
                line(Self.plain(report))
            }
        case .evaluated(let record):
            endBar()
            report(Self.evaluation(record) + "\n")
        case .checkpointed:
            break
        }
    }

    /// Ends a visible bar with a newline, so what is printed next (e.g. the message after Ctrl-C)
    /// starts on a line of its own; does nothing when no bar is showing.
    public func finish() { endBar() }

    /// Ends a visible bar before a full line.
    private func endBar() {
        if barVisible {
            write("\n")
            barVisible = false
        }
    }

    private func line(_ text: String) {
        endBar()
        write(text + "\n")
    }

    static func bar(_ r: StepReport) -> String {
        let width = 24
        let filled = r.batchesPerEpoch > 0 ? width * r.batchInEpoch / r.batchesPerEpoch : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        return "epoch \(r.epoch)/\(r.epochs) ▕\(bar)▏ \(r.batchInEpoch)/\(r.batchesPerEpoch) "
            + "loss \(format(Double(r.loss), 4))\(parts(r)) \(Int(r.pairsPerSecond)) pairs/s ETA \(duration(r.remainingSeconds))"
    }

    static func plain(_ r: StepReport) -> String {
        "epoch \(r.epoch)/\(r.epochs) step \(r.step)/\(r.totalSteps) loss \(format(Double(r.loss), 4))\(parts(r)) "
            + "lr \(String(format: "%.2e", Double(r.learningRate))) \(Int(r.pairsPerSecond)) pairs/s ETA \(duration(r.remainingSeconds))"
    }

    /// A combined loss's terms: ` (cosent 2.9100 distill 0.0420)`; empty for a single loss.
    static func parts(_ r: StepReport) -> String {
        guard !r.partNames.isEmpty else { return "" }
        return " (" + zip(r.partNames, r.partLosses).map { "\($0) \(format(Double($1), 4))" }.joined(separator: " ") + ")"
    }

    /// The evaluation line: `epoch 3 step 270: dev Spearman 87.01 (best 87.01 *) loss 2.91`.
    public static func evaluation(_ record: EvaluationRecord) -> String {
        switch record.kind {
        case .initial:
            return "untrained head: dev Spearman \(format(record.devSpearman, 2))"
        case .steps, .epoch:
            let parts = record.trainLossParts.map { parts in
                " (" + parts.sorted { $0.key < $1.key }.map { "\($0.key) \(format($0.value, 4))" }.joined(separator: " ") + ")"
            } ?? ""
            let loss = record.trainLoss.map { " train loss \(format($0, 4))\(parts)" } ?? ""
            return "epoch \(record.epoch) step \(record.step): dev Spearman \(format(record.devSpearman, 2)) "
                + "(best \(format(record.bestDevSpearman, 2))\(record.isBest ? " *" : ""))\(loss)"
        }
    }

    static func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }
}
