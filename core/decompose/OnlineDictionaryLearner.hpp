#pragma once
// Online dictionary learning with subsampling (SOMF; Mensch, Mairal, Thirion & Varoquaux,
// "Dictionary learning for massive matrix factorization", ICML 2016, and "Stochastic subsampling
// for factorizing huge matrices", IEEE TSP 2018).
//
//   min_{D ∈ C, α} Σ_t ½‖x_t − Dᵀα_t‖² + λ/2 ‖α_t‖²,   C = {d_j : ‖d_j‖₁ (+ γ/2‖d_j‖²) ≤ R, d_j ≥ 0}
//
// Samples x_t are fMRI volumes (p voxels); the dictionary rows d_j are spatial maps; codes α_t are
// the maps' time courses. Each iteration takes a minibatch and a random subset M of p/r voxels:
//  1. codes by ridge regression on the sampled voxels: α = (D_M D_Mᵀ + λ' I)⁻¹ D_M x_M, with
//     λ' = λ · tr(D_M D_Mᵀ)/k (the ridge is relative to the atoms' energy, so λ is scale-free);
//  2. surrogate statistics with forgetting weight w_t = t^(−β):
//     A ← (1−w_t)A + w_t ααᵀ/b,  and for the sampled voxels only, with per-voxel counts n_j,
//     B[:,j] ← (1−w_{n_j})B[:,j] + w_{n_j} α x_jᵀ/b  (unbiased despite the subsampling);
//  3. block coordinate descent over the atoms in random order, on the sampled voxels:
//     d_j[M] ← Π( d_j[M] + (B[j,M] − A[j,:]D[:,M]) / A_jj ), the projection Π onto the part of the
//     ball left by d_j outside M (exact, BallProjection.hpp).
// A Communicator sums the statistics over MPI ranks, so that every rank holds the same dictionary.
#include "decompose/Communicator.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace nm::decompose {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct SomfOptions {
    int components = 64;
    double alpha = 0.01;      ///< ridge penalty λ on the codes, relative to the mean atom energy
    int reduction = 12;       ///< r: voxels sampled per iteration = p / r
    double beta = 0.9;        ///< learning-rate exponent, w_t = t^(−β), β ∈ (0.5, 1]
    double radius = 1.0;      ///< R of the constraint ball
    double gamma = 0.0;       ///< elastic-net weight (0: L1 ball)
    bool positive = true;     ///< non-negative maps
    std::uint64_t seed = 0;
    void validate() const;
};

class OnlineDictionaryLearner {
public:
    OnlineDictionaryLearner(Eigen::Index voxels, const SomfOptions& options);

    /// Starting maps (k × p), projected onto the constraint set.
    void initialize(const RowMatrixF& maps);
    /// One iteration on a minibatch of volumes (b × p; b may be 0 on a rank without data this
    /// round). Every rank must call it the same number of times (the statistics are summed).
    void partialFit(const RowMatrixF& batch, Communicator* comm = nullptr);

    [[nodiscard]] const RowMatrixF& maps() const { return D_; }
    [[nodiscard]] const SomfOptions& options() const { return options_; }
    [[nodiscard]] std::int64_t iterations() const { return iteration_; }
    [[nodiscard]] Eigen::Index voxels() const { return D_.cols(); }

    /// Codes of full volumes by ridge regression on all voxels (b × k).
    [[nodiscard]] Eigen::MatrixXf transform(const RowMatrixF& batch) const;

    /// The whole state (maps, statistics, counters, random generator) for checkpoints.
    [[nodiscard]] std::string serialize() const;
    void deserialize(const std::string& bytes);

    /// Floating-point operations of the last partialFit (for GFLOP/s reports).
    [[nodiscard]] double lastFlops() const { return lastFlops_; }

private:
    void drawSubset();

    SomfOptions options_;
    RowMatrixF D_;                  ///< k × p maps
    Eigen::MatrixXd A_;             ///< k × k
    RowMatrixF B_;                  ///< k × p
    std::vector<std::int64_t> featureCounts_;
    std::vector<std::int32_t> permutation_;  ///< voxel order for subset draws
    std::vector<std::int32_t> subset_;
    std::int64_t iteration_ = 0;
    std::mt19937_64 rng_;
    double lastFlops_ = 0.0;
};

} // namespace nm::decompose
