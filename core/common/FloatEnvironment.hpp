#pragma once
// Floating-point environment helpers.
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace nm {

/// Flush-to-zero and denormals-are-zero on the calling thread and every OpenMP thread while
/// alive, restored afterwards. Entropic plans with small ε are full of exp(−1000)-sized entries,
/// inverses of sparse precision matrices of entries that decay geometrically along the graph:
/// as denormal numbers every operation on them takes a microcode assist (3–6× slower here);
/// flushed they are the zeros they are meant to be.
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

} // namespace nm
