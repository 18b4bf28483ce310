#pragma once
// Null models of networks. Maslov & Sneppen (2002) degree-preserving rewiring as BCT's
// randmio_und / randmio_dir: each iteration picks two edges (a–b, c–d) and rewires them to a–d,
// c–b unless that would duplicate an edge or make a self-loop; weights travel with the edges.
#include "graph/Metrics.hpp"

#include <cstdint>

namespace nm::graph {

struct RewireResult {
    Matrix network;
    std::int64_t swaps = 0;     ///< successful rewirings (BCT's eff)
};

/// Undirected: `iterations` times per edge (BCT ITER). Deterministic for a seed.
RewireResult randmioUnd(const Matrix& W, int iterations, std::uint64_t seed);
/// Directed (randmio_dir): in- and out-degrees preserved.
RewireResult randmioDir(const Matrix& W, int iterations, std::uint64_t seed);

/// BCT rich_club_bu: R(k) = E_k / (N_k (N_k − 1)) among nodes of degree > k, k = 1 … kmax
/// (kmax = 0: the maximum degree). NaN where fewer than 2 nodes remain.
Vector richClubBU(const Matrix& A, int kmax = 0);

struct NormalizedRichClub {
    Vector coefficient, nullMean, nullSd, normalized;  ///< per k; normalized = coefficient / nullMean
};
/// Rich club against `nulls` Maslov–Sneppen networks (`iterations` swaps per edge each).
NormalizedRichClub normalizedRichClubBU(const Matrix& A, int nulls, int iterations, std::uint64_t seed, int kmax = 0);

struct SmallWorld {
    double clustering = 0, pathLength = 0;          ///< of the network (mean clustering_coef_bu, charpath)
    double nullClustering = 0, nullPathLength = 0;  ///< means over the degree-preserving nulls
    double sigma = 0;                               ///< (C / C_null) / (L / L_null) (Humphries & Gurney 2008)
};
/// Small-world propensity σ of a binary undirected network against `nulls` Maslov–Sneppen
/// networks (`iterations` swaps per edge each), which keep the degree sequence — the null that
/// σ needs (Erdős–Rényi nulls inflate it for heterogeneous degrees). Path lengths over the
/// connected pairs (BCT charpath without infinite distances).
SmallWorld smallWorldSigma(const Matrix& A, int nulls, int iterations, std::uint64_t seed);

} // namespace nm::graph
