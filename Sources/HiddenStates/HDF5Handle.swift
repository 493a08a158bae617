import CHDF5
import Foundation

/// One open HDF5 identifier, closed exactly once: by `close()` or when the last reference goes.
///
/// Not `Sendable`: every call on one file happens on the thread that opened it. Debian's libhdf5
/// is the thread-safe build, but not every build is, and HDF5's error-printing setting is per
/// thread; every call goes through `HDF5.enter()` (one process-wide lock, errors silenced per call).
final class HDF5Handle {
    enum Kind { case file, group, dataset, dataspace, datatype, attribute, propertyList }

    let id: hid_t
    let kind: Kind
    private var isOpen = true

    /// Takes ownership of `id` (which must be valid, i.e. already passed through `HDF5.check`).
    init(_ id: hid_t, kind: Kind) {
        self.id = id
        self.kind = kind
    }

    /// Closes now; later calls (and `deinit`) do nothing. Returns HDF5's status.
    @discardableResult
    func close() -> herr_t {
        HDF5.enter()
        defer { HDF5.leave() }
        guard isOpen else { return 0 }
        isOpen = false
        switch kind {
        case .file: return H5Fclose(id)
        case .group: return H5Gclose(id)
        case .dataset: return H5Dclose(id)
        case .dataspace: return H5Sclose(id)
        case .datatype: return H5Tclose(id)
        case .attribute: return H5Aclose(id)
        case .propertyList: return H5Pclose(id)
        }
    }

    deinit { close() }
}

/// The one place C calls into HDF5 are checked and turned into `HiddenStatesError`s.
enum HDF5 {
    /// Every public entry point of this module holds this process-wide lock while it calls HDF5.
    /// Debian's build of 1.10.8 is thread-safe (one global mutex inside), but builds without
    /// `--enable-threadsafe` (e.g. Homebrew's) are not; the lock makes both safe and costs nothing
    /// measurable next to I/O. Recursive, because entry points call each other.
    static let lock = NSRecursiveLock()

    private static let initialized: Bool = {
        _ = H5open()
        return true
    }()

    /// Starts an entry point: takes the lock, initialises the library once, and silences HDF5's
    /// automatic printing of error stacks to stderr (we fold the stack into our own messages with
    /// `errorStack()`). In a thread-safe build that setting is per thread, so it is made on the
    /// calling thread each time (an idempotent call of well under a microsecond).
    static func enter() {
        lock.lock()
        _ = initialized
        _ = H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
    }

    /// Ends an entry point started with `enter()`.
    static func leave() {
        lock.unlock()
    }

    /// Runs `body` holding the HDF5 lock.
    static func locked<T>(_ body: () throws -> T) rethrows -> T {
        enter()
        defer { leave() }
        return try body()
    }

    /// Throws when an HDF5 call returned a negative status or identifier.
    ///
    /// - Parameters:
    ///   - result: what the C function returned.
    ///   - function: its name, e.g. `"H5Dopen2"`.
    ///   - path: the file.
    ///   - object: the dataset or attribute it was called on, e.g. `"/tokens"`.
    /// - Returns: `result`, so identifiers can be used directly.
    @discardableResult
    static func check<T: BinaryInteger>(_ result: T, _ function: String, path: String, object: String) throws -> T {
        guard result < 0 else { return result }
        throw classify(path: path, object: object, function: function, stack: errorStack())
    }

    /// Checks an identifier-returning call and wraps the identifier in a handle that closes it.
    static func handle(_ id: hid_t, _ kind: HDF5Handle.Kind, _ function: String,
                       path: String, object: String) throws -> HDF5Handle {
        try check(id, function, path: path, object: object)
        if kind == .file { closeOnExec(id) }
        return HDF5Handle(id, kind: kind)
    }

    /// Marks an open file's descriptor close-on-exec. HDF5 1.10 opens files without `O_CLOEXEC` and
    /// holds an `flock` on them; a child process started meanwhile (any `Process`) would inherit the
    /// descriptor and keep the lock after the file is closed here, so another open of the same file
    /// would see "held open for writing by another process". (The sec2 driver's handle is the `int` fd.)
    static func closeOnExec(_ file: hid_t) {
        var handle: UnsafeMutableRawPointer?
        guard H5Fget_vfd_handle(file, hid_t(H5P_DEFAULT), &handle) >= 0, let handle else { return }
        let descriptor = handle.load(as: Int32.self)
        let flags = fcntl(descriptor, F_GETFD)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
    }

    /// Turns a failed call into the most specific error its stack allows.
    static func classify(path: String, object: String, function: String, stack: String) -> HiddenStatesError {
        let lowered = stack.lowercased()
        if lowered.contains("file signature not found") { return .notHDF5(path: path) }
        // HDF5 1.10 takes flock(LOCK_SH) when opening for reading; a writer holds LOCK_EX. A crashed
        // SWMR/latest-format writer instead leaves the superblock's "open for write" flag set.
        if lowered.contains("unable to lock file") || lowered.contains("file is already open for write") {
            return .fileLocked(path: path, detail: lastLine(of: stack))
        }
        if lowered.contains("truncated file") { return .truncatedFile(path: path, detail: lastLine(of: stack)) }
        if lowered.contains("fletcher32") || lowered.contains("checksum") {
            return .checksumMismatch(path: path, dataset: object, rows: 0..<0, detail: lastLine(of: stack))
        }
        return .hdf5(path: path, object: object, function: function, stack: stack)
    }

    /// HDF5's current error stack, innermost first, as `function: description; …`.
    static func errorStack() -> String {
        final class Lines { var items: [String] = [] }
        let lines = Lines()
        let walker: H5E_walk2_t = { _, entry, context in
            guard let entry, let context else { return 0 }
            let lines = Unmanaged<Lines>.fromOpaque(context).takeUnretainedValue()
            let function = entry.pointee.func_name.map { String(cString: $0) } ?? "?"
            let text = entry.pointee.desc.map { String(cString: $0) } ?? ""
            lines.items.append("\(function): \(text)")
            return 0
        }
        let status = H5Ewalk2(hid_t(H5E_DEFAULT), H5E_WALK_UPWARD, walker,
                              Unmanaged.passUnretained(lines).toOpaque())
        _ = H5Eclear2(hid_t(H5E_DEFAULT))
        if status < 0 || lines.items.isEmpty { return "no HDF5 error stack" }
        return lines.items.joined(separator: "; ")
    }

    private static func lastLine(of stack: String) -> String {
        // The innermost entry (first, walking upward) names the actual cause.
        String(stack.split(separator: ";").first ?? Substring(stack))
    }
}
