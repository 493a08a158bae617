import CHDF5

/// The value of an HDF5 attribute: text or numbers, scalar or 1-D.
public enum AttributeValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case double(Double)
    case strings([String])
    case ints([Int64])
    case doubles([Double])

    public var description: String {
        switch self {
        case .string(let value): return value
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .strings(let values): return "[" + values.joined(separator: ", ") + "]"
        case .ints(let values): return "[" + values.map(String.init).joined(separator: ", ") + "]"
        case .doubles(let values): return "[" + values.map { String($0) }.joined(separator: ", ") + "]"
        }
    }

    /// The text of a `.string`, else nil.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value of an `.int` (or an integral `.double`), else nil.
    public var intValue: Int? {
        switch self {
        case .int(let value): return Int(value)
        case .double(let value) where value.rounded() == value && abs(value) < 1e15: return Int(value)
        default: return nil
        }
    }
}

/// Reading and writing the attributes of an HDF5 object.
enum HDF5Attributes {
    /// All attributes of `object` (a file or dataset identifier), by name. The attribute messages are
    /// checked before HDF5 decodes them, and variable-length strings before HDF5 follows their
    /// references (`AttributeCheck`, one header walk for all of them); `budget` bounds what that reads.
    static func readAll(of object: hid_t, path: String, objectName: String,
                        budget: MemoryBudget = .standard) throws -> [String: AttributeValue] {
        final class Names { var items: [String] = [] }
        let names = Names()
        let collect: H5A_operator2_t = { _, name, _, context in
            guard let name, let context else { return 0 }
            Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().items.append(String(cString: name))
            return 0
        }
        var checks = AttributeCheck(object: object, path: path, objectName: objectName, budget: budget)
        try checks.checkMessages()
        try HDF5.check(H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, nil, collect,
                                   Unmanaged.passUnretained(names).toOpaque()),
                       "H5Aiterate2", path: path, object: objectName)
        var values: [String: AttributeValue] = [:]
        for name in names.items {
            values[name] = try read(name, of: object, path: path, objectName: objectName, checks: &checks)
        }
        return values
    }

    /// One attribute; strings and numbers, scalar or 1-D (strings checked as in `readAll`).
    static func read(_ name: String, of object: hid_t, path: String, objectName: String,
                     budget: MemoryBudget = .standard) throws -> AttributeValue {
        var checks = AttributeCheck(object: object, path: path, objectName: objectName, budget: budget)
        try checks.checkMessages()
        return try read(name, of: object, path: path, objectName: objectName, checks: &checks)
    }

    private static func read(_ name: String, of object: hid_t, path: String, objectName: String,
                             checks: inout AttributeCheck) throws -> AttributeValue {
        let label = checks.label(name)
        let attribute = try HDF5.handle(H5Aopen(object, name, hid_t(H5P_DEFAULT)), .attribute, "H5Aopen",
                                        path: path, object: label)
        let type = try HDF5.handle(H5Aget_type(attribute.id), .datatype, "H5Aget_type", path: path, object: label)
        let space = try HDF5.handle(H5Aget_space(attribute.id), .dataspace, "H5Aget_space", path: path, object: label)
        let count = Int(try HDF5.check(H5Sget_simple_extent_npoints(space.id), "H5Sget_simple_extent_npoints",
                                       path: path, object: label))
        let isScalar = H5Sget_simple_extent_ndims(space.id) == 0
        let element = ElementType(hdf5Type: type.id)
        switch element {
        case .string:
            if H5Tis_variable_str(type.id) > 0 {
                try checks.check(name, type: type.id, count: count)
            }
            let strings = try HDF5Strings.read(count: count, fileType: type.id, path: path, object: label) { memory, buffer in
                try HDF5.check(H5Aread(attribute.id, memory, buffer), "H5Aread", path: path, object: label)
            }
            return isScalar || strings.count == 1 ? .string(strings.first ?? "") : .strings(strings)
        case .float16, .float32, .float64:
            var values = [Double](repeating: 0, count: count)
            _ = try values.withUnsafeMutableBytes { raw in
                try HDF5.check(H5Aread(attribute.id, pooler_H5T_NATIVE_DOUBLE(), raw.baseAddress), "H5Aread",
                               path: path, object: label)
            }
            return isScalar || values.count == 1 ? .double(values.first ?? 0) : .doubles(values)
        case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64, .bool:
            var values = [Int64](repeating: 0, count: count)
            let memory = element == .bool ? type.id : pooler_H5T_NATIVE_INT64()
            if element == .bool {
                var bytes = [Int8](repeating: 0, count: count)
                _ = try bytes.withUnsafeMutableBytes { raw in
                    try HDF5.check(H5Aread(attribute.id, memory, raw.baseAddress), "H5Aread", path: path, object: label)
                }
                values = bytes.map { Int64($0) }
            } else {
                _ = try values.withUnsafeMutableBytes { raw in
                    try HDF5.check(H5Aread(attribute.id, memory, raw.baseAddress), "H5Aread", path: path, object: label)
                }
            }
            return isScalar || values.count == 1 ? .int(values.first ?? 0) : .ints(values)
        case .other(let kind):
            throw HiddenStatesError.invalidAttribute(path: path, name: label, detail: "unsupported type \(kind)")
        }
    }

    /// Writes (or replaces) attribute `name` on `object`.
    static func write(_ value: AttributeValue, named name: String, on object: hid_t, path: String,
                      objectName: String) throws {
        let label = objectName == "/" ? "/@\(name)" : "\(objectName)@\(name)"
        if H5Aexists(object, name) > 0 {
            try HDF5.check(H5Adelete(object, name), "H5Adelete", path: path, object: label)
        }
        func space(_ count: Int?) throws -> HDF5Handle {
            guard let count else {
                return try HDF5.handle(H5Screate(H5S_SCALAR), .dataspace, "H5Screate", path: path, object: label)
            }
            var dims = [hsize_t(count)]
            return try HDF5.handle(H5Screate_simple(1, &dims, nil), .dataspace, "H5Screate_simple",
                                   path: path, object: label)
        }
        func create(_ fileType: hid_t, _ space: HDF5Handle) throws -> HDF5Handle {
            try HDF5.handle(H5Acreate2(object, name, fileType, space.id, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)),
                            .attribute, "H5Acreate2", path: path, object: label)
        }
        switch value {
        case .string(let text):
            try writeStrings([text], scalar: true, name: name, on: object, path: path, label: label)
        case .strings(let texts):
            try writeStrings(texts, scalar: false, name: name, on: object, path: path, label: label)
        case .int(let number):
            let attribute = try create(pooler_H5T_STD_I64LE(), try space(nil))
            var copy = number
            try HDF5.check(H5Awrite(attribute.id, pooler_H5T_NATIVE_INT64(), &copy), "H5Awrite", path: path, object: label)
        case .ints(let numbers):
            let attribute = try create(pooler_H5T_STD_I64LE(), try space(numbers.count))
            _ = try numbers.withUnsafeBytes { raw in
                try HDF5.check(H5Awrite(attribute.id, pooler_H5T_NATIVE_INT64(), raw.baseAddress), "H5Awrite",
                               path: path, object: label)
            }
        case .double(let number):
            let attribute = try create(pooler_H5T_IEEE_F64LE(), try space(nil))
            var copy = number
            try HDF5.check(H5Awrite(attribute.id, pooler_H5T_NATIVE_DOUBLE(), &copy), "H5Awrite", path: path, object: label)
        case .doubles(let numbers):
            let attribute = try create(pooler_H5T_IEEE_F64LE(), try space(numbers.count))
            _ = try numbers.withUnsafeBytes { raw in
                try HDF5.check(H5Awrite(attribute.id, pooler_H5T_NATIVE_DOUBLE(), raw.baseAddress), "H5Awrite",
                               path: path, object: label)
            }
        }
    }

    private static func writeStrings(_ texts: [String], scalar: Bool, name: String, on object: hid_t,
                                     path: String, label: String) throws {
        let type = try HDF5Strings.variableUTF8Type(path: path, object: label)
        let space: HDF5Handle
        if scalar {
            space = try HDF5.handle(H5Screate(H5S_SCALAR), .dataspace, "H5Screate", path: path, object: label)
        } else {
            var dims = [hsize_t(texts.count)]
            space = try HDF5.handle(H5Screate_simple(1, &dims, nil), .dataspace, "H5Screate_simple",
                                    path: path, object: label)
        }
        let attribute = try HDF5.handle(
            H5Acreate2(object, name, type.id, space.id, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)),
            .attribute, "H5Acreate2", path: path, object: label)
        _ = try HDF5Strings.withCStrings(texts) { pointers in
            try pointers.withUnsafeBytes { raw in
                try HDF5.check(H5Awrite(attribute.id, type.id, raw.baseAddress), "H5Awrite", path: path, object: label)
            }
        }
    }
}
