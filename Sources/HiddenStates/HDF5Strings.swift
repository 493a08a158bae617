import CHDF5

/// Reading and writing HDF5 text (datasets and attributes), variable- or fixed-length, as UTF-8.
enum HDF5Strings {
    /// A variable-length UTF-8 string memory type (what h5py writes for `str`).
    static func variableUTF8Type(path: String, object: String) throws -> HDF5Handle {
        let type = try HDF5.handle(H5Tcopy(pooler_H5T_C_S1()), .datatype, "H5Tcopy", path: path, object: object)
        try HDF5.check(H5Tset_size(type.id, pooler_H5T_VARIABLE()), "H5Tset_size", path: path, object: object)
        try HDF5.check(H5Tset_cset(type.id, H5T_CSET_UTF8), "H5Tset_cset", path: path, object: object)
        return type
    }

    /// Reads `count` strings stored with `fileType`; `read(memoryType, buffer)` performs the H5Dread/H5Aread.
    static func read(count: Int, fileType: hid_t, path: String, object: String,
                     _ read: (hid_t, UnsafeMutableRawPointer) throws -> Void) throws -> [String] {
        guard count > 0 else { return [] }
        if H5Tis_variable_str(fileType) > 0 {
            let memoryType = try variableUTF8Type(path: path, object: object)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try pointers.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return }
                try read(memoryType.id, base)
            }
            defer {
                // Frees the strings HDF5 allocated (H5Dvlen_reclaim is the 1.10 name for it).
                var dims = [hsize_t(count)]
                if let space = try? HDF5.handle(H5Screate_simple(1, &dims, nil), .dataspace, "H5Screate_simple",
                                                path: path, object: object) {
                    _ = pointers.withUnsafeMutableBytes { raw in
                        H5Dvlen_reclaim(memoryType.id, space.id, hid_t(H5P_DEFAULT), raw.baseAddress)
                    }
                }
            }
            return pointers.map { pointer in pointer.map { String(cString: $0) } ?? "" }
        }
        // Fixed length: `size` bytes per string, NUL- or space-padded.
        let size = H5Tget_size(fileType)
        guard size > 0 else { return Array(repeating: "", count: count) }
        let memoryType = try HDF5.handle(H5Tcopy(pooler_H5T_C_S1()), .datatype, "H5Tcopy", path: path, object: object)
        try HDF5.check(H5Tset_size(memoryType.id, size), "H5Tset_size", path: path, object: object)
        try HDF5.check(H5Tset_strpad(memoryType.id, H5T_STR_NULLPAD), "H5Tset_strpad", path: path, object: object)
        var bytes = [UInt8](repeating: 0, count: size * count)
        try bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            try read(memoryType.id, base)
        }
        return (0..<count).map { i in
            let field = bytes[(i * size)..<((i + 1) * size)]
            let text = field.prefix { $0 != 0 }
            return String(decoding: text, as: UTF8.self)
        }
    }

    /// Calls `body` with one C string pointer per element of `strings` (valid only inside `body`).
    static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
        // One contiguous NUL-separated buffer keeps this to a single allocation.
        var buffer: [CChar] = []
        buffer.reserveCapacity(strings.reduce(0) { $0 + $1.utf8.count + 1 })
        var starts: [Int] = []
        starts.reserveCapacity(strings.count)
        for string in strings {
            starts.append(buffer.count)
            buffer.append(contentsOf: string.utf8.map { CChar(bitPattern: $0) })
            buffer.append(0)
        }
        return try buffer.withUnsafeBufferPointer { chars in
            let pointers = starts.map { start in chars.baseAddress.map { UnsafePointer($0 + start) } }
            return try body(pointers)
        }
    }
}
