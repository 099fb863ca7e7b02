import CCrypto
import Foundation

/// SHA-256, the checksum dsprep records for archives, data files and shards.
///
/// A thin wrapper over OpenSSL's libcrypto, which uses the CPU's SHA extensions where present
/// (about 2 GB/s on one core, against ~0.3 GB/s for portable Swift). This is the only file that
/// calls libcrypto. The corresponding C functions are `EVP_DigestInit_ex`, `EVP_DigestUpdate`
/// and `EVP_DigestFinal_ex` with `EVP_sha256()`.
public final class SHA256 {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
        self.context = context
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds `bytes` to the hash.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Adds `bytes` to the hash.
    public func update<Bytes: ContiguousBytes>(_ bytes: Bytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest as 64 lower-case hex digits. The hash cannot be updated afterwards.
    public func finalize() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        EVP_DigestFinal_ex(context, &digest, &length)
        return Self.hex(digest)
    }

    /// The SHA-256 of `bytes` as hex.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> String {
        let hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The SHA-256 of a whole file as hex, read in 1 MiB blocks; `proceed` is asked before each
    /// block, so that a caller on another thread can stop a long hash.
    /// - Throws: the `POSIXError` of a failed open or read; `CancellationError` once `proceed`
    ///   returns false.
    public static func hash(fileAt path: String, proceed: () -> Bool = { true }) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            guard proceed() else { throw CancellationError() }
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hasher.finalize()
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
