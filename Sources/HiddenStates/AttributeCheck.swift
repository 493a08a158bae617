import CHDF5

/// Pre-checks for crashes of HDF5 1.10.8 reading the attributes of an object in a corrupt file.
/// An attribute's value is stored in its object's header, in its attribute message; the header is
/// walked raw (`ObjectHeaderMessages`, once per object) and its attribute messages split
/// (`AttributeMessage`).
///
/// 1. Messages (`checkMessages`, before any `H5Aiterate2` or `H5Aopen`, which decode every
///    attribute message of the object): a message whose name, datatype or dataspace runs past its
///    end, or whose value is shorter than its elements × their size, makes HDF5 copy the value
///    from memory past the message (a segfault, or garbage). → `corruptAttribute`.
/// 2. References (`check`, before `H5Aread` of a variable-length string): `H5Aread` →
///    `H5T__conv_vlen` → `H5HG_read` follows the value's 16-byte references as it does a dataset's,
///    indexing a global heap collection's object table without a bounds check. The first message
///    with the attribute's name is taken (as HDF5 does); when its datatype is variable-length and
///    its dataspace holds as many elements as HDF5 reports, each reference is checked against the
///    collection it names (`StringReferenceCheck`) → `corruptStringAttribute` (a missing collection
///    or object, a length that is not its object's size, characters declared wider than 1 byte), or
///    `exceedsMemoryBudget` when the strings together would not fit the budget. Every hidden-states
///    file has such attributes (`model`, `special_tokens`, …), read when it is opened.
///
/// Conservative: a file is rejected only for a message or reference that is positively invalid.
/// Nothing is checked (attributes are read as before) when the header cannot be walked (offsets or
/// lengths other than 8 bytes, no version-1 or version-2 header at the object's address, a first
/// chunk past the end of the file); attributes not among its messages (dense storage in a fractal
/// heap, which version-2 headers use past 8 attributes, or a chunk that could not be read) and
/// messages with an unknown version are not checked; a shared datatype or dataspace skips the
/// value-size check, and a reference is not checked when the message disagrees with HDF5 about
/// the type or the element count.
struct AttributeCheck {
    private let object: hid_t
    private let path: String
    private let objectName: String
    private let budget: MemoryBudget

    /// The object's header, read on first use.
    private enum Header {
        case unread
        case unusable
        case read(RawHDF5File, [AttributeMessage])
    }

    private var header = Header.unread

    /// Checks the attributes of `object` (a file, for its root group, or a dataset); the caller holds
    /// the HDF5 lock while it is used.
    init(object: hid_t, path: String, objectName: String, budget: MemoryBudget) {
        self.object = object
        self.path = path
        self.objectName = objectName
        self.budget = budget
    }

    /// How an attribute is labelled in errors: `/@name`, or `/dataset@name`.
    func label(_ name: String) -> String { objectName == "/" ? "/@\(name)" : "\(objectName)@\(name)" }

    /// Checks every attribute message of the object (1. above), before HDF5 decodes them.
    /// - Throws: `corruptAttribute`, `hdf5` (a failed `pread`).
    mutating func checkMessages() throws {
        guard case .read(_, let messages) = try loaded() else { return }
        for message in messages {
            let name = label(String(decoding: message.name, as: UTF8.self))
            if let overrun = message.overrun {
                throw HiddenStatesError.corruptAttribute(
                    path: path, attribute: name, detail: "\(overrun) (HDF5 would read the rest from memory past it)")
            }
            if let count = message.elementCount, let size = message.elementBytes {
                let (needed, overflow) = count.multipliedReportingOverflow(by: size)
                if overflow || needed > message.value.count {
                    throw HiddenStatesError.corruptAttribute(
                        path: path, attribute: name,
                        detail: "its value holds \(message.value.count) bytes, too few for the \(count) elements of "
                            + "\(size) bytes its dataspace and datatype declare (HDF5 would read the rest from memory "
                            + "past its message)")
                }
            }
        }
    }

    /// Checks attribute `name`, a variable-length string of type `type` whose dataspace HDF5 says
    /// holds `count` elements, before `H5Aread` follows its references (2. above).
    /// - Throws: `corruptStringAttribute`, `exceedsMemoryBudget`, `sizeOverflow`, `hdf5` (a failed `pread`).
    mutating func check(_ name: String, type: hid_t, count: Int) throws {
        guard count > 0, case .read(let file, let messages) = try loaded() else { return }
        let wanted = Array(name.utf8)
        guard let message = messages.first(where: { $0.name == wanted }), message.overrun == nil,
              message.isVariableLength == true, message.elementCount == count else { return }
        let label = label(name)
        let bytes = try Sizes.product([count, StringReferenceCheck.referenceBytes], path: path, dataset: label,
                                      what: "its stored string references")
        guard message.value.count >= bytes else { return }  // `checkMessages` reports it
        var references = StringReferenceCheck(holder: .attribute(label), budget: budget, file: file,
                                              characterBytes: StringReferenceCheck.characterBytes(of: type))
        var totalLength = 0
        try Array(message.value.prefix(bytes)).withUnsafeBytes {
            try references.check($0, first: 0, count: count, totalLength: &totalLength)
        }
        // The strings, their pointers and HDF5's per-string conversion buffer.
        let total = try Sizes.sum(totalLength, count * 8, path: path, dataset: label, what: "all of its strings")
        try budget.check(total, path: path, dataset: label, what: "all of its strings")
    }

    /// The object's header, walked on first use.
    private mutating func loaded() throws -> Header {
        if case .unread = header {
            header = try read()
        }
        return header
    }

    /// The object's attribute messages (not shared, of a known version), in HDF5's order.
    private func read() throws -> Header {
        guard let (file, header) = try ObjectHeaderMessages.read(ObjectHeaderMessages.basicInfo(object), holding: object,
                                                                 path: path, objectName: objectName, byteLimit: budget.bytes)
        else { return .unusable }
        let messages = header.messages
            .filter { $0.type == ObjectHeaderMessages.attribute && !$0.isShared }
            .compactMap { AttributeMessage($0.body) }
        return .read(file, messages)
    }
}
