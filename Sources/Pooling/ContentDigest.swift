import Autodiff
import Crypto
import Foundation

/// SHA-256 digests (FIPS 180-4, through swift-crypto) that identify inputs and guard stored weights.
///
/// - A file's digest names the exact training and dev inputs in `summary.json`, a head's
///   provenance and a checkpoint, so `--resume` can tell when its inputs changed.
/// - A tensor set's digest is stored beside the tensors (exported heads, checkpoints) and checked on
///   load, so a flipped bit is an error rather than silently different weights.
public enum ContentDigest {
    /// Lower-case hex of SHA-256(`data`).
    public static func sha256Hex(of data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Lower-case hex of SHA-256 of the file's bytes, streamed in 1 MiB blocks (memory stays flat);
    /// `nil` when the file cannot be read.
    public static func sha256Hex(ofFileAt path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let block: Data?
            do {
                block = try handle.read(upToCount: 1 << 20)
            } catch {
                return nil
            }
            guard let block, !block.isEmpty else { break }
            hasher.update(data: block)
        }
        return hex(hasher.finalize())
    }

    /// SHA-256 of a canonical encoding of named tensors, independent of file layout:
    /// ```
    /// for name in sorted(names):  utf8(name) 0x00  rank:u64le  shape[i]:u64le…  values as f32le…
    /// ```
    /// `prefix` (e.g. a JSON header) is hashed first.
    public static func sha256Hex(tensors: [String: Tensor], prefix: Data = Data()) -> String {
        var hasher = SHA256()
        hasher.update(data: prefix)
        for name in tensors.keys.sorted() {
            guard let tensor = tensors[name] else { continue }
            hasher.update(data: Data(name.utf8) + [0])
            var header = [UInt64(tensor.rank).littleEndian] + tensor.shape.map { UInt64($0).littleEndian }
            header.withUnsafeMutableBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            tensor.scalars.withUnsafeBytes { hasher.update(bufferPointer: $0) }  // x86_64/arm64: little-endian
        }
        return hex(hasher.finalize())
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
