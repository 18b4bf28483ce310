#pragma once
// Internal helpers shared by the dense and the sparse FUGW solvers.
#include <Eigen/Core>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace nm::align::detail {

/// Σ p log(p / q), 0 log 0 = 0 (fugw's "unnormalised KL").
double unnormalisedKl(const Eigen::VectorXd& p, const Eigen::VectorXd& q);
/// KL(μ⊗ν | α⊗β) from the unnormalised KLs and the masses (fugw's compute_quad_kl).
double quadKl(double uklMu, double uklNu, double mMu, double mNu, double mAlpha, double mBeta);

/// Flush-to-zero and denormals-are-zero on the calling thread and every OpenMP thread while
/// alive, restored afterwards. Entropic plans with small ε are full of exp(−1000)-sized entries:
/// as denormal floats every operation on them takes a microcode assist (about 6× slower here);
/// flushed they are the zeros they are meant to be (a relative 1e−38 of a plan's mass).
class FlushDenormals {
public:
    FlushDenormals() {
#if defined(__SSE__)
        saved_ = _mm_getcsr();
        _mm_setcsr(saved_ | 0x8040u);
        const unsigned s = saved_;
#pragma omp parallel
        _mm_setcsr(s | 0x8040u);
#endif
    }
    ~FlushDenormals() {
#if defined(__SSE__)
        const unsigned s = saved_;
#pragma omp parallel
        _mm_setcsr(s);
        _mm_setcsr(saved_);
#endif
    }
    FlushDenormals(const FlushDenormals&) = delete;
    FlushDenormals& operator=(const FlushDenormals&) = delete;

private:
    unsigned saved_ = 0;
};

} // namespace nm::align::detail
