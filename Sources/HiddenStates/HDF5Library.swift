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
