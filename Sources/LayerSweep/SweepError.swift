import Foundation
import Pooling

/// What can go wrong in a layer sweep before or around the per-layer work; errors of the files
/// themselves (``HiddenStates/HiddenStatesError``), of training (``Training/TrainingError``) and of
/// evaluation pass through unchanged. Each case names the folder or file and says what to do.
public enum SweepError: Error, Equatable, CustomStringConvertible {
    /// The root folder does not exist or is not a folder.
    case rootNotFound(path: String)
    /// No `L<k>` folder under the root.
    case noLayers(root: String, entries: [String])
    /// A layer asked for with `--layers` has no folder.
    case layerMissing(root: String, layer: Int, available: [Int])
    /// A layer folder lacks a split file (`train.h5`, `dev.h5`, or `test.h5` when other layers have one).
    case splitMissing(layerFolder: String, split: String, reason: String)
    /// `--resume` with settings other than the ones the sweep folder was started with.
    case resumeMismatch(path: String, field: String, recorded: String, requested: String)
    /// A finished layer's input files changed since it was evaluated.
    case inputChanged(layer: Int, path: String, detail: String, resultFile: String)
    /// The sweep folder already holds a sweep and `--resume` was not given.
    case sweepExists(path: String)
    /// `--resume` on a folder that holds no sweep.
    case nothingToResume(path: String)
    /// A file of the sweep folder is unreadable or not what the sweep wrote.
    case resultCorrupt(path: String, detail: String)
    case writeFailed(path: String, detail: String)
    /// Two input files record different prompt templates (`template` attribute).
    case mixedTemplates(first: String, firstTemplate: String, other: String, otherTemplate: String)

    public var description: String {
        switch self {
        case .rootNotFound(let path):
            return "\(path): no such folder; hint: --root takes a folder holding one subfolder per layer, "
                + "L0/, L3/, … each with train.h5, dev.h5 (and test.h5)"
        case .noLayers(let root, let entries):
            let seen = entries.isEmpty ? "it is empty" : "it holds " + entries.prefix(8).joined(separator: ", ")
                + (entries.count > 8 ? ", …" : "")
            return "\(root): no layer folders (L<k>, e.g. L0, L12) found; \(seen); hint: extract each layer into "
                + "ROOT/L{layer}/SPLIT.h5, e.g. pooler extract --layer all --output ROOT/L{layer}/train.h5"
        case .layerMissing(let root, let layer, let available):
            return "\(root): no folder L\(layer) for layer \(layer); the layers found are "
                + available.map(String.init).joined(separator: ",") + "; hint: pass --layers with those, or extract layer \(layer)"
        case .splitMissing(let folder, let split, let reason):
            return "\(folder): no \(split).h5 (\(reason)); hint: every layer folder needs train.h5 and dev.h5, "
                + "and test.h5 in all of them or in none"
        case .resumeMismatch(let path, let field, let recorded, let requested):
            return "\(path): this sweep was started with \(field) = \(recorded), now \(requested); "
                + "hint: resume with the same flags, or start a new sweep in another --out folder"
        case .inputChanged(let layer, let path, let detail, let resultFile):
            return "\(path): changed since layer \(layer) was evaluated (\(detail)); hint: start a new sweep in another "
                + "--out folder, or delete \(resultFile) to redo that layer"
        case .sweepExists(let path):
            return "\(path): already holds a sweep; hint: add --resume to continue it, or choose another --out folder"
        case .nothingToResume(let path):
            return "\(path): no sweep to resume here (no sweep.json); hint: leave out --resume to start one"
        case .resultCorrupt(let path, let detail):
            return "\(path): unreadable sweep file (\(detail)); hint: delete it to redo that part of the sweep, "
                + "or start a new sweep in another --out folder"
        case .writeFailed(let path, let detail):
            return "cannot write \(path): \(detail); hint: check free disk space and permissions"
        case .mixedTemplates(let first, let firstTemplate, let other, let otherTemplate):
            return "\(first) was extracted with \(HeadProvenance.described(firstTemplate)) but \(other) with "
                + "\(HeadProvenance.described(otherTemplate)); hint: a sweep compares layers of one extraction: put "
                + "each template's layers under their own --root"
        }
    }
}
