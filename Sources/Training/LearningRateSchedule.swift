import Foundation

/// How the learning rate decays after warm-up.
public enum ScheduleKind: String, Codable, CaseIterable, Sendable {
    /// Half a cosine from the peak down to 0.
    case cosine
    /// A straight line from the peak down to 0.
    case linear
    /// The peak rate until the end.
    case constant
}

/// Linear warm-up, then cosine, linear or constant decay — Hugging Face's
/// `get_{cosine,linear,constant}_schedule_with_warmup`, evaluated at the number of steps already
/// taken `s` (so the first update uses `s = 0`):
///
/// ```
/// s < W:   lr(s) = peak · s / W
/// s ≥ W:   p = (s − W) / max(1, S − W)
///          cosine:   lr = peak · ½ (1 + cos(π p))
///          linear:   lr = peak · max(0, 1 − p)
///          constant: lr = peak
/// ```
/// `W` = warm-up steps, `S` = total steps.
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    public var kind: ScheduleKind
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(kind: ScheduleKind, peak: Float, warmupSteps: Int, totalSteps: Int) {
        precondition(warmupSteps >= 0 && totalSteps >= 0, "LearningRateSchedule: negative step counts \(warmupSteps), \(totalSteps)")
        self.kind = kind
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// The learning rate of the update that follows `step` completed updates.
    public func learningRate(atStep step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step) / Float(warmupSteps) }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        switch kind {
        case .constant: return peak
        case .linear: return peak * Float(max(0, 1 - progress))
        case .cosine: return peak * Float(0.5 * (1 + cos(Double.pi * min(progress, 1))))
        }
    }
}

/// Warm-up length: a fraction of all steps (`0.1`) or a number of steps (`100`).
public enum Warmup: Sendable, Equatable, Codable, CustomStringConvertible {
    case fraction(Double)
    case steps(Int)

    /// Parses `"0.1"` (a fraction in `[0, 1]`, written with a decimal point) or `"100"` (steps).
    public init?(parsing text: String) {
        if let steps = Int(text), steps >= 0 {
            self = .steps(steps)
        } else if let fraction = Double(text), fraction.isFinite, (0...1).contains(fraction) {
            self = .fraction(fraction)
        } else {
            return nil
        }
    }

    /// Warm-up steps out of `totalSteps` (a fraction rounds up, as sentence-transformers does).
    public func steps(outOf totalSteps: Int) -> Int {
        switch self {
        case .steps(let steps): return steps
        case .fraction(let fraction): return Int((fraction * Double(totalSteps)).rounded(.up))
        }
    }

    public var description: String {
        switch self {
        case .fraction(let fraction): return "\(fraction)"
        case .steps(let steps): return "\(steps)"
        }
    }

    private enum CodingKeys: String, CodingKey { case fraction, steps }
    /// The payload key Swift's synthesized enum coding used (`{"fraction": {"_0": 0.1}}`).
    private enum LegacyPayload: String, CodingKey { case value = "_0" }

    /// Encoded as `{"fraction": 0.1}` or `{"steps": 100}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .fraction(let fraction): try container.encode(fraction, forKey: .fraction)
        case .steps(let steps): try container.encode(steps, forKey: .steps)
        }
    }

    /// Decodes `{"fraction": 0.1}` / `{"steps": 100}`, and the `{"fraction": {"_0": 0.1}}` form
    /// earlier versions wrote (checkpoints, summaries).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ type: T.Type, _ key: CodingKeys) throws -> T {
            if let plain = try? container.decode(T.self, forKey: key) { return plain }
            return try container.nestedContainer(keyedBy: LegacyPayload.self, forKey: key).decode(T.self, forKey: .value)
        }
        if container.contains(.fraction) {
            self = .fraction(try value(Double.self, .fraction))
        } else if container.contains(.steps) {
            self = .steps(try value(Int.self, .steps))
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "warmup needs a 'fraction' or a 'steps' key"))
        }
    }
}
