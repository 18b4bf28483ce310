#pragma once
// Analytical models of modularity (issue 20): what a network's modularity would be by chance, and
// whether planted modules can be found at all.
//
// Random-graph baselines. The maximum modularity of an Erdős–Rényi graph G(n, p) is not zero:
// fluctuations alone make it modular. Guimerà, Sales-Pardo & Amaral 2004 (PRE 70, 025101):
// Q ≈ (1 − 2/√n) (2 / (p n))^{2/3}; Reichardt & Bornholdt 2006 (PRE 74, 016110), from the ground
// state of the Potts spin glass: Q ≈ 0.97 √((1 − p) / (p n)) (their conjecture of the (np)^{-1/2}
// order was proved by McDiarmid & Skerman 2020). For a configuration-model graph the same estimate
// with the degrees' moments, 0.97 ⟨√k⟩ / ⟨k⟩ (Reichardt & Bornholdt's heterogeneous form).
//
// Resolution limit (Fortunato & Barthélemy 2007, PNAS 104, 36): merging two modules A, B joined by
// l_AB edges changes Q by l_AB / m − d_A d_B / (2 m²), so modularity merges them whenever
// d_A d_B < 2 m l_AB — for two equal modules joined by one edge, total degree d < √(2m): modules
// smaller than that cannot be resolved, however clear they are.
//
// Planted partitions (the stochastic block model with q equal groups, mean degrees c_in inside
// and c_out towards each other group): the modules are detectable by any method only above the
// Kesten–Stigum bound (Decelle, Krzakala, Moore & Zdeborová 2011, PRE 84, 066106):
// |c_in − c_out| > q √c with c = (c_in + (q − 1) c_out) / q; for q = 2 this is also where spectral
// modularity maximisation starts to work (Nadakuditi & Newman 2012, PRL 108, 188701). Below it the
// planted partition leaves no trace (the overlap with any estimate → 0 as n → ∞).
#include <Eigen/Core>

#include <cstdint>
#include <utility>
#include <vector>

namespace nm::theory {

using EdgeList = std::vector<std::pair<Eigen::Index, Eigen::Index>>;

/// Guimerà et al. 2004: the expected maximum modularity of G(n, p).
double modularityErGuimera(double n, double p);
/// Reichardt & Bornholdt 2006: the same from the spin-glass ground state, 0.97 √((1 − p) / (n p)).
double modularityErReichardtBornholdt(double n, double p);
/// Reichardt & Bornholdt for a degree sequence (configuration model): 0.97 ⟨√k⟩ / ⟨k⟩.
double modularityConfigurationModel(const std::vector<double>& degrees);

/// Change of Q when two modules of total degrees dA, dB joined by lAB edges are merged, in a
/// network of m edges (> 0: modularity prefers them merged).
double mergeGain(double dA, double dB, double lAB, double m);
/// The smallest total degree of two equal modules joined by one edge that modularity keeps apart: √(2m).
double resolutionLimitDegree(double m);

/// Kesten–Stigum: the signal-to-noise ratio λ = (c_in − c_out) / (q √c); modules are detectable
/// for λ > 1.
double kestenStigumRatio(double cIn, double cOut, int q);
/// The (c_in, c_out) of q equal groups with mean degree c and ε = c_out / c_in.
std::pair<double, double> plantedDegrees(double c, double epsilon, int q);
/// ε* = c_out / c_in at the Kesten–Stigum bound for mean degree c and q groups:
/// (√c − 1) / (√c − 1 + q) (0 when c ≤ 1: nothing is detectable).
double kestenStigumEpsilon(double c, int q);

/// A planted-partition graph: n nodes in q equal groups (contiguous blocks), each pair inside a
/// group linked with probability c_in / n, each pair across groups with c_out / n.
/// Sampled by geometric skipping (Batagelj & Brandes 2005) in O(n + m).
struct PlantedGraph {
    Eigen::Index n = 0;
    EdgeList edges;
    std::vector<int> group;  ///< 1-based planted group of each node
};
PlantedGraph plantedPartition(Eigen::Index n, int q, double cIn, double cOut, std::uint64_t seed);
/// G(n, m) uniformly (an Erdős–Rényi graph with exactly m edges).
EdgeList erdosRenyi(Eigen::Index n, Eigen::Index m, std::uint64_t seed);

/// Spectral clustering with the Bethe Hessian H(r) = (r² − 1) I − r A + D, r = √(Σk² / Σk − 1)
/// (Saade, Krzakala & Zdeborová 2014: it works down to the Kesten–Stigum bound on sparse graphs,
/// where the adjacency and Laplacian spectra fail): the eigenvectors of its q smallest eigenvalues
/// (Lanczos, Spectra), then k-means on their rows. 1-based labels.
/// `smallest` (optional): H(r)'s q smallest eigenvalues, ascending — the number of negative ones
/// estimates the number of detectable groups (Saade et al.: q of them above the Kesten–Stigum
/// bound, one below it, as n → ∞).
std::vector<int> betheHessianClustering(Eigen::Index n, const EdgeList& edges, int q, std::uint64_t seed,
                                        std::vector<double>* smallest = nullptr);

/// Overlap of an estimate with the planted groups (Decelle et al.): (max over label permutations of
/// the fraction agreeing − 1/q) / (1 − 1/q), in [0, 1] (0: chance). q ≤ 8.
double overlap(const std::vector<int>& planted, const std::vector<int>& estimate, int q);

/// gap ≈ prefactor · n^(−exponent), least squares on log gap against log n: how fast a simulated
/// transition's locator approaches its n → ∞ prediction (finite-size scaling). NaN when fewer than
/// two sizes have a positive gap.
struct PowerLaw {
    double prefactor = 0.0, exponent = 0.0;
    int sizes = 0;                       ///< sizes the fit used
};
PowerLaw fitPowerLaw(const std::vector<double>& n, const std::vector<double>& gap);

} // namespace nm::theory
