import Foundation
import Pooling

/// Everything a user's files, settings or data can do wrong in training. Each case names the file,
/// field or value involved; `description` says what failed, where, and what to do.
///
/// Settings are named by their ``TrainingConfiguration`` field (`epochs`, `learningRate`,
/// `head.hidden`) and inputs by their role (`train`, `dev`, `out` — the run directory, `resume`);
/// ``description(naming:)`` lets a front end put its own names in their place (the CLI's flags).
public enum TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A configuration field's value is out of its range.
    case invalidValue(field: String, value: String, expected: String)
    /// The head's input width differs from the hidden states' width.
    case dimensionMismatch(path: String, fileDim: Int, headDim: Int)
    /// Train and dev files hold hidden states of different widths.
    case splitDimensionMismatch(train: String, trainDim: Int, dev: String, devDim: Int)
    /// Train and dev files from different layers (`layer` attributes).
    case splitLayerMismatch(train: String, trainLayer: String, dev: String, devLayer: String)
    /// Train and dev sentences wrapped in different prompt templates (`template` attributes).
    case splitTemplateMismatch(train: String, trainTemplate: String, dev: String, devTemplate: String)
    /// The file holds no `/pairs` (or zero of them).
    case noPairs(path: String)
    /// The loss needs gold scores and the file has none.
    case missingScores(path: String, loss: String)
    /// InfoNCE found no pair with score ≥ the threshold.
    case emptyPositiveSet(path: String, threshold: Float, highestScore: Float)
    /// InfoNCE needs at least two positive pairs per batch for in-batch negatives.
    case batchTooSmall(field: String, value: Int, minimum: Int)
    /// Resuming with a configuration field (or an input file: `train`, `dev`) that differs from the checkpoint's.
    case resumeMismatch(checkpoint: String, field: String, checkpointValue: String, requestedValue: String)
    /// Resuming, but no checkpoint in the run directory.
    case checkpointMissing(path: String)
    /// A checkpoint that cannot be read or is inconsistent.
    case checkpointCorrupt(path: String, detail: String)
    /// The run directory already holds a run and resuming was not asked for.
    case runDirectoryInUse(path: String)
    /// Writing an output (checkpoint, log, head, summary) failed.
    case writeFailed(path: String, detail: String)
    /// The loss became NaN or ±∞; training stopped and the last good checkpoint was kept.
    case nonFiniteLoss(epoch: Int, step: Int, value: Float, checkpoint: String)
    /// A gradient became NaN or ±∞ (global norm shown); training stopped.
    case nonFiniteGradient(epoch: Int, step: Int, norm: Double, checkpoint: String)
    /// The dev split cannot give a Spearman correlation (too few pairs, constant or non-finite scores).
    case devUnscorable(path: String, reason: String)
    /// The run would need more memory than the budget; `fields` are the settings that lower it.
    case tooLarge(estimatedBytes: Int, budgetBytes: Int, fields: [String])
    /// Another process is training in the run directory.
    case runDirectoryLocked(path: String, holder: String)
    /// A teacher file does not hold the sentences of the training file it is paired with
    /// (`what`: the count, the texts or the token ids; `index`: the first differing sentence).
    case teacherMismatch(teacher: String, train: String, what: String, index: Int?, expected: String, actual: String)
    /// A teacher file cannot be used (wrong datasets, shape, pooling or width).
    case teacherUnusable(path: String, detail: String, hint: String)
    /// The number of teachers does not match the number of training files.
    case teacherCount(trains: Int, teachers: Int)

    public var description: String { description(naming: { $0 }) }

    /// The message with every field and input role (see the type's summary) written as `name(field)`.
    public func description(naming name: (String) -> String) -> String {
        switch self {
        case let .invalidValue(field, value, expected):
            return "\(name(field)) \(value) is invalid: expected \(expected)."
        case let .dimensionMismatch(path, fileDim, headDim):
            return "\(path): hidden states have dim \(fileDim) but the head expects \(headDim). "
                + "HINT: build the head for dim \(fileDim), or pass hidden states of the model the head was made for."
        case let .splitDimensionMismatch(train, trainDim, dev, devDim):
            return "\(name("train")) \(train) has dim \(trainDim) but \(name("dev")) \(dev) has dim \(devDim). "
                + "HINT: extract both splits from the same model and layer."
        case let .splitLayerMismatch(train, trainLayer, dev, devLayer):
            return "\(name("train")) \(train) holds layer \(trainLayer) but \(name("dev")) \(dev) holds layer \(devLayer); "
                + "dev would choose the epoch on another layer's states. HINT: extract both splits at the same layer."
        case let .splitTemplateMismatch(train, trainTemplate, dev, devTemplate):
            return "\(name("train")) \(train) was extracted with \(HeadProvenance.described(trainTemplate)) but "
                + "\(name("dev")) \(dev) with \(HeadProvenance.described(devTemplate)); dev would choose the epoch on other states. "
                + "HINT: extract both splits with the same --template."
        case let .noPairs(path):
            return "\(path): no sentence pairs (/pairs is missing or empty); training needs pairs. "
                + "HINT: pass a split written with pairs (and scores), e.g. stsb-minilm-l6/train.h5."
        case let .missingScores(path, loss):
            return "\(path): no gold /scores, which \(name("loss")) \(loss) needs. "
                + "HINT: use \(name("loss")) infonce (every pair counts as a positive) or a file with /scores."
        case let .emptyPositiveSet(path, threshold, highest):
            return "\(path): no pair scores ≥ \(name("infonceThreshold")) \(threshold) (the highest score is \(highest)), "
                + "so InfoNCE has no positives. HINT: lower \(name("infonceThreshold"))."
        case let .batchTooSmall(field, value, minimum):
            return "\(name(field)) \(value) is too small: InfoNCE needs at least \(minimum) pairs per batch for in-batch negatives."
        case let .resumeMismatch(checkpoint, field, checkpointValue, requestedValue):
            return "\(name("resume")): the checkpoint \(checkpoint) was trained with \(name(field)) = \(checkpointValue), "
                + "but this run asks for \(requestedValue). HINT: repeat the original settings, or start a new \(name("out")) directory."
        case let .checkpointMissing(path):
            return "\(name("resume")): no checkpoint at \(path). HINT: drop \(name("resume")) to start a new run."
        case let .checkpointCorrupt(path, detail):
            return "checkpoint \(path) is unusable: \(detail). HINT: start a new \(name("out")) directory."
        case let .runDirectoryInUse(path):
            return "\(name("out")) \(path) already holds a run (checkpoint/ exists). "
                + "HINT: add \(name("resume")) to continue it, or choose another \(name("out")) directory."
        case let .writeFailed(path, detail):
            return "cannot write \(path): \(detail). HINT: check the directory exists, is writable and the disk has space."
        case let .nonFiniteLoss(epoch, step, value, checkpoint):
            return "the loss became \(value) at epoch \(epoch), step \(step); training stopped. "
                + "The last good checkpoint is \(checkpoint). "
                + "HINT: lower \(name("learningRate")) or \(name("scale")), or keep \(name("clipNorm")) on."
        case let .nonFiniteGradient(epoch, step, norm, checkpoint):
            return "a gradient became non-finite (global norm \(norm)) at epoch \(epoch), step \(step); training stopped. "
                + "The last good checkpoint is \(checkpoint). HINT: lower \(name("learningRate")) or \(name("scale"))."
        case let .devUnscorable(path, reason):
            return "\(name("dev")) \(path) cannot select the best epoch: \(reason). "
                + "HINT: use a dev split with several scored pairs whose scores differ (e.g. stsb dev.h5)."
        case let .tooLarge(estimated, budget, fields):
            func gib(_ bytes: Int) -> String { String(format: "%.1f GiB", Double(bytes) / Double(1 << 30)) }
            let size = estimated == Int.max ? "more than can be counted" : "about \(gib(estimated))"
            return "this run would need \(size) of memory, over the budget of \(gib(budget)) (3/4 of physical memory). "
                + "Nothing was created. HINT: lower \(fields.map(name).joined(separator: " or "))."
        case let .runDirectoryLocked(path, holder):
            return "\(name("out")) \(path) is in use by another pooler train (\(holder)). "
                + "HINT: wait for it to finish (or stop it), or choose another \(name("out")) directory."
        case let .teacherMismatch(teacher, train, what, index, expected, actual):
            let at = index.map { " (first difference at sentence \($0))" } ?? ""
            return "\(name("teacher")) \(teacher) does not hold the sentences of \(name("train")) \(train): \(what) differ\(at): "
                + "\(name("train")) has \(expected), the teacher \(actual). "
                + "HINT: extract or embed the teacher from the same sentences in the same order as the training file."
        case let .teacherUnusable(path, detail, hint):
            return "\(name("teacher")) \(path): \(detail). HINT: \(hint)"
        case let .teacherCount(trains, teachers):
            return "\(teachers) \(name("teacher")) for \(trains) \(name("train")) files: give one teacher per training file, "
                + "matched by position. HINT: repeat \(name("teacher")) once per \(name("train")), in the same order."
        }
    }
}
