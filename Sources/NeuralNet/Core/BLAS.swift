import COpenBLAS

/// The one matrix product the engine is built on: C = α·op(A)·op(B) + β·C,
/// row-major, through OpenBLAS's `cblas_sgemm`.
public enum BLAS {
    /// Keeps OpenBLAS on one thread: the engine splits batches across cores
    /// itself, which measures faster for these small matrices and keeps runs
    /// bit-for-bit reproducible. OpenBLAS starts a worker per core when it
    /// loads, and each spins about 0.1 s of CPU before it sleeps; with one
    /// thread they are never used, so they are stopped: a short command (a
    /// conversion, one photo) then costs half the CPU time it did, and
    /// parallel jobs do not wait on spinning threads.
    static let singleThreaded: Void = {
        openblas_set_num_threads(1)
        blas_thread_shutdown_()
    }()

    /// Puts OpenBLAS on one thread now (see `singleThreaded`); a program calls
    /// it first thing, before any network exists. Idempotent.
    public static func useOneThread() {
        _ = singleThreaded
    }

    /// C[m×n] = α · op(A)[m×k] · op(B)[k×n] + β · C. Leading dimensions
    /// (floats between rows as stored) default to those of packed matrices.
    @inline(__always)
    static func gemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                     alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                     b: UnsafePointer<Float>, ldb: Int? = nil,
                     beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda ?? (transposeA ? m : k)), b, Int32(ldb ?? (transposeB ? k : n)),
                    beta, c, Int32(ldc ?? n))
    }
}
