#pragma once
// Null models of networks. Maslov & Sneppen (2002) degree-preserving rewiring as BCT's
// randmio_und / randmio_dir: each iteration picks two edges (a–b, c–d) and rewires them to a–d,
// c–b unless that would duplicate an edge or make a self-loop; weights travel with the edges.
// Signed networks rewire their positive and negative edges separately (randmio_und_signed).
// Variants: lattice nulls (latmio_und; Sporns & Zwi 2004), degree- and edge-length-preserving
// spatial nulls (Betzel & Bassett 2018), strength-preserving nulls (null_model_und_sign;
// Rubinov & Sporns 2011).
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

/// BCT latmio_und: degree-preserving swaps accepted only when they bring edges closer to the
/// diagonal of a randomly ordered ring lattice, so the result approaches a ring lattice with the
/// network's degrees. Undirected.
RewireResult latmioUnd(const Matrix& W, int iterations, std::uint64_t seed);
/// Degree- and edge-length-preserving null (Betzel & Bassett 2018, PNAS; netneurotools'
/// match_length_degree_distribution): the distances are cut into `bins` equal-width bins and a
/// swap is accepted only when the two new edges fall in the bins of the two old ones (each weight
/// moves to the new edge of its own bin). Degrees and the length-bin histogram are kept exactly.
RewireResult spatialNull(const Matrix& W, const Matrix& lengths, int bins, int iterations, std::uint64_t seed);
/// BCT null_model_und_sign (wei_freq = 1): the topology is rewired (degrees kept), then the
/// weights are dealt out so that strengths are approximately preserved — each step gives the
/// weight of a random rank r to the free edge of the same rank by expected weight s_i s_j, whose
/// factors shrink as their nodes receive weight. Signed networks: each sign separately.
Matrix strengthPreservingNull(const Matrix& W, int iterations, std::uint64_t seed);

/// BCT rich_club_bu: R(k) = E_k / (N_k (N_k − 1)) among nodes of degree > k, k = 1 … kmax
/// (kmax = 0: the maximum degree). NaN where fewer than 2 nodes remain.
Vector richClubBU(const Matrix& A, int kmax = 0);

struct NormalizedRichClub {
    Vector coefficient, nullMean, nullSd, normalized;  ///< per k; normalized = coefficient / nullMean
};
/// Rich club against `nulls` Maslov–Sneppen networks (`iterations` swaps per edge each).
NormalizedRichClub normalizedRichClubBU(const Matrix& A, int nulls, int iterations, std::uint64_t seed, int kmax = 0);
/// BCT rich_club_wu (Opsahl et al. 2008): the weight among nodes of degree > k over the same
/// number of the network's strongest weights.
Vector richClubWU(const Matrix& W, int kmax = 0);
/// Weighted rich club against strength-preserving nulls (strengthPreservingNull).
NormalizedRichClub normalizedRichClubWU(const Matrix& W, int nulls, int iterations, std::uint64_t seed, int kmax = 0);

struct SmallWorld {
    double clustering = 0, pathLength = 0;          ///< of the network (mean clustering_coef_bu, charpath)
    double nullClustering = 0, nullPathLength = 0;  ///< means over the degree-preserving nulls
    double latticeClustering = 0;                   ///< highest mean clustering among the lattice nulls (latmio_und), as Telesford et al.
    double sigma = 0;                               ///< (C / C_null) / (L / L_null) (Humphries & Gurney 2008)
    double omega = 0;                               ///< L_null / L − C / C_lattice (Telesford et al. 2011): −1 lattice, 0 small world, +1 random
};
/// Small-worldness σ and ω of a binary undirected network against `nulls` Maslov–Sneppen
/// networks (`iterations` swaps per edge each), which keep the degree sequence — the null that
/// σ needs (Erdős–Rényi nulls inflate it for heterogeneous degrees). Path lengths over the
/// connected pairs (BCT charpath without infinite distances). ω's lattice reference is latmio_und
/// with `latticeIterations` swaps per edge (latticisation converges slowly: 10 swaps per edge
/// reach only half of a ring lattice's clustering, 100 nearly all of it).
SmallWorld smallWorld(const Matrix& A, int nulls, int iterations, std::uint64_t seed, int latticeIterations = 100);

} // namespace nm::graph
