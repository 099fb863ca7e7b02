import COpenBLAS

/// The one file that calls OpenBLAS: single-precision matrix multiply.
///
/// Matrices are row-major (`CblasRowMajor`). Each GEMM runs on the calling thread: layers
/// parallelise over the batch themselves (`Threads`) and call OpenBLAS from several threads
/// at once, which its threaded builds allow, so OpenBLAS's own pool is set to one thread
/// before the first multiply. A product of given shapes is then the same bits on every run.
enum BLAS {
    /// Sets OpenBLAS to one thread, once, before the first GEMM.
    private static let singleThreaded: Void = {
        openblas_set_num_threads(1)
    }()

    /// `c = alpha * op(a) * op(b) + beta * c`, with `op(a)` `[m, k]`, `op(b)` `[k, n]` and
    /// `c` `[m, n]`; `transposeA` means `a` is stored `[k, m]` (leading dimension `lda`).
    ///
    /// The corresponding C function is `cblas_sgemm`.
    static func sgemm(transposeA: Bool = false, transposeB: Bool = false,
                      m: Int, n: Int, k: Int,
                      alpha: Float = 1,
                      a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0,
                      c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        _ = singleThreaded
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// The number of threads OpenBLAS uses for a GEMM (1 once a GEMM has run).
    /// The corresponding C function is `openblas_get_num_threads`.
    static var threadCount: Int { Int(openblas_get_num_threads()) }
}
