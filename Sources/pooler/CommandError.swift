/// Mistakes in what a command is asked to write, found before anything is written.
enum CommandError: Error, CustomStringConvertible {
    /// An output flag was given an empty path.
    case emptyPath(flag: String)
    /// The output is one of the command's inputs (same path, or the same file through a link).
    case outputIsInput(flag: String, path: String, inputFlag: String, input: String)
    /// Two outputs of one command are the same file.
    case outputsCollide(flag: String, otherFlag: String, path: String)
    /// The output exists and is not a regular file (a folder, a device such as /dev/stdout, a FIFO, a socket).
    case outputNotRegularFile(flag: String, path: String, kind: String)
    /// `pooler export --out` names a folder that `--force` must not replace.
    case exportRefused(path: String, reason: String, hint: String)
    /// A file the executable ships with is not where it should be (a broken installation).
    case resourceMissing(name: String, searched: [String])
    /// An input path that is not a readable regular file.
    case inputNotRegularFile(flag: String, path: String, kind: String)
    /// A head's provenance field cannot be applied to the model it is exported with.
    case headProvenanceUnusable(head: String, field: String, value: String, expected: String)

    var description: String {
        switch self {
        case let .emptyPath(flag):
            return "\(flag) is empty. Hint: give a file path."
        case let .outputIsInput(flag, path, inputFlag, input):
            let same = path == input ? "" : " (\(input), the same file)"
            return "\(flag) \(path) is also the input \(inputFlag)\(same); writing it would destroy the input. "
                + "Nothing was written. Hint: choose another output path."
        case let .outputsCollide(flag, otherFlag, path):
            return "\(flag) and \(otherFlag) are the same file (\(path)). Hint: give each output its own path."
        case let .outputNotRegularFile(flag, path, kind):
            let hint = kind == "folder" ? "give a file path inside it, e.g. \(path)/out.h5"
                : "give a regular file path (results are written to a temporary file and renamed into place, "
                    + "which a \(kind) cannot be); to print a report, leave out the output flag"
            return "\(flag) \(path) is a \(kind), not a regular file. Nothing was written. Hint: \(hint)."
        case let .exportRefused(path, reason, hint):
            return "--out \(path): \(reason). Nothing was changed. Hint: \(hint)."
        case let .resourceMissing(name, searched):
            return "\(name), which pooler ships beside its executable, is missing (looked in \(searched.joined(separator: ", "))). "
                + "Hint: reinstall pooler (`make install`), or run it from its build folder."
        case let .inputNotRegularFile(flag, path, kind):
            return "\(flag) \(path) is a \(kind), not a regular file. Hint: give the file itself."
        case let .headProvenanceUnusable(head, field, value, expected):
            return "the head \(head) records provenance \(field) '\(value)', but it must be \(expected). Nothing was written. "
                + "Hint: export a head trained on this model, or pass --ignore-head-provenance to copy the whole encoder anyway."
        }
    }
}
