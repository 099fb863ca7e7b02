import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// The one file that calls OpenBLAS: single-precision matrix multiply.
///
/// OpenBLAS is loaded on first use (`load`), not linked: its library constructor starts a
/// thread pool whose threads spin for a while, which cost every dsprep command ~30 ms of
/// system CPU, also `shapes` and `unpack`, which never multiply a matrix. `COpenBLAS` still
/// supplies the header (`cblas.h`, for the enum values) and makes the build check that the
/// library is installed; only `libopenblas.so.0` has to be present at run time.
///
/// Matrices are row-major (`CblasRowMajor`). Each GEMM runs on the calling thread: layers
/// parallelise over the batch themselves (`Threads`) and call OpenBLAS from several threads
/// at once, which its threaded builds allow, so OpenBLAS's own pool is set to one thread
/// when it is loaded. A product of given shapes is then the same bits on every run.
enum BLAS {
    /// `cblas_sgemm`'s C signature.
    private typealias SGEMM = @convention(c) (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint, blasint,
                                              Float, UnsafePointer<Float>?, blasint, UnsafePointer<Float>?, blasint,
                                              Float, UnsafeMutablePointer<Float>?, blasint) -> Void
    private typealias SetThreads = @convention(c) (Int32) -> Void

    /// The library's names, most specific first (Debian, Fedora and Arch ship the first).
    static let libraryNames = ["libopenblas.so.0", "libopenblas.so"]

    private struct Library: @unchecked Sendable {
        let sgemm: SGEMM
    }

    /// The loaded entry points, or why loading failed (once per process).
    private static let library: Result<Library, TrainingError> = {
        var errors: [String] = []
        for name in libraryNames {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                errors.append(dlerror().map { String(cString: $0) } ?? name)
                continue
            }
            guard let sgemm = dlsym(handle, "cblas_sgemm"), let set = dlsym(handle, "openblas_set_num_threads") else {
                errors.append("\(name) has no cblas_sgemm or openblas_set_num_threads")
                continue
            }
            unsafeBitCast(set, to: SetThreads.self)(1)
            return .success(Library(sgemm: unsafeBitCast(sgemm, to: SGEMM.self)))
        }
        return .failure(.libraryUnavailable(
            "OpenBLAS could not be loaded (\(errors.joined(separator: "; "))); install it with: apt-get install libopenblas0"))
    }()

    /// Loads OpenBLAS unless already loaded; models call it when they are built.
    /// - Throws: `TrainingError.libraryUnavailable` naming the library and how to install it.
    static func load() throws {
        _ = try library.get()
    }

    private static var loaded: Library {
        switch library {
        case .success(let library): library
        case .failure(let error): preconditionFailure(error.description)
        }
    }

    /// `c = alpha * op(a) * op(b) + beta * c`, with `op(a)` `[m, k]`, `op(b)` `[k, n]` and
    /// `c` `[m, n]`; `transposeA` means `a` is stored `[k, m]` (leading dimension `lda`).
    ///
    /// The corresponding C function is `cblas_sgemm`.
    /// - Precondition: OpenBLAS loads (`load` did not throw).
    static func sgemm(transposeA: Bool = false, transposeB: Bool = false,
                      m: Int, n: Int, k: Int,
                      alpha: Float = 1,
                      a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0,
                      c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        loaded.sgemm(CblasRowMajor,
                     transposeA ? CblasTrans : CblasNoTrans,
                     transposeB ? CblasTrans : CblasNoTrans,
                     blasint(m), blasint(n), blasint(k),
                     alpha, a, blasint(lda), b, blasint(ldb),
                     beta, c, blasint(ldc))
    }
}
