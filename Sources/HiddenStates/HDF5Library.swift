import CHDF5

/// The HDF5 library this process is linked against.
public enum HDF5Library {
    /// Version as `major.minor.release`, e.g. `1.10.8`.
    public static var version: String {
        var major: UInt32 = 0
        var minor: UInt32 = 0
        var release: UInt32 = 0
        guard H5get_libversion(&major, &minor, &release) >= 0 else { return "unknown" }
        return "\(major).\(minor).\(release)"
    }
}

extension HDF5Library {
    /// HDF5 objects (files, datasets, types, spaces, attributes) open in this process right now:
    /// 0 between reads when no handle leaks (the fuzzer checks it after every input).
    public static var openObjectCount: Int {
        HDF5.enter()
        defer { HDF5.leave() }
        return Int(H5Fget_obj_count(hid_t(pooler_H5F_OBJ_ALL()), pooler_H5F_OBJ_ALL()))
    }
}
