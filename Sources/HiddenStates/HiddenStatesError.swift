import Foundation

/// Everything a user's file, path or data can do wrong while reading or writing hidden states.
///
/// Each case carries the file path, the dataset (an HDF5 path such as `/tokens`) and the index
/// involved; `description` says what failed, where, and what to do about it.
public enum HiddenStatesError: Error, CustomStringConvertible, Equatable, Sendable {
    /// How an `/offsets` dataset breaks the rule `0 = offsets[0] ≤ offsets[1] ≤ … ≤ offsets[N] = T`.
    public enum OffsetsProblem: Equatable, Sendable {
        /// `offsets[0]` is `value`, not 0.
        case doesNotStartAtZero(value: Int)
        /// `offsets[index] = value` is smaller than `offsets[index - 1] = previous`.
        case decreases(previous: Int, value: Int)
        /// `offsets[N] = value` but `/tokens` has `tokens` rows.
        case doesNotEndAtTokens(value: Int, tokens: Int)
    }

    /// No file at `path`.
    case fileNotFound(path: String)
    /// The path names a folder, not a file.
    case isFolder(path: String)
    /// The path names something that is not a regular file: `kind` is e.g. "a FIFO (named pipe)".
    /// Checked before HDF5 opens it, so a FIFO cannot block the reader.
    case notRegularFile(path: String, kind: String)
    /// Another process holds the file open for writing (HDF5's file lock, or the superblock's
    /// "open for write" flag left by a writer); `detail` is HDF5's innermost message.
    case fileLocked(path: String, detail: String)
    /// A global heap collection (where variable-length strings live) at byte `offset` is corrupt in
    /// a way that makes HDF5 1.10 loop forever when it reads strings; found before HDF5 reads it.
    case corruptGlobalHeap(path: String, offset: Int, detail: String)
    /// Element `element` of the variable-length string dataset `dataset` is stored as a reference that
    /// HDF5 1.10 would follow into memory it does not own (a segfault or a multi-GB allocation): a
    /// global heap collection or object that does not exist, or a length that is not its object's
    /// size. Found from the raw references before HDF5 converts them.
    case corruptStringReference(path: String, dataset: String, element: Int, detail: String)
    /// Element `element` of the variable-length string attribute `attribute` (labelled `/@name`, or
    /// `/dataset@name`) is stored as such a reference; found from the attribute's raw value in its
    /// object header before `H5Aread` converts it (`AttributeCheck`).
    case corruptStringAttribute(path: String, attribute: String, element: Int, detail: String)
    /// The attribute message of `attribute` (labelled as above) runs past its end: its name,
    /// datatype, dataspace or value does not fit, and HDF5 1.10 would read the rest from memory it
    /// does not own. Found from the raw object header before any attribute of the object is read.
    case corruptAttribute(path: String, attribute: String, detail: String)
    /// The local heap of the root group (where the names of its links live), at byte `offset`, has a
    /// free list that loops: HDF5 1.10 would allocate without end listing the root group.
    case corruptGroupHeap(path: String, offset: Int, detail: String)
    /// `dataset`'s chunk shape contradicts its dataspace (no chunk dimensions, a zero one, a rank
    /// that is not the dataspace's, or a chunk larger than a fixed dimension): HDF5 1.10 would divide
    /// by zero, allocate without end or copy past its chunk buffer. HDF5 never writes such a shape.
    case corruptChunkShape(path: String, dataset: String, detail: String)
    /// The file exists but is not HDF5 (no HDF5 signature).
    case notHDF5(path: String)
    /// The file is shorter than its HDF5 superblock says (an interrupted copy or write).
    case truncatedFile(path: String, detail: String)
    /// Neither the ragged (`/tokens` + `/offsets`) nor the padded (`/hidden_states` + `/attention_mask`)
    /// layout was found; `datasets` lists what the root group holds.
    case unknownLayout(path: String, datasets: [String])
    /// A dataset the layout requires (or the caller asked for) is absent.
    case missingDataset(path: String, dataset: String, hint: String)
    /// A dataset has the wrong number of dimensions; `shape` is what the file holds.
    case wrongRank(path: String, dataset: String, expected: Int, shape: [Int])
    /// A dataset's element type is not one this layout allows.
    case wrongType(path: String, dataset: String, expected: String, actual: String)
    /// Two datasets (or a dataset and an attribute) disagree on a size, e.g. `/input_ids` length ≠ T.
    case dimensionMismatch(path: String, dataset: String, what: String, expected: Int, actual: Int)
    /// `/offsets` breaks its rule at `index`.
    case invalidOffsets(path: String, dataset: String, index: Int, problem: OffsetsProblem)
    /// Sentence `sentence` owns no token rows.
    case emptySentence(path: String, dataset: String, sentence: Int)
    /// Row `sentence` of the attention mask marks no real token.
    case emptyMaskRow(path: String, dataset: String, sentence: Int)
    /// Row `sentence` of the attention mask is not one run of real tokens padded on one side.
    case noncontiguousMaskRow(path: String, dataset: String, sentence: Int)
    /// `pairs[pair][column]` names sentence `value`, outside `0 ..< sentences`.
    case pairIndexOutOfRange(path: String, dataset: String, pair: Int, column: Int, value: Int, sentences: Int)
    /// `/scores` and `/pairs` have different lengths.
    case scoresCountMismatch(path: String, dataset: String, scores: Int, pairs: Int)
    /// Gold score `pair` of `/scores` is NaN or ±Inf.
    case nonFiniteScore(path: String, dataset: String, pair: Int, value: Float)
    /// Sizes read from the file (`what`, e.g. "its shape 2^40 × 384") overflow a 64-bit count of
    /// elements or bytes.
    case sizeOverflow(path: String, dataset: String, what: String)
    /// Reading `what` of `dataset` would allocate `bytes`, more than the memory budget `budget`.
    case exceedsMemoryBudget(path: String, dataset: String, what: String, bytes: Int, budget: Int)
    /// `dataset` declares `declaredBytes` of data but the file stores only `storedBytes` for it
    /// (after allowing for compression): its extent is corrupt or it was never written.
    case implausibleStorage(path: String, dataset: String, declaredBytes: Int, storedBytes: Int)
    /// A hidden state is NaN or ±Inf: `sentence`, its token `token` (0-based within the sentence), `dim`.
    case nonFiniteValue(path: String, dataset: String, sentence: Int, token: Int, dim: Int, value: Float)
    /// A Fletcher-32 checksum did not match while reading `rows` of `dataset`: the file is corrupted.
    case checksumMismatch(path: String, dataset: String, rows: Range<Int>, detail: String)
    /// The caller asked for a sentence index outside `0 ..< sentences`.
    case sentenceIndexOutOfRange(path: String, index: Int, sentences: Int)
    /// An attribute exists but cannot be used (e.g. an unsupported type).
    case invalidAttribute(path: String, name: String, detail: String)
    /// Any other failed HDF5 call: the function, the object it was called on, and HDF5's error stack.
    case hdf5(path: String, object: String, function: String, stack: String)
    /// Creating, writing or renaming the output file failed outside HDF5 (permissions, disk full…).
    case writeFailed(path: String, detail: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .fileNotFound(let path), .isFolder(let path), .notRegularFile(let path, _), .fileLocked(let path, _),
            .nonFiniteScore(let path, _, _, _), .sizeOverflow(let path, _, _), .exceedsMemoryBudget(let path, _, _, _, _),
            .implausibleStorage(let path, _, _, _), .corruptGlobalHeap(let path, _, _),
            .corruptStringReference(let path, _, _, _), .corruptStringAttribute(let path, _, _, _),
            .corruptAttribute(let path, _, _), .corruptGroupHeap(let path, _, _), .corruptChunkShape(let path, _, _),
            .notHDF5(let path), .truncatedFile(let path, _),
            .unknownLayout(let path, _), .missingDataset(let path, _, _), .wrongRank(let path, _, _, _),
            .wrongType(let path, _, _, _), .dimensionMismatch(let path, _, _, _, _),
            .invalidOffsets(let path, _, _, _), .emptySentence(let path, _, _), .emptyMaskRow(let path, _, _),
            .noncontiguousMaskRow(let path, _, _), .pairIndexOutOfRange(let path, _, _, _, _, _),
            .scoresCountMismatch(let path, _, _, _), .nonFiniteValue(let path, _, _, _, _, _),
            .checksumMismatch(let path, _, _, _), .sentenceIndexOutOfRange(let path, _, _),
            .invalidAttribute(let path, _, _), .hdf5(let path, _, _, _), .writeFailed(let path, _):
            return path
        }
    }

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file. Hint: check the path (relative paths start at \(currentDirectoryHint))."
        case .isFolder(let path):
            return "\(path) is a folder, not a file. Hint: give the .h5 file inside it, e.g. \(path)/train.h5."
        case .notRegularFile(let path, let kind):
            return "\(path) is \(kind), not a regular file. "
                + "Hint: pass a regular .h5 file; copy the stream to a file first (HDF5 needs random access)."
        case .fileLocked(let path, let detail):
            return "\(path) is held open for writing by another process (\(detail)). "
                + "Hint: wait for the writer to finish and close the file; if it crashed, run `h5clear -s \(path)` "
                + "or copy the file. (HDF5_USE_FILE_LOCKING=FALSE skips the lock, at the risk of reading a half-written file.)"
        case .nonFiniteScore(let path, let dataset, let pair, let value):
            return "\(path): \(dataset)[\(pair)] is \(value), the gold score of pair \(pair). "
                + "Hint: every pair needs a finite gold score; drop or fix that pair (e.g. `pooler subset`) and rewrite the file."
        case .sizeOverflow(let path, let dataset, let what):
            return "\(path): dataset \(dataset): \(what) overflows a 64-bit size. "
                + "Hint: the file's dataspace is corrupt; regenerate the file."
        case .exceedsMemoryBudget(let path, let dataset, let what, let bytes, let budget):
            return "\(path): reading \(what) of \(dataset) needs \(byteText(bytes)), "
                + "more than the memory budget of \(byteText(budget)). "
                + "Hint: the pooler commands read hidden states in batches within the standard budget (8 GiB, or half "
                + "the RAM), so one read this large means the file declares an implausible size: check it with "
                + "`pooler inspect` and regenerate it. A program using the library can stream with batches(size:) or "
                + "raise HiddenStatesFile.Options.memoryBudget."
        case .implausibleStorage(let path, let dataset, let declaredBytes, let storedBytes):
            return "\(path): dataset \(dataset) declares \(byteText(declaredBytes)) of data but the file stores "
                + "only \(byteText(storedBytes)) for it. "
                + "Hint: its shape is corrupt or the data was never written; regenerate the file."
        case .corruptGlobalHeap(let path, let offset, let detail):
            return "\(path): the HDF5 global heap (variable-length strings) at byte \(offset) is corrupt: \(detail). "
                + "Hint: the file is damaged; copy or regenerate it (HDF5 1.10 would hang reading it)."
        case .corruptStringReference(let path, let dataset, let element, let detail):
            return "\(path): dataset \(dataset): string \(element) is corrupt: \(detail). "
                + "Hint: the file is damaged; copy or regenerate it (HDF5 1.10 would crash or hang reading these strings)."
        case .corruptStringAttribute(let path, let attribute, let element, let detail):
            return "\(path): attribute \(attribute): string \(element) is corrupt: \(detail). "
                + "Hint: the file is damaged; copy it again or re-create it (re-run the extraction) "
                + "(HDF5 1.10 would crash reading this attribute)."
        case .corruptAttribute(let path, let attribute, let detail):
            return "\(path): attribute \(attribute) is corrupt: \(detail). "
                + "Hint: the file is damaged; copy it again or re-create it (re-run the extraction) "
                + "(HDF5 1.10 would crash reading the attributes)."
        case .corruptGroupHeap(let path, let offset, let detail):
            return "\(path): the HDF5 local heap of the root group (the names of its datasets) at byte \(offset) "
                + "is corrupt: \(detail). Hint: the file is damaged; copy it again or regenerate it "
                + "(HDF5 1.10 would exhaust memory listing its datasets)."
        case .corruptChunkShape(let path, let dataset, let detail):
            return "\(path): dataset \(dataset) has a corrupt chunk shape: \(detail). "
                + "Hint: the file is damaged; copy it again or regenerate it "
                + "(HDF5 1.10 would crash or exhaust memory reading it)."
        case .notHDF5(let path):
            return "\(path): not an HDF5 file (HDF5 signature not found). "
                + "Hint: pass the .h5 file written by the extraction script or `pooler`, not a CSV or a checkpoint."
        case .truncatedFile(let path, let detail):
            return "\(path): truncated HDF5 file (\(detail)). "
                + "Hint: the file was cut short by an interrupted copy or write; copy or regenerate it."
        case .unknownLayout(let path, let datasets):
            let held = datasets.isEmpty ? "nothing" : datasets.map { "/" + $0 }.joined(separator: ", ")
            return "\(path): no hidden states found (the root group holds \(held)). "
                + "Hint: a ragged file needs /tokens [T, D] and /offsets [N+1]; "
                + "a padded one /hidden_states [N, L, D] and /attention_mask [N, L]."
        case .missingDataset(let path, let dataset, let hint):
            return "\(path): dataset \(dataset) is missing. Hint: \(hint)"
        case .wrongRank(let path, let dataset, let expected, let shape):
            return "\(path): dataset \(dataset) has shape \(shapeText(shape)) (rank \(shape.count)); "
                + "expected rank \(expected). Hint: see the layout table in the data README."
        case .wrongType(let path, let dataset, let expected, let actual):
            return "\(path): dataset \(dataset) holds \(actual); expected \(expected). "
                + "Hint: convert it when writing, e.g. `.astype(np.float16)` in numpy."
        case .dimensionMismatch(let path, let dataset, let what, let expected, let actual):
            return "\(path): dataset \(dataset): \(what) is \(actual), expected \(expected). "
                + "Hint: the datasets were written from different runs or one was cut short; regenerate the file."
        case .invalidOffsets(let path, let dataset, let index, let problem):
            let what: String
            switch problem {
            case .doesNotStartAtZero(let value):
                what = "\(dataset)[0] is \(value), must be 0"
            case .decreases(let previous, let value):
                what = "\(dataset)[\(index)] = \(value) is smaller than \(dataset)[\(index - 1)] = \(previous)"
            case .doesNotEndAtTokens(let value, let tokens):
                what = "\(dataset)[\(index)] (the last entry) is \(value), must equal the \(tokens) rows of /tokens"
            }
            return "\(path): \(what). Hint: sentence i owns rows offsets[i] ..< offsets[i+1]; "
                + "offsets must start at 0, never decrease, and end at T."
        case .emptySentence(let path, let dataset, let sentence):
            return "\(path): sentence \(sentence) has no token rows (\(dataset)[\(sentence)] == \(dataset)[\(sentence + 1)]). "
                + "Hint: every sentence needs at least one token; drop empty texts before extraction."
        case .emptyMaskRow(let path, let dataset, let sentence):
            return "\(path): \(dataset) row \(sentence) marks no real token (all zeros). "
                + "Hint: every sentence needs at least one token with mask 1; drop empty texts before extraction."
        case .noncontiguousMaskRow(let path, let dataset, let sentence):
            return "\(path): \(dataset) row \(sentence) is not one run of 1s padded with 0s on one side. "
                + "Hint: write the mask the tokenizer returned (padding on the left or on the right)."
        case .pairIndexOutOfRange(let path, let dataset, let pair, let column, let value, let sentences):
            return "\(path): \(dataset)[\(pair), \(column)] = \(value) is not a sentence index (0 ..< \(sentences)). "
                + "Hint: pairs index into /sentences and the token offsets; they were written against another sentence list."
        case .scoresCountMismatch(let path, let dataset, let scores, let pairs):
            return "\(path): \(dataset) has \(scores) scores but /pairs has \(pairs) pairs. "
                + "Hint: write exactly one gold score per pair."
        case .nonFiniteValue(let path, let dataset, let sentence, let token, let dim, let value):
            return "\(path): \(dataset) holds \(value) at sentence \(sentence), token \(token), dim \(dim). "
                + "Hint: the encoder overflowed (float16 saturates at 65504); re-extract in float32 or skip this sentence."
        case .checksumMismatch(let path, let dataset, let rows, let detail):
            return "\(path): Fletcher-32 checksum mismatch reading \(dataset) rows \(rows.lowerBound) ..< \(rows.upperBound) "
                + "(\(detail)). Hint: the file is corrupted on disk or in transfer; copy or regenerate it."
        case .sentenceIndexOutOfRange(let path, let index, let sentences):
            return "\(path): sentence index \(index) is outside 0 ..< \(sentences). "
                + "Hint: indices come from /pairs or a split of this same file."
        case .invalidAttribute(let path, let name, let detail):
            return "\(path): attribute \(name): \(detail). Hint: write it as a string or a number."
        case .hdf5(let path, let object, let function, let stack):
            return "\(path): \(function) failed on \(object): \(stack). "
                + "Hint: check that the file is complete and readable, and that no other process is writing it."
        case .writeFailed(let path, let detail):
            return "\(path): writing failed: \(detail). Hint: check the directory exists, is writable, and has free space."
        }
    }
}

/// `1536` → `1536 bytes`, `3221225472` → `3.0 GiB`.
func byteText(_ bytes: Int) -> String {
    let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    guard bytes >= 1024 else { return "\(bytes) bytes" }
    var value = Double(bytes) / 1024
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return String(format: "%.1f", value) + " " + units[unit]
}

/// `[3, 4, 384]` → `3 × 4 × 384`; a scalar → `scalar`.
func shapeText(_ shape: [Int]) -> String {
    shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: " × ")
}

private var currentDirectoryHint: String { FileManager.default.currentDirectoryPath }
